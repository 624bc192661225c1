import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, outputFlag} from '../base-command.ts'
import {clusterChangeFlags, clusterChangeRun, overrideFlags} from '../cluster-flags.ts'

export default class Create extends KdCommand {
  static summary = 'Create an app cluster from a catalog app or from KubeDirectorCluster files'
  static description = `Renders the cluster (root ConfigMap, headless Service, one StatefulSet per role, a Service per member and the cluster's agent) and applies it server-side. Every check runs before the first object is written; if anything fails midway, what was created is removed again.`
  static examples = [
    {description: 'A Spark 2.2.1 cluster named after its app', command: '<%= config.bin %> create spark221e2'},
    {description: 'Three workers, and wait until every member is configured', command: '<%= config.bin %> create spark35 sp --members worker=3 --wait'},
    {description: 'Run a catalog app with other images and packages', command: '<%= config.bin %> create spark221e2 --image controller=localhost/kubectl-kd/spark:3.5.9 --image worker=localhost/kubectl-kd/spark:3.5.9 --package controller=bundled://spark35 --package worker=bundled://spark35'},
    {description: 'Print the objects without a cluster', command: '<%= config.bin %> create cassandra311 db --dry-run=client -o yaml'},
    {description: 'From KubeDirectorCluster files (a file, a directory, or - for stdin)', command: '<%= config.bin %> create -f examples/clusters/shelldemo.yaml'},
  ]
  static args = {
    app: Args.string({ignoreStdin: true, description: 'App to create a cluster of (kubectl kd app list)'}),
    name: Args.string({ignoreStdin: true, description: 'Cluster name (default: the app name)'}),
  }
  static flags = {
    filename: Flags.string({char: 'f', description: 'KubeDirectorCluster file, directory or - (stdin); repeatable', multiple: true}),
    ...overrideFlags,
    ...clusterChangeFlags,
    output: outputFlag(['yaml', 'json', 'name']),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Create)
    const {runClusterChange} = await import('../cluster-flags.ts')
    // oclif hands a lone `-` (stdin) to the first argument instead of to -f
    const stdin = args.app === '-'
    const files = stdin ? [...new Set([...(flags.filename ?? []).filter((f) => f !== ''), '-'])] : flags.filename
    await runClusterChange(clusterChangeRun(flags, {app: stdin ? undefined : args.app, name: args.name, files, allowExisting: false}))
  }
}
