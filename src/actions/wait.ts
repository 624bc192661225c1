// Waiting for an app cluster to be configured: one watch on its member pods and one on its root
// ConfigMap, both with a deadline; every change is reported to the caller for a progress view.
import type {V1ConfigMap, V1Pod} from '@kubernetes/client-node'
import {ANNOTATION, LABEL, rootConfigMapName} from '../cluster/names.ts'
import {UserError} from '../errors.ts'
import type {Kube} from '../kube/connection.ts'
import {collectionPath} from '../kube/raw.ts'
import {syncCollection, type Cache} from '../kube/watch.ts'
import {byNatural} from '../output/order.ts'
import {clusterSelector, memberStatus, storedFromRoot, type MemberStatus} from './clusters.ts'

export interface ClusterSnapshot {
  state: string
  generation: string
  /** desired members per role, from the root ConfigMap */
  desired: Record<string, number>
  members: MemberStatus[]
}

export const isConfigured = (s: ClusterSnapshot) =>
  s.state === 'configured' &&
  Object.entries(s.desired).every(([role, n]) => s.members.filter((m) => m.role === role && m.state === 'configured' && m.ready).length === n) &&
  s.members.length === Object.values(s.desired).reduce((a, b) => a + b, 0)

export async function waitForCluster(
  kube: Kube,
  name: string,
  opts: {timeoutMs: number; onUpdate?: (s: ClusterSnapshot) => void; signal?: AbortSignal},
): Promise<ClusterSnapshot> {
  const controller = new AbortController()
  opts.signal?.addEventListener('abort', () => controller.abort(), {once: true})
  let pods: Cache<V1Pod> = new Map()
  let root: V1ConfigMap | undefined
  let last: ClusterSnapshot | undefined
  let done = false
  const update = () => {
    if (!root) return
    const stored = storedFromRoot(root)
    const desired = Object.fromEntries((stored?.cluster.roles ?? []).map((r) => [r.id, r.members]))
    const snapshot: ClusterSnapshot = {
      state: root.metadata?.annotations?.[ANNOTATION.state] ?? 'creating',
      generation: root.metadata?.annotations?.[ANNOTATION.generation] ?? '',
      desired,
      members: stored ? [...pods.values()].filter((p) => p.metadata?.labels?.[LABEL.role]).map((p) => memberStatus(p, stored.cluster)).sort((a, b) => byNatural(a.pod, b.pod)) : [],
    }
    last = snapshot
    opts.onUpdate?.(snapshot)
    if (isConfigured(snapshot)) {
      done = true
      controller.abort()
    }
  }
  const timer = opts.timeoutMs > 0 ? setTimeout(() => controller.abort(), opts.timeoutMs) : undefined
  try {
    await Promise.all([
      syncCollection<V1Pod>(kube, {path: collectionPath('v1', 'pods', kube.namespace), labelSelector: clusterSelector(name)}, (cache) => {
        pods = cache
        update()
      }, controller.signal),
      syncCollection<V1ConfigMap>(kube, {path: collectionPath('v1', 'configmaps', kube.namespace), fieldSelector: `metadata.name=${rootConfigMapName(name)}`}, (cache) => {
        root = [...cache.values()][0]
        if (!root) {
          controller.abort()
          return
        }
        update()
      }, controller.signal),
    ])
  } finally {
    if (timer) clearTimeout(timer)
  }
  if (done && last) return last
  if (!root) throw new UserError(`cluster "${name}" was deleted while waiting for it`)
  if (opts.signal?.aborted) throw new UserError('interrupted')
  const configured = last?.members.filter((m) => m.state === 'configured').length ?? 0
  const total = Object.values(last?.desired ?? {}).reduce((a, b) => a + b, 0)
  const failing = last?.members.filter((m) => m.state === 'config error' || m.lastError)
  const why = failing?.length ? `; ${failing.map((m) => `${m.pod}: ${m.state}${m.lastError ? ` (${m.lastError})` : ''}`).join('; ')}` : ''
  throw new UserError(`timed out waiting for cluster/${name} to be configured: ${configured}/${total} members configured, cluster state ${last?.state ?? 'unknown'}${why}`)
}
