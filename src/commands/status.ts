import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, outputFlag} from '../base-command.ts'
import {asList, formatData, isDataFormat, parseFormat, type Format} from '../output/format.ts'
import {parseTargetList, type TargetKind} from '../target.ts'
import {UserError, isUserError} from '../errors.ts'
import type {KubeClient} from '../kube/client.ts'

const FORMATS = ['json', 'yaml', 'jsonpath'] as const

export default class Status extends KdCommand {
  static summary = 'Show the detailed state of an app cluster (members, endpoints, errors) or of a Spark job'
  static examples = [
    {description: 'A cluster: state, every member, every endpoint', command: '<%= config.bin %> status spark221e2'},
    {description: 'Keep it live', command: '<%= config.bin %> status spark221e2 -w'},
    {description: 'A Spark job', command: '<%= config.bin %> status job/spark-pi'},
    {description: 'Machine-readable', command: '<%= config.bin %> status cluster/spark221e2 -o json'},
    {description: 'Several: each one in turn, then an error line for each one not found', command: '<%= config.bin %> status cluster/spark221e2 job/spark-pi'},
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: NAME, cluster/NAME or job/NAME; several: cluster/a job/b …, or TYPE NAME …'}),
  }
  // kubectl's forms: TYPE/NAME [TYPE/NAME ...] and TYPE NAME [NAME ...]
  static strict = false
  static flags = {
    output: outputFlag(FORMATS),
    watch: Flags.boolean({char: 'w', description: 'Keep the view up to date as the cluster changes'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Status)
    const format = parseFormat(flags.output, FORMATS)
    const targets = parseTargetList(argv as string[])
    if (flags.watch && targets.length > 1) throw new UserError('-w watches one target: give one NAME, cluster/NAME or job/NAME')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    if (targets.length === 1) return this.showOne(kube, targets[0]!, format, flags.watch)
    // several, as kubectl describe a b: each one found, then an error line for each that failed, exit 1
    const shown: {data: unknown; text: string}[] = []
    const failed: UserError[] = []
    for (const t of targets) {
      try {
        shown.push(await this.statusOf(kube, t))
      } catch (err) {
        if (!isUserError(err)) throw err
        failed.push(err)
      }
    }
    if (isDataFormat(format)) {
      if (shown.length) process.stdout.write(await formatData(asList(shown.map((s) => s.data)), format))
    } else process.stdout.write(shown.map((s) => s.text).join('\n'))
    const {errorLine} = await import('../output/errors.ts')
    for (const e of failed.slice(0, -1)) process.stderr.write(errorLine(e.message))
    if (failed.length) throw failed.at(-1)
  }

  /** One target's status as data and as text; a bare NAME is a cluster, unless only a job has that name. */
  private async statusOf(kube: KubeClient, target: {kind?: TargetKind; name: string}): Promise<{data: unknown; text: string; kind: TargetKind}> {
    const {resolveTarget} = await import('../actions/resolve-target.ts')
    const resolved = await resolveTarget(kube, target, {bareName: 'cluster-else-job'})
    if (resolved.kind === 'cluster') {
      const {clusterStatus} = await import('../actions/cluster/clusters.ts')
      const {clusterStatusText} = await import('../output/clusters.ts')
      const status = await clusterStatus(kube, resolved.name, resolved.stored)
      return {data: status, text: clusterStatusText(status), kind: 'cluster'}
    }
    if (resolved.kind === 'managed-job') {
      const {managedJobStatus} = await import('../actions/job/managed-job.ts')
      const managed = await managedJobStatus(kube, resolved.name)
      if (managed) {
        const {managedJobStatusText} = await import('../output/jobs.ts')
        return {data: managed, text: managedJobStatusText(managed), kind: 'job'}
      }
    }
    const {jobStatus, JobNotFoundError} = await import('../actions/job/jobs.ts')
    const {jobStatusText} = await import('../output/jobs.ts')
    const status = await jobStatus(kube, resolved.name).catch((err: unknown) => {
      if (!(resolved.kind === 'job' && resolved.guessed) || !(err instanceof JobNotFoundError)) throw err
      throw new UserError(`cluster or job "${resolved.name}" not found in namespace "${kube.namespace}" (kubectl kd get clusters and kubectl kd get jobs list them)`)
    })
    return {data: status, text: jobStatusText(status), kind: 'job'}
  }

  private async showOne(kube: KubeClient, target: {kind?: TargetKind; name: string}, format: Format, watch: boolean): Promise<void> {
    const first = await this.statusOf(kube, target)
    if (first.kind === 'job' || !watch) {
      process.stdout.write(isDataFormat(format) ? await formatData(first.data, format) : first.text)
      return
    }
    let shown: {data: unknown; text: string} | undefined = first
    const show = async () => {
      // a watch's updates read the cluster again
      const s = shown ?? (await this.statusOf(kube, {kind: 'cluster', name: target.name}))
      shown = undefined
      if (isDataFormat(format)) process.stdout.write(await formatData(s.data, format))
      else {
        if (process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J')
        process.stdout.write(s.text + (!process.stdout.isTTY ? '---\n' : ''))
      }
    }
    await show()
    const {watchClusters} = await import('../actions/cluster/watch-clusters.ts')
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    await watchClusters(kube, {name: target.name}, show, controller.signal)
  }
}
