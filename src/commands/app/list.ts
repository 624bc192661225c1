import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, outputFlag} from '../../base-command.ts'
import {asList, formatData, isDataFormat, parseFormat} from '../../output/format.ts'
import {renderTable} from '../../output/table.ts'
import {escapeTerminal} from '../../output/terminal.ts'

const FORMATS = ['json', 'yaml', 'name', 'wide', 'jsonpath'] as const

export default class AppList extends KdCommand {
  static summary = 'List the apps clusters can be created from: built-in ones and those added to the namespace'
  static examples = [
    {description: 'Built-in apps and the apps added to the current namespace', command: '<%= config.bin %> app list'},
    {description: 'Built-in apps only, without contacting a cluster', command: '<%= config.bin %> app list --builtin'},
    {description: 'Names only', command: '<%= config.bin %> app list -o name'},
  ]
  static flags = {
    builtin: Flags.boolean({description: 'Only the built-in catalog (works with no cluster)'}),
    output: outputFlag(FORMATS),
    'no-headers': Flags.boolean({description: "Don't print headers"}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(AppList)
    const format = parseFormat(flags.output, FORMATS)
    const {listApps} = await import('../../actions/app/apps.ts')
    const {hasKubeconfig} = await import('../../kube/kubeconfig-present.ts')
    const {connect} = await import('../../kube/connection.ts')
    const listing = await listApps(flags.builtin || !hasKubeconfig(flags.kubeconfig) ? undefined : () => connect(connectionOptions(flags)))
    if (listing.warning) process.stderr.write(`warning: ${escapeTerminal(listing.warning)}\n`)
    const apps = listing.apps
    if (isDataFormat(format)) {
      process.stdout.write(await formatData(format === 'name' ? apps : asList(apps), format, apps.map((a) => ({kind: 'app', group: 'kubectl-kd.io', name: a.id}))))
      return
    }
    const {appsTable} = await import('../../output/apps.ts')
    process.stdout.write(renderTable(appsTable(listing, {wide: format === 'wide'}), {noHeaders: flags['no-headers']}))
  }
}
