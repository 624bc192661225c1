import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, outputFlag} from '../base-command.ts'
import {UserError} from '../errors.ts'
import {asList, formatData, isDataFormat, parseFormat} from '../output/format.ts'
import {renderTable} from '../output/table.ts'
import {parseTarget, targetKind} from '../target.ts'

const FORMATS = ['json', 'yaml', 'name', 'wide', 'jsonpath'] as const

export default class Get extends KdCommand {
  static summary = 'List app clusters or Spark jobs'
  static examples = [
    {description: 'App clusters in the current namespace', command: '<%= config.bin %> get'},
    {description: 'One cluster, with roles and service type', command: '<%= config.bin %> get cluster spark221e2 -o wide'},
    {description: 'Clusters in every namespace, as JSON', command: '<%= config.bin %> get clusters -A -o json'},
    {description: 'Spark jobs', command: '<%= config.bin %> get jobs'},
    {description: 'Names of clusters of one app', command: "<%= config.bin %> get clusters -l kubectl-kd.io/app=shelldemo -o jsonpath='{.items[*].name}'"},
  ]
  static args = {
    type: Args.string({ignoreStdin: true, description: 'clusters (default) or jobs; TYPE/NAME also works'}),
    name: Args.string({ignoreStdin: true, description: 'Only this one'}),
  }
  static flags = {
    'all-namespaces': Flags.boolean({char: 'A', description: 'List across all namespaces'}),
    selector: Flags.string({char: 'l', description: 'Label selector, e.g. kubectl-kd.io/app=spark221e2'}),
    output: outputFlag(FORMATS),
    'no-headers': Flags.boolean({description: "Don't print headers"}),
    watch: Flags.boolean({char: 'w', description: 'After listing, keep printing changes'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Get)
    const format = parseFormat(flags.output, FORMATS)
    const type = args.type ?? 'clusters'
    let target: {kind?: 'cluster' | 'job'; name?: string}
    if (type.includes('/') || args.name !== undefined) target = parseTarget(type, args.name)
    else {
      target = {kind: targetKind(type)}
      if (!target.kind) throw new UserError(`unknown resource type "${type}": use clusters or jobs`)
    }
    const kind = target.kind === 'job' ? 'jobs' : 'clusters'
    const name = target.name
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const scope = flags['all-namespaces'] ? '' : ` in ${kube.namespace} namespace`
    if (kind === 'jobs') {
      const {listJobs} = await import('../actions/jobs.ts')
      const {jobsTable} = await import('../output/jobs.ts')
      const jobs = await listJobs(kube, {allNamespaces: flags['all-namespaces'], selector: flags.selector, name})
      if (isDataFormat(format)) {
        process.stdout.write(await formatData(name ? jobs[0] : asList(jobs), format, jobs.map((j) => ({kind: 'job', group: 'kubectl-kd.io', name: j.name}))))
      } else if (jobs.length === 0) process.stderr.write(`No resources found${scope}.\n`)
      else process.stdout.write(renderTable(jobsTable(jobs, {wide: format === 'wide', allNamespaces: flags['all-namespaces']}), {noHeaders: flags['no-headers']}))
      return
    }
    const {listClusters} = await import('../actions/clusters.ts')
    const {clustersTable} = await import('../output/clusters.ts')
    const print = async (headers: boolean) => {
      const {summaries, unreadable} = await listClusters(kube, {allNamespaces: flags['all-namespaces'], selector: flags.selector, name})
      for (const u of unreadable) process.stderr.write(`warning: cluster "${u.name}" in namespace "${u.namespace}" cannot be read (${u.problem}); kubectl kd delete ${u.name} -n ${u.namespace} removes it\n`)
      if (isDataFormat(format)) {
        process.stdout.write(await formatData(name ? summaries[0] : asList(summaries), format, summaries.map((c) => ({kind: 'cluster', group: 'kubectl-kd.io', name: c.name}))))
      } else if (summaries.length === 0) process.stderr.write(`No resources found${scope}.\n`)
      else process.stdout.write(renderTable(clustersTable(summaries, {wide: format === 'wide', allNamespaces: flags['all-namespaces']}), {noHeaders: !headers || flags['no-headers']}))
    }
    await print(true)
    if (!flags.watch) return
    const {watchClusters} = await import('../actions/watch-clusters.ts')
    const controller = new AbortController()
    process.once('SIGINT', () => controller.abort())
    await watchClusters(kube, {allNamespaces: flags['all-namespaces'], name}, () => print(false), controller.signal)
  }
}
