// What `get`, `status` and `--wait` show of an app cluster, derived from what the API holds: the root
// ConfigMap (its spec, and the state the agent wrote in its annotations) and the pods, Services and
// Events read for it. Pure: the actions read the objects (actions/cluster/clusters.ts, actions/cluster/wait.ts), this
// module says what they mean, and output prints the shapes defined here.
import type {V1ConfigMap, V1Pod, V1Service} from '@kubernetes/client-node'
import type {App} from '../app/model.ts'
import type {ResolvedCluster} from './model.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL, type ClusterState} from './names.ts'
import {readRoot} from './root.ts'
import {clusterToManifest, type ClusterManifest} from './manifest.ts'
import {isMemberDone, isMemberPod, memberState, observePod, type PodLike} from './member-state.ts'
import {IMAGE_PULL_REASONS, podProblem, type PodProblem, type PodStatusLike} from './pod-problem.ts'
import type {AgentState} from './agent-state.ts'
import {shownClusterState, type ShownState} from './cluster-state.ts'
import {byNatural} from '../order.ts'

export interface StoredCluster {
  root: V1ConfigMap
  cluster: ResolvedCluster
  app: App
}

/** The stored cluster, or undefined when the root cannot be read (readRoot says why). */
export function storedFromRoot(root: V1ConfigMap): StoredCluster | undefined {
  const content = readRoot(root.data)
  return content.problem === undefined ? {root, cluster: content.cluster, app: content.app} : undefined
}

export interface ClusterSummary {
  name: string
  namespace: string
  app: string
  state: ClusterState | string
  ready: number
  total: number
  created?: string
  roles: {id: string; members: number}[]
  serviceType: string
  rollup?: Record<string, number>
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** State and member counts of a stored cluster from one read of its pods (cluster-state.ts decides both). */
function stateOf(stored: StoredCluster, pods: V1Pod[]): ShownState {
  const {root, cluster} = stored
  const ns = root.metadata?.namespace ?? ''
  const members = memberStatuses(pods.filter((p) => p.metadata?.namespace === ns && p.metadata?.labels?.[LABEL.cluster] === cluster.name), cluster)
  const generation = Number(root.metadata?.annotations?.[ANNOTATION.generation] ?? 1)
  return shownClusterState(root.metadata?.annotations?.[ANNOTATION.state], generation, Object.fromEntries(cluster.roles.map((r) => [r.id, r.members])), members)
}

export function summarize(stored: StoredCluster, pods: V1Pod[]): ClusterSummary {
  const {root, cluster} = stored
  const rollup = parseRollup(root.metadata?.annotations?.[ANNOTATION.rollup])
  return {
    name: cluster.name,
    namespace: root.metadata?.namespace ?? '',
    app: cluster.app,
    ...stateOf(stored, pods),
    created: root.metadata?.creationTimestamp ? new Date(root.metadata.creationTimestamp).toISOString() : undefined,
    roles: cluster.roles.filter((r) => r.members > 0).map((r) => ({id: r.id, members: r.members})),
    serviceType: cluster.serviceType ?? 'NodePort',
    rollup,
  }
}

export interface UnreadableCluster {
  name: string
  namespace: string
  problem: string
}

/** The agent's rollup annotation; anything else written there is ignored. */
function parseRollup(text: string | undefined): Record<string, number> | undefined {
  try {
    const v = text ? (JSON.parse(text) as unknown) : undefined
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, number>) : undefined
  } catch {
    return undefined
  }
}

/** A Kubernetes timestamp as the API server writes it (seconds, Z), whatever the client decoded it to. */
const timestamp = (t: unknown): string | undefined => (t === undefined || t === null ? undefined : typeof t === 'string' ? t : new Date(t as Date).toISOString().replace(/\.\d+Z$/, 'Z'))

/** A stored cluster as a KubeDirectorCluster (`get -o yaml|json`), its status from its member pods. */
export function clusterManifest(stored: StoredCluster, pods: V1Pod[]): ClusterManifest {
  const {root, cluster} = stored
  const ns = root.metadata?.namespace ?? ''
  const members = memberStatuses(pods.filter((p) => p.metadata?.namespace === ns && p.metadata?.labels?.[LABEL.cluster] === cluster.name), cluster)
  const generation = Number(root.metadata?.annotations?.[ANNOTATION.generation])
  return clusterToManifest(cluster, {
    namespace: ns,
    uid: root.metadata?.uid,
    creationTimestamp: timestamp(root.metadata?.creationTimestamp),
    ...(Number.isInteger(generation) ? {generation} : {}),
    state: stateOf(stored, pods).state,
    rollup: parseRollup(root.metadata?.annotations?.[ANNOTATION.rollup]),
    members: members.map((m) => ({pod: m.pod, role: m.role, state: m.state, node: m.node})),
  })
}

export interface MemberStatus {
  pod: string
  role: string
  state: string
  phase: string
  node: string
  ready: boolean
  configured: boolean
  restarts: number
  created?: string
  lastError?: string
  lastOutput?: string
  /** why the pod is not running (image pull, crash loop, scheduling, OOM), from its status */
  problem?: PodProblem
}

export interface Endpoint {
  member: string
  service: string
  name: string
  port: number
  nodePort?: number
  clusterIP?: string
  dashboard: boolean
  /** the service asks for the cluster's token (ClusterStatus.token says where it is) */
  authToken?: boolean
  url: string
}

export interface ClusterStatus extends ClusterSummary {
  /** the cluster's agent: without it nothing gets configured */
  agent: AgentState
  members: MemberStatus[]
  endpoints: Endpoint[]
  /** where the token of the hasAuthToken endpoints is kept (never the token itself) */
  token?: {secret: string; key: string}
  events?: {type: string; reason: string; message: string; time?: string}[]
}

/** A member pod's status; its state as the agent derives it (member-state.ts), so both always agree. */
export function memberStatus(pod: V1Pod, cluster: ResolvedCluster): MemberStatus {
  const ann = pod.metadata?.annotations ?? {}
  const containers = pod.status?.containerStatuses ?? []
  const observed = observePod(pod)
  const wanted = (cluster.roles.find((r) => r.id === observed?.role)?.members ?? 0) > (observed?.index ?? 0)
  return {
    pod: pod.metadata?.name ?? '',
    role: pod.metadata?.labels?.[LABEL.role] ?? '',
    state: observed ? memberState(observed, wanted) : 'create pending',
    phase: pod.status?.phase ?? 'Pending',
    node: pod.spec?.nodeName ?? '<none>',
    ready: isReady(pod),
    configured: pod.status?.conditions?.some((c) => c.type === CONFIGURED_CONDITION && c.status === 'True') ?? false,
    restarts: containers.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    created: pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).toISOString() : undefined,
    lastError: ann[ANNOTATION.lastError] || undefined,
    lastOutput: ann[ANNOTATION.lastOutput] || undefined,
    problem: podProblem(pod as PodStatusLike),
  }
}

/** Endpoints of a member Service: NodePort URLs on the node's address, else ClusterIP:port. */
export function endpointsOf(svc: V1Service, app: App, nodeAddress: string | undefined): Endpoint[] {
  const member = svc.spec?.selector?.['statefulset.kubernetes.io/pod-name'] ?? svc.metadata?.name ?? ''
  return (svc.spec?.ports ?? []).map((p) => {
    // member Service ports are named <urlScheme>-<service id> (KubeDirector's convention)
    const service = app.services.find((s) => p.name === `${(s.endpoint?.urlScheme ?? 'generic').toLowerCase()}-${s.id}`)
    const scheme = service?.endpoint?.urlScheme ?? 'tcp'
    const path = service?.endpoint?.path ?? ''
    const host = p.nodePort && nodeAddress ? `${nodeAddress}:${p.nodePort}` : `${svc.spec?.clusterIP}:${p.port}`
    return {
      member,
      service: svc.metadata?.name ?? '',
      name: service?.id ?? p.name ?? '',
      port: p.port,
      nodePort: p.nodePort,
      clusterIP: svc.spec?.clusterIP,
      dashboard: service?.endpoint?.isDashboard ?? false,
      ...(service?.endpoint?.hasAuthToken ? {authToken: true} : {}),
      url: `${scheme}://${host}${scheme === 'http' || scheme === 'https' ? path : ''}`,
    }
  })
}

/** The statuses of the member pods among `pods` (not the agent's), in the app's role order, then by name. */
export function memberStatuses(pods: V1Pod[], cluster: ResolvedCluster): MemberStatus[] {
  const roleOrder = cluster.roles.map((r) => r.id)
  return pods
    .filter((p) => isMemberPod(p as PodLike, cluster.name))
    .map((p) => memberStatus(p, cluster))
    .sort((a, b) => roleOrder.indexOf(a.role) - roleOrder.indexOf(b.role) || byNatural(a.pod, b.pod))
}

// ---- while waiting: one snapshot of the root and the member pods

export interface ClusterSnapshot {
  state: string
  generation: string
  /** the generation the agent's state is for ('' from an agent that does not say) */
  observedGeneration?: string
  /** what the agent cannot do and why, if anything */
  agentProblem?: string
  /** desired members per role, from the root ConfigMap */
  desired: Record<string, number>
  members: MemberStatus[]
}

export const isSnapshotConfigured = (s: ClusterSnapshot) =>
  s.state === 'configured' &&
  (!s.observedGeneration || s.observedGeneration === s.generation) &&
  Object.entries(s.desired).every(([role, n]) => s.members.filter((m) => m.role === role && isMemberDone(m)).length === n) &&
  s.members.length === Object.values(s.desired).reduce((a, b) => a + b, 0)

/** A member that waiting will not fix: its setup failed, or its image cannot be pulled. */
export function failingMember(m: MemberStatus): string | undefined {
  if (m.state === 'config error') return `config error${m.lastError ? `: ${m.lastError}` : ''}`
  if (m.problem && IMAGE_PULL_REASONS.has(m.problem.reason)) return m.problem.text
  return undefined
}

/** The members holding a cluster back (at most 5 named), each with what is known: a stuck wait says why. */
export function stuckMembers(s: ClusterSnapshot): string {
  const stuck = s.members.filter((m) => !isMemberDone(m))
  const present = new Map<string, number>()
  for (const m of s.members) present.set(m.role, (present.get(m.role) ?? 0) + 1)
  const missing = Object.entries(s.desired).flatMap(([role, n]) => ((present.get(role) ?? 0) < n ? [`${n - (present.get(role) ?? 0)} ${role} member(s) have no pod yet`] : []))
  const shown = stuck.slice(0, 5).map((m) => {
    const facts = [m.state || 'no state', m.phase !== 'Running' ? `pod ${m.phase}` : '', m.state === 'configured' && !m.ready ? 'not ready' : '', m.problem?.text ?? '', m.lastError ?? '']
    return `${m.pod}: ${facts.filter(Boolean).join(', ')}`
  })
  if (stuck.length > 5) shown.push(`and ${stuck.length - 5} more`)
  return [...(s.agentProblem ? [`agent: ${s.agentProblem}`] : []), ...shown, ...missing].join('; ')
}
