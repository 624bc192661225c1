// kubectl kd resume job/NAME: flags → one action (actions/job/managed-job.ts) → print.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {parseTarget} from '../target.ts'

export default class Resume extends KdCommand {
  static summary = 'Resume a suspended scheduled Spark job'
  static examples = [{description: 'A job submitted with --schedule (or a ScheduledSparkApplication)', command: '<%= config.bin %> resume job/nightly-report'}]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: job/NAME (a job with a schedule)'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (resume job NAME)'}),
  }
  static flags = {
    'dry-run': Flags.string({options: ['none', 'server'], default: 'none', description: 'server: check the change on the API server without making it'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Resume)
    const target = parseTarget(args.target, args.name, 'job')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'server'
    const suffix = dryRun ? ' (server dry run)' : ''
    const {setScheduleSuspended} = await import('../actions/job/managed-job.ts')
    const changed = await setScheduleSuspended(kube, target.name, false, {dryRun})
    process.stdout.write(`job/${target.name} ${changed ? 'resumed' : 'unchanged'}${suffix}\n`)
  }
}
