// Member and cluster states derived from what is observed: pod annotations written by the agent
// (names.ts), pod status, and the root ConfigMap (desired members in cluster.json). Shared by the CLI's
// get/status and the agent, so both always agree. Pure: plain objects in (V1Pod / V1ConfigMap fit), data out.
import type {ResolvedCluster} from './model.ts'
import {ANNOTATION, APP_CONTAINER, LABEL, MEMBER_STATES, ROOT_KEYS} from './names.ts'
import type {ClusterState, MemberState} from './names.ts'

export interface PodLike {
  metadata?: {
    name?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    deletionTimestamp?: string | Date
  }
  status?: {
    phase?: string
    conditions?: Array<{type: string; status: string; reason?: string; message?: string}>
    containerStatuses?: ContainerStatusLike[]
    initContainerStatuses?: ContainerStatusLike[]
  }
}

interface ContainerStatusLike {
  name: string
  containerID?: string
  ready?: boolean
  state?: {running?: unknown; waiting?: {reason?: string}; terminated?: {reason?: string; exitCode?: number}}
}

export interface RootLike {
  metadata?: {annotations?: Record<string, string>}
  data?: Record<string, string>
}

/** What the app container is doing, in KubeDirector's lastKnownContainerState terms. */
export type ContainerState = 'running' | 'waiting' | 'initializing' | 'terminated' | 'absent' | 'unknown'

export interface MemberStatus {
  pod: string
  role: string
  index: number
  state: MemberState
  container: ContainerState
  containerId?: string
  /** the pod's Ready condition (app running and configured) */
  ready: boolean
  /** the member was configured in an earlier container (a restart, not a new member) */
  restarted: boolean
  notScheduled?: string
  lastError?: string
}

export interface MemberRollup {
  membersDesired: number
  membersCreatePending: number
  membersCreating: number
  membersConfigured: number
  membersConfigError: number
  membersDeletePending: number
  membersDeleting: number
  membersReady: number
  // KubeDirector's memberStateRollup booleans
  membershipChanging: boolean
  membersDown: boolean
  membersInitializing: boolean
  membersWaiting: boolean
  membersRestarting: boolean
  configErrors: boolean
  membersNotScheduled: boolean
}

export interface ClusterStatus {
  state: ClusterState
  rollup: MemberRollup
  members: MemberStatus[]
}

const isMemberState = (s: string | undefined): s is MemberState => (MEMBER_STATES as readonly string[]).includes(s ?? '')

function appContainer(pod: PodLike): {state: ContainerState; id?: string; ready: boolean} {
  if (pod.status?.initContainerStatuses?.some((c) => c.state?.running || c.state?.waiting)) return {state: 'initializing', ready: false}
  const c = pod.status?.containerStatuses?.find((s) => s.name === APP_CONTAINER)
  if (!c) return {state: 'absent', ready: false}
  const id = c.containerID || undefined
  const base = {...(id ? {id} : {}), ready: c.ready ?? false}
  if (c.state?.running) return {state: 'running', ...base}
  if (c.state?.terminated) return {state: 'terminated', ...base}
  if (c.state?.waiting) return {state: 'waiting', ...base}
  return {state: 'unknown', ...base}
}

/** A member's state: the agent's annotation when it still describes the running container, else derived from the pod. */
export function memberState(pod: PodLike): MemberState {
  const annotations = pod.metadata?.annotations ?? {}
  const recorded = annotations[ANNOTATION.state]
  if (pod.metadata?.deletionTimestamp) return 'deleting'
  if (recorded === 'delete pending' || recorded === 'deleting') return recorded
  const container = appContainer(pod)
  if ((recorded === 'configured' || recorded === 'config error') && container.id && annotations[ANNOTATION.configuredContainer] && annotations[ANNOTATION.configuredContainer] !== container.id)
    return 'create pending' // restarted since it was configured: KubeDirector sends it back through setup
  if (isMemberState(recorded)) return recorded
  return container.state === 'running' ? 'creating' : 'create pending'
}

/** The member's role (label) and index (name suffix). */
export function memberIdentity(pod: PodLike): {pod: string; role: string; index: number} {
  const name = pod.metadata?.name ?? ''
  return {pod: name, role: pod.metadata?.labels?.[LABEL.role] ?? '', index: Number(/-(\d+)$/.exec(name)?.[1] ?? -1)}
}

export function memberStatus(pod: PodLike): MemberStatus {
  const container = appContainer(pod)
  const annotations = pod.metadata?.annotations ?? {}
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled')
  const notScheduled = scheduled?.status === 'False' ? (scheduled.message ?? scheduled.reason ?? 'unschedulable') : undefined
  return {
    ...memberIdentity(pod),
    state: memberState(pod),
    container: container.state,
    ...(container.id ? {containerId: container.id} : {}),
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    restarted: Boolean(annotations[ANNOTATION.configuredContainer]),
    ...(notScheduled ? {notScheduled} : {}),
    ...(annotations[ANNOTATION.lastError] ? {lastError: annotations[ANNOTATION.lastError]} : {}),
  }
}

/** The desired cluster stored in the root ConfigMap, or undefined if absent or unreadable. */
export function desiredCluster(root: RootLike | undefined): ResolvedCluster | undefined {
  const text = root?.data?.[ROOT_KEYS.cluster]
  if (!text) return undefined
  try {
    const parsed = JSON.parse(text) as ResolvedCluster
    return Array.isArray(parsed.roles) ? parsed : undefined
  } catch {
    return undefined
  }
}

/** Cluster state and KubeDirector-style rollup from the cluster's member pods and its root ConfigMap. */
export function clusterRollup(pods: PodLike[], root: RootLike | undefined): ClusterStatus {
  const desired = desiredCluster(root)
  const desiredOf = (role: string) => desired?.roles.find((r) => r.id === role)?.members
  const members = pods.map((pod) => {
    const m = memberStatus(pod)
    const want = desiredOf(m.role)
    // a member above the desired count is on its way out even before the agent has marked it
    if (want !== undefined && m.index >= want && m.state !== 'deleting') m.state = 'delete pending'
    return m
  })
  members.sort((a, b) => (a.role === b.role ? a.index - b.index : a.role < b.role ? -1 : 1))

  const count = (s: MemberState) => members.filter((m) => m.state === s).length
  const present = new Set(members.map((m) => `${m.role}/${m.index}`))
  let missing = 0
  for (const r of desired?.roles ?? []) for (let i = 0; i < r.members; i++) if (!present.has(`${r.id}/${i}`)) missing++

  const pending = members.filter((m) => m.state === 'create pending' || m.state === 'creating')
  const rollup: MemberRollup = {
    membersDesired: desired ? desired.roles.reduce((n, r) => n + r.members, 0) : members.length,
    membersCreatePending: count('create pending') + missing,
    membersCreating: count('creating'),
    membersConfigured: count('configured'),
    membersConfigError: count('config error'),
    membersDeletePending: count('delete pending'),
    membersDeleting: count('deleting'),
    membersReady: members.filter((m) => m.ready).length,
    membershipChanging: missing > 0 || pending.some((m) => !m.restarted) || members.some((m) => m.state === 'delete pending' || m.state === 'deleting'),
    membersDown: members.some(
      (m) => m.state !== 'create pending' && m.state !== 'deleting' && (m.container === 'terminated' || m.container === 'absent'),
    ),
    membersInitializing: members.some((m) => m.container === 'initializing'),
    membersWaiting: missing > 0 || members.some((m) => m.state === 'create pending' && m.container !== 'running'),
    membersRestarting: pending.some((m) => m.restarted),
    configErrors: members.some((m) => m.state === 'config error'),
    membersNotScheduled: members.some((m) => m.notScheduled !== undefined),
  }

  const stable = missing === 0 && members.every((m) => m.state === 'configured' || m.state === 'config error')
  const recorded = root?.metadata?.annotations?.[ANNOTATION.state]
  const wasConfigured = recorded === 'configured' || recorded === 'updating'
  const state: ClusterState = stable ? 'configured' : wasConfigured ? 'updating' : 'creating'
  return {state, rollup, members}
}
