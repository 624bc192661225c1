import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, parseDuration} from '../base-command.ts'
import {parseTarget, targetKind} from '../target.ts'
import {UserError} from '../errors.ts'

export default class Delete extends KdCommand {
  static summary = 'Delete an app cluster (everything it created) or a Spark job'
  static examples = [
    '<%= config.bin %> delete spark221e2',
    '<%= config.bin %> delete cluster/spark221e2 --wait',
    '<%= config.bin %> delete job/spark-pi',
    {description: 'The clusters a KubeDirectorCluster file or directory defines (as create -f and apply -f read them)', command: '<%= config.bin %> delete -f examples/clusters/shelldemo.yaml'},
    {description: 'No error when the cluster is already gone', command: '<%= config.bin %> delete demo --ignore-not-found'},
    {description: 'Every job kubectl kd made whose driver pod has the label, waiting until nothing of them is left', command: '<%= config.bin %> delete jobs -l schedule=nightly --wait'},
    {description: 'Every job kubectl kd made in the namespace', command: '<%= config.bin %> delete jobs --all -n nightly'},
  ]
  static args = {
    // not required: -f names the clusters instead (and oclif hands a lone `-`, -f's stdin, to this argument)
    target: Args.string({ignoreStdin: true, description: 'The target: NAME, cluster/NAME or job/NAME'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (delete job NAME)'}),
  }
  static flags = {
    filename: Flags.string({char: 'f', description: 'KubeDirectorCluster file, directory or - (stdin): delete the clusters it defines; repeatable', multiple: true}),
    'ignore-not-found': Flags.boolean({description: 'Treat "not found" as a successful delete: no error, exit 0'}),
    wait: Flags.boolean({description: 'Wait until every member pod is gone'}),
    timeout: Flags.string({description: 'How long --wait waits', default: '5m'}),
    'dry-run': Flags.string({options: ['none', 'client', 'server'], default: 'none', description: 'client: only check that it exists; server: check the deletion on the API server without doing it'}),
    selector: Flags.string({char: 'l', description: 'delete jobs -l SELECTOR: every job made by kubectl kd whose driver pod matches'}),
    all: Flags.boolean({description: 'delete jobs --all: every job made by kubectl kd in the namespace'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Delete)
    if (flags.selector !== undefined || flags.all) return this.deleteJobs(args, flags)
    const stdin = args.target === '-'
    const files = [...new Set([...(flags.filename ?? []).filter((f) => f !== ''), ...(stdin ? ['-'] : [])])]
    if (files.length && args.target && !stdin) throw new UserError('give either NAME or -f FILE, not both')
    if (!files.length && !args.target) throw new UserError('give what to delete: NAME, cluster/NAME, job/NAME, or -f FILE|DIR|-')
    const target = files.length ? undefined : parseTarget(args.target!, args.name)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'none' ? undefined : (flags['dry-run'] as 'client' | 'server')
    const suffix = dryRun === 'server' ? ' (server dry run)' : dryRun === 'client' ? ' (dry run)' : ''
    const timeoutMs = parseDuration(flags.timeout, 'timeout')
    if (!target) {
      const {deleteClustersInFiles} = await import('../actions/cluster-delete.ts')
      const result = await deleteClustersInFiles(kube, {files, namespace: flags.namespace, ignoreNotFound: flags['ignore-not-found'], wait: flags.wait, timeoutMs, dryRun})
      for (const d of result.deleted.filter((x) => x.deleted)) process.stdout.write(`cluster/${d.name} deleted${suffix}\n`)
      // kubectl: each one not found is an error line, after the others are deleted; exit 1
      for (const e of result.notFound.slice(0, -1)) process.stderr.write(`error: ${e.message}\n`)
      if (result.notFound.length) throw result.notFound.at(-1)
      return
    }
    // --ignore-not-found: silence and exit 0 for a cluster or job that is not there
    const passOver = async (err: unknown) => {
      const {JobNotFoundError} = await import('../actions/jobs.ts')
      const {ClusterNotFoundError} = await import('../actions/clusters.ts')
      if (flags['ignore-not-found'] && (err instanceof JobNotFoundError || err instanceof ClusterNotFoundError)) return false
      throw err
    }
    if (target.kind === 'job') {
      const {deleteManagedJob} = await import('../actions/managed-job.ts')
      if (await deleteManagedJob(kube, target.name, {dryRun: !!dryRun})) {
        process.stdout.write(`job/${target.name} deleted${suffix}\n`)
        return
      }
      const {deleteJob} = await import('../actions/jobs.ts')
      const deleted = await deleteJob(kube, target.name, {dryRun}).then((d) => d, passOver)
      if (typeof deleted !== 'object') return
      // the job's own name, whichever name found it
      process.stdout.write(`job/${deleted.name} deleted${suffix}\n`)
      return
    }
    const {deleteCluster} = await import('../actions/clusters.ts')
    if (!(await deleteCluster(kube, target.name, {wait: flags.wait, timeoutMs, dryRun}).then(() => true, passOver))) return
    process.stdout.write(`cluster/${target.name} deleted${suffix}\n`)
  }

  /** delete jobs -l SELECTOR | --all */
  private async deleteJobs(args: {target?: string; name?: string}, flags: {selector?: string; all?: boolean; wait?: boolean; timeout: string; 'dry-run': string; filename?: string[]} & Parameters<typeof connectionOptions>[0]): Promise<void> {
    if (!args.target || targetKind(args.target) !== 'job' || args.name !== undefined || flags.filename?.length) throw new UserError('-l and --all select jobs: kubectl kd delete jobs -l SELECTOR, or kubectl kd delete jobs --all')
    if (flags.selector !== undefined && flags.all) throw new UserError('give either -l SELECTOR or --all, not both')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'none' ? undefined : (flags['dry-run'] as 'client' | 'server')
    const {deleteJobs} = await import('../actions/jobs.ts')
    const {withBulkProgress} = await import('../output/bulk-progress.ts')
    const r = await withBulkProgress('deleting jobs', 'deleted', !!dryRun, (onProgress) =>
      deleteJobs(kube, {selector: flags.selector, dryRun, wait: flags.wait, timeoutMs: parseDuration(flags.timeout, 'timeout'), onProgress}),
    )
    const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : ''
    process.stdout.write(r.deleted.map((j) => `job/${j.name} deleted${suffix}\n`).join(''))
    if (r.leftAlone.length) process.stderr.write(`warning: ${r.leftAlone.length} job(s) not made by kubectl kd left alone (${r.leftAlone.slice(0, 3).join(', ')}${r.leftAlone.length > 3 ? ', …' : ''}): delete one with kubectl kd delete job/NAME\n`)
    if (!r.deleted.length && !r.failed.length && !r.leftAlone.length) process.stderr.write(`No resources found in ${kube.namespace} namespace.\n`)
    for (const f of r.failed) process.stderr.write(`error: job/${f.name}: ${f.error}\n`)
    if (r.failed.length) this.exit(1)
  }
}
