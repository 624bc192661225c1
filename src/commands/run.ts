// kubectl kd run job/NAME: flags → one action (actions/job/managed-job.ts) → print.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {parseTarget} from '../target.ts'

export default class Run extends KdCommand {
  static summary = 'Start a run of a scheduled Spark job now (as kubectl create job --from=cronjob/NAME)'
  static examples = [{description: 'A job submitted with --schedule (or a ScheduledSparkApplication)', command: '<%= config.bin %> run job/nightly-report'}]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: job/NAME (a job with a schedule)'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (run job NAME)'}),
  }
  static flags = {
    'dry-run': Flags.string({options: ['none', 'server'], default: 'none', description: 'server: check the change on the API server without making it'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Run)
    const target = parseTarget(args.target, args.name, 'job')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'server'
    const suffix = dryRun ? ' (server dry run)' : ''
    const {runScheduledJob} = await import('../actions/job/managed-job.ts')
    const {run} = await runScheduledJob(kube, target.name, {dryRun})
    process.stdout.write(`job/${target.name} run ${run} created${suffix}\n`)
  }
}
