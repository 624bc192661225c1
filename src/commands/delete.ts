import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, parseDuration} from '../base-command.ts'
import {UserError} from '../errors.ts'
import {parseTarget, targetKind} from '../target.ts'

export default class Delete extends KdCommand {
  static summary = 'Delete an app cluster (everything it created) or a Spark job'
  static examples = [
    '<%= config.bin %> delete spark221e2',
    '<%= config.bin %> delete cluster/spark221e2 --wait',
    '<%= config.bin %> delete job/spark-pi',
    '<%= config.bin %> delete jobs -l schedule=nightly --wait',
    '<%= config.bin %> delete jobs --all -n nightly',
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'NAME, cluster/NAME or job/NAME; jobs with -l or --all'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (delete job NAME)'}),
  }
  static flags = {
    wait: Flags.boolean({description: 'Wait until every member pod is gone'}),
    timeout: Flags.string({description: 'How long --wait waits', default: '5m'}),
    'dry-run': Flags.string({options: ['none', 'server', 'client'], default: 'none', description: 'server: check the deletion on the API server without doing it; client (jobs -l/--all): list what would be deleted'}),
    selector: Flags.string({char: 'l', description: 'delete jobs -l SELECTOR: every job made by kubectl kd whose driver pod matches'}),
    all: Flags.boolean({description: 'delete jobs --all: every job made by kubectl kd in the namespace'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Delete)
    if (flags.selector !== undefined || flags.all) return this.deleteJobs(args, flags)
    const target = parseTarget(args.target, args.name)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    if (flags['dry-run'] === 'client') throw new UserError('--dry-run=client lists what delete jobs -l/--all would delete; for one job or cluster use --dry-run=server')
    const dryRun = flags['dry-run'] === 'server' ? ('server' as const) : undefined
    const suffix = dryRun ? ' (server dry run)' : ''
    if (target.kind === 'job') {
      const {deleteJob} = await import('../actions/jobs.ts')
      await deleteJob(kube, target.name, {dryRun})
      process.stdout.write(`job/${target.name} deleted${suffix}\n`)
      return
    }
    const {deleteCluster} = await import('../actions/clusters.ts')
    await deleteCluster(kube, target.name, {wait: flags.wait, timeoutMs: parseDuration(flags.timeout, 'timeout'), dryRun})
    process.stdout.write(`cluster/${target.name} deleted${suffix}\n`)
  }

  /** delete jobs -l SELECTOR | --all */
  private async deleteJobs(args: {target: string; name?: string}, flags: {selector?: string; all?: boolean; wait?: boolean; timeout: string; 'dry-run': string} & Parameters<typeof connectionOptions>[0]): Promise<void> {
    if (targetKind(args.target) !== 'job' || args.name !== undefined) throw new UserError('-l and --all select jobs: kubectl kd delete jobs -l SELECTOR, or kubectl kd delete jobs --all')
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
