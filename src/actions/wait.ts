// Waiting for an app cluster to be configured: one watch on its member pods and one on its root
// ConfigMap, both with a deadline; every change is reported to the caller for a progress view.
import type {V1ConfigMap, V1Pod} from '@kubernetes/client-node'
import {ANNOTATION, LABEL, rootConfigMapName} from '../cluster/names.ts'
import {UserError} from '../errors.ts'
import {R, type KubeClient} from '../kube/client.ts'
import {watchUntil} from '../kube/informer.ts'
import {byNatural} from '../order.ts'
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
  kube: KubeClient,
  name: string,
  opts: {timeoutMs: number; onUpdate?: (s: ClusterSnapshot) => void; signal?: AbortSignal},
): Promise<ClusterSnapshot> {
  let last: ClusterSnapshot | undefined
  let deleted = false
  const ns = kube.namespace
  const result = await watchUntil(
    kube,
    [
      {resource: R.pods(ns), labelSelector: clusterSelector(name)},
      {resource: R.configMaps(ns), fieldSelector: `metadata.name=${rootConfigMapName(name)}`},
    ],
    ([pods, roots]) => {
      const root = [...roots!.values()][0] as V1ConfigMap | undefined
      if (!root) {
        deleted = true
        return null
      }
      const stored = storedFromRoot(root)
      const desired = Object.fromEntries((stored?.cluster.roles ?? []).map((r) => [r.id, r.members]))
      const snapshot: ClusterSnapshot = {
        state: root.metadata?.annotations?.[ANNOTATION.state] ?? 'creating',
        generation: root.metadata?.annotations?.[ANNOTATION.generation] ?? '',
        desired,
        members: stored
          ? [...(pods!.values() as Iterable<V1Pod>)].filter((p) => p.metadata?.labels?.[LABEL.role]).map((p) => memberStatus(p, stored.cluster)).sort((a, b) => byNatural(a.pod, b.pod))
          : [],
      }
      last = snapshot
      opts.onUpdate?.(snapshot)
      return isConfigured(snapshot) ? snapshot : undefined
    },
    {timeoutMs: opts.timeoutMs, signal: opts.signal},
  )
  if (result) return result
  if (deleted) throw new UserError(`cluster "${name}" was deleted while waiting for it`)
  if (opts.signal?.aborted) throw new UserError('interrupted')
  const configured = last?.members.filter((m) => m.state === 'configured').length ?? 0
  const total = Object.values(last?.desired ?? {}).reduce((a, b) => a + b, 0)
  const why = last ? stuckMembers(last) : ''
  throw new UserError(`timed out waiting for cluster/${name} to be configured: ${configured}/${total} members configured, cluster state ${last?.state ?? 'unknown'}${why ? `; ${why}` : ''}`)
}

/** The members holding a cluster back (at most 5 named), each with what is known: a stuck wait says why. */
export function stuckMembers(s: ClusterSnapshot): string {
  const stuck = s.members.filter((m) => !(m.state === 'configured' && m.ready))
  const present = new Map<string, number>()
  for (const m of s.members) present.set(m.role, (present.get(m.role) ?? 0) + 1)
  const missing = Object.entries(s.desired).flatMap(([role, n]) => ((present.get(role) ?? 0) < n ? [`${n - (present.get(role) ?? 0)} ${role} member(s) have no pod yet`] : []))
  const shown = stuck.slice(0, 5).map((m) => {
    const facts = [m.state || 'no state', m.phase !== 'Running' ? `pod ${m.phase}` : '', m.state === 'configured' && !m.ready ? 'not ready' : '', m.lastError ?? '']
    return `${m.pod}: ${facts.filter(Boolean).join(', ')}`
  })
  if (stuck.length > 5) shown.push(`and ${stuck.length - 5} more`)
  return [...shown, ...missing].join('; ')
}
