import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, parseDuration} from '../base-command.ts'
import {parseTargetList, targetKind} from '../target.ts'
import {UserError} from '../errors.ts'
import {errorLine} from '../output/errors.ts'
import {escapeTerminalLines} from '../output/terminal.ts'

export default class Delete extends KdCommand {
  static summary = 'Delete an app cluster (everything it created) or a Spark job'
  static examples = [
    '<%= config.bin %> delete spark221e2',
    '<%= config.bin %> delete cluster/spark221e2 --wait',
    '<%= config.bin %> delete job/spark-pi',
    {description: 'Several at once: each is tried, each one missing is an error line, exit 1 if any failed', command: '<%= config.bin %> delete job/spark-pi job/spark-wc cluster/demo'},
    {description: 'The clusters a KubeDirectorCluster file or directory defines (as create -f and apply -f read them)', command: '<%= config.bin %> delete -f examples/clusters/shelldemo.yaml'},
    {description: 'No error when the cluster is already gone', command: '<%= config.bin %> delete demo --ignore-not-found'},
    {description: 'Every job kubectl kd made whose driver pod has the label, waiting until nothing of them is left', command: '<%= config.bin %> delete jobs -l schedule=nightly --wait'},
    {description: 'Every job kubectl kd made in the namespace', command: '<%= config.bin %> delete jobs --all -n nightly'},
  ]
  static args = {
    // not required: -f names the clusters instead (and oclif hands a lone `-`, -f's stdin, to this argument)
    target: Args.string({ignoreStdin: true, description: 'The target: NAME, cluster/NAME or job/NAME; several: cluster/a job/b …, or TYPE NAME …'}),
  }
  // kubectl's forms: TYPE/NAME [TYPE/NAME ...] and TYPE NAME [NAME ...]
  static strict = false
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
    const {argv, flags} = await this.parse(Delete)
    const words = argv as string[]
    if (flags.selector !== undefined || flags.all) return this.deleteJobs(words, flags)
    const stdin = words[0] === '-'
    const files = [...new Set([...(flags.filename ?? []).filter((f) => f !== ''), ...(stdin ? ['-'] : [])])]
    if (files.length && words.length && !(stdin && words.length === 1)) throw new UserError('give either NAME or -f FILE, not both')
    if (!files.length && !words.length) throw new UserError('give what to delete: NAME, cluster/NAME, job/NAME, or -f FILE|DIR|-')
    const targets = files.length ? undefined : parseTargetList(words)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'none' ? undefined : (flags['dry-run'] as 'client' | 'server')
    const suffix = dryRun === 'server' ? ' (server dry run)' : dryRun === 'client' ? ' (dry run)' : ''
    const timeoutMs = parseDuration(flags.timeout, 'timeout')
    if (!targets) {
      const {deleteClustersInFiles} = await import('../actions/cluster/cluster-delete.ts')
      const result = await deleteClustersInFiles(kube, {files, namespace: flags.namespace, ignoreNotFound: flags['ignore-not-found'], wait: flags.wait, timeoutMs, dryRun})
      for (const d of result.deleted.filter((x) => x.deleted)) process.stdout.write(`cluster/${d.name} deleted${suffix}\n`)
      // kubectl: each one not found is an error line, after the others are deleted; exit 1
      for (const e of result.notFound.slice(0, -1)) process.stderr.write(errorLine(e.message))
      if (result.notFound.length) throw result.notFound.at(-1)
      return
    }
    // every target is tried; each failure is one error line after them, the last one exits 1
    const {deleteTargets} = await import('../actions/delete-targets.ts')
    const result = await deleteTargets(kube, {targets, ignoreNotFound: flags['ignore-not-found'], wait: flags.wait, timeoutMs, dryRun})
    process.stdout.write(result.deleted.map((d) => `${d.kind}/${d.name} deleted${suffix}\n`).join(''))
    for (const f of result.failed.slice(0, -1)) process.stderr.write(errorLine(f.error.message))
    if (result.failed.length) throw result.failed.at(-1)!.error
  }

  /** delete jobs -l SELECTOR | --all */
  private async deleteJobs(words: string[], flags: {selector?: string; all?: boolean; wait?: boolean; timeout: string; 'dry-run': string; filename?: string[]} & Parameters<typeof connectionOptions>[0]): Promise<void> {
    if (words.length !== 1 || targetKind(words[0]!) !== 'job' || flags.filename?.length) throw new UserError('-l and --all select jobs: kubectl kd delete jobs -l SELECTOR, or kubectl kd delete jobs --all')
    if (flags.selector !== undefined && flags.all) throw new UserError('give either -l SELECTOR or --all, not both')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const dryRun = flags['dry-run'] === 'none' ? undefined : (flags['dry-run'] as 'client' | 'server')
    const {deleteJobs} = await import('../actions/job/jobs.ts')
    const {withBulkProgress} = await import('../output/bulk-progress.ts')
    const r = await withBulkProgress('deleting jobs', 'deleted', !!dryRun, (onProgress) =>
      deleteJobs(kube, {selector: flags.selector, dryRun, wait: flags.wait, timeoutMs: parseDuration(flags.timeout, 'timeout'), onProgress}),
    )
    const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : ''
    process.stdout.write(r.deleted.map((j) => `job/${j.name} deleted${suffix}\n`).join(''))
    if (r.leftAlone.length) process.stderr.write(escapeTerminalLines(`warning: ${r.leftAlone.length} job(s) not made by kubectl kd left alone (${r.leftAlone.slice(0, 3).join(', ')}${r.leftAlone.length > 3 ? ', …' : ''}): delete one with kubectl kd delete job/NAME\n`))
    if (!r.deleted.length && !r.failed.length && !r.leftAlone.length) process.stderr.write(`No resources found in ${kube.namespace} namespace.\n`)
    for (const f of r.failed) process.stderr.write(errorLine(`job/${f.name}: ${f.error}`))
    if (r.failed.length) this.exit(1)
  }
}
