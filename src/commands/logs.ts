import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {UserError} from '../errors.ts'
import {parseLogsTarget} from '../target.ts'

export default class Logs extends KdCommand {
  static summary = "Print the log of a Spark job's driver (or of one executor), or of an app cluster's member"
  static examples = [
    {description: 'The driver log', command: '<%= config.bin %> logs spark-pi-7d1c7ea203db3699'},
    {description: 'Follow it while the job runs', command: '<%= config.bin %> logs job/spark-pi-7d1c7ea203db3699 -f'},
    {description: 'Executor 1', command: '<%= config.bin %> logs spark-pi-7d1c7ea203db3699 --executor 1'},
    {description: "A cluster member's log (without MEMBER: the list of members)", command: '<%= config.bin %> logs cluster/demo demo-worker-0 --tail 20'},
    {description: "The cluster's agent", command: '<%= config.bin %> logs cluster/demo agent'},
  ]
  static args = {
    job: Args.string({description: 'Job name (kubectl kd get jobs), driver pod name, app id or app name; job/NAME also works; or cluster/NAME', required: true}),
    member: Args.string({description: 'With cluster/NAME (or NAME of a cluster): the member pod (demo-worker-0 or worker-0), or agent'}),
    // `logs cluster NAME MEMBER`: kubectl's TYPE NAME form moves the member here
    more: Args.string({hidden: true}),
  }
  static flags = {
    follow: Flags.boolean({char: 'f', description: 'Specify if the logs should be streamed'}),
    executor: Flags.string({char: 'e', description: 'Executor id (spark-exec-id) instead of the driver'}),
    tail: Flags.integer({description: 'Lines of recent log to display; -1 shows all', default: -1}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    const {kind, name, member} = parseLogsTarget([args.job, args.member, args.more].filter((w): w is string => w !== undefined))
    if (kind === 'cluster' && flags.executor !== undefined) throw new UserError('--executor is for Spark jobs; a cluster member is picked by name: kubectl kd logs cluster/NAME MEMBER')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    const common = {signal: controller.signal, follow: flags.follow, tailLines: flags.tail >= 0 ? flags.tail : undefined, write: (chunk: Uint8Array) => process.stdout.write(chunk)}
    const {memberLogs} = await import('../actions/cluster/cluster-logs.ts')
    if (kind === 'cluster') return memberLogs(kube, name, {...common, member})
    const {jobLogs, JobNotFoundError} = await import('../actions/job/jobs.ts')
    await jobLogs(kube, name, {...common, executor: flags.executor}).catch(async (err: unknown) => {
      // a bare NAME that is no job but a cluster: point at its members
      if (kind === undefined && err instanceof JobNotFoundError) {
        const {findCluster} = await import('../actions/cluster/clusters.ts')
        if (await findCluster(kube, name)) return memberLogs(kube, name, {...common, member: undefined})
      }
      throw err
    })
  }
}
