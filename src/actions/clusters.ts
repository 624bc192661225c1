// Reading app clusters back from the API: list (`get`), one cluster's detailed status (`status`),
// delete, and waiting for the agent to report `configured`. State comes from the root ConfigMap's
// annotations (written by the agent) and the member pods; nothing here keeps state of its own.
import type {V1ConfigMap, V1Pod, V1Service} from '@kubernetes/client-node'
import type {App} from '../app/model.ts'
import type {ResolvedCluster} from '../cluster/model.ts'
import {ANNOTATION, AUTH_TOKEN_KEY, CONFIGURED_CONDITION, LABEL, MANAGED_BY, authSecretName, rootConfigMapName, type ClusterState} from '../cluster/names.ts'
import {readRoot} from '../cluster/root.ts'
import {clusterObjects, isAgentPod, isClusterObject, isMemberPodOf, isRootOwned, type ClusterObjects} from '../cluster/cluster-objects.ts'
import {clusterToManifest, type ClusterManifest} from '../cluster/manifest.ts'
import {UserError} from '../errors.ts'
import {R, type KubeClient, type KubeObject, type Resource} from '../kube/client.ts'
import {checkAccess} from '../kube/apply.ts'
import {runBounded} from '../kube/bounded.ts'
import {errorKind, isNotFound} from '../kube/errors.ts'
import {eventTime, inTimeOrder, type EventTimes} from '../kube/events.ts'
import {isMemberPod, memberState, observePod, type PodLike} from '../cluster/member-state.ts'
import {podProblem, type PodProblem, type PodStatusLike} from '../cluster/pod-problem.ts'
import {agentState, type AgentState} from '../cluster/agent-state.ts'
import {shownClusterState, type ShownState} from '../cluster/cluster-state.ts'
import {byNatural, byText} from '../order.ts'
import {needsAuthToken} from './auth-token.ts'

export interface StoredCluster {
  root: V1ConfigMap
  cluster: ResolvedCluster
  app: App
}

export const clusterSelector = (name?: string) => `${LABEL.managedBy}=${MANAGED_BY},${name ? `${LABEL.cluster}=${name}` : LABEL.cluster}`

/** The stored cluster, or undefined when the root cannot be read (readRoot says why). */
export function storedFromRoot(root: V1ConfigMap): StoredCluster | undefined {
  const content = readRoot(root.data)
  return content.problem === undefined ? {root, cluster: content.cluster, app: content.app} : undefined
}

/** A root ConfigMap whose content is damaged: it can be deleted, nothing else. */
class DamagedClusterError extends UserError {}

/** No cluster of that name in the namespace (delete --ignore-not-found passes over it). */
export class ClusterNotFoundError extends UserError {
  constructor(name: string, namespace: string) {
    super(`cluster "${name}" not found in namespace "${namespace}" (kubectl kd get clusters lists them)`)
  }
}

export async function readCluster(kube: KubeClient, name: string): Promise<StoredCluster> {
  const stored = await findCluster(kube, name)
  if (!stored) throw new ClusterNotFoundError(name, kube.namespace)
  return stored
}

/** The cluster's root ConfigMap as it is (damaged or not), or undefined. */
async function findRoot(kube: KubeClient, name: string): Promise<V1ConfigMap | undefined> {
  try {
    const root = await kube.get<V1ConfigMap>(R.configMaps(kube.namespace), rootConfigMapName(name))
    return root.metadata?.labels?.[LABEL.cluster] === name && root.metadata?.labels?.[LABEL.managedBy] === MANAGED_BY ? root : undefined
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/** The cluster, or undefined when there is none of that name (a bare `status NAME` may name a job). */
export async function findCluster(kube: KubeClient, name: string): Promise<StoredCluster | undefined> {
  const root = await findRoot(kube, name)
  if (!root) return undefined
  const content = readRoot(root.data)
  if (content.problem !== undefined)
    throw new DamagedClusterError(
      `cluster "${name}" in namespace "${kube.namespace}" cannot be read: its root configmap/${rootConfigMapName(name)} is damaged (${content.problem}); delete it with kubectl kd delete ${name}`,
    )
  return {root, cluster: content.cluster, app: content.app}
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

function summarize(stored: StoredCluster, pods: V1Pod[]): ClusterSummary {
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

export async function listClusters(
  kube: KubeClient,
  opts: {allNamespaces?: boolean; selector?: string; name?: string},
): Promise<{summaries: ClusterSummary[]; stored: StoredCluster[]; unreadable: UnreadableCluster[]; pods: V1Pod[]}> {
  const ns = opts.allNamespaces ? '' : kube.namespace
  const selector = [clusterSelector(opts.name), opts.selector].filter(Boolean).join(',')
  const [roots, pods] = await Promise.all([
    kube.list<V1ConfigMap>(R.configMaps(ns), {labelSelector: selector}),
    kube.list<V1Pod>(R.pods(ns), {labelSelector: clusterSelector(opts.name)}),
  ])
  const stored: StoredCluster[] = []
  const unreadable: UnreadableCluster[] = []
  for (const cm of roots.items.filter((c) => c.metadata?.name === rootConfigMapName(c.metadata?.labels?.[LABEL.cluster] ?? ''))) {
    const content = readRoot(cm.data)
    if (content.problem === undefined) stored.push({root: cm, cluster: content.cluster, app: content.app})
    else unreadable.push({name: cm.metadata?.labels?.[LABEL.cluster] ?? '', namespace: cm.metadata?.namespace ?? '', problem: content.problem})
  }
  const podsByNs = (n: string) => pods.items.filter((p) => p.metadata?.namespace === n)
  const summaries = stored.map((s) => summarize(s, podsByNs(s.root.metadata?.namespace ?? '')))
  summaries.sort((a, b) => byText(a.namespace, b.namespace) || byText(a.name, b.name))
  if (opts.name && summaries.length === 0) {
    if (unreadable[0]) throw new DamagedClusterError(`cluster "${opts.name}" in namespace "${unreadable[0].namespace}" cannot be read (${unreadable[0].problem}); delete it with kubectl kd delete ${opts.name}`)
    throw new UserError(`cluster "${opts.name}" not found in namespace "${kube.namespace}"`)
  }
  stored.sort((a, b) => byText(a.root.metadata?.namespace ?? '', b.root.metadata?.namespace ?? '') || byText(a.cluster.name, b.cluster.name))
  return {summaries, stored, unreadable, pods: pods.items}
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
function endpointsOf(svc: V1Service, app: App, nodeAddress: string | undefined): Endpoint[] {
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
function memberStatuses(pods: V1Pod[], cluster: ResolvedCluster): MemberStatus[] {
  const roleOrder = cluster.roles.map((r) => r.id)
  return pods
    .filter((p) => isMemberPod(p as PodLike, cluster.name))
    .map((p) => memberStatus(p, cluster))
    .sort((a, b) => roleOrder.indexOf(a.role) - roleOrder.indexOf(b.role) || byNatural(a.pod, b.pod))
}

/** `known`: the cluster as just read (saves reading it again) */
export async function clusterStatus(kube: KubeClient, name: string, known?: StoredCluster): Promise<ClusterStatus> {
  const stored = known ?? (await readCluster(kube, name))
  const selector = clusterSelector(name)
  const [pods, services, events] = await Promise.all([
    kube.list<V1Pod>(R.pods(kube.namespace), {labelSelector: selector}),
    kube.list<V1Service>(R.services(kube.namespace), {labelSelector: selector}),
    kube
      .list<{type?: string; reason?: string; message?: string} & EventTimes>(R.events(kube.namespace), {
        fieldSelector: `involvedObject.kind=ConfigMap,involvedObject.name=${rootConfigMapName(name)}`,
      })
      .catch(() => ({items: [], metadata: {}})),
  ])
  const members = memberStatuses(pods.items, stored.cluster)
  // NodePorts answer on the node's address, which is the members' hostIP
  const nodeAddress = pods.items.find((p) => p.status?.hostIP)?.status?.hostIP
  const endpoints = services.items
    .filter((s) => s.spec?.clusterIP !== 'None')
    .flatMap((s) => endpointsOf(s, stored.app, nodeAddress))
    .sort((a, b) => byNatural(a.member, b.member))
  return {
    ...summarize(stored, pods.items),
    agent: agentState(pods.items, stored.root.metadata?.annotations?.[ANNOTATION.agentProblem] || undefined),
    members,
    endpoints,
    ...(needsAuthToken(stored.app) ? {token: {secret: authSecretName(name), key: AUTH_TOKEN_KEY}} : {}),
    // the newest ten, oldest first: the last line is the newest, and its state event says the state
    events: inTimeOrder(events.items)
      .slice(-10)
      .map((e) => ({type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '', time: new Date(eventTime(e)).toISOString()})),
  }
}

/**
 * Deletes the cluster: its agent, members and their objects here, then the root ConfigMap (the garbage
 * collector removes whatever of the root's is left). Only the cluster's own objects (cluster-objects.ts:
 * owned by the root's uid, or unowned with kubectl-kd's labels and a name the cluster's render gives);
 * an object that merely carries the cluster's labels is left alone. With --wait, until the root, the
 * member pods and every object deleted here are gone.
 */
export async function deleteCluster(kube: KubeClient, name: string, opts: {wait?: boolean; timeoutMs?: number; dryRun?: 'server' | 'client'}): Promise<void> {
  // a damaged root is deleted as well: deleting is how it is fixed
  const root = await findRoot(kube, name)
  if (!root) throw new ClusterNotFoundError(name, kube.namespace)
  // kubectl's client dry run: what would be deleted is there; nothing is sent
  if (opts.dryRun === 'client') return
  const ns = kube.namespace
  // half a deletion helps nobody: what the writes below need is asked first
  await checkAccess(kube, DELETE_NEEDS, ns, 'nothing was deleted')
  const ours = clusterObjects(name, ns, root.metadata?.uid, storedFromRoot(root))
  // the garbage collector removes owned objects about 20 a second (the controller-manager's client limit),
  // and a StatefulSet deleted in the foreground stayed until it had looked at each of its pods: 1000
  // members took minutes. So the agent goes first (left running, it wrote the state of every member being
  // deleted), then the members' StatefulSets and their pods and, beside them, the cluster's other objects,
  // member Services included; all by name and uid, many in flight (the API server runs a collection delete
  // one object at a time: 28 s for 1000 pods); the root last
  let cleared: ClearedObjects = {deleted: [], complete: false, statefulSets: new Set()}
  if (opts.dryRun !== 'server') {
    const agent = await deleteOwnObjects(kube, ours, R.deployments(ns))
    const [others, members] = await Promise.all([
      Promise.all(CLUSTER_RESOURCES.filter((r) => r !== R.deployments && r !== R.statefulSets).map((r) => deleteOwnObjects(kube, ours, r(ns)))),
      // a StatefulSet that is gone makes no new pod; its pods are the cluster's when it was (by uid)
      deleteOwnObjects(kube, ours, R.statefulSets(ns)).then(async (sets) => {
        const uids = new Set([...sets.uids, ...sets.left])
        const pods = (await kube.list<KubeObject>(R.pods(ns), {labelSelector: `${LABEL.cluster}=${name},${LABEL.role}`})).items
        await deleteObjects(kube, R.pods(ns), pods.filter((p) => isMemberPodOf(uids, p)))
        return {sets, uids}
      }),
    ])
    const all = [agent, ...others, members.sets]
    cleared = {deleted: all.filter((d) => d.uids.size > 0), complete: all.every((d) => d.complete), statefulSets: members.uids}
  }
  const {deleted, complete, statefulSets} = cleared
  // in the foreground only when some of what the root owns is left to the garbage collector
  const propagationPolicy = opts.wait && !complete ? 'Foreground' : 'Background'
  await kube.delete(R.configMaps(ns), rootConfigMapName(name), {propagationPolicy, dryRun: opts.dryRun === 'server', uid: root.metadata?.uid})
  if (opts.wait && opts.dryRun !== 'server') {
    const {watchUntil} = await import('../kube/informer.ts')
    // the cluster's pods: its members (their StatefulSet's uid) and its agent; a foreign pod with the labels is not waited for
    const isOurPod = (p: KubeObject) => isMemberPodOf(statefulSets, p) || isAgentPod(name, p)
    await watchUntil(
      kube,
      [
        {resource: R.configMaps(ns), fieldSelector: `metadata.name=${rootConfigMapName(name)}`},
        {resource: R.pods(ns), labelSelector: clusterSelector(name)},
        // the objects deleted above: their collections are watched until they are gone
        ...deleted.map(({resource}) => ({resource, labelSelector: clusterSelector(name)})),
      ],
      ([roots, pods, ...others]) =>
        roots!.size === 0 && ![...pods!.values()].some(isOurPod) && others.every((c, i) => ![...c.values()].some((o: KubeObject) => deleted[i]!.uids.has(o.metadata.uid ?? ''))) ? true : undefined,
      {timeoutMs: opts.timeoutMs ?? 0, timeoutMessage: `timed out waiting for cluster "${name}" and everything it owns to be deleted`},
    )
  }
}

const DELETE_NEEDS = [
  {verb: 'list', resource: 'deployments', group: 'apps'},
  {verb: 'delete', resource: 'deployments', group: 'apps'},
  {verb: 'list', resource: 'statefulsets', group: 'apps'},
  {verb: 'delete', resource: 'statefulsets', group: 'apps'},
  {verb: 'delete', resource: 'services'},
  {verb: 'list', resource: 'pods'},
  {verb: 'delete', resource: 'pods'},
  {verb: 'delete', resource: 'configmaps'},
]

/**
 * Deletes `objects` of `res` by name and uid, DELETES_IN_FLIGHT at a time (one gone meanwhile is fine).
 * Those `mayLeave` allows are returned when deleting them is forbidden: their owner's deletion takes them.
 */
async function deleteObjects(kube: KubeClient, res: Resource, objects: KubeObject[], mayLeave: (o: KubeObject) => boolean = () => false): Promise<KubeObject[]> {
  const left: KubeObject[] = []
  await runBounded(objects, DELETES_IN_FLIGHT, (o) =>
    kube.delete(res, o.metadata.name, {uid: o.metadata.uid, propagationPolicy: 'Background'}).catch((err) => {
      if (isNotFound(err)) return
      if (errorKind(err) === 'Forbidden' && mayLeave(o)) return void left.push(o)
      return Promise.reject(err)
    }),
  )
  return left
}

/** Deletes in flight at once per collection (bench/scale.bench.ts: 1000 member Services) */
const DELETES_IN_FLIGHT = 32

/** The collections a cluster's objects live in (render.ts, render-agent.ts, package ConfigMaps, key and token Secrets). */
const CLUSTER_RESOURCES = [R.configMaps, R.secrets, R.services, R.statefulSets, R.deployments, R.serviceAccounts, R.roles, R.roleBindings]

interface DeletedObjects {
  resource: Resource
  /** the uids deleted */
  uids: Set<string>
  /** the uids of the root's objects the user may not delete: the garbage collector's */
  left: Set<string>
  /** false when the collection could not be listed or one of the root's objects not deleted */
  complete: boolean
}

interface ClearedObjects {
  deleted: DeletedObjects[]
  complete: boolean
  /** uids of the cluster's StatefulSets: their pods are its members */
  statefulSets: Set<string>
}

/**
 * Deletes the cluster's objects in `res` (cluster-objects.ts decides which are), each by name and uid: those
 * the root owns (left to the garbage collector they waited behind its queue of the members' pods, a minute
 * at 1000 members) and those nothing owns that `create --dry-run=client -o yaml | kubectl apply -f -` made.
 * The root itself is not among them. A collection the user may not list, or one of the root's objects the
 * user may not delete (a user may delete a cluster without the right to delete, say, Roles), is left to the
 * garbage collector: `complete` is then false.
 */
async function deleteOwnObjects(kube: KubeClient, c: ClusterObjects, res: Resource): Promise<DeletedObjects> {
  const list = await kube.list<KubeObject>(res, {labelSelector: clusterSelector(c.name)}).catch((err) => (errorKind(err) === 'Forbidden' ? undefined : Promise.reject(err)))
  const root = rootConfigMapName(c.name)
  const ours = (list?.items ?? []).filter((o) => !(res.resource === 'configmaps' && o.metadata.name === root) && isClusterObject(c, res.resource, o))
  const left = new Set(await deleteObjects(kube, res, ours, (o) => isRootOwned(c, o)))
  const uid = (o: KubeObject) => o.metadata.uid ?? ''
  return {resource: res, uids: new Set(ours.filter((o) => !left.has(o)).map(uid)), left: new Set([...left].map(uid)), complete: list !== undefined && left.size === 0}
}
