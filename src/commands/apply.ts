import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, outputFlag} from '../base-command.ts'
import {clusterChangeFlags, clusterChangeRun, overrideFlags} from '../cluster-flags.ts'
import {UserError} from '../errors.ts'

export default class Apply extends KdCommand {
  static summary = 'Create app clusters from KubeDirectorCluster files, or update the ones that exist'
  static description = 'Like create -f, but an existing cluster is updated to the file (members, resources, images) instead of refused.'
  static examples = [
    '<%= config.bin %> apply -f examples/clusters/shelldemo.yaml',
    '<%= config.bin %> apply -f examples/clusters/spark35.yaml --wait --timeout 5m',
  ]
  // oclif hands a lone `-` (-f - for stdin) to an argument instead of to -f
  static args = {stdin: Args.string({ignoreStdin: true, hidden: true, options: ['-']})}
  static flags = {
    filename: Flags.string({char: 'f', description: 'KubeDirectorCluster file, directory or - (stdin); repeatable', multiple: true}),
    ...overrideFlags,
    ...clusterChangeFlags,
    output: outputFlag(['yaml', 'json', 'name']),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Apply)
    const files = [...new Set([...(flags.filename ?? []).filter((f) => f !== ''), ...(args.stdin ? ['-'] : [])])]
    if (files.length === 0) throw new UserError('apply needs -f FILE|DIR|- (for an app from the catalog use kubectl kd create APP)')
    const {runClusterChange} = await import('../cluster-flags.ts')
    await runClusterChange(clusterChangeRun(flags, {files, allowExisting: true}))
  }
}
