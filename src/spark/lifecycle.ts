// A Spark job's lifecycle without an operator (docs/job-lifecycle.md): the policy (restartPolicy and its
// retries, start timeout, time to live, schedule) parsed from submit's flags or a (Scheduled)SparkApplication,
// the attempt records the in-cluster runner keeps on its run ConfigMap, and the runner's one decision —
// what to do next given the policy, the attempts so far and the clock. Pure: no I/O, no clock of its own.
import {createHash} from 'node:crypto'
import {UserError} from '../errors.ts'
import type {SubmissionIds} from './names.ts'

export type RestartPolicyType = 'Never' | 'OnFailure' | 'Always'
export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace'

export interface RestartPolicy {
  type: RestartPolicyType
  onFailureRetries: number
  /** seconds */
  onFailureRetryInterval: number
  onSubmissionFailureRetries: number
  /** seconds */
  onSubmissionFailureRetryInterval: number
}

export interface Schedule {
  schedule: string
  timeZone?: string
  concurrencyPolicy: ConcurrencyPolicy
  suspend: boolean
  successfulRunHistoryLimit: number
  failedRunHistoryLimit: number
}

export interface Lifecycle {
  restartPolicy: RestartPolicy
  /** seconds a driver may take to be Running before its attempt fails (0 = no limit) */
  startTimeoutSeconds: number
  /** seconds a finished job (or run) is kept; undefined = kept until deleted */
  timeToLiveSeconds?: number
  schedule?: Schedule
}

/** The lifecycle fields as given (flags or manifest), before defaults. */
export interface LifecycleInput {
  restartPolicy?: string
  onFailureRetries?: unknown
  onFailureRetryInterval?: unknown
  onSubmissionFailureRetries?: unknown
  onSubmissionFailureRetryInterval?: unknown
  startTimeoutSeconds?: unknown
  timeToLiveSeconds?: unknown
  schedule?: unknown
  timeZone?: unknown
  concurrencyPolicy?: unknown
  suspend?: unknown
  successfulRunHistoryLimit?: unknown
  failedRunHistoryLimit?: unknown
}

/**
 * Retry intervals default to the Job controller's first backoff, 10 s (the operator's is 5 s); history
 * limits are the operator's, 1.
 */
export const DEFAULT_RETRY_INTERVAL_SECONDS = 10
/** The longest wait between attempts (the Job controller's cap), unless the interval itself is longer. */
export const MAX_RETRY_DELAY_SECONDS = 360
/** An interval below this (e.g. 0s) is taken as this: doubling from it still never hot-loops. */
export const MIN_RETRY_INTERVAL_SECONDS = 1
/** An attempt that ran this long resets the backoff (the kubelet's rule for a container's restarts). */
export const BACKOFF_RESET_SECONDS = 600
/** Attempts whose driver objects (pod, Service, ConfigMaps, executors) are kept for their logs. */
export const KEPT_ATTEMPTS = 3
/**
 * Attempt records kept on the run's ConfigMap (a few hundred bytes each; its annotations may hold 256 KiB):
 * older ended ones are folded into counts, so an `Always` job failing for weeks keeps a bounded record.
 */
export const MAX_RECORDED_ATTEMPTS = 50
export const DEFAULT_HISTORY_LIMIT = 1
/** The runner's exit code when the Spark application failed: the Job's podFailurePolicy fails the Job on it. */
export const RUNNER_FAILED_EXIT_CODE = 3

/** Whether any lifecycle field is set: without one, submit keeps its direct client-side path. */
export function hasLifecycle(i: LifecycleInput): boolean {
  return Object.values(i).some((v) => v !== undefined && v !== null)
}

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'])

/** Checks a cron expression the way the CronJob controller takes it: 5 fields, a macro, or @every DURATION. */
export function checkCron(expr: string, where: string): void {
  const e = expr.trim()
  if (CRON_MACROS.has(e) || /^@every \d+(ns|us|ms|s|m|h)+/.test(e)) return
  if (/^(CRON_)?TZ=/.test(e)) throw new UserError(`${where}: ${JSON.stringify(expr)}: a time zone in the schedule is not accepted by Kubernetes; give it as timeZone (--time-zone)`)
  const fields = e.split(/\s+/)
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new UserError(`${where}: ${JSON.stringify(expr)} is not a cron schedule: five fields (minute hour day-of-month month day-of-week), e.g. "*/5 * * * *", or @hourly/@daily/…`)
  }
}

/**
 * A duration as seconds: a number (seconds) or Go/Kubernetes style `90s`, `5m`, `1h30m`. `where` names
 * the flag or field.
 */
export function seconds(v: unknown, where: string, opts: {min?: number} = {}): number {
  let n: number
  if (typeof v === 'number') n = v
  else if (typeof v === 'string' && /^\d+$/.test(v.trim())) n = Number(v.trim())
  else if (typeof v === 'string' && /^(\d+(\.\d+)?(h|m|s|ms))+$/.test(v.trim())) {
    n = 0
    for (const [, num, unit] of v.trim().matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) n += Number(num) * {h: 3600, m: 60, s: 1, ms: 0.001}[unit as 'h' | 'm' | 's' | 'ms']
  } else throw new UserError(`${where}: ${JSON.stringify(v)} is not a duration (seconds, or e.g. 30s, 5m, 1h)`)
  if (!Number.isFinite(n) || n < (opts.min ?? 0)) throw new UserError(`${where}: ${JSON.stringify(v)} must be at least ${opts.min ?? 0}s`)
  return Math.round(n)
}

function count(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new UserError(`${where}: ${JSON.stringify(v)} must be a whole number, 0 or more`)
  return n
}

function bool(v: unknown, where: string): boolean {
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'false') return v === 'true'
  throw new UserError(`${where}: ${JSON.stringify(v)} must be true or false`)
}

/** Names of the fields for messages: the manifest's path, or the flag. */
export type FieldNames = Record<keyof LifecycleInput, string>

export const FLAG_NAMES: FieldNames = {
  restartPolicy: '--restart-policy',
  onFailureRetries: '--on-failure-retries',
  onFailureRetryInterval: '--on-failure-retry-interval',
  onSubmissionFailureRetries: '--on-submission-failure-retries',
  onSubmissionFailureRetryInterval: '--on-submission-failure-retry-interval',
  startTimeoutSeconds: '--start-timeout',
  timeToLiveSeconds: '--time-to-live',
  schedule: '--schedule',
  timeZone: '--time-zone',
  concurrencyPolicy: '--concurrency-policy',
  suspend: '--suspend',
  successfulRunHistoryLimit: '--successful-run-history-limit',
  failedRunHistoryLimit: '--failed-run-history-limit',
}

/** Validates the fields and applies the operator's defaults. Each error names its field. */
export function parseLifecycle(i: LifecycleInput, names: FieldNames): Lifecycle {
  const type = (i.restartPolicy ?? 'Never') as RestartPolicyType
  if (!['Never', 'OnFailure', 'Always'].includes(type)) throw new UserError(`${names.restartPolicy}: ${JSON.stringify(i.restartPolicy)} must be Never, OnFailure or Always`)
  if (type === 'Never') {
    for (const f of ['onFailureRetries', 'onFailureRetryInterval', 'onSubmissionFailureRetries', 'onSubmissionFailureRetryInterval'] as const) {
      if (i[f] !== undefined && i[f] !== null) throw new UserError(`${names[f]} needs ${names.restartPolicy} OnFailure or Always (with Never nothing is retried)`)
    }
  }
  const restartPolicy: RestartPolicy = {
    type,
    onFailureRetries: i.onFailureRetries != null ? count(i.onFailureRetries, names.onFailureRetries) : 0,
    onFailureRetryInterval: i.onFailureRetryInterval != null ? seconds(i.onFailureRetryInterval, names.onFailureRetryInterval) : DEFAULT_RETRY_INTERVAL_SECONDS,
    onSubmissionFailureRetries: i.onSubmissionFailureRetries != null ? count(i.onSubmissionFailureRetries, names.onSubmissionFailureRetries) : 0,
    onSubmissionFailureRetryInterval: i.onSubmissionFailureRetryInterval != null ? seconds(i.onSubmissionFailureRetryInterval, names.onSubmissionFailureRetryInterval) : DEFAULT_RETRY_INTERVAL_SECONDS,
  }
  const out: Lifecycle = {
    restartPolicy,
    startTimeoutSeconds: i.startTimeoutSeconds != null ? seconds(i.startTimeoutSeconds, names.startTimeoutSeconds, {min: 1}) : 0,
  }
  if (i.timeToLiveSeconds != null) out.timeToLiveSeconds = seconds(i.timeToLiveSeconds, names.timeToLiveSeconds)
  const scheduleOnly = ['timeZone', 'concurrencyPolicy', 'suspend', 'successfulRunHistoryLimit', 'failedRunHistoryLimit'] as const
  if (i.schedule == null) {
    for (const f of scheduleOnly) if (i[f] != null) throw new UserError(`${names[f]} needs ${names.schedule}`)
    return out
  }
  if (typeof i.schedule !== 'string') throw new UserError(`${names.schedule}: must be a cron expression string`)
  checkCron(i.schedule, names.schedule)
  const cp = (i.concurrencyPolicy ?? 'Allow') as ConcurrencyPolicy
  if (!['Allow', 'Forbid', 'Replace'].includes(cp)) throw new UserError(`${names.concurrencyPolicy}: ${JSON.stringify(i.concurrencyPolicy)} must be Allow, Forbid or Replace`)
  if (i.timeZone != null && (typeof i.timeZone !== 'string' || !validTimeZone(i.timeZone))) throw new UserError(`${names.timeZone}: ${JSON.stringify(i.timeZone)} is not a time zone name (e.g. Etc/UTC, Europe/Berlin)`)
  if (type === 'Always') throw new UserError(`${names.restartPolicy} Always reruns the application forever: it cannot be combined with ${names.schedule} (use OnFailure)`)
  out.schedule = {
    schedule: i.schedule.trim(),
    ...(i.timeZone != null ? {timeZone: i.timeZone as string} : {}),
    concurrencyPolicy: cp,
    suspend: i.suspend != null ? bool(i.suspend, names.suspend) : false,
    successfulRunHistoryLimit: i.successfulRunHistoryLimit != null ? count(i.successfulRunHistoryLimit, names.successfulRunHistoryLimit) : DEFAULT_HISTORY_LIMIT,
    failedRunHistoryLimit: i.failedRunHistoryLimit != null ? count(i.failedRunHistoryLimit, names.failedRunHistoryLimit) : DEFAULT_HISTORY_LIMIT,
  }
  return out
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', {timeZone: tz})
    return true
  } catch {
    return false
  }
}

// ---- attempts ----

export type AttemptState = 'SUBMITTING' | 'SUBMITTED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SUBMISSION_FAILED'

/** One attempt as the runner records it (annotation kubectl-kd.io/attempts of the run ConfigMap). */
export interface Attempt {
  n: number
  /** driver pod name (deterministic: <run>-<n>-driver) */
  driver: string
  appId: string
  /** when the runner decided to make it (ISO); also spark.app.submitTime */
  planned: string
  /** when its driver pod was created */
  created?: string
  ended?: string
  state: AttemptState
  reason?: string
}

/** The attempts recorded on a run's ConfigMap. */
export function attemptsOf(cm: {metadata?: {annotations?: Record<string, string>}}): Attempt[] {
  const raw = cm.metadata?.annotations?.['kubectl-kd.io/attempts']
  try {
    return raw ? (JSON.parse(raw) as Attempt[]) : []
  } catch {
    return []
  }
}

/** Attempts no longer recorded one by one: how many, and how they ended. */
export interface FoldedAttempts {
  attempts: number
  failed: number
  submissionFailed: number
  completed: number
}

const NONE_FOLDED: FoldedAttempts = {attempts: 0, failed: 0, submissionFailed: 0, completed: 0}

/** The folded attempts of a run's ConfigMap (annotation kubectl-kd.io/attempts-folded). */
export function foldedOf(cm: {metadata?: {annotations?: Record<string, string>}} | undefined): FoldedAttempts {
  try {
    const f = JSON.parse(cm?.metadata?.annotations?.['kubectl-kd.io/attempts-folded'] ?? 'null') as Partial<FoldedAttempts> | null
    const n = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0)
    return f ? {attempts: n(f.attempts), failed: n(f.failed), submissionFailed: n(f.submissionFailed), completed: n(f.completed)} : {...NONE_FOLDED}
  } catch {
    return {...NONE_FOLDED}
  }
}

/** Keeps the last MAX_RECORDED_ATTEMPTS records, folding the older (all ended) into the counts. Pure. */
export function foldAttempts(attempts: Attempt[], folded: FoldedAttempts, max = MAX_RECORDED_ATTEMPTS): {attempts: Attempt[]; folded: FoldedAttempts} {
  if (attempts.length <= max) return {attempts, folded}
  const out = {...folded}
  for (const a of attempts.slice(0, attempts.length - max)) {
    out.attempts++
    if (a.state === 'FAILED') out.failed++
    else if (a.state === 'SUBMISSION_FAILED') out.submissionFailed++
    else if (a.state === 'COMPLETED') out.completed++
  }
  return {attempts: attempts.slice(-max), folded: out}
}

export const isEnded = (a: Attempt) => a.state === 'COMPLETED' || a.state === 'FAILED' || a.state === 'SUBMISSION_FAILED'

export type Decision =
  | {action: 'submit'; n: number; atMs: number}
  | {action: 'watch'; attempt: Attempt}
  | {action: 'done'; state: 'COMPLETED' | 'FAILED'; reason: string}

/**
 * The wait before the next attempt, as the Job controller backs off a failing pod (10 s doubling to 6 min)
 * with the interval in place of its 10 s: the k-th attempt in a row that ended quickly waits
 * `interval × 2^(k−1)`, at most 6 min (or the interval, when that is longer). An interval below 1 s counts
 * as 1 s, so `0s` retries at once only in the sense of 1, 2, 4, 8 … s. `streak` counts the attempts in a
 * row (k); an attempt that ran 10 minutes or more starts a new streak. Pure.
 */
export function retryDelaySeconds(intervalSeconds: number, streak: number): number {
  const base = Math.max(intervalSeconds, MIN_RETRY_INTERVAL_SECONDS)
  const cap = Math.max(base, MAX_RETRY_DELAY_SECONDS)
  // 2^30 is past any cap: no overflow however long the streak
  return Math.min(base * 2 ** Math.min(Math.max(streak, 1) - 1, 30), cap)
}

/** How many attempts in a row, up to the last, ended within BACKOFF_RESET_SECONDS of being made. */
export function backoffStreak(attempts: Attempt[]): number {
  let k = 0
  for (let i = attempts.length - 1; i >= 0; i--) {
    const a = attempts[i]!
    if (!isEnded(a)) break
    const ran = (Date.parse(a.ended ?? a.planned) - Date.parse(a.created ?? a.planned)) / 1000
    if (ran >= BACKOFF_RESET_SECONDS) break
    k++
  }
  return k
}

/**
 * What the runner does next. Driver failures (including a start timeout) count against onFailureRetries,
 * failures to create the driver against onSubmissionFailureRetries; Always reruns after success as well.
 * Every retry and rerun waits as retryDelaySeconds says.
 */
export function nextStep(policy: RestartPolicy, attempts: Attempt[], folded: FoldedAttempts = NONE_FOLDED): Decision {
  const last = attempts.at(-1)
  if (!last) return {action: 'submit', n: folded.attempts + 1, atMs: 0}
  if (!isEnded(last)) return {action: 'watch', attempt: last}
  const endedMs = Date.parse(last.ended ?? last.planned)
  const failures = folded.failed + attempts.filter((a) => a.state === 'FAILED').length
  const submissionFailures = folded.submissionFailed + attempts.filter((a) => a.state === 'SUBMISSION_FAILED').length
  const n = last.n + 1
  const streak = backoffStreak(attempts)
  const after = (interval: number) => endedMs + retryDelaySeconds(interval, streak) * 1000
  if (last.state === 'COMPLETED') {
    if (policy.type === 'Always') return {action: 'submit', n, atMs: after(policy.onFailureRetryInterval)}
    return {action: 'done', state: 'COMPLETED', reason: `attempt ${last.n} completed`}
  }
  if (last.state === 'SUBMISSION_FAILED') {
    if (policy.type !== 'Never' && submissionFailures <= policy.onSubmissionFailureRetries) return {action: 'submit', n, atMs: after(policy.onSubmissionFailureRetryInterval)}
    return {action: 'done', state: 'FAILED', reason: `submission failed ${submissionFailures} time(s)${policy.type === 'Never' ? '' : `, ${policy.onSubmissionFailureRetries} retries allowed`}: ${last.reason ?? ''}`}
  }
  if (policy.type === 'Always' || (policy.type === 'OnFailure' && failures <= policy.onFailureRetries)) return {action: 'submit', n, atMs: after(policy.onFailureRetryInterval)}
  return {action: 'done', state: 'FAILED', reason: policy.type === 'Never' ? `attempt ${last.n} failed: ${last.reason ?? ''}` : `attempt ${last.n} failed, ${policy.onFailureRetries} retries used: ${last.reason ?? ''}`}
}

/** A driver pod as the clean-up reads it. */
export interface AttemptPod {
  metadata: {name: string; uid?: string; labels?: Record<string, string>; ownerReferences?: {uid?: string}[]; deletionTimestamp?: string}
}

/**
 * The driver pods of older attempts to delete before attempt `n` is made, so that a job retried for days
 * keeps the objects of its last KEPT_ATTEMPTS attempts only (their logs). A pod qualifies only when this
 * run made it: owned by the run's Job (`runUid`), named as attempt N of this run, N ≤ n − KEPT_ATTEMPTS.
 * Labels select the candidates; they are never enough on their own (anyone may set them). The pod's
 * Service, ConfigMaps and executors are owned by it and go with it. Pure.
 */
export function attemptsToClean(pods: AttemptPod[], o: {run: string; runUid: string; n: number; keep?: number}): {name: string; uid: string}[] {
  const keep = o.keep ?? KEPT_ATTEMPTS
  return pods
    .filter((p) => {
      const attempt = Number(p.metadata.labels?.[LIFECYCLE_LABEL.attempt])
      return (
        Number.isInteger(attempt) &&
        attempt >= 1 &&
        attempt <= o.n - keep &&
        p.metadata.name === attemptDriverName(o.run, attempt) &&
        !!p.metadata.uid &&
        !p.metadata.deletionTimestamp &&
        (p.metadata.ownerReferences ?? []).some((r) => r.uid === o.runUid)
      )
    })
    .map((p) => ({name: p.metadata.name, uid: p.metadata.uid!}))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
}

/** The most attempts the policy allows for driver failures (undefined: no limit). */
export function maxAttempts(policy: RestartPolicy): number | undefined {
  return policy.type === 'Always' ? undefined : policy.type === 'Never' ? 1 : 1 + policy.onFailureRetries
}

/** `2/4`: attempts made / most attempts (`2/∞` for Always). */
export function attemptsText(policy: RestartPolicy, attempts: Attempt[], folded: FoldedAttempts = NONE_FOLDED): string {
  const max = maxAttempts(policy)
  return `${folded.attempts + attempts.length}/${max ?? '∞'}`
}

/**
 * The random parts of Spark's naming, derived from the run and the attempt: a runner that restarts
 * re-renders the same driver objects, so an attempt is never made twice under two names.
 */
export function attemptSubmissionIds(runUid: string, n: number, submitTime: number): SubmissionIds {
  const h = (salt: string) => createHash('sha256').update(`${runUid}/${n}/${salt}`).digest('hex')
  const u = h('uuid')
  return {
    appId: `spark-${h('app').slice(0, 32)}`,
    prefixId: h('prefix').slice(0, 6) + (BigInt(submitTime) & 0xffffffffffn).toString(16),
    configMapId: h('configmap').slice(0, 6) + (BigInt(submitTime) & 0xffffffffffn).toString(16),
    localDirUuid: `${u.slice(0, 8)}-${u.slice(8, 12)}-4${u.slice(13, 16)}-8${u.slice(17, 20)}-${u.slice(20, 32)}`,
    submitTime,
  }
}

// ---- names ----

/** A managed job's objects: the root (Job or CronJob) is NAME. */
export const specConfigMapName = (job: string) => `${job}-kd-job`
export const runnerName = (job: string) => `${job}-kd-runner`
/** The run's ConfigMap with its attempts (one per runner Job: the job itself, or each scheduled run). */
export const runConfigMapName = (run: string) => `${run}-kd-run`
export const attemptDriverName = (run: string, n: number) => `${run}-${n}-driver`

/** Longest managed job name: a CronJob's name is at most 52 characters (its Jobs add -<minutes>). */
export const MAX_JOB_NAME = 52

export const LIFECYCLE_LABEL = {
  job: 'kubectl-kd.io/job',
  run: 'kubectl-kd.io/run',
  attempt: 'kubectl-kd.io/attempt',
} as const

export const LIFECYCLE_ANNOTATION = {
  attempts: 'kubectl-kd.io/attempts',
  /** attempts older than the last MAX_RECORDED_ATTEMPTS, as counts (FoldedAttempts) */
  folded: 'kubectl-kd.io/attempts-folded',
  state: 'kubectl-kd.io/state',
  reason: 'kubectl-kd.io/reason',
  lifecycle: 'kubectl-kd.io/lifecycle',
  /** on a managed job's root: a hash of the submission it was made for (re-running the same submit completes it) */
  specHash: 'kubectl-kd.io/spec-hash',
  /** on a managed job's root until everything it owns is made and it is resumed (one patch removes it) */
  incomplete: 'kubectl-kd.io/incomplete',
} as const

export const RUNNER_COMPONENT = 'job-runner'

/**
 * The lifecycle of a submission: a manifest's fields overlaid by the flags given (flags win, as for every
 * other field), each error naming where its value came from.
 */
export function lifecycleOf(fromManifest: LifecycleInput | undefined, manifestNames: FieldNames | undefined, fromFlags: LifecycleInput): Lifecycle | undefined {
  const input: LifecycleInput = {}
  const names = {...FLAG_NAMES}
  for (const k of Object.keys(FLAG_NAMES) as (keyof LifecycleInput)[]) {
    if (fromFlags[k] !== undefined && fromFlags[k] !== null) (input as Record<string, unknown>)[k] = fromFlags[k]
    else if (fromManifest?.[k] !== undefined && fromManifest[k] !== null) {
      ;(input as Record<string, unknown>)[k] = fromManifest[k]
      if (manifestNames) names[k] = manifestNames[k]
    }
  }
  // restartPolicy Never alone is what a direct submission does already
  const onlyNever = Object.keys(input).length === 1 && input.restartPolicy === 'Never'
  return hasLifecycle(input) && !onlyNever ? parseLifecycle(input, names) : undefined
}
