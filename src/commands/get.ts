import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, outputFlag} from '../base-command.ts'
import {UserError} from '../errors.ts'
import {asList, formatData, isDataFormat, parseFormat} from '../output/format.ts'
import {renderTable} from '../output/table.ts'
import {escapeTerminal} from '../output/terminal.ts'
import {parseTargets} from '../target.ts'

const FORMATS = ['json', 'yaml', 'name', 'wide', 'jsonpath'] as const

export default class Get extends KdCommand {
  static summary = 'List app clusters or Spark jobs'
  static examples = [
    {description: 'App clusters in the current namespace', command: '<%= config.bin %> get'},
    {description: 'One cluster, with roles and service type', command: '<%= config.bin %> get cluster spark221e2 -o wide'},
    {description: 'Clusters in every namespace, as KubeDirectorCluster JSON', command: '<%= config.bin %> get clusters -A -o json'},
    {description: 'A cluster as a file that apply takes back', command: '<%= config.bin %> get cluster spark221e2 -o yaml > spark.yaml'},
    {description: 'Spark jobs', command: '<%= config.bin %> get jobs'},
    {description: 'Names of clusters of one app', command: "<%= config.bin %> get clusters -l kubectl-kd.io/app=shelldemo -o jsonpath='{.items[*].metadata.name}'"},
  ]
  static args = {
    type: Args.string({ignoreStdin: true, description: 'clusters (default) or jobs, then names; or TYPE/NAME ...'}),
  }
  // kubectl's forms: TYPE [NAME ...] and TYPE/NAME [TYPE/NAME ...]
  static strict = false
  static flags = {
    'all-namespaces': Flags.boolean({char: 'A', description: 'List across all namespaces'}),
    selector: Flags.string({char: 'l', description: 'Label selector, e.g. kubectl-kd.io/app=spark221e2'}),
    output: outputFlag(FORMATS),
    'no-headers': Flags.boolean({description: "Don't print headers"}),
    watch: Flags.boolean({char: 'w', description: 'After listing, keep printing changes'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Get)
    const format = parseFormat(flags.output, FORMATS)
    const words = (argv as string[]).length ? (argv as string[]) : ['clusters']
    const {kind, names} = parseTargets(words)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const scope = flags['all-namespaces'] ? '' : ` in ${kube.namespace} namespace`
    const notFoundIn = flags['all-namespaces'] ? '' : ` in namespace "${kube.namespace}"`
    // names that do not exist: kubectl's NotFound line each, after what was found, and exit 1
    const missing: string[] = []
    const notFound = (found: string[]) => names.filter((n) => !found.includes(n)).forEach((n) => missing.push(n))
    const asData = <T>(items: T[]) => (names.length === 1 ? items[0] : asList(items))
    // the named objects in the order given, a name given twice printed twice (as kubectl); all without names
    const pick = <T>(items: T[], nameOf: (t: T) => string) => (names.length ? names.flatMap((n) => items.filter((i) => nameOf(i) === n)) : items)
    if (kind === 'job') {
      const {listJobs} = await import('../actions/job/jobs.ts')
      const {jobsTable} = await import('../output/jobs.ts')
      const {listManagedJobs} = await import('../actions/job/managed-job.ts')
      const [all, allManaged] = await Promise.all([
        listJobs(kube, {allNamespaces: flags['all-namespaces'], selector: flags.selector}),
        flags.selector ? Promise.resolve([]) : listManagedJobs(kube, flags['all-namespaces'] ? '' : kube.namespace),
      ])
      const jobs = pick(all, (j) => j.name)
      const managed = pick(allManaged, (j) => j.name)
      notFound([...jobs, ...managed].map((j) => j.name))
      const items = [...jobs, ...managed]
      if (isDataFormat(format)) {
        if (items.length || !names.length) process.stdout.write(await formatData(asData(items), format, items.map((j) => ({kind: 'job', group: 'kubectl-kd.io', name: j.name}))))
      } else if (items.length === 0 && !names.length) process.stderr.write(`No resources found${scope}.\n`)
      else if (items.length) process.stdout.write(renderTable(jobsTable(jobs, {wide: format === 'wide', allNamespaces: flags['all-namespaces']}, managed), {noHeaders: flags['no-headers']}))
    } else {
      const {listClusters} = await import('../actions/cluster/clusters.ts')
      const {clustersTable} = await import('../output/clusters.ts')
      // get -w: columns keep the widths of earlier prints, as kubectl's watch
      const widths: number[] = []
      const print = async (headers: boolean) => {
        const listed = await listClusters(kube, {allNamespaces: flags['all-namespaces'], selector: flags.selector})
        const summaries = pick(listed.summaries, (c) => c.name)
        for (const u of listed.unreadable.filter((x) => !names.length || names.includes(x.name)))
          process.stderr.write(escapeTerminal(`warning: cluster "${u.name}" in namespace "${u.namespace}" cannot be read (${u.problem}); kubectl kd delete ${u.name} -n ${u.namespace} removes it`) + '\n')
        if (headers) notFound([...summaries.map((c) => c.name), ...listed.unreadable.map((u) => u.name)])
        if (isDataFormat(format)) {
          // json, yaml, jsonpath: KubeDirectorClusters, as kubectl kd apply -f takes them back
          const {clusterManifest} = await import('../cluster/cluster-status.ts')
          const manifests = pick(listed.stored, (s) => s.cluster.name).map((s) => clusterManifest(s, listed.pods))
          if (summaries.length || !names.length) process.stdout.write(await formatData(asData(manifests), format, summaries.map((c) => ({kind: 'cluster', group: 'kubectl-kd.io', name: c.name}))))
        } else if (summaries.length === 0 && !names.length) process.stderr.write(`No resources found${scope}.\n`)
        else if (summaries.length)
          process.stdout.write(renderTable(clustersTable(summaries, {wide: format === 'wide', allNamespaces: flags['all-namespaces']}), {noHeaders: !headers || flags['no-headers'], widths}))
      }
      await print(true)
      if (flags.watch && !missing.length) {
        const {watchClusters} = await import('../actions/cluster/watch-clusters.ts')
        const controller = new AbortController()
        process.once('SIGINT', () => controller.abort())
        await watchClusters(kube, {allNamespaces: flags['all-namespaces'], name: new Set(names).size === 1 ? names[0] : undefined}, () => print(false), controller.signal)
        // Ctrl-C ends a watch as kubectl's does: silently, exit 1
        if (controller.signal.aborted) process.exitCode = 1
      }
    }
    if (missing.length) {
      for (const n of missing.slice(0, -1)) process.stderr.write(`error: ${kind} "${n}" not found${notFoundIn}\n`)
      throw new UserError(`${kind} "${missing.at(-1)}" not found${notFoundIn}`)
    }
  }
}

