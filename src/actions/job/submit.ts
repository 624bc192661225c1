// submitJob: what `spark-submit --deploy-mode cluster` does on the client, without a JVM. Validates
// everything (arguments, files, the caller's and the driver service account's rights, name clashes)
// before the first write, then creates the driver pod, and its Service and ConfigMap(s) owned by it —
// the order spark-submit uses. With `wait`, follows the job to its end.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {checkAccess} from '../../kube/apply.ts'
import {isAlreadyExists, isNotFound} from '../../kube/errors.ts'
import {FIELD_MANAGER} from '../../kube/http-client.ts'
import {watchUntil} from '../../kube/informer.ts'
import {renderDriver, type DriverObjects} from '../../spark/render.ts'
import type {KubeObject} from '../../kube-object.ts'
import {appNameLabel, newSubmissionIds, SPARK_LABEL, type SubmissionIds} from '../../spark/names.ts'
import {contextForMaster, kubeconfigContexts} from '../../spark/master.ts'
import {kubeconfigFiles} from '../../kube/kubeconfig-present.ts'
import {load as loadYaml} from 'js-yaml'
import type {Submission} from '../../spark/submission.ts'
import {driverContainerName, isTerminal, jobStatusFromPods, type JobStatus} from '../../spark/status.ts'
import type {Lifecycle} from '../../spark/lifecycle.ts'
import {submittingUser, type PreparedSubmission} from './prepared-submission.ts'
import {completeDriverObjects, createDriverObjects, SUBMISSION_ANNOTATION, type CreatedObject} from './driver-objects.ts'

export interface SubmitOptions {
  /** -n, if given; else the submission's (spark.kubernetes.namespace, the manifest's), else the client's */
  namespace?: string
  dryRun?: 'none' | 'client' | 'server'
  /** create the service account and a Role letting it run executors, if missing */
  createServiceAccount?: boolean
  wait?: boolean
  /** stream the driver log to this sink (implies wait) */
  follow?: (chunk: Uint8Array) => void
  timeoutMs?: number
  /** progress lines for stderr */
  onProgress?: (line: string) => void
  /** injectable for tests */
  now?: () => number
  /** retries, start timeout, TTL or a schedule: the job is handed to an in-cluster runner (managed-job.ts) */
  lifecycle?: Lifecycle
}

export interface SubmitResult {
  jobName: string
  namespace: string
  appId: string
  driverPod: string
  objects: KubeObject[]
  warnings: string[]
  /** ms from the start of submitJob to the driver pod's creation */
  podCreatedMs?: number
  final?: JobStatus
  /** a managed job: its root object (batch/v1 Job or CronJob) */
  managed?: {kind: 'Job' | 'CronJob'; name: string}
  /** a job an interrupted submit half-made, completed by this one: the objects created (`service/NAME`) */
  completed?: string[]
}

/** The permissions the Spark driver's service account needs to run executors (fatal ones only). */
const DRIVER_NEEDS = [
  {verb: 'create', resource: 'pods'},
  {verb: 'get', resource: 'pods'},
  {verb: 'list', resource: 'pods'},
  {verb: 'watch', resource: 'pods'},
  {verb: 'delete', resource: 'pods'},
  {verb: 'create', resource: 'configmaps'},
]


function renderSubmission(submission: Submission, shippedData: Record<string, string>, templates: PreparedSubmission['templates'], namespace: string, server: string, ids: SubmissionIds): DriverObjects {
  const user = submittingUser()
  return renderDriver(submission, {namespace, server, user: user.name, userFromEnv: user.fromEnv, ids, shippedData, ...templates})
}

/**
 * The identity of a submission: a hash of everything the driver objects are rendered from except Spark's
 * random ids. Stored on the driver pod (SUBMISSION_ANNOTATION, with the ids) so that re-running the same
 * submit recognises a job it half-made and renders the missing objects exactly as they were meant.
 */
export function submissionHash(prepared: PreparedSubmission, namespace: string): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v
  const {submission, shippedData, templates, args} = prepared
  const input = {args, conf: [...submission.conf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), shippedData, templates, namespace, user: submittingUser()}
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex').slice(0, 40)
}

/** What the annotation on a driver pod says about the submission that made it. */
export interface SubmissionMark {
  hash: string
  ids: SubmissionIds
}

export function submissionMarkOf(pod: {metadata?: {annotations?: Record<string, string>}}): SubmissionMark | undefined {
  try {
    const m = JSON.parse(pod.metadata?.annotations?.[SUBMISSION_ANNOTATION] ?? '') as SubmissionMark
    return typeof m?.hash === 'string' && typeof m.ids?.appId === 'string' ? m : undefined
  } catch {
    return undefined
  }
}


const SA_KEY = 'spark.kubernetes.authenticate.driver.serviceAccountName'
/** The account --create-service-account makes when --service-account names none. */
export const DEDICATED_SERVICE_ACCOUNT = 'spark'

/** A job's objects, rendered for the namespace it goes to (no request made). */
export interface RenderedJob {
  result: SubmitResult
  objs: DriverObjects
  /** the driver's service account */
  serviceAccount: string
  /** submissionHash: the same for a re-run of the same submit */
  hash: string
  /** the objects again with given ids (a half-made job's, read from its pod) */
  render: (ids: SubmissionIds) => DriverObjects
}

/** Renders the job's objects for its namespace (-n, else the submission's, else the client's). */
export function renderJob(kube: KubeClient | undefined, prepared: PreparedSubmission, opts: Pick<SubmitOptions, 'namespace' | 'createServiceAccount'>, nowMs: number): RenderedJob {
  const {submission, shippedData} = prepared
  const namespace = opts.namespace ?? prepared.namespace ?? kube?.namespace ?? 'default'
  // spark.kubernetes.namespace must name where the driver runs: the driver creates executors there
  submission.conf.set('spark.kubernetes.namespace', namespace)
  // --create-service-account without --service-account: a dedicated account (the name Spark's docs use),
  // never the namespace's default account, which every pod without an account of its own runs as
  if (opts.createServiceAccount && !submission.conf.get(SA_KEY)) submission.conf.set(SA_KEY, DEDICATED_SERVICE_ACCOUNT)
  const server = kube?.server ?? 'https://kubernetes.default.svc'
  const hash = submissionHash(prepared, namespace)
  const render = (ids: SubmissionIds) => {
    const objs = renderSubmission(submission, shippedData, prepared.templates, namespace, server, ids)
    const mark: SubmissionMark = {hash, ids}
    objs.pod.metadata.annotations = {...objs.pod.metadata.annotations, [SUBMISSION_ANNOTATION]: JSON.stringify(mark)}
    return objs
  }
  const objs = render(newSubmissionIds(nowMs))
  const objects = [objs.pod, objs.service, objs.configMap, ...extraConfigMaps(objs)]
  return {
    objs,
    hash,
    render,
    serviceAccount: submission.conf.get(SA_KEY) ?? 'default',
    result: {jobName: objs.jobName, namespace, appId: objs.appId, driverPod: objs.pod.metadata.name, objects, warnings: [...prepared.warnings]},
  }
}

const extraConfigMaps = (objs: DriverObjects) => [objs.filesConfigMap, objs.templateConfigMap].filter((o): o is KubeObject => o !== undefined)

/** The caller's rights to submit into the namespace, and whether the driver's account exists (reads only). */
export async function checkSubmitAccess(k: KubeClient, namespace: string, sa: string, opts: {createServiceAccount?: boolean}): Promise<{saExists: boolean}> {
  const exists = (p: Promise<unknown>) => p.then(() => true, (err) => (isNotFound(err) ? false : Promise.reject(err)))
  const [saExists] = await Promise.all([
    exists(k.get(R.serviceAccounts(namespace), sa)),
    checkAccess(k, [
      {verb: 'create', resource: 'pods'},
      {verb: 'create', resource: 'services'},
      {verb: 'patch', resource: 'services'},
      {verb: 'create', resource: 'configmaps'},
      {verb: 'patch', resource: 'configmaps'},
      ...(opts.createServiceAccount ? [{verb: 'create', resource: 'serviceaccounts'}, {verb: 'create', resource: 'roles', group: 'rbac.authorization.k8s.io'}, {verb: 'create', resource: 'rolebindings', group: 'rbac.authorization.k8s.io'}] : []),
    ], namespace),
  ])
  return {saExists}
}

/** Makes the driver's account ready (--create-service-account) or checks its rights; returns warnings. */
export async function readyDriverAccount(k: KubeClient, namespace: string, sa: string, o: {saExists: boolean; createServiceAccount?: boolean; serverDryRun: boolean; onProgress?: (line: string) => void}): Promise<string[]> {
  const grantHint = `kubectl create rolebinding ${sa}-spark --clusterrole=edit --serviceaccount=${namespace}:${sa} -n ${namespace}`
  if (o.createServiceAccount) {
    const {ensureDriverServiceAccount} = await import('./spark-rbac.ts')
    await ensureDriverServiceAccount(k, namespace, sa, o.serverDryRun)
    o.onProgress?.(`serviceaccount/${sa} and role/${sa}-spark-driver ${o.serverDryRun ? 'checked (server dry run)' : 'ready'}`)
    return []
  }
  if (!o.saExists) {
    throw new UserError(`serviceaccount "${sa}" not found in namespace "${namespace}": create it with the rights the driver needs (kubectl create serviceaccount ${sa} -n ${namespace} && ${grantHint}), or pass --create-service-account`)
  }
  const {serviceAccountDenied} = await import('../../kube/access-review.ts')
  const denied = await serviceAccountDenied(k, namespace, sa, DRIVER_NEEDS)
  if (denied === undefined) return [`could not verify the rights of serviceaccount "${sa}" (no permission to create localsubjectaccessreviews); the driver needs: pods create/get/list/watch/delete, configmaps create`]
  if (denied.length) {
    throw new UserError(
      `serviceaccount "${sa}" in namespace "${namespace}" may not ${denied.map((d) => `${d.verb} ${d.resource}`).join(', ')}, which the Spark driver needs to run executors: grant it (${grantHint}) or pass --create-service-account`,
    )
  }
  return []
}

const alreadyExists = (job: RenderedJob) =>
  new UserError(`job "${job.result.jobName}" already exists in namespace "${job.result.namespace}" (pod/${job.result.driverPod}); delete it first: kubectl kd delete job/${job.result.jobName} -n ${job.result.namespace}`)

export type {CreatedObject} from './driver-objects.ts'

/**
 * Creates the driver pod, then what it owns (as spark-submit); undoes the pod if the rest fails. A server
 * dry run creates no service account, and the API server refuses a pod whose account is missing: the
 * driver pod is then checked with the namespace's default account, and a warning says so. A pod of the
 * name already there is completed if this same submission half-made it (completeJobObjects), else refused.
 */
export async function createJobObjects(k: KubeClient, job: RenderedJob, o: {serverDryRun: boolean; saExists: boolean; signal?: AbortSignal; onPodCreated?: () => void}): Promise<CreatedObject[]> {
  const {objs, result, serviceAccount: sa} = job
  const checkWithDefault = o.serverDryRun && !o.saExists && sa !== 'default'
  if (checkWithDefault) result.warnings.push(`server dry run: the driver pod was checked with serviceaccount "default", since "${sa}" is only created by the real submission`)
  try {
    const made = await createDriverObjects(k, objs, result.namespace, {dryRun: o.serverDryRun, podServiceAccount: checkWithDefault ? 'default' : undefined, signal: o.signal, onPodCreated: o.onPodCreated})
    return made.created
  } catch (err) {
    if (!isAlreadyExists(err)) throw err
    const pod = await k.get<KubeObject & {metadata: {uid: string}}>(R.pods(result.namespace), objs.pod.metadata.name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)))
    if (!pod) throw alreadyExists(job)
    return completeJobObjects(k, job, pod, o)
  }
}

/** The ids of the job `pod` is a half-made copy of: made by kubectl kd, for a submission with the same hash. */
export function halfMadeIds(pod: {metadata?: {annotations?: Record<string, string>; managedFields?: {manager?: string}[]}}, job: Pick<RenderedJob, 'hash'>): SubmissionIds | undefined {
  const mark = submissionMarkOf(pod)
  const byKd = (pod.metadata?.managedFields ?? []).some((f) => f.manager === FIELD_MANAGER)
  return mark && byKd && mark.hash === job.hash ? mark.ids : undefined
}

/**
 * Re-running a submit that was interrupted after the driver pod: the pod carries this submission's hash,
 * so its missing Service and ConfigMaps are created as they were meant (the pod's own ids) and owned by
 * it; the job then runs. A whole job, or another submission's pod, is refused as AlreadyExists.
 */
export async function completeJobObjects(k: KubeClient, job: RenderedJob, pod: KubeObject & {metadata: {uid: string}; status?: {phase?: string}}, o: {serverDryRun: boolean}): Promise<CreatedObject[]> {
  const ids = halfMadeIds(pod, job)
  // a driver that ran to its end is a whole job, whatever is gone since (Spark deletes its driver's
  // Service when it stops: spark.kubernetes.driver.service.deleteOnTermination)
  if (!ids || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') throw alreadyExists(job)
  const objs = job.render(ids)
  const made = await completeDriverObjects(k, objs, job.result.namespace, pod, {dryRun: o.serverDryRun})
  if (!made.length) throw alreadyExists(job)
  job.objs = objs
  Object.assign(job.result, {appId: objs.appId, objects: [objs.pod, objs.service, objs.configMap, ...extraConfigMaps(objs)], completed: made.map((m) => `${m.kind.toLowerCase()}/${m.name}`)})
  return made
}

/** Creates the job (kube undefined: a client dry run without a cluster). */
export async function submitJob(kube: KubeClient | undefined, prepared: PreparedSubmission, opts: SubmitOptions): Promise<SubmitResult> {
  const now = opts.now ?? Date.now
  const started = now()
  const progress = opts.onProgress ?? (() => {})
  const job = renderJob(kube, prepared, opts, started)
  const {objs, result} = job
  const namespace = result.namespace
  if (opts.dryRun === 'client') {
    if (opts.lifecycle) {
      const {managedJobObjects} = await import('./managed-job.ts')
      const managed = managedJobObjects(prepared, {namespace, lifecycle: opts.lifecycle, jobName: managedJobName(prepared.submission, objs.jobName)})
      result.objects = managed.objects
      result.jobName = managed.name
      result.managed = {kind: managed.root.kind as 'Job' | 'CronJob', name: managed.name}
    }
    return result
  }
  if (!kube) throw new Error('submitJob: a cluster is needed unless --dry-run=client')
  const k = kube
  const serverDryRun = opts.dryRun === 'server'

  // checks, all before the first write
  const [existing, {saExists}] = await Promise.all([
    k.get<KubeObject & {metadata: {uid: string}}>(R.pods(namespace), objs.pod.metadata.name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
    checkSubmitAccess(k, namespace, job.serviceAccount, opts),
  ])
  // a pod of the name: refused unless this same submission half-made it (completed below)
  const ended = ['Succeeded', 'Failed'].includes((existing as {status?: {phase?: string}} | undefined)?.status?.phase ?? '')
  if (existing && (opts.lifecycle || ended || !halfMadeIds(existing, job))) throw alreadyExists(job)
  result.warnings.push(...(await readyDriverAccount(k, namespace, job.serviceAccount, {saExists, createServiceAccount: opts.createServiceAccount, serverDryRun, onProgress: progress})))

  if (opts.lifecycle) {
    const {createManagedJob} = await import('./managed-job.ts')
    const {completed, ...managed} = await createManagedJob(k, prepared, {namespace, lifecycle: opts.lifecycle, jobName: managedJobName(prepared.submission, objs.jobName), serverDryRun, onProgress: progress})
    result.managed = managed
    if (completed) result.completed = completed
    result.jobName = result.managed.name
    return result
  }
  if (existing) {
    await completeJobObjects(k, job, existing, {serverDryRun})
    progress(`pod/${objs.pod.metadata.name} was half-made by an interrupted submit: ${result.completed!.join(', ')} created${serverDryRun ? ' (server dry run)' : ''}`)
  } else {
    await createJobObjects(k, job, {
      serverDryRun,
      saExists,
      onPodCreated: () => {
        result.podCreatedMs = now() - started
        progress(`pod/${objs.pod.metadata.name} created${serverDryRun ? ' (server dry run)' : ''}`)
      },
    })
  }
  if (serverDryRun || !(opts.wait || opts.follow)) return result
  result.final = await followJob(k, namespace, job.objs.appId, objs.pod.metadata.name, {timeoutMs: opts.timeoutMs ?? 0, follow: opts.follow, onProgress: progress, requested: Number(prepared.submission.conf.get('spark.executor.instances') ?? 2)})
  if (result.final.state === 'FAILED') {
    const {jobStatus} = await import('./jobs.ts')
    result.final = await jobStatus(k, objs.jobName).catch(() => result.final)
  }
  return result
}

/** A managed job's name: the driver pod's name without -driver when given, else the app name (no random part: the job is looked after by name). */
function managedJobName(submission: Submission, jobName: string): string {
  return submission.conf.get('spark.kubernetes.driver.pod.name') ? jobName : appNameLabel(submission.appName).replace(/^-+|-+$/g, '')
}

/** Watches the job's pods until the driver ends; optionally streams the driver log meanwhile. */
async function followJob(
  kube: KubeClient,
  namespace: string,
  appId: string,
  driverPod: string,
  opts: {timeoutMs: number; follow?: (chunk: Uint8Array) => void; onProgress?: (line: string) => void; requested?: number},
): Promise<JobStatus> {
  let lastLine = ''
  let streaming: Promise<void> | undefined
  const logsAbort = new AbortController()
  type Pod = {metadata?: {name?: string; labels?: Record<string, string>}; status?: {phase?: string}}
  const final = await watchUntil<JobStatus>(
    kube,
    [{resource: R.pods(namespace), labelSelector: `${SPARK_LABEL.appId}=${appId}`}],
    ([cache]) => {
      const pods = [...cache!.values()] as Pod[]
      const driver = pods.find((p) => p.metadata?.name === driverPod)
      if (!driver) return undefined
      const status = jobStatusFromPods(driver, pods.filter((p) => p.metadata?.labels?.[SPARK_LABEL.role] === 'executor'), {requested: opts.requested})
      const line = `job/${status.name}: ${status.state}, executors ${status.executors.running} running${status.reason ? ` (${status.reason})` : ''}`
      if (line !== lastLine) opts.onProgress?.((lastLine = line))
      const phase = driver.status?.phase
      if (opts.follow && !streaming && (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed')) {
        streaming = import('../../kube/logs.ts').then(({streamLogs}) =>
          streamLogs(kube, {namespace, pod: driverPod, container: driverContainerName(driver), follow: true, signal: logsAbort.signal}, opts.follow!).catch(() => undefined),
        )
      }
      if (isTerminal(status.state)) return status
      if (status.stuck) return status
      return undefined
    },
    {timeoutMs: opts.timeoutMs, timeoutMessage: `job driver pod/${driverPod} did not finish within the --timeout; it keeps running (kubectl kd status job/${driverPod.replace(/-driver$/, '')})`},
  )
  if (!final) throw new UserError('interrupted')
  if (streaming) {
    // the log stream ends with the container; give it a moment to flush the last lines
    await Promise.race([streaming, new Promise((r) => setTimeout(r, 5000))])
    logsAbort.abort()
  }
  return final
}

/**
 * spark-submit's `--master k8s://URL` (or spark.master): the kubeconfig context to connect with, whose
 * cluster has that API server. `asked` is --context or spark.kubernetes.context.
 */
export function contextOfMaster(master: string, kubeconfig: string | undefined, asked?: {context: string; from: string}): string {
  const files = kubeconfigFiles(kubeconfig)
  if (!files.length) throw new UserError(`--master ${master}: no kubeconfig found to reach it (set KUBECONFIG or pass --kubeconfig)`)
  const docs = files.map((f) => {
    try {
      return loadYaml(readFileSync(f, 'utf8'))
    } catch (err) {
      throw new UserError(`${f}: not a valid kubeconfig: ${(err as Error).message.split('\n')[0]}`)
    }
  })
  return contextForMaster(master, kubeconfigContexts(docs), asked)
}
