import * as Flags from '@oclif/core/flags'
import {UserError} from '../errors.ts'
import {KdCommand, connectionOptions, outputFlag} from '../base-command.ts'
import {formatData, parseFormat} from '../output/format.ts'
import {escapeTerminal} from '../output/terminal.ts'

export default class Version extends KdCommand {
  static summary = 'Print the client version, and the server and agent versions when a cluster is reachable'
  static examples = ['<%= config.bin %> version', '<%= config.bin %> version --client', '<%= config.bin %> version -A', '<%= config.bin %> version -o json']
  static flags = {
    client: Flags.boolean({description: 'Client version only (no cluster needed)'}),
    'all-namespaces': Flags.boolean({char: 'A', description: 'Agents of the clusters in every namespace'}),
    output: outputFlag(['json', 'yaml']),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Version)
    const format = parseFormat(flags.output, ['json', 'yaml'])
    const {versions} = await import('../actions/version.ts')
    const {connect} = await import('../kube/connection.ts')
    const info = await versions(this.config.version, flags.client ? undefined : () => connect(connectionOptions(flags)), flags['all-namespaces'])
    if (format === 'table') {
      process.stdout.write(`Client Version: v${info.clientVersion}\n`)
      if (info.serverVersion) process.stdout.write(`Server Version: ${escapeTerminal(info.serverVersion)}\n`)
      for (const a of info.agents ?? []) process.stdout.write(`Agent Version: ${escapeTerminal(a.version)} (cluster ${a.namespace}/${a.cluster})\n`)
    } else process.stdout.write(await formatData(info, format))
    // as kubectl: the client's version is printed, an unreachable server still fails the command
    if (info.serverError) throw new UserError(info.serverError)
  }
}
