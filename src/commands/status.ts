import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, outputFlag} from '../base-command.ts'
import {formatData, isDataFormat, parseFormat} from '../output/format.ts'
import {parseTarget} from '../target.ts'
import {UserError} from '../errors.ts'
import type {StoredCluster} from '../actions/clusters.ts'

const FORMATS = ['json', 'yaml', 'jsonpath'] as const

export default class Status extends KdCommand {
  static summary = 'Show the detailed state of an app cluster (members, endpoints, errors) or of a Spark job'
  static examples = [
    {description: 'A cluster: state, every member, every endpoint', command: '<%= config.bin %> status spark221e2'},
    {description: 'Keep it live', command: '<%= config.bin %> status spark221e2 -w'},
    {description: 'A Spark job', command: '<%= config.bin %> status job/spark-pi'},
    {description: 'Machine-readable', command: '<%= config.bin %> status cluster/spark221e2 -o json'},
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: NAME, cluster/NAME or job/NAME'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (status job NAME)'}),
  }
  static flags = {
    output: outputFlag(FORMATS),
    watch: Flags.boolean({char: 'w', description: 'Keep the view up to date as the cluster changes'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Status)
    const format = parseFormat(flags.output, FORMATS)
    const target = parseTarget(args.target, args.name)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    let kind = target.kind
    let found: StoredCluster | undefined
    if (!kind) {
      // a bare NAME is a cluster, unless only a job has that name
      const {findCluster} = await import('../actions/clusters.ts')
      found = await findCluster(kube, target.name)
      kind = found ? 'cluster' : 'job'
    }
    if (kind === 'job') {
      const {managedJobStatus} = await import('../actions/managed-job.ts')
      const managed = await managedJobStatus(kube, target.name)
      if (managed) {
        const {managedJobStatusText} = await import('../output/jobs.ts')
        process.stdout.write(isDataFormat(format) ? await formatData(managed, format) : managedJobStatusText(managed))
        return
      }
      const {jobStatus} = await import('../actions/jobs.ts')
      const {jobStatusText} = await import('../output/jobs.ts')
      const {JobNotFoundError} = await import('../actions/jobs.ts')
      const status = await jobStatus(kube, target.name).catch((err: unknown) => {
        if (target.kind || !(err instanceof JobNotFoundError)) throw err
        throw new UserError(`cluster or job "${target.name}" not found in namespace "${kube.namespace}" (kubectl kd get clusters and kubectl kd get jobs list them)`)
      })
      process.stdout.write(isDataFormat(format) ? await formatData(status, format) : jobStatusText(status))
      return
    }
    const {clusterStatus} = await import('../actions/clusters.ts')
    const {clusterStatusText} = await import('../output/clusters.ts')
    const show = async () => {
      const status = await clusterStatus(kube, target.name, found)
      found = undefined // a watch's updates read it again
      if (isDataFormat(format)) process.stdout.write(await formatData(status, format))
      else {
        if (flags.watch && process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J')
        process.stdout.write(clusterStatusText(status) + (flags.watch && !process.stdout.isTTY ? '---\n' : ''))
      }
    }
    await show()
    if (!flags.watch) return
    const {watchClusters} = await import('../actions/watch-clusters.ts')
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    await watchClusters(kube, {name: target.name}, show, controller.signal)
  }
}
