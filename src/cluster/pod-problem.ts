// Why a member pod is not running, from what the kubelet and scheduler wrote into its status: a
// container's waiting reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, …), the PodScheduled
// condition (Unschedulable), and a container's last termination (OOMKilled). Pure: `status` and
// `--wait` show it, and `--wait` stops early on the ones that do not go away by waiting.

export interface PodProblem {
  /** the Kubernetes reason, as kubectl get pods shows it */
  reason: string
  /** one line a user can act on: the reason and what it is about */
  text: string
}

interface ContainerStatusLike {
  name: string
  image?: string
  state?: {waiting?: {reason?: string; message?: string}; terminated?: {reason?: string; exitCode?: number}; running?: unknown}
  lastState?: {terminated?: {reason?: string; exitCode?: number}}
}

export interface PodStatusLike {
  status?: {
    conditions?: Array<{type: string; status: string; reason?: string; message?: string}>
    containerStatuses?: ContainerStatusLike[]
    initContainerStatuses?: ContainerStatusLike[]
  }
}

/** Reasons a wait does not fix: the image cannot be pulled as named. */
export const IMAGE_PULL_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'])

// the normal way to a running container, not a problem
const STARTING = new Set(['ContainerCreating', 'PodInitializing'])

const oneLine = (s: string, max = 160) => {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function lastExit(c: ContainerStatusLike): string | undefined {
  const t = c.lastState?.terminated
  if (!t) return undefined
  return t.reason === 'OOMKilled' ? 'OOMKilled' : t.exitCode !== undefined ? `exit code ${t.exitCode}${t.reason && t.reason !== 'Error' ? ` (${t.reason})` : ''}` : t.reason
}

function containerProblem(c: ContainerStatusLike, init: boolean): PodProblem | undefined {
  const where = init ? `init container ${c.name}` : `container ${c.name}`
  const waiting = c.state?.waiting
  if (waiting?.reason && !STARTING.has(waiting.reason)) {
    if (IMAGE_PULL_REASONS.has(waiting.reason)) return {reason: waiting.reason, text: `${waiting.reason}: image ${c.image ?? '?'} of ${where} cannot be pulled`}
    if (waiting.reason === 'CrashLoopBackOff') {
      const last = lastExit(c)
      return {reason: last === 'OOMKilled' ? 'OOMKilled' : waiting.reason, text: `CrashLoopBackOff: ${where} keeps exiting${last ? ` (last: ${last})` : ''}`}
    }
    return {reason: waiting.reason, text: oneLine(`${waiting.reason}: ${where}${waiting.message ? `: ${waiting.message}` : ''}`)}
  }
  const terminated = c.state?.terminated
  if (init && terminated && terminated.exitCode !== 0) return {reason: terminated.reason ?? 'Error', text: `${where} failed with exit code ${terminated.exitCode}`}
  if (c.lastState?.terminated?.reason === 'OOMKilled') return {reason: 'OOMKilled', text: `OOMKilled: ${where} ran out of memory and was restarted`}
  return undefined
}

/** The first problem of a pod (scheduling, then init containers, then containers), or undefined. */
export function podProblem(pod: PodStatusLike): PodProblem | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
  if (scheduled?.status === 'False' && scheduled.reason) return {reason: scheduled.reason, text: oneLine(`${scheduled.reason}${scheduled.message ? `: ${scheduled.message}` : ''}`)}
  for (const c of pod.status?.initContainerStatuses ?? []) {
    const p = containerProblem(c, true)
    if (p) return p
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    const p = containerProblem(c, false)
    if (p) return p
  }
  return undefined
}
