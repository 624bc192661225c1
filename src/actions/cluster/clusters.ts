// Reading app clusters back from the API: list (`get`) and one cluster's detailed status (`status`).
// The objects are read here; what they mean (state, members, endpoints) is derived by
// cluster/cluster-status.ts. Nothing here keeps state of its own.
import type {V1ConfigMap, V1Pod, V1Service} from '@kubernetes/client-node'
import {ANNOTATION, AUTH_TOKEN_KEY, LABEL, MANAGED_BY, authSecretName, rootConfigMapName} from '../../cluster/names.ts'
import {readRoot} from '../../cluster/root.ts'
import {endpointsOf, memberStatuses, summarize, type ClusterStatus, type ClusterSummary, type StoredCluster, type UnreadableCluster} from '../../cluster/cluster-status.ts'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {isNotFound} from '../../kube/errors.ts'
import {eventTime, inTimeOrder, type EventTimes} from '../../kube/events.ts'
import {agentState} from '../../cluster/agent-state.ts'
import {byNatural, byText} from '../../order.ts'
import {needsAuthToken} from './auth-token.ts'

export const clusterSelector = (name?: string) => `${LABEL.managedBy}=${MANAGED_BY},${name ? `${LABEL.cluster}=${name}` : LABEL.cluster}`

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
export async function findRoot(kube: KubeClient, name: string): Promise<V1ConfigMap | undefined> {
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

