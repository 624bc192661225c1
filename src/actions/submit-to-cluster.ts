// `submit --cluster NAME`: runs spark-submit inside the controller pod of a Spark app cluster made by
// `kubectl kd create` (spark35, spark221e2, …) against its standalone master, and reports the
// application id and the master UI. Client deploy mode (standalone clusters run Python only that way),
// so the exec lasts as long as the job; its exit code is the job result.
import {UserError} from '../errors.ts'
import type {ConnectionOptions} from '../kube/connection.ts'
import {APP_CONTAINER, LABEL, memberFqdn} from '../cluster/names.ts'
import {isClientLocal, type SubmitArgs} from '../spark/submission.ts'

export interface ClusterSubmitOptions {
  conn: ConnectionOptions
  cluster: string
  args: SubmitArgs
  timeoutMs?: number
}

export interface ClusterSubmitResult {
  cluster: string
  controllerPod: string
  masterUrl: string
  masterUi: string
  appId?: string
  code: number
  /** the application's own stdout */
  stdout: string
  /** spark-submit's log (stderr): shown when the job fails, or with -v */
  log: string
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** spark-submit's command line for the standalone master (pure). */
export function standaloneSubmitCommand(args: SubmitArgs, masterUrl: string): string[] {
  if (!args.appResource) throw new UserError('Missing application resource.')
  for (const f of [args.appResource, ...(args.jars ?? '').split(','), ...(args.pyFiles ?? '').split(',')].filter(Boolean)) {
    if (isClientLocal(f)) throw new UserError(`${f}: with --cluster, files must be in the image (local:///path) or at a URL; local files are not shipped to app clusters`)
  }
  const strip = (u: string) => u.replace(/^local:\/\//, '')
  const cmd = ['/opt/spark/bin/spark-submit', '--master', masterUrl, '--deploy-mode', 'client']
  const opt = (flag: string, v: string | undefined) => (v !== undefined ? cmd.push(flag, v) : 0)
  opt('--class', args.mainClass)
  opt('--name', args.name)
  opt('--driver-memory', args.driverMemory)
  opt('--executor-memory', args.executorMemory)
  opt('--executor-cores', args.executorCores)
  if (args.numExecutors !== undefined) cmd.push('--conf', `spark.cores.max=${Number(args.numExecutors) * Number(args.executorCores ?? 1)}`)
  opt('--jars', args.jars && args.jars.split(',').map(strip).join(','))
  opt('--py-files', args.pyFiles && args.pyFiles.split(',').map(strip).join(','))
  for (const c of args.conf ?? []) cmd.push('--conf', c)
  cmd.push(strip(args.appResource), ...(args.appArgs ?? []))
  return cmd
}

export async function submitToCluster(opts: ClusterSubmitOptions): Promise<ClusterSubmitResult> {
  const {connect} = await import('../kube/connection.ts')
  const kube = await connect(opts.conn)
  const {rawJson} = await import('../kube/raw.ts')
  const pods = await rawJson<{items: any[]}>(kube, `/api/v1/namespaces/${kube.namespace}/pods`, {
    query: {labelSelector: `${LABEL.cluster}=${opts.cluster},${LABEL.role}=controller`},
  })
  const controller = pods.items.find((p) => p.status?.phase === 'Running')
  if (!controller) {
    throw new UserError(
      pods.items.length
        ? `the controller of cluster "${opts.cluster}" is not running yet (kubectl kd status ${opts.cluster})`
        : `cluster "${opts.cluster}" has no controller pod in namespace "${kube.namespace}": --cluster needs a Spark app cluster (kubectl kd create spark35 ${opts.cluster})`,
    )
  }
  const fqdn = memberFqdn(controller.metadata.name, opts.cluster, kube.namespace)
  const masterUrl = `spark://${fqdn}:7077`
  const cmd = standaloneSubmitCommand(opts.args, masterUrl)
  // exec over the lean transport (v5 channel, exit code from the exec status)
  const {execInPod} = await import('../kube/exec.ts')
  const {createTransport} = await import('../kube/transport.ts')
  const {simpleKubeconfig} = await import('../kube/simple-kubeconfig.ts')
  const {delimiter, join} = await import('node:path')
  const {homedir} = await import('node:os')
  const file = opts.conn.kubeconfig ?? (process.env.KUBECONFIG ?? '').split(delimiter).find(Boolean) ?? join(homedir(), '.kube', 'config')
  const simple = simpleKubeconfig(file, {context: opts.conn.context, namespace: kube.namespace})
  if (!simple) throw new UserError(`--cluster: the kubeconfig context must authenticate with a client certificate or a token (exec plugins, auth providers and proxies are not supported for --cluster yet)`)
  const api = createTransport(simple.credentials)
  const r = await execInPod(api, {
    namespace: kube.namespace,
    pod: controller.metadata.name,
    container: APP_CONTAINER,
    command: ['sh', '-c', `cd /tmp && exec ${cmd.map(shellQuote).join(' ')}`],
    timeoutMs: opts.timeoutMs ?? 0,
    maxOutputBytes: 256 * 1024,
  }).finally(() => api.close())
  const appId = /\b(app-\d{14}-\d{4,})\b/.exec(r.stderr + r.stdout)?.[1]
  return {cluster: opts.cluster, controllerPod: controller.metadata.name, masterUrl, masterUi: `http://${fqdn}:8080`, appId, code: r.code, stdout: r.stdout, log: r.stderr}
}
