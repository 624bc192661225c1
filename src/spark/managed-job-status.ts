// What `get jobs` and `status` show of a managed job (docs/job-lifecycle.md), derived from its objects as
// read: the root (a batch/v1 Job or CronJob), each run's Job and record ConfigMap, and the last attempt's
// driver pod. Pure: actions/job/managed-job.ts reads the objects, output/jobs.ts prints the shapes here.
import {nextCronTime} from './cron.ts'
import {LIFECYCLE_ANNOTATION, LIFECYCLE_LABEL, attemptsOf, attemptsText, foldedOf, type Attempt, type Lifecycle} from './lifecycle.ts'
import {jobStatusFromPods, type JobStatus} from './status.ts'

type O = Record<string, any>

export type ManagedState = 'PENDING' | 'SUBMITTED' | 'RUNNING' | 'PENDING_RERUN' | 'COMPLETED' | 'FAILED' | 'SCHEDULED' | 'SUSPENDED'

export interface RunStatus {
  /** the batch/v1 Job of the run */
  name: string
  state: ManagedState
  reason?: string
  /** `2/4` */
  attemptsText: string
  attempts: Attempt[]
  started?: string
  finished?: string
  /** started by `kubectl kd run` rather than by the schedule */
  manual?: boolean
  /** the last attempt's driver, as `status` shows a job */
  driver?: JobStatus
}

export interface ManagedJobStatus {
  name: string
  namespace: string
  kind: 'Job' | 'CronJob'
  state: ManagedState
  reason?: string
  attemptsText: string
  lifecycle: Lifecycle
  created?: string
  /** a one-shot job's attempts (its one run's); for a schedule, the latest run's */
  attempts: Attempt[]
  schedule?: Lifecycle['schedule'] & {lastScheduleTime?: string; nextRun?: string; active: string[]}
  /** runs kept (the schedule's history limits; a one-shot job has one), oldest first */
  runs: RunStatus[]
  driver?: JobStatus
}

function runState(job: O | undefined, cm: O | undefined, attempts: Attempt[]): {state: ManagedState; reason?: string} {
  const final = cm?.metadata?.annotations?.[LIFECYCLE_ANNOTATION.state]
  if (final === 'COMPLETED' || final === 'FAILED') return {state: final, reason: cm?.metadata?.annotations?.[LIFECYCLE_ANNOTATION.reason]}
  const failed = (job?.status?.conditions ?? []).find((c: O) => c.type === 'Failed' && c.status === 'True')
  if (failed) return {state: 'FAILED', reason: `runner: ${failed.reason}${failed.message ? `: ${failed.message}` : ''}`}
  const last = attempts.at(-1)
  if (!last) return {state: 'PENDING'}
  if (last.state === 'SUBMITTING' || last.state === 'SUBMITTED') return {state: 'SUBMITTED'}
  if (last.state === 'RUNNING') return {state: 'RUNNING'}
  return {state: 'PENDING_RERUN', reason: `attempt ${last.n} ${last.state}${last.reason ? `: ${last.reason}` : ''}`}
}

export interface ObservedManagedJobs {
  roots: O[]
  runJobs: O[]
  runCms: O[]
  drivers: O[]
}

export function managedJobStatusOf(root: O, obs: ObservedManagedJobs, now: number): ManagedJobStatus {
  const ns = root.metadata.namespace
  const name = root.metadata.name
  const kind = root.kind === 'CronJob' || root.spec?.jobTemplate ? 'CronJob' : 'Job'
  const lifecycle = JSON.parse(root.metadata.annotations?.[LIFECYCLE_ANNOTATION.lifecycle] ?? '{}') as Lifecycle
  const mine = (o: O) => o.metadata.namespace === ns && o.metadata.labels?.[LIFECYCLE_LABEL.job] === name
  const runJobs = kind === 'Job' ? [root] : obs.runJobs.filter((j) => mine(j) && j.metadata.name !== name)
  const runs: RunStatus[] = runJobs
    .map((j) => {
      const cm = obs.runCms.find((c) => mine(c) && c.metadata.labels?.[LIFECYCLE_LABEL.run] === j.metadata.name)
      const attempts = cm ? attemptsOf(cm) : []
      const last = attempts.at(-1)
      const driverPod = last && obs.drivers.find((p) => p.metadata.namespace === ns && p.metadata.name === last.driver)
      const st = runState(j, cm, attempts)
      return {
        name: j.metadata.name,
        ...st,
        attemptsText: attemptsText(lifecycle.restartPolicy, attempts, foldedOf(cm)),
        attempts,
        started: j.status?.startTime,
        finished: j.status?.completionTime ?? (j.status?.conditions ?? []).find((c: O) => (c.type === 'Failed' || c.type === 'Complete') && c.status === 'True')?.lastTransitionTime,
        ...(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual' ? {manual: true} : {}),
        ...(driverPod ? {driver: jobStatusFromPods(driverPod, [], {now})} : {}),
      } satisfies RunStatus
    })
    .sort((a, b) => ((a.started ?? '9') < (b.started ?? '9') ? -1 : (a.started ?? '9') > (b.started ?? '9') ? 1 : a.name < b.name ? -1 : 1))
  const latest = runs.at(-1)
  if (root.metadata.annotations?.[LIFECYCLE_ANNOTATION.incomplete] === 'true') {
    // created suspended and never resumed: the submit that made it was interrupted
    const reason = `half-made: its submit was interrupted before the job was whole (the runner never started); re-run the same kubectl kd submit to complete it, or delete it: kubectl kd delete job/${name}`
    return {name, namespace: ns, kind, lifecycle, created: root.metadata.creationTimestamp, runs, attempts: [], attemptsText: attemptsText(lifecycle.restartPolicy, []), state: 'PENDING', reason}
  }
  const base = {name, namespace: ns, kind, lifecycle, created: root.metadata.creationTimestamp, runs, attempts: latest?.attempts ?? [], attemptsText: latest?.attemptsText ?? attemptsText(lifecycle.restartPolicy, []), ...(latest?.driver ? {driver: latest.driver} : {})} as const
  if (kind === 'Job') return {...base, state: latest?.state ?? 'PENDING', ...(latest?.reason ? {reason: latest.reason} : {})}
  const s = lifecycle.schedule!
  const suspended = !!root.spec?.suspend
  const next = suspended ? undefined : nextCronTime(root.spec.schedule, now, root.spec.timeZone)
  const active = (root.status?.active ?? []).map((r: O) => r.name as string)
  return {
    ...base,
    state: suspended ? 'SUSPENDED' : 'SCHEDULED',
    ...(latest ? {reason: `last run ${latest.name}: ${latest.state}${latest.reason ? ` (${latest.reason})` : ''}`} : {}),
    schedule: {...s, suspend: suspended, ...(root.status?.lastScheduleTime ? {lastScheduleTime: root.status.lastScheduleTime} : {}), ...(next !== undefined ? {nextRun: new Date(next).toISOString().replace(/\.\d+Z$/, 'Z')} : {}), active},
  }
}

export const withKind = (r: O) => ({...r, kind: r.kind ?? (r.spec?.jobTemplate ? 'CronJob' : 'Job')})
