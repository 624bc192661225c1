import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {parseTarget} from '../target.ts'

export default class Logs extends KdCommand {
  static summary = "Print the log of a Spark job's driver (or of one executor)"
  static examples = [
    {description: 'The driver log', command: '<%= config.bin %> logs spark-pi-7d1c7ea203db3699'},
    {description: 'Follow it while the job runs', command: '<%= config.bin %> logs job/spark-pi-7d1c7ea203db3699 -f'},
    {description: 'Executor 1', command: '<%= config.bin %> logs spark-pi-7d1c7ea203db3699 --executor 1'},
  ]
  static args = {
    job: Args.string({description: 'Job name (kubectl kd get jobs), driver pod name, app id or app name; job/NAME also works', required: true}),
  }
  static flags = {
    follow: Flags.boolean({char: 'f', description: 'Specify if the logs should be streamed'}),
    executor: Flags.string({char: 'e', description: 'Executor id (spark-exec-id) instead of the driver'}),
    tail: Flags.integer({description: 'Lines of recent log to display; -1 shows all', default: -1}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    const {name} = parseTarget(args.job, undefined, 'job')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const {jobLogs} = await import('../actions/jobs.ts')
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    await jobLogs(kube, name, {
      signal: controller.signal,
      follow: flags.follow,
      executor: flags.executor,
      tailLines: flags.tail >= 0 ? flags.tail : undefined,
      write: (chunk) => process.stdout.write(chunk),
    })
  }
}
