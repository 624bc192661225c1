// The in-cluster runner of a managed Spark job (docs/job-lifecycle.md): run by a batch/v1 Job (one per
// run), it makes attempt after attempt as the restart policy says, each driver made by the same code as
// `kubectl kd submit` (actions/job/driver-objects.ts), until the application completes or the retries are used
// up. Restart-safe: every attempt is recorded on the run's ConfigMap (resourceVersion precondition)
// before its driver is created, and each driver has a deterministic name and Spark ids, so a runner pod
// that is replaced finds its attempt (AlreadyExists) instead of making it twice. Decisions: lifecycle.ts.
import {R, type KubeClient} from '../kube/client.ts'
import {errorKind, isAlreadyExists, isNotFound, isTransient} from '../kube/errors.ts'
import {watchUntil} from '../kube/informer.ts'
import {readLogs} from '../kube/logs.ts'
import {createDriverObjects, renderStoredAttempt} from '../actions/job/driver-objects.ts'
import {podProblem} from '../cluster/pod-problem.ts'
import {LABEL, MANAGED_BY} from '../cluster/names.ts'
import {driverContainerName, failureFromLog, jobStatusFromPods} from '../spark/status.ts'
import {
  LIFECYCLE_ANNOTATION,
  LIFECYCLE_LABEL,
  RUNNER_COMPONENT,
  attemptDriverName,
  attemptsOf,
  attemptSubmissionIds,
  attemptsToClean,
  foldAttempts,
  foldedOf,
  isEnded,
  KEPT_ATTEMPTS,
  nextStep,
  runConfigMapName,
  specConfigMapName,
  type Attempt,
} from '../spark/lifecycle.ts'
import {SUBMISSION_KEY, type StoredSubmission} from '../spark/render-runner.ts'

export interface RunnerEnv {
  /** the managed job (root object NAME) */
  job: string
  namespace: string
  /** the batch/v1 Job this runner runs in, and its uid */
  run: string
  runUid: string
}

export interface RunnerDeps {
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  log: (line: string) => void
  signal?: AbortSignal
}

type O = Record<string, any>
type RunConfigMap = {metadata: {name: string; resourceVersion?: string; annotations?: Record<string, string>}}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')

/** Runs the job to its end: COMPLETED or FAILED (undefined when stopped by `signal`). */
export async function runManagedJob(kube: KubeClient, env: RunnerEnv, deps: RunnerDeps): Promise<'COMPLETED' | 'FAILED' | undefined> {
  const ns = env.namespace
  const spec = await kube.get<O>(R.configMaps(ns), specConfigMapName(env.job))
  const stored = JSON.parse(spec.data?.[SUBMISSION_KEY] ?? '{}') as StoredSubmission
  const policy = stored.lifecycle.restartPolicy
  let cm = await runConfigMap(kube, env)
  deps.log(`run ${env.run} of job ${env.job}: ${attemptsOf(cm).length} attempt(s) recorded, restart policy ${policy.type}`)

  /** Records the attempts (and the final state) with the resourceVersion read: a conflict re-reads and decides again. */
  const record = async (all: Attempt[], final?: {state: string; reason: string}) => {
    const {attempts, folded} = foldAttempts(all, foldedOf(cm))
    const annotations: Record<string, string> = {[LIFECYCLE_ANNOTATION.attempts]: JSON.stringify(attempts), ...(folded.attempts ? {[LIFECYCLE_ANNOTATION.folded]: JSON.stringify(folded)} : {})}
    if (final) Object.assign(annotations, {[LIFECYCLE_ANNOTATION.state]: final.state, [LIFECYCLE_ANNOTATION.reason]: final.reason.slice(0, 1000)})
    cm = await kube.patch<RunConfigMap>(R.configMaps(ns), cm.metadata.name, 'merge', {metadata: {resourceVersion: cm.metadata.resourceVersion, annotations}})
  }

  while (!deps.signal?.aborted) {
    try {
      const attempts = attemptsOf(cm)
      const d = nextStep(policy, attempts, foldedOf(cm))
      if (d.action === 'done') {
        if (cm.metadata.annotations?.[LIFECYCLE_ANNOTATION.state] !== d.state) await record(attempts, d)
        deps.log(`job ${env.job} ${d.state}: ${d.reason}`)
        return d.state
      }
      if (d.action === 'submit') {
        const wait = d.atMs - deps.now()
        if (wait > 0) {
          deps.log(`attempt ${d.n} in ${Math.ceil(wait / 1000)}s`)
          await deps.sleep(wait, deps.signal)
          if (deps.signal?.aborted) return undefined
        }
        const planned = deps.now()
        const driver = attemptDriverName(env.run, d.n)
        const ids = attemptSubmissionIds(env.runUid, d.n, planned)
        await record([...attempts, {n: d.n, driver, appId: ids.appId, planned: iso(planned), state: 'SUBMITTING'}])
        continue
      }
      const a = d.attempt
      if (a.state === 'SUBMITTING') {
        await record(replaceLast(attempts, await makeDriver(kube, env, stored, a, deps)))
        if (a.n > KEPT_ATTEMPTS) await cleanOldAttempts(kube, env, a.n, deps)
        continue
      }
      const outcome = await watchAttempt(kube, ns, a, stored.lifecycle.startTimeoutSeconds, deps)
      if (!outcome) return undefined
      await record(replaceLast(attempts, outcome))
      if (outcome.state === 'FAILED' && outcome.reason?.startsWith('start timeout')) {
        // recorded first: the stuck driver must not start later as a second copy of a finished attempt
        await kube.delete(R.pods(ns), a.driver, {propagationPolicy: 'Background'}).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
      }
      if (isEnded(outcome)) deps.log(`attempt ${a.n} ${outcome.state}${outcome.reason ? `: ${outcome.reason}` : ''}`)
    } catch (err) {
      if (errorKind(err) === 'Conflict') {
        // another runner (the pod this one replaces, still terminating) wrote first: decide again on its record
        cm = await kube.get<RunConfigMap>(R.configMaps(ns), cm.metadata.name)
        continue
      }
      if (!isTransient(err)) throw err
      deps.log(`API error, retrying: ${(err as Error).message.split('\n')[0]}`)
      await deps.sleep(2000, deps.signal)
      cm = await kube.get<RunConfigMap>(R.configMaps(ns), cm.metadata.name)
    }
  }
  return undefined
}

const replaceLast = (attempts: Attempt[], a: Attempt) => [...attempts.slice(0, -1), a]

/** The run's ConfigMap: created on the first start (owned by the run's Job), read on every later one. */
async function runConfigMap(kube: KubeClient, env: RunnerEnv): Promise<RunConfigMap> {
  const name = runConfigMapName(env.run)
  const body = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: env.namespace,
      labels: {[LABEL.managedBy]: MANAGED_BY, [LIFECYCLE_LABEL.job]: env.job, [LIFECYCLE_LABEL.run]: env.run, [LABEL.component]: RUNNER_COMPONENT},
      annotations: {[LIFECYCLE_ANNOTATION.attempts]: '[]'},
      ownerReferences: [{apiVersion: 'batch/v1', kind: 'Job', name: env.run, uid: env.runUid}],
    },
  }
  try {
    return await kube.create<RunConfigMap>(R.configMaps(env.namespace), body)
  } catch (err) {
    if (!isAlreadyExists(err)) throw err
    return kube.get<RunConfigMap>(R.configMaps(env.namespace), name)
  }
}

/**
 * Deletes the driver pods of attempts older than the last KEPT_ATTEMPTS (attemptsToClean: only pods this
 * run made, by owner uid, each deleted with a uid precondition); their Service, ConfigMaps and executors
 * are owned by them. Best effort: what is left is found again before the next attempt.
 */
async function cleanOldAttempts(kube: KubeClient, env: RunnerEnv, n: number, deps: RunnerDeps): Promise<void> {
  try {
    const pods = await kube.list<O>(R.pods(env.namespace), {labelSelector: `${LIFECYCLE_LABEL.run}=${env.run},${LIFECYCLE_LABEL.attempt}`})
    for (const p of attemptsToClean(pods.items as never, {run: env.run, runUid: env.runUid, n})) {
      await kube.delete(R.pods(env.namespace), p.name, {uid: p.uid, propagationPolicy: 'Background'}).catch((err) => (isNotFound(err) || errorKind(err) === 'Conflict' ? undefined : Promise.reject(err)))
      deps.log(`pod/${p.name} deleted (only the last ${KEPT_ATTEMPTS} attempts' drivers are kept)`)
    }
  } catch (err) {
    deps.log(`cleaning older attempts: ${(err as Error).message.split('\n')[0]} (tried again before the next attempt)`)
  }
}

/** Creates the attempt's driver (or finds it made by the runner this one replaces). */
async function makeDriver(kube: KubeClient, env: RunnerEnv, stored: StoredSubmission, a: Attempt, deps: RunnerDeps): Promise<Attempt> {
  const ids = attemptSubmissionIds(env.runUid, a.n, Date.parse(a.planned))
  const labels = {[LIFECYCLE_LABEL.job]: env.job, [LIFECYCLE_LABEL.run]: env.run, [LIFECYCLE_LABEL.attempt]: String(a.n)}
  const objs = renderStoredAttempt(stored, {ids, podName: a.driver, labels, server: kube.server})
  objs.pod.metadata.ownerReferences = [{apiVersion: 'batch/v1', kind: 'Job', name: env.run, uid: env.runUid}]
  try {
    const {pod} = await createDriverObjects(kube, objs, env.namespace, {adoptExisting: true})
    deps.log(`attempt ${a.n}: pod/${a.driver} created`)
    void pod
    // the runner's clock (not the pod's creationTimestamp): the start timeout is measured on it
    return {...a, state: 'SUBMITTED', created: iso(deps.now())}
  } catch (err) {
    if (isTransient(err)) throw err
    return {...a, state: 'SUBMISSION_FAILED', ended: iso(deps.now()), reason: (err as Error).message.split('\n')[0]}
  }
}

/**
 * Watches the attempt's driver until something to record: Running (from SUBMITTED), the end, the driver
 * gone, or the start timeout passed while not Running (FAILED with the pod's reason).
 */
async function watchAttempt(kube: KubeClient, ns: string, a: Attempt, startTimeoutSeconds: number, deps: RunnerDeps): Promise<Attempt | undefined> {
  const deadline = a.state === 'SUBMITTED' && startTimeoutSeconds > 0 ? Date.parse(a.created ?? a.planned) + startTimeoutSeconds * 1000 : 0
  const ended = async (pod: O | undefined): Promise<Attempt | undefined> => {
    if (!pod) return {...a, state: 'FAILED', ended: iso(deps.now()), reason: 'driver pod deleted'}
    const phase = pod.status?.phase
    if (phase === 'Running' && a.state !== 'RUNNING') return {...a, state: 'RUNNING'}
    if (phase !== 'Succeeded' && phase !== 'Failed') return undefined
    const s = jobStatusFromPods(pod, [])
    const finished = s.finished ?? iso(deps.now())
    if (s.state === 'COMPLETED') return {...a, state: 'COMPLETED', ended: finished}
    let reason = s.reason ?? 'driver failed'
    try {
      const cause = failureFromLog(await readLogs(kube, {namespace: ns, pod: a.driver, container: driverContainerName(pod), tailLines: 300}))
      if (cause) reason = `${reason}: ${cause}`
    } catch {
      // the log may be gone with the node: the pod's reason stands
    }
    return {...a, state: 'FAILED', ended: finished, reason}
  }
  let pod: O | undefined
  for (;;) {
    const remaining = deadline ? deadline - deps.now() : 0
    if (deadline && remaining <= 0) {
      pod = await kube.get<O>(R.pods(ns), a.driver).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
      const next = await ended(pod)
      if (next) return next
      const problem = pod ? podProblem(pod) : undefined
      const scheduled = (pod?.status?.conditions ?? []).some((c: O) => c.type === 'PodScheduled' && c.status === 'True')
      const detail = problem ? `: ${problem.text}` : ` (phase ${pod?.status?.phase ?? 'Pending'}${scheduled ? '' : ', not scheduled yet'})`
      return {...a, state: 'FAILED', ended: iso(deps.now()), reason: `start timeout ${startTimeoutSeconds}s: driver not Running${detail}`}
    }
    const found = await watchUntil<{pod: O | undefined}>(
      kube,
      [{resource: R.pods(ns), fieldSelector: `metadata.name=${a.driver}`}],
      ([cache]) => {
        const p = [...cache!.values()][0] as O | undefined
        const phase = p?.status?.phase
        if (!p || phase === 'Succeeded' || phase === 'Failed' || (phase === 'Running' && a.state !== 'RUNNING')) return {pod: p}
        return undefined
      },
      {timeoutMs: deadline ? remaining : 0, signal: deps.signal},
    )
    if (deps.signal?.aborted) return undefined
    if (!found) continue // the start deadline: checked at the top
    pod = found.pod
    const next = await ended(pod)
    if (next) return next
  }
}
