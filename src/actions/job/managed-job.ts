// Managed Spark jobs (docs/job-lifecycle.md): a submission with a restart policy, start timeout, time to
// live or schedule is handed to an in-cluster runner (src/runner) run by a batch/v1 Job or CronJob. This
// module creates one (nothing half-made: the root is created suspended, then what it owns, then it is
// resumed; any failure deletes the root and the garbage collector takes the rest), reads them back for
// get/status (spark/managed-job-status.ts says what they mean), deletes them, and runs/suspends/resumes a schedule.
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import type {KubeObject} from '../../kube-object.ts'
import {isAlreadyExists, isNotFound} from '../../kube/errors.ts'
import {runnerBundlePath} from '../../paths.ts'
import {LIFECYCLE_ANNOTATION, LIFECYCLE_LABEL, MAX_JOB_NAME, type Lifecycle} from '../../spark/lifecycle.ts'
import {renderRunnerObjects, renderRunnerRoot, type StoredSubmission} from '../../spark/render-runner.ts'
import {SPARK_LABEL} from '../../spark/names.ts'
import {managedJobStatusOf, withKind, type ManagedJobStatus, type ObservedManagedJobs} from '../../spark/managed-job-status.ts'
import {submittingUser, type PreparedSubmission} from './prepared-submission.ts'

type O = Record<string, any>

const SA_KEY = 'spark.kubernetes.authenticate.driver.serviceAccountName'

let bundle: Buffer | undefined
function runnerBundle(): Buffer {
  if (!bundle) {
    if (!existsSync(runnerBundlePath())) throw new UserError(`the runner bundle ${runnerBundlePath()} is missing: run npm run build`)
    bundle = readFileSync(runnerBundlePath())
  }
  return bundle
}

/** The managed job's objects as created (the root without a uid: what --dry-run=client prints). */
export function managedJobObjects(prepared: PreparedSubmission, o: {namespace: string; lifecycle: Lifecycle; jobName: string; rootUid?: string}): {name: string; root: KubeObject; objects: KubeObject[]} {
  const name = prepared.manifestName ?? o.jobName
  if (name.length > MAX_JOB_NAME || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new UserError(`job name "${name}": a job with a restart policy, time to live, start timeout or schedule needs a DNS label of at most ${MAX_JOB_NAME} characters (its runner Job or CronJob is named after it); set --name or spark.kubernetes.driver.pod.name (NAME-driver)`)
  }
  const sa = prepared.submission.conf.get(SA_KEY)
  const stored: StoredSubmission = {
    args: {...prepared.args, conf: [...(prepared.args.conf ?? []), ...(sa ? [`${SA_KEY}=${sa}`] : [])]},
    shippedData: prepared.shippedData,
    templates: prepared.templates,
    namespace: o.namespace,
    user: submittingUser().name,
    userFromEnv: submittingUser().fromEnv,
    lifecycle: o.lifecycle,
  }
  const opts = {name, namespace: o.namespace, bundle: runnerBundle()}
  const root = renderRunnerRoot(opts, o.lifecycle)
  // the submission's identity (not the runner's code: a newer plugin completes an older half-made job) and
  // the mark that the job is not whole yet: removed by the same patch that resumes the root
  const specHash = createHash('sha256').update(JSON.stringify({name, namespace: o.namespace, stored})).digest('hex').slice(0, 40)
  root.metadata.annotations = {...root.metadata.annotations, [LIFECYCLE_ANNOTATION.specHash]: specHash, [LIFECYCLE_ANNOTATION.incomplete]: 'true'}
  return {name, root, objects: [root, ...renderRunnerObjects(opts, stored, {kind: root.kind, uid: o.rootUid ?? ''})]}
}

const rootResource = (kind: string, ns: string) => (kind === 'CronJob' ? R.cronJobs(ns) : R.jobs(ns))

/**
 * Creates the managed job: root suspended (marked incomplete), what it owns, then the root resumed (or the
 * schedule's suspend set) and the mark removed, in one patch. A root of the name that is marked incomplete
 * and carries this same submission's hash is a job an interrupted submit half-made: its missing objects
 * are created (those present must be owned by it) and it is resumed. Any failure deletes the root (by uid;
 * the garbage collector takes the rest): a re-run leaves the job whole or gone.
 */
export async function createManagedJob(
  k: KubeClient,
  prepared: PreparedSubmission,
  o: {namespace: string; lifecycle: Lifecycle; jobName: string; serverDryRun?: boolean; onProgress?: (line: string) => void},
): Promise<{kind: 'Job' | 'CronJob'; name: string; completed?: string[]}> {
  const {name, root} = managedJobObjects(prepared, o)
  const kind = root.kind as 'Job' | 'CronJob'
  const ns = o.namespace
  const [job, cron] = await Promise.all([k.get<O>(R.jobs(ns), name).catch(absent), k.get<O>(R.cronJobs(ns), name).catch(absent)])
  const found = job ?? cron
  const alreadyExists = () => new UserError(`job "${name}" already exists in namespace "${ns}" (${job ? 'job' : 'cronjob'}.batch/${name}); delete it first: kubectl kd delete job/${name} -n ${ns}`)
  let made: O
  let completing = false
  if (found) {
    const a = found.metadata.annotations ?? {}
    if (a[LIFECYCLE_ANNOTATION.incomplete] !== 'true' || found.metadata.labels?.[LIFECYCLE_LABEL.job] !== name) throw alreadyExists()
    if (a[LIFECYCLE_ANNOTATION.specHash] !== root.metadata.annotations?.[LIFECYCLE_ANNOTATION.specHash] || (job ? 'Job' : 'CronJob') !== kind) {
      throw new UserError(`job "${name}" in namespace "${ns}" was half-made by an interrupted submit of another specification; delete it first: kubectl kd delete job/${name} -n ${ns}`)
    }
    made = found
    completing = true
  } else {
    try {
      made = await k.create<O>(rootResource(kind, ns), root, {dryRun: o.serverDryRun})
    } catch (err) {
      if (isAlreadyExists(err)) throw new UserError(`job "${name}" already exists in namespace "${ns}"; delete it first: kubectl kd delete job/${name} -n ${ns}`)
      throw err
    }
  }
  const completed: string[] = []
  try {
    const {objects} = managedJobObjects(prepared, {...o, rootUid: made.metadata.uid})
    for (const obj of objects.slice(1)) {
      const res = resourceOfKind(obj.kind, ns)
      try {
        await k.create(res, obj, {dryRun: o.serverDryRun})
        if (completing) completed.push(`${obj.kind.toLowerCase()}/${obj.metadata.name}`)
      } catch (err) {
        if (!completing || !isAlreadyExists(err)) throw err
        // made by the interrupted submit, or someone else's: only an object the root owns is taken
        const there = await k.get<O>(res, obj.metadata.name)
        if (!(there.metadata.ownerReferences ?? []).some((r: O) => r.uid === made.metadata.uid)) {
          throw new UserError(`${obj.kind.toLowerCase()}/${obj.metadata.name} in namespace "${ns}" exists but is not owned by ${kind.toLowerCase()}.batch/${name}: not this job's, and kubectl kd does not write over it`)
        }
      }
    }
    if (!o.serverDryRun) {
      const suspend = kind === 'CronJob' ? (o.lifecycle.schedule?.suspend ?? false) : false
      // the uid: a root deleted and made again by someone else meanwhile is refused (uid is immutable), not
      // resumed; not the resourceVersion, which the Job controller changes as it notes the suspension
      await k.patch(rootResource(kind, ns), name, 'merge', {metadata: {uid: made.metadata.uid, annotations: {[LIFECYCLE_ANNOTATION.incomplete]: null}}, spec: {suspend}})
    }
  } catch (err) {
    if (!o.serverDryRun) await k.delete(rootResource(kind, ns), name, {uid: made.metadata.uid, propagationPolicy: 'Background'}).catch(() => undefined)
    throw err
  }
  const what = completing ? `completed (half-made by an interrupted submit${completed.length ? `; ${completed.join(', ')} created` : ''})` : 'created'
  o.onProgress?.(`${kind.toLowerCase()}.batch/${name} ${what}${o.serverDryRun ? ' (server dry run)' : ''}: the runner ${kind === 'CronJob' ? `starts a run on schedule "${o.lifecycle.schedule!.schedule}"` : 'submits the driver'}`)
  return {kind, name, ...(completing ? {completed} : {})}
}

const absent = (err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err))

function resourceOfKind(kind: string, ns: string) {
  return {ConfigMap: R.configMaps(ns), ServiceAccount: R.serviceAccounts(ns), Role: R.roles(ns), RoleBinding: R.roleBindings(ns)}[kind]!
}

// ---- reading back ----

async function observe(kube: KubeClient, ns: string, name?: string): Promise<ObservedManagedJobs> {
  const sel = name ? `${LIFECYCLE_LABEL.job}=${name}` : LIFECYCLE_LABEL.job
  const [jobs, crons, cms, drivers] = await Promise.all([
    kube.list<O>(R.jobs(ns), {labelSelector: sel}),
    kube.list<O>(R.cronJobs(ns), {labelSelector: sel}),
    kube.list<O>(R.configMaps(ns), {labelSelector: `${sel},${LIFECYCLE_LABEL.run}`}),
    kube.list<O>(R.pods(ns), {labelSelector: `${sel},${SPARK_LABEL.role}=driver`}),
  ])
  const cronNames = new Set(crons.items.map((c) => `${c.metadata.namespace}/${c.metadata.name}`))
  // a one-shot job's root is a Job that no CronJob owns
  const oneShot = jobs.items.filter((j) => !(j.metadata.ownerReferences ?? []).some((r: O) => r.kind === 'CronJob') && j.metadata.name === j.metadata.labels?.[LIFECYCLE_LABEL.job])
  return {roots: [...oneShot, ...crons.items.filter((c) => cronNames.has(`${c.metadata.namespace}/${c.metadata.name}`))], runJobs: jobs.items, runCms: cms.items, drivers: drivers.items}
}

/** Managed jobs in the namespace ('' = all), by name. */
export async function listManagedJobs(kube: KubeClient, ns: string, opts: {now?: number} = {}): Promise<ManagedJobStatus[]> {
  const obs = await observe(kube, ns)
  return obs.roots.map((r) => managedJobStatusOf(withKind(r), obs, opts.now ?? Date.now())).sort((a, b) => (a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1))
}

/** The managed job NAME, or undefined when NAME is no managed job. */
export async function managedJobStatus(kube: KubeClient, name: string, opts: {now?: number} = {}): Promise<ManagedJobStatus | undefined> {
  const obs = await observe(kube, kube.namespace, name)
  const root = obs.roots.find((r) => r.metadata.name === name)
  return root ? managedJobStatusOf(withKind(root), obs, opts.now ?? Date.now()) : undefined
}

/**
 * `submit --wait` of a one-shot managed job: reads its status until the runner records the end (COMPLETED
 * or FAILED), telling each attempt's end once. The job is the runner's: stopping the wait (Ctrl-C, the
 * timeout) changes nothing in the cluster. `timeoutMs` 0: no limit.
 */
export async function waitForManagedJob(
  kube: KubeClient,
  name: string,
  opts: {timeoutMs: number; onProgress?: (line: string) => void; intervalMs?: number; now?: () => number; sleep?: (ms: number) => Promise<void>},
): Promise<ManagedJobStatus> {
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const started = now()
  const told = new Set<string>()
  let last: ManagedJobStatus | undefined
  for (;;) {
    const s = await managedJobStatus(kube, name)
    if (!s) throw new UserError(`job "${name}" was deleted while waiting for it`)
    last = s
    for (const a of s.attempts) {
      const key = `${a.n} ${a.state}`
      if (told.has(key) || !['RUNNING', 'COMPLETED', 'FAILED', 'SUBMISSION_FAILED'].includes(a.state)) continue
      told.add(key)
      opts.onProgress?.(`attempt ${a.n} ${a.state}${a.reason ? `: ${a.reason}` : ''}`)
    }
    if (s.state === 'COMPLETED' || s.state === 'FAILED') return s
    if (opts.timeoutMs > 0 && now() - started >= opts.timeoutMs)
      throw new UserError(`timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for job/${name} (${last.state}, attempts ${last.attemptsText}); its runner goes on in the cluster: kubectl kd status job/${name}`)
    await sleep(opts.intervalMs ?? 2000)
  }
}

/** A managed job's root as read: a batch/v1 Job or CronJob carrying the job's label. */
export interface ManagedJobRoot {
  kind: 'Job' | 'CronJob'
  obj: O
}

/** The root of the managed job NAME (Job or CronJob; two reads), or undefined when NAME is no managed job. */
export async function findManagedJob(kube: KubeClient, name: string): Promise<ManagedJobRoot | undefined> {
  const get = (kind: 'Job' | 'CronJob') => kube.get<O>(rootResource(kind, kube.namespace), name).then((obj) => (obj.metadata?.labels?.[LIFECYCLE_LABEL.job] === name ? {kind, obj} : undefined), (err) => (isNotFound(err) ? undefined : Promise.reject(err)))
  const [cron, job] = await Promise.all([get('CronJob'), get('Job')])
  return cron ?? job
}

/** Deletes a managed job: its root; the garbage collector removes its runs, attempts' drivers and everything they made. */
/** `known`: the root as just read (resolve-target.ts), saves reading it again. */
export async function deleteManagedJob(kube: KubeClient, name: string, opts: {dryRun?: boolean; known?: ManagedJobRoot} = {}): Promise<{kind: 'Job' | 'CronJob'} | undefined> {
  const root = opts.known ?? (await findManagedJob(kube, name))
  if (!root) return undefined
  await kube.delete(rootResource(root.kind, kube.namespace), name, {uid: root.obj.metadata.uid, propagationPolicy: 'Background', dryRun: opts.dryRun})
  return {kind: root.kind}
}

async function requireSchedule(kube: KubeClient, name: string, verb: string): Promise<O> {
  const root = await findManagedJob(kube, name)
  if (!root) throw new UserError(`job "${name}" not found in namespace "${kube.namespace}" as a scheduled job (kubectl kd get jobs lists them)`)
  if (root.kind !== 'CronJob') throw new UserError(`job "${name}" has no schedule: only a job submitted with --schedule (or a ScheduledSparkApplication) can be ${verb}`)
  return root.obj
}

/** `kubectl kd run job/NAME`: a run now, from the schedule's template (as kubectl create job --from=cronjob/NAME). */
export async function runScheduledJob(kube: KubeClient, name: string, opts: {now?: number; dryRun?: boolean} = {}): Promise<{run: string}> {
  const cron = await requireSchedule(kube, name, 'run')
  const t = cron.spec.jobTemplate
  const run = `${name}-manual-${Math.floor((opts.now ?? Date.now()) / 1000).toString(36)}`
  await kube.create(R.jobs(kube.namespace), {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: run,
      namespace: kube.namespace,
      labels: t.metadata?.labels ?? {},
      annotations: {...(t.metadata?.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual'},
      ownerReferences: [{apiVersion: 'batch/v1', kind: 'CronJob', name, uid: cron.metadata.uid, controller: true}],
    },
    spec: t.spec,
  }, {dryRun: opts.dryRun})
  return {run}
}

/** `kubectl kd suspend|resume job/NAME`: the schedule's suspend; true when it changed. */
export async function setScheduleSuspended(kube: KubeClient, name: string, suspend: boolean, opts: {dryRun?: boolean} = {}): Promise<boolean> {
  const cron = await requireSchedule(kube, name, suspend ? 'suspended' : 'resumed')
  if (!!cron.spec.suspend === suspend) return false
  await kube.patch(R.cronJobs(kube.namespace), name, 'merge', {spec: {suspend}}, {dryRun: opts.dryRun})
  return true
}
