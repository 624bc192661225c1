// A job's state, derived from its pods alone (no CRD, no controller): the driver pod's phase and
// container state give the Spark operator's application states (SUBMITTED, RUNNING, COMPLETED, FAILED,
// UNKNOWN), executor pods (found by spark-app-selector) give the executor counts. Pure.
import {SPARK_LABEL, jobNameOfDriverPod} from './names.ts'

export type JobState = 'SUBMITTED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'UNKNOWN'

type O = Record<string, any>

export interface ExecutorCounts {
  /** spark.executor.instances from the driver's spark.properties, when known */
  requested?: number
  pending: number
  running: number
  succeeded: number
  failed: number
}

export interface JobStatus {
  name: string
  namespace: string
  appId: string
  appName: string
  sparkVersion?: string
  state: JobState
  /** true when the job cannot progress without a change (bad image, missing ConfigMap/Secret, …) */
  stuck: boolean
  driver: {pod: string; phase: string; node?: string; exitCode?: number; containerState?: string}
  executors: ExecutorCounts
  created?: string
  started?: string
  finished?: string
  /** ms from start to finish (or to `now` while running) */
  durationMs?: number
  /** Spark UI inside the cluster: http://<driver svc>.<ns>.svc:4040 */
  uiAddress?: string
  reason?: string
  /** last lines of the driver log, added by the action when the job failed */
  lastLogLines?: string[]
}

/** Waiting reasons from which a driver never starts without someone changing something. */
const STUCK_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError'])

/** The Spark container of a driver pod: Spark's name, else the one running `driver` (a pod template may rename it). */
export const driverContainerName = (pod: O): string =>
  (pod.spec?.containers ?? []).find((c: O) => c.name === 'spark-kubernetes-driver' || c.args?.[0] === 'driver')?.name ?? 'spark-kubernetes-driver'

const driverContainer = (pod: O) => {
  const name = driverContainerName(pod)
  return (pod.status?.containerStatuses ?? []).find((c: O) => c.name === name) ?? pod.status?.containerStatuses?.[0]
}

function executorCounts(executors: O[], requested?: number): ExecutorCounts {
  const counts: ExecutorCounts = {requested, pending: 0, running: 0, succeeded: 0, failed: 0}
  for (const e of executors) {
    const phase = e.status?.phase
    if (phase === 'Running') counts.running++
    else if (phase === 'Succeeded') counts.succeeded++
    else if (phase === 'Failed') counts.failed++
    else counts.pending++
  }
  return counts
}

export function jobStatusFromPods(driver: O, executors: O[], opts: {requested?: number; serviceName?: string; now?: number} = {}): JobStatus {
  const phase: string = driver.status?.phase ?? 'Pending'
  const c = driverContainer(driver)
  const terminated = c?.state?.terminated ?? (phase === 'Failed' || phase === 'Succeeded' ? c?.lastState?.terminated : undefined)
  const waiting = c?.state?.waiting
  let state: JobState
  switch (phase) {
    case 'Pending':
      state = 'SUBMITTED'
      break
    case 'Running':
      state = 'RUNNING'
      break
    case 'Succeeded':
      state = 'COMPLETED'
      break
    case 'Failed':
      state = 'FAILED'
      break
    default:
      state = 'UNKNOWN'
  }
  let reason: string | undefined
  let stuck = false
  if (state === 'FAILED') {
    if (terminated) {
      reason = [terminated.reason, `exit code ${terminated.exitCode}`, terminated.message?.trim()].filter(Boolean).join(': ')
    } else reason = [driver.status?.reason, driver.status?.message].filter(Boolean).join(': ') || 'driver pod failed'
  } else if (state === 'SUBMITTED') {
    if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
      reason = `driver container waiting: ${waiting.reason}${waiting.message ? ': ' + waiting.message : ''}`
      stuck = STUCK_REASONS.has(waiting.reason)
    } else {
      const unschedulable = (driver.status?.conditions ?? []).find((k: O) => k.type === 'PodScheduled' && k.status === 'False')
      if (unschedulable) reason = `driver pod not scheduled: ${unschedulable.reason ?? ''}${unschedulable.message ? ': ' + unschedulable.message : ''}`
    }
  }
  const started = driver.status?.startTime
  const finished = terminated?.finishedAt
  const now = opts.now ?? Date.now()
  const durationMs = started ? (finished ? Date.parse(finished) : state === 'RUNNING' ? now : NaN) - Date.parse(started) : undefined
  const labels: Record<string, string> = driver.metadata?.labels ?? {}
  const ns = driver.metadata?.namespace ?? ''
  return {
    name: jobNameOfDriverPod(driver.metadata?.name ?? ''),
    namespace: ns,
    appId: labels[SPARK_LABEL.appId] ?? '',
    appName: labels[SPARK_LABEL.appName] ?? '',
    sparkVersion: labels[SPARK_LABEL.version],
    state,
    stuck,
    driver: {
      pod: driver.metadata?.name ?? '',
      phase,
      node: driver.spec?.nodeName,
      exitCode: terminated?.exitCode,
      containerState: c?.state ? Object.keys(c.state)[0] : undefined,
    },
    executors: executorCounts(executors, opts.requested),
    created: driver.metadata?.creationTimestamp,
    started,
    finished,
    durationMs: durationMs !== undefined && Number.isFinite(durationMs) ? durationMs : undefined,
    uiAddress: opts.serviceName ? `http://${opts.serviceName}.${ns}.svc:4040` : undefined,
    reason,
  }
}

export const isTerminal = (s: JobState) => s === 'COMPLETED' || s === 'FAILED'

/**
 * The error a failed driver died of, from its log: the last line of a Python traceback, or the last
 * JVM `…Exception: …` / `Exception in thread …` line. Undefined when the log shows none.
 */
export function failureFromLog(log: string): string | undefined {
  const lines = log.split('\n').map((l) => l.trimEnd())
  const tb = lines.lastIndexOf('Traceback (most recent call last):')
  if (tb >= 0) {
    for (let i = tb + 1; i < lines.length; i++) {
      if (/^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*/.test(lines[i]!)) return lines[i]
    }
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!
    const m = /^Exception in thread "[^"]*" (.*)$/.exec(l) ?? /^(?:\S+ \S+ ERROR \S+: )?([a-z][\w$]*(?:\.[\w$]+)+(?:Exception|Error)(?::.*)?)$/.exec(l)
    if (m) return m[1]
    // the application file is not where the job says (a mistyped local:// path)
    if (/^python[\d.]*: can't open file /.test(l)) return l
  }
  return undefined
}

/** KubernetesUtils.formatPodState: the bundle spark-submit --status prints for a driver pod. */
export function formatPodState(pod: O): string {
  const na = (v: unknown) => (v === undefined || v === null || v === '' ? 'N/A' : String(v))
  const labels = Object.entries(pod.metadata?.labels ?? {}).map(([k, v]) => `${k} -> ${v}`).join(', ')
  const fields: [string, unknown][] = [
    ['pod name', pod.metadata?.name],
    ['namespace', pod.metadata?.namespace],
    ['labels', labels],
    ['pod uid', pod.metadata?.uid],
    ['creation time', pod.metadata?.creationTimestamp],
    ['service account name', pod.spec?.serviceAccountName],
    ['volumes', (pod.spec?.volumes ?? []).map((v: O) => v.name).join(', ')],
    ['node name', pod.spec?.nodeName],
    ['start time', pod.status?.startTime],
    ['phase', pod.status?.phase],
  ]
  const containers = (pod.status?.containerStatuses ?? []).map((c: O) => {
    const [state, detail] = c.state?.running
      ? ['running', [['container started at', c.state.running.startedAt]]]
      : c.state?.terminated
        ? ['terminated', [['container started at', c.state.terminated.startedAt], ['container finished at', c.state.terminated.finishedAt], ['exit code', c.state.terminated.exitCode], ['termination reason', c.state.terminated.reason]]]
        : ['waiting', [['pending reason', c.state?.waiting?.reason]]]
    return [['container name', c.name], ['container image', c.image], ['container state', state], ...detail].map(([k, v]) => `\n\t\t ${k}: ${na(v)}`).join('')
  })
  return fields.map(([k, v]) => `\n\t ${k}: ${na(v)}`).join('') + `\n\t container status: ${containers.length ? containers.join('\n') : 'N/A'}`
}
