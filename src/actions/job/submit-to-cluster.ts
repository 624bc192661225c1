// `submit --cluster NAME`: runs spark-submit inside the controller pod of a Spark app cluster made by
// `kubectl kd create` (spark35, spark221e2, …) against its standalone master, and reports the
// application id and the master UI. Client deploy mode (standalone clusters run Python only that way),
// so the exec lasts as long as the job; its exit code is the job result. Local files (the application,
// --jars, --py-files) are streamed into a temporary directory of the controller with the exec; the
// driver there serves them to the executors, as spark-submit's client mode does.
import {UserError} from '../../errors.ts'
import {R, resourcePath, type ExecResult, type KubeClient} from '../../kube/client.ts'
import {errorKind} from '../../kube/errors.ts'
import {APP_CONTAINER, LABEL, memberFqdn} from '../../cluster/names.ts'
import {isClientLocal, type SubmitArgs} from '../../spark/submission.ts'
import {byteStringAs} from '../../spark/units.ts'

export interface ClusterSubmitOptions {
  cluster: string
  /** aborting stops spark-submit in the controller, then resolves with `interrupted` */
  signal?: AbortSignal
  args: SubmitArgs
  timeoutMs?: number
  onProgress?: (line: string) => void
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
  /** stopped through `signal` */
  interrupted?: boolean
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** A client-local file the command refers to by `name` in its working directory. */
export interface LocalFile {
  source: string
  name: string
}

/** at most this much is streamed into the controller for one submission */
const MAX_LOCAL_BYTES = 64 * 1024 * 1024

/** spark-submit's command line for the standalone master, and the local files it needs in its working directory (pure). */
export function standaloneSubmitCommand(args: SubmitArgs, masterUrl: string): {command: string[]; files: LocalFile[]} {
  if (!args.appResource) throw new UserError('Missing application resource.')
  const files: LocalFile[] = []
  const place = (uri: string): string => {
    if (!isClientLocal(uri)) return uri.replace(/^local:\/\//, '')
    const source = uri.replace(/^file:(\/\/)?/, '')
    const name = source.replace(/\/+$/, '').split('/').pop() ?? source
    if (!/^[-._a-zA-Z0-9]+$/.test(name) || name === '.' || name === '..') throw new UserError(`${source}: the file name must consist of letters, digits, '-', '_' or '.' to be shipped with --cluster`)
    const same = files.find((f) => f.name === name)
    if (same && same.source !== source) throw new UserError(`${source} and ${same.source} have the same file name: rename one to ship both`)
    if (!same) files.push({source, name})
    return `./${name}`
  }
  const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean).map(place).join(',')
  const command = ['/opt/spark/bin/spark-submit', '--master', masterUrl, '--deploy-mode', 'client']
  const opt = (flag: string, v: string | undefined) => (v !== undefined ? command.push(flag, v) : 0)
  opt('--class', args.mainClass)
  opt('--name', args.name)
  opt('--driver-memory', args.driverMemory)
  opt('--executor-memory', args.executorMemory)
  opt('--executor-cores', args.executorCores)
  if (args.numExecutors !== undefined) command.push('--conf', `spark.cores.max=${Number(args.numExecutors) * Number(args.executorCores ?? 1)}`)
  opt('--jars', list(args.jars))
  opt('--py-files', list(args.pyFiles))
  for (const c of args.conf ?? []) command.push('--conf', c)
  command.push(place(args.appResource), ...(args.appArgs ?? []))
  return {command, files}
}

/** What a standalone master reports of its workers (GET /json/ on its UI; memory in MiB). */
export interface MasterState {
  workers?: {state?: string; memory?: number}[]
}

/** Spark refuses executors with less memory than this (UnifiedMemoryManager: 1.5 × 300 MiB reserved). */
const MIN_EXECUTOR_MIB = 450

/**
 * An executor larger than every worker's memory is never scheduled: spark-submit would wait for resources
 * forever ("Initial job has not accepted any resources"). Said before it starts, with what would fit.
 */
export function checkExecutorsFit(args: SubmitArgs, cluster: string, master: MasterState | undefined): void {
  const given = args.executorMemory ?? confValue(args.conf, 'spark.executor.memory')
  const wanted = byteStringAs(given ?? '1g', 'm')
  if (given && wanted < MIN_EXECUTOR_MIB) throw new UserError(`--executor-memory ${given}: Spark needs at least ${MIN_EXECUTOR_MIB} MiB per executor`)
  const offers = (master?.workers ?? []).filter((w) => w.state === 'ALIVE' && typeof w.memory === 'number').map((w) => w.memory!)
  if (!offers.length) return
  const most = Math.max(...offers)
  if (wanted <= most) return
  const asked = given ? `--executor-memory ${given}` : 'the default executor memory (1g)'
  const fix =
    most >= MIN_EXECUTOR_MIB
      ? `pass --executor-memory ${most}m or less, or give the workers more memory`
      : `Spark needs at least ${MIN_EXECUTOR_MIB} MiB per executor: give the workers more memory`
  throw new UserError(
    `${asked} is more than any worker of cluster "${cluster}" offers (at most ${most} MiB), so the job would wait forever; ${fix} (kubectl kd create … --memory worker=2Gi --memory controller=2Gi)`,
  )
}

/** The last `--conf KEY=VALUE` for a key, as spark-submit reads them. */
function confValue(conf: readonly string[] | undefined, key: string): string | undefined {
  return conf?.filter((c) => c.startsWith(`${key}=`)).map((c) => c.slice(key.length + 1)).at(-1)
}

/** The local files as a tar for the exec's stdin; a missing, unreadable or too large file is a UserError. */
async function localFilesTar(files: LocalFile[]): Promise<Uint8Array> {
  const {readFileSync, statSync} = await import('node:fs')
  const {writeTar} = await import('../../cluster/package.ts')
  let total = 0
  const entries = files.map((f) => {
    let size: number
    try {
      const st = statSync(f.source)
      if (!st.isFile()) throw new UserError(`${f.source}: not a regular file`)
      size = st.size
    } catch (err) {
      if (err instanceof UserError) throw err
      throw new UserError(`${f.source}: no such file (with --cluster, local files are streamed to the cluster's controller; files in the image are local:///path)`)
    }
    total += size
    if (total > MAX_LOCAL_BYTES) throw new UserError(`${f.source}: local files over ${MAX_LOCAL_BYTES / 1048576} MiB in all cannot be streamed with --cluster; put them in the image (local:///path) or at a URL`)
    return {path: f.name, type: 'file' as const, mode: 0o644, data: new Uint8Array(readFileSync(f.source))}
  })
  return writeTar(entries)
}

export async function submitToCluster(kube: KubeClient, opts: ClusterSubmitOptions): Promise<ClusterSubmitResult> {
  const pods = await kube.list<any>(R.pods(kube.namespace), {labelSelector: `${LABEL.cluster}=${opts.cluster},${LABEL.role}=controller`})
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
  const {command, files} = standaloneSubmitCommand(opts.args, masterUrl)
  // the master's own account of its workers (its UI's JSON, through the API server's pod proxy; each read
  // at most 5 s); when it cannot be read (no pods/proxy right, another master) spark-submit runs unchecked.
  // Right after `create --wait` the workers may still be starting (a busy node: a minute): asked again for up to 60 s until one is ALIVE
  // (null: the master's UI does not answer yet, asked again; undefined: it may not be read or is not there)
  const readMaster = () =>
    kube
      .text(resourcePath(R.pods(kube.namespace), `${controller.metadata.name}:8080`, 'proxy/json/'), {signal: AbortSignal.timeout(5000)})
      .then((text) => JSON.parse(text) as MasterState)
      .catch((err) => (['Forbidden', 'NotFound'].includes(errorKind(err) ?? '') ? undefined : null))
  const alive = (m: MasterState | null) => !!m && (m.workers ?? []).some((w) => w.state === 'ALIVE')
  let master = await readMaster()
  for (const until = Date.now() + 60_000; master !== undefined && !alive(master) && Date.now() < until; master = await readMaster()) await new Promise((r) => setTimeout(r, 1000))
  checkExecutorsFit(opts.args, opts.cluster, master ?? undefined)
  const stdin = files.length ? await localFilesTar(files) : undefined
  const pod = controller.metadata.name as string
  const target = {namespace: kube.namespace, pod, container: APP_CONTAINER}
  // a private directory (local files are unpacked there by a first exec), removed when spark-submit ends.
  // spark-submit runs in the background with its pid on file, because the kubelet does not end an exec'd
  // process when the exec's stream closes: an interrupted or timed-out CLI stops it with a second exec, and
  // a CLI killed outright or cut off is noticed by a watcher that reads the exec's stdin, held open by the
  // CLI, until EOF
  const {randomBytes} = await import('node:crypto')
  const dir = `/tmp/kd-submit-${randomBytes(6).toString('hex')}`
  const unpack = `d=${dir}; mkdir -m 700 "$d" && cd "$d" && tar -x -f -`
  const script = [
    `d=${dir}; ${stdin ? 'cd "$d"' : 'mkdir -m 700 "$d" && cd "$d"'} || exit 1`,
    `trap 'rm -rf "$d"' EXIT`,
    `${command.map(shellQuote).join(' ')} </dev/null & p=$!; echo $p >pid`,
    // (a background job's stdin is /dev/null unless redirected: the exec's stdin goes through fd 3)
    `exec 3<&0; (cat <&3 >/dev/null; kill -TERM $p) >/dev/null 2>&1 & w=$!`,
    'wait $p; rc=$?; kill $w 2>/dev/null; exit $rc',
  ].join('\n')
  const stop = () =>
    kube
      .exec({...target, command: ['sh', '-c', `p=$(cat ${dir}/pid 2>/dev/null); if [ -n "$p" ]; then kill -TERM "$p"; else rm -rf ${dir}; fi; true`], timeoutMs: 15_000})
      .catch(() => undefined)
  const base = {cluster: opts.cluster, controllerPod: pod, masterUrl, masterUi: `http://${fqdn}:8080`}
  let interrupted: () => void = () => {}
  const aborted = new Promise<'interrupted'>((resolve) => (interrupted = () => resolve('interrupted')))
  opts.signal?.addEventListener('abort', () => interrupted(), {once: true})
  if (opts.signal?.aborted) interrupted()
  let r: ExecResult | 'interrupted'
  try {
    if (stdin) {
      const unpacked = await kube.exec({...target, command: ['sh', '-c', unpack], stdin, timeoutMs: 300_000})
      if (unpacked.code !== 0) throw new UserError(`could not unpack the local files in pod/${pod}: ${unpacked.stderr.trim() || `exit code ${unpacked.code}`}`)
    }
    r = await Promise.race([kube.exec({...target, command: ['sh', '-c', script], holdStdin: true, timeoutMs: opts.timeoutMs ?? 0, maxOutputBytes: 256 * 1024}), aborted])
  } catch (err) {
    await stop()
    const {ExecError} = await import('../../kube/exec.ts')
    if (err instanceof ExecError && err.timedOut) {
      throw new UserError(`spark-submit in pod/${pod} did not finish within --timeout ${(opts.timeoutMs ?? 0) / 1000}s; it was stopped`)
    }
    throw err
  }
  if (r === 'interrupted') {
    opts.onProgress?.(`interrupted: stopping spark-submit in pod/${pod}`)
    await stop()
    kube.close()
    return {...base, code: 130, stdout: '', log: '', interrupted: true}
  }
  const appId = /\b(app-\d{14}-\d{4,})\b/.exec(r.stderr + r.stdout)?.[1]
  return {...base, appId, code: r.code, stdout: r.stdout, log: r.stderr}
}
