import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, parseDuration} from '../base-command.ts'
import {parseTarget} from '../target.ts'

export default class Delete extends KdCommand {
  static summary = 'Delete an app cluster (everything it created) or a Spark job'
  static examples = [
    '<%= config.bin %> delete spark221e2',
    '<%= config.bin %> delete cluster/spark221e2 --wait',
    '<%= config.bin %> delete job/spark-pi',
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: NAME, cluster/NAME or job/NAME'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (delete job NAME)'}),
  }
  static flags = {
    wait: Flags.boolean({description: 'Wait until every member pod is gone'}),
    timeout: Flags.string({description: 'How long --wait waits', default: '5m'}),
    'dry-run': Flags.string({options: ['none', 'server'], default: 'none', description: 'server: check the deletion on the API server without doing it'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Delete)
    const target = parseTarget(args.target, args.name)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'server' ? ('server' as const) : undefined
    const suffix = dryRun ? ' (server dry run)' : ''
    if (target.kind === 'job') {
      const {deleteJob} = await import('../actions/jobs.ts')
      const deleted = await deleteJob(kube, target.name, {dryRun})
      process.stdout.write(`job/${deleted.name} deleted${suffix}\n`)
      return
    }
    const {deleteCluster} = await import('../actions/clusters.ts')
    await deleteCluster(kube, target.name, {wait: flags.wait, timeoutMs: parseDuration(flags.timeout, 'timeout'), dryRun})
    process.stdout.write(`cluster/${target.name} deleted${suffix}\n`)
  }
}
