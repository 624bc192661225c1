// kubectl kd suspend job/NAME: flags → one action (actions/job/managed-job.ts) → print.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {parseTarget} from '../target.ts'

export default class Suspend extends KdCommand {
  static summary = 'Suspend a scheduled Spark job: no new runs until it is resumed (a running one goes on)'
  static examples = [{description: 'A job submitted with --schedule (or a ScheduledSparkApplication)', command: '<%= config.bin %> suspend job/nightly-report'}]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: job/NAME (a job with a schedule)'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (suspend job NAME)'}),
  }
  static flags = {
    'dry-run': Flags.string({options: ['none', 'server'], default: 'none', description: 'server: check the change on the API server without making it'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Suspend)
    const target = parseTarget(args.target, args.name, 'job')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'server'
    const suffix = dryRun ? ' (server dry run)' : ''
    const {setScheduleSuspended} = await import('../actions/job/managed-job.ts')
    const changed = await setScheduleSuspended(kube, target.name, true, {dryRun})
    process.stdout.write(`job/${target.name} ${changed ? 'suspended' : 'unchanged'}${suffix}\n`)
  }
}
