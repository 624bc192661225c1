// A member's state, derived from its pod: the agent's annotations count only while they describe the
// container running now (a restarted container goes back through setup, as in KubeDirector). One
// derivation for the agent (what to do, what to report) and for `kubectl kd status`, so both agree.
import {ANNOTATION, APP_CONTAINER, CONFIGURED_CONDITION, LABEL, roleStatefulSetName, type MemberState} from './names.ts'

/** The parts of a Pod this reads (a V1Pod fits). */
export interface PodLike {
  metadata?: {name?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: unknown; resourceVersion?: string; ownerReferences?: Array<{kind: string; name: string; controller?: boolean}>}
  status?: {
    phase?: string
    conditions?: Array<{type: string; status: string}>
    containerStatuses?: Array<{name: string; containerID?: string; state?: {running?: unknown}}>
  }
}

/**
 * Only the fields of PodLike, copied out of a full pod: what the agent's cache keeps of each member (a
 * full pod is 5-10 KiB of JSON, mostly managedFields and spec; at 1000 members that was most of the heap).
 */
export function leanPod(p: PodLike): PodLike {
  const m = p.metadata
  const s = p.status
  return {
    metadata: {
      name: m?.name,
      uid: m?.uid,
      resourceVersion: m?.resourceVersion,
      ...(m?.labels ? {labels: m.labels} : {}),
      ...(m?.annotations ? {annotations: m.annotations} : {}),
      ...(m?.deletionTimestamp ? {deletionTimestamp: m.deletionTimestamp} : {}),
      ...(m?.ownerReferences ? {ownerReferences: m.ownerReferences.filter((r) => r.controller).map((r) => ({kind: r.kind, name: r.name, controller: true}))} : {}),
    },
    status: {
      ...(s?.phase ? {phase: s.phase} : {}),
      ...(s?.conditions ? {conditions: s.conditions.map((c) => ({type: c.type, status: c.status}))} : {}),
      ...(s?.containerStatuses
        ? {containerStatuses: s.containerStatuses.map((c) => ({name: c.name, ...(c.containerID ? {containerID: c.containerID} : {}), ...(c.state?.running ? {state: {running: {}}} : {})}))}
        : {}),
    },
  }
}

/**
 * A pod of cluster `cluster` is a member only when its role's StatefulSet controls it: a pod someone made
 * with the cluster's labels is not one (it neither pins the cluster's state nor gets a config package).
 */
export function isMemberPod(p: PodLike, cluster: string): boolean {
  const role = p.metadata?.labels?.[LABEL.role]
  const owner = p.metadata?.ownerReferences?.find((r) => r.controller)
  return role !== undefined && owner?.kind === 'StatefulSet' && owner.name === roleStatefulSetName(cluster, role)
}

export interface ObservedPod {
  name: string
  role: string
  index: number
  deleting: boolean
  phase: string
  /** the app container's ID when it is running */
  runningContainer?: string
  annotations: Record<string, string>
  /** status of the kubectl-kd.io/configured condition, if set */
  condition?: 'True' | 'False' | 'Unknown'
}

/** A member pod as the state rules see it; undefined for a pod that is not a member (no role, no index). */
export function observePod(p: PodLike): ObservedPod | undefined {
  const name = p.metadata?.name ?? ''
  const role = p.metadata?.labels?.[LABEL.role]
  const m = /-(\d+)$/.exec(name)
  if (!role || !m) return undefined
  const app = p.status?.containerStatuses?.find((c) => c.name === APP_CONTAINER)
  return {
    name,
    role,
    index: Number(m[1]),
    deleting: !!p.metadata?.deletionTimestamp,
    phase: p.status?.phase ?? 'Pending',
    runningContainer: app?.state?.running && app.containerID ? app.containerID : undefined,
    annotations: p.metadata?.annotations ?? {},
    condition: p.status?.conditions?.find((c) => c.type === CONFIGURED_CONDITION)?.status as ObservedPod['condition'],
  }
}

/** Configured for its running container (setup finished with success). */
/** A member as status shows it is done: configured, and its pod Ready (the Configured readiness gate passed). */
export const isMemberDone = (m: {state: string; ready: boolean}) => m.state === 'configured' && m.ready

export function isConfigured(p: ObservedPod): boolean {
  return !!p.runningContainer && p.annotations[ANNOTATION.configuredContainer] === p.runningContainer && p.annotations[ANNOTATION.state] === 'configured'
}

export function isConfigError(p: ObservedPod): boolean {
  return !!p.runningContainer && p.annotations[ANNOTATION.configuredContainer] === p.runningContainer && p.annotations[ANNOTATION.state] === 'config error'
}

/** The member's state; `inDesired`: the cluster still wants this member (not scaled away). */
export function memberState(p: ObservedPod, inDesired: boolean): MemberState {
  if (p.deleting) return 'deleting'
  if (!inDesired) return 'delete pending'
  if (isConfigured(p)) return 'configured'
  if (isConfigError(p)) return 'config error'
  if (!p.runningContainer) return 'create pending'
  return 'creating'
}
