// Spark jobs read back from the cluster: a job is its driver pod (label spark-role=driver), found by
// job name (the pod name without `-driver`), pod name, app id or app name; executors are the pods with
// its spark-app-selector. Works for jobs started by spark-submit or the operator just as well.
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {errorKind, isNotFound} from '../../kube/errors.ts'
import {FIELD_MANAGER} from '../../kube/http-client.ts'
import {DRIVER_CONF_VOLUME, EXECUTOR_CONTAINER, SPARK_LABEL, SPARK_PROPERTIES, jobNameOfDriverPod} from '../../spark/names.ts'
import {driverContainerName, failureFromLog, jobStatusFromPods, type JobStatus} from '../../spark/status.ts'

type Pod = Record<string, any>

/** A job name that matches no driver pod. */
export class JobNotFoundError extends UserError {}

async function listPods(kube: KubeClient, namespace: string, labelSelector: string): Promise<Pod[]> {
  return (await kube.list<Pod>(R.pods(namespace), {labelSelector})).items
}

/** The driver pod of job `name` in the namespace, or undefined. */
async function findDriverPod(kube: KubeClient, name: string, namespace = kube.namespace): Promise<Pod | undefined> {
  for (const podName of [`${name}-driver`, name]) {
    try {
      const pod = await kube.get<Pod>(R.pods(namespace), podName)
      if (pod.metadata?.labels?.[SPARK_LABEL.role] === 'driver') return pod
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }
  const drivers = await listPods(kube, namespace, `${SPARK_LABEL.role}=driver`)
  // a managed job (restart policy, schedule): its latest attempt's driver
  const attempts = drivers.filter((p) => p.metadata.labels?.['kubectl-kd.io/job'] === name)
  if (attempts.length) return attempts.sort((a, b) => (a.metadata.creationTimestamp + a.metadata.name < b.metadata.creationTimestamp + b.metadata.name ? -1 : 1)).at(-1)
  const matches = drivers.filter((p) => p.metadata.labels?.[SPARK_LABEL.appId] === name || p.metadata.labels?.[SPARK_LABEL.appName] === name)
  if (matches.length > 1) {
    throw new UserError(`"${name}" names ${matches.length} jobs in namespace "${namespace}": ${matches.map((p) => jobNameOfDriverPod(p.metadata.name)).join(', ')}; use one of those names`)
  }
  return matches[0]
}

async function requireDriverPod(kube: KubeClient, name: string): Promise<Pod> {
  const pod = await findDriverPod(kube, name)
  if (!pod) throw new JobNotFoundError(`job "${name}" not found in namespace "${kube.namespace}" (kubectl kd get jobs lists them)`)
  return pod
}


export interface ListJobsOptions {
  allNamespaces?: boolean
  selector?: string
  name?: string
}

/** All jobs (driver pods) in the namespace or everywhere, newest last. */
export async function listJobs(kube: KubeClient, opts: ListJobsOptions = {}): Promise<JobStatus[]> {
  if (opts.name) return [await jobStatus(kube, opts.name)]
  const ns = opts.allNamespaces ? '' : kube.namespace
  const [drivers, executors] = await Promise.all([
    listPods(kube, ns, [`${SPARK_LABEL.role}=driver`, opts.selector].filter(Boolean).join(',')),
    listPods(kube, ns, `${SPARK_LABEL.role}=executor`),
  ])
  const byApp = new Map<string, Pod[]>()
  for (const e of executors) {
    const key = `${e.metadata.namespace}/${e.metadata.labels?.[SPARK_LABEL.appId]}`
    byApp.set(key, [...(byApp.get(key) ?? []), e])
  }
  return drivers
    // a managed job's attempts are listed under it (managed-job.ts)
    .filter((d) => !d.metadata.labels?.['kubectl-kd.io/job'])
    .map((d) => jobStatusFromPods(d, byApp.get(`${d.metadata.namespace}/${d.metadata.labels?.[SPARK_LABEL.appId]}`) ?? []))
    .sort((a, b) => (a.namespace + (a.created ?? '') + a.name < b.namespace + (b.created ?? '') + b.name ? -1 : 1))
}

/** spark.properties of the job (from the driver's ConfigMap), if it is still there. */
/** The driver's spark.properties; `missing` names its ConfigMap when that is gone (a half-made job). */
async function driverProperties(kube: KubeClient, driver: Pod): Promise<{props?: Map<string, string>; missing?: string}> {
  const cmName = (driver.spec?.volumes ?? []).find((v: Pod) => v.name === DRIVER_CONF_VOLUME)?.configMap?.name
  if (!cmName) return {}
  try {
    const cm = await kube.get<Pod>(R.configMaps(driver.metadata.namespace), cmName)
    const {loadProperties} = await import('../../spark/java-properties.ts')
    return {props: loadProperties(cm.data?.[SPARK_PROPERTIES] ?? '')}
  } catch (err) {
    return isNotFound(err) ? {missing: cmName} : {}
  }
}

export interface JobStatusOptions {
  /** driver log lines to include when the job failed (default 10) */
  logLines?: number
}

export async function jobStatus(kube: KubeClient, name: string, opts: JobStatusOptions = {}): Promise<JobStatus> {
  const driver = await requireDriverPod(kube, name)
  const appId = driver.metadata.labels?.[SPARK_LABEL.appId]
  const [executors, {props, missing}] = await Promise.all([
    appId ? listPods(kube, driver.metadata.namespace, `${SPARK_LABEL.appId}=${appId},${SPARK_LABEL.role}=executor`) : Promise.resolve([]),
    driverProperties(kube, driver),
  ])
  const requested = props?.get('spark.dynamicAllocation.enabled') === 'true' ? undefined : Number(props?.get('spark.executor.instances') ?? 2)
  const host = props?.get('spark.driver.host')
  const status = jobStatusFromPods(driver, executors, {requested, serviceName: host?.split('.')[0]})
  if (missing && driver.status?.phase === 'Pending') {
    // the driver cannot start without its properties: a submit interrupted after the pod, before its ConfigMap
    status.reason = `half-made: configmap/${missing} is missing (its submit was interrupted); re-run the same kubectl kd submit to complete the job, or delete it (kubectl kd delete job/${name})`
    status.stuck = true
  }
  if (status.state === 'FAILED' && (opts.logLines ?? 10) > 0) {
    try {
      const {readLogs} = await import('../../kube/logs.ts')
      const text = await readLogs(kube, {namespace: status.namespace, pod: status.driver.pod, container: driverContainerName(driver), tailLines: 500})
      const cause = failureFromLog(text)
      if (cause) status.reason = `${status.reason}: ${cause}`
      status.lastLogLines = text.split('\n').filter((l) => l.trim() !== '').slice(-(opts.logLines ?? 10))
    } catch {
      // logs may be gone with the node; the status stands without them
    }
  }
  return status
}

/** Whether kubectl kd created this pod (its field manager wrote it), not spark-submit or an operator. */
export const madeByKd = (pod: Pod) => (pod.metadata?.managedFields ?? []).some((f: Pod) => f.manager === FIELD_MANAGER)

export interface DeleteJobsOptions {
  /** -l: only jobs whose driver pod matches (else --all: every job kubectl kd made in the namespace) */
  selector?: string
  dryRun?: 'client' | 'server'
  /** wait until the driver pods and what they own are gone */
  wait?: boolean
  timeoutMs?: number
  concurrency?: number
  onProgress?: (p: {total: number; done: number; failed: number}) => void
}

export interface DeleteJobsResult {
  deleted: {namespace: string; name: string; pod: string}[]
  failed: {name: string; error: string}[]
  /** driver pods that match but that kubectl kd did not make (spark-submit's, the operator's): not touched */
  leftAlone: string[]
}

/**
 * delete jobs -l SELECTOR | --all: one list of the driver pods, then their deletion (uid preconditions, a
 * bounded number in flight); each pod's Service, ConfigMaps and executors go with it (ownerReferences).
 * Only jobs kubectl kd made are touched. With `wait`, a watch waits until those pods and everything they
 * own are gone.
 */
export async function deleteJobs(kube: KubeClient, opts: DeleteJobsOptions = {}): Promise<DeleteJobsResult> {
  const selector = [`${SPARK_LABEL.role}=driver`, opts.selector].filter(Boolean).join(',')
  const drivers = (await listPods(kube, kube.namespace, selector)).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
  const ours = drivers.filter(madeByKd)
  const result: DeleteJobsResult = {deleted: [], failed: [], leftAlone: drivers.filter((p) => !madeByKd(p)).map((p) => jobNameOfDriverPod(p.metadata.name))}
  const progress = {total: ours.length, done: 0, failed: 0}
  const deleted = new Set<string>()
  const {runBounded} = await import('../../kube/bounded.ts')
  await runBounded(ours, opts.concurrency ?? DELETE_CONCURRENCY, async (p) => {
    const name = jobNameOfDriverPod(p.metadata.name)
    try {
      if (opts.dryRun !== 'client') {
        await kube.delete(R.pods(p.metadata.namespace), p.metadata.name, {uid: p.metadata.uid, propagationPolicy: 'Background', dryRun: opts.dryRun === 'server'})
      }
      deleted.add(p.metadata.uid)
      progress.done++
    } catch (err) {
      // gone meanwhile, or replaced by a pod of the same name that this list did not see: not ours to delete
      const kind = errorKind(err)
      if (kind !== 'NotFound' && kind !== 'Conflict') {
        if (!(err instanceof UserError)) throw err
        result.failed.push({name, error: err.message})
        progress.failed++
      } else progress.total--
    }
    opts.onProgress?.({...progress})
  })
  result.deleted = ours.filter((p) => deleted.has(p.metadata.uid)).map((p) => ({namespace: p.metadata.namespace, name: jobNameOfDriverPod(p.metadata.name), pod: p.metadata.name}))
  if (opts.wait && !opts.dryRun && deleted.size) {
    const ns = kube.namespace
    const ours = (x: Pod) => deleted.has(x.metadata?.uid) || (x.metadata?.ownerReferences ?? []).some((r: Pod) => deleted.has(r.uid))
    // the garbage collector removes the drivers' Services and ConfigMaps at the controller-manager's pace
    // (its client's QPS: about 20 deletions a second); deleted here they go as fast as the pods did.
    // Only what those pods own, by uid (the watch below still waits for anything the collector has)
    const [svcs, cms] = await Promise.all([kube.list<Pod>(R.services(ns)), kube.list<Pod>(R.configMaps(ns))])
    const owned = [...svcs.items.map((o) => ({res: R.services(ns), o})), ...cms.items.map((o) => ({res: R.configMaps(ns), o}))].filter(({o}) => ours(o))
    await runBounded(owned, opts.concurrency ?? DELETE_CONCURRENCY, async ({res, o}) => {
      // one that cannot be deleted here (gone, replaced, forbidden) is left to the garbage collector
      await kube.delete(res, o.metadata.name, {uid: o.metadata.uid}).catch(() => undefined)
    })
    // Services and ConfigMaps do not block their driver's deletion (no blockOwnerDeletion, as spark-submit
    // makes them): they are watched until gone too
    const {watchUntil} = await import('../../kube/informer.ts')
    const specs = [{resource: R.pods(ns), labelSelector: selector}, {resource: R.services(ns)}, {resource: R.configMaps(ns)}]
    await watchUntil(kube, specs, (caches) => (caches.some((c) => [...c.values()].some(ours)) ? undefined : true), {
      timeoutMs: opts.timeoutMs ?? 0,
      timeoutMessage: `${deleted.size} jobs were deleted, but not all of their pods, Services and ConfigMaps were gone within the --timeout`,
    })
  }
  return result
}

/** Deletions in flight at once for delete jobs -l/--all (as many as a batch submit's requests). */
const DELETE_CONCURRENCY = 64

/** Deletes the driver pod (spark-submit --kill); its Service, ConfigMaps and executors go with it (ownerReferences). */
export async function deleteJob(kube: KubeClient, name: string, opts: {dryRun?: 'server' | 'client'} = {}): Promise<{name: string; pod: string}> {
  const driver = await requireDriverPod(kube, name)
  // the job's own name, whichever name (app name, app id, pod) found it
  const deleted = {name: jobNameOfDriverPod(driver.metadata.name), pod: driver.metadata.name}
  if (opts.dryRun === 'client') return deleted
  await kube.delete(R.pods(driver.metadata.namespace), driver.metadata.name, {propagationPolicy: 'Background', dryRun: !!opts.dryRun, uid: driver.metadata.uid})
  return deleted
}

export interface JobLogsOptions {
  follow?: boolean
  /** executor id (spark-exec-id) instead of the driver */
  executor?: string
  tailLines?: number
  write: (chunk: Uint8Array) => void
  signal?: AbortSignal
}

export async function jobLogs(kube: KubeClient, name: string, opts: JobLogsOptions): Promise<void> {
  const driver = await requireDriverPod(kube, name)
  const ns = driver.metadata.namespace
  let pod = driver.metadata.name
  let container = driverContainerName(driver)
  if (opts.executor !== undefined) {
    const appId = driver.metadata.labels?.[SPARK_LABEL.appId]
    const execs = await listPods(kube, ns, `${SPARK_LABEL.appId}=${appId},${SPARK_LABEL.role}=executor`)
    const e = execs.find((p) => p.metadata.labels?.[SPARK_LABEL.execId] === opts.executor)
    if (!e) {
      const ids = execs.map((p) => p.metadata.labels?.[SPARK_LABEL.execId]).sort()
      throw new UserError(
        `job "${name}" has no executor ${opts.executor}${ids.length ? ` (executors: ${ids.join(', ')})` : ' (its executors are gone: Spark deletes them at the end unless spark.kubernetes.executor.deleteOnTermination=false)'}`,
      )
    }
    pod = e.metadata.name
    container = EXECUTOR_CONTAINER
  }
  const {streamLogs} = await import('../../kube/logs.ts')
  await streamLogs(kube, {namespace: ns, pod, container, follow: opts.follow, tailLines: opts.tailLines, signal: opts.signal}, opts.write)
}

/** spark-submit's submission id: `[namespace:]driverPodName`, the name may end in `*` (a prefix). */
export function parseSubmissionId(id: string, defaultNamespace: string): {namespace: string; name: string; glob: boolean} {
  const i = id.indexOf(':')
  const namespace = i >= 0 ? id.slice(0, i) : defaultNamespace
  const name = i >= 0 ? id.slice(i + 1) : id
  if (!name || !namespace) throw new UserError(`submission ID "${id}": expected [namespace:]driver-pod-name (a name ending in * matches a prefix)`)
  return {namespace, name: name.endsWith('*') ? name.slice(0, -1) : name, glob: name.endsWith('*')}
}

/** The driver pods a submission id names (K8sSubmitOps: one pod by name, or every driver pod with the prefix). */
async function findSubmissions(kube: KubeClient, id: string): Promise<Pod[]> {
  const {namespace, name, glob} = parseSubmissionId(id, kube.namespace)
  let pods: Pod[]
  if (glob) {
    pods = (await listPods(kube, namespace, `${SPARK_LABEL.role}=driver`)).filter((p) => p.metadata.name.startsWith(name))
  } else {
    try {
      pods = [await kube.get<Pod>(R.pods(namespace), name)]
    } catch (err) {
      if (!isNotFound(err)) throw err
      pods = []
    }
  }
  if (!pods.length) throw new JobNotFoundError(glob ? `No applications found: no driver pod in namespace "${namespace}" starts with "${name}" (submission ID ${id})` : `Application not found: no pod "${name}" in namespace "${namespace}" (submission ID ${id})`)
  return pods.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
}

/** spark-submit --kill: deletes the driver pod(s) with spark.kubernetes.appKillPodDeletionGracePeriod; the rest follows by ownerReference. */
export async function killSubmission(kube: KubeClient, id: string, opts: {gracePeriodSeconds?: number} = {}): Promise<{namespace: string; pod: string}[]> {
  const pods = await findSubmissions(kube, id)
  const killed: {namespace: string; pod: string}[] = []
  for (const p of pods) {
    try {
      await kube.delete(R.pods(p.metadata.namespace), p.metadata.name, {uid: p.metadata.uid, propagationPolicy: 'Background', ...(opts.gracePeriodSeconds !== undefined ? {gracePeriodSeconds: opts.gracePeriodSeconds} : {})})
      killed.push({namespace: p.metadata.namespace, pod: p.metadata.name})
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }
  return killed
}

/** spark-submit --status: the driver pod(s) the id names, with the job status derived from them. */
export async function submissionStatus(kube: KubeClient, id: string): Promise<{pod: Pod; status: JobStatus}[]> {
  const pods = await findSubmissions(kube, id)
  return Promise.all(
    pods.map(async (pod) => {
      const appId = pod.metadata.labels?.[SPARK_LABEL.appId]
      const executors = appId ? await listPods(kube, pod.metadata.namespace, `${SPARK_LABEL.appId}=${appId},${SPARK_LABEL.role}=executor`) : []
      return {pod, status: jobStatusFromPods(pod, executors)}
    }),
  )
}
