// Waiting for an app cluster to be configured: one watch on its member pods and one on its root
// ConfigMap, both with a deadline; every change is reported to the caller for a progress view.
import type {V1ConfigMap, V1Pod} from '@kubernetes/client-node'
import {ANNOTATION, rootConfigMapName, roleStatefulSetName} from '../../cluster/names.ts'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {watchUntil} from '../../kube/informer.ts'
import {byNatural} from '../../order.ts'
import {isMemberPod, type PodLike} from '../../cluster/member-state.ts'
import {failingMember, isSnapshotConfigured, memberStatus, storedFromRoot, stuckMembers, type ClusterSnapshot, type MemberStatus} from '../../cluster/cluster-status.ts'
import {clusterSelector} from './clusters.ts'

/** How long a member may stay in config error or unable to pull its image before --wait gives up early. */
export const FAIL_AFTER_MS = 30_000

export async function waitForCluster(
  kube: KubeClient,
  name: string,
  opts: {timeoutMs: number; onUpdate?: (s: ClusterSnapshot) => void; signal?: AbortSignal; failAfterMs?: number},
): Promise<ClusterSnapshot> {
  let last: ClusterSnapshot | undefined
  let deleted = false
  const ns = kube.namespace
  // members failing in a way waiting will not fix, since when; one still failing after failAfterMs ends
  // the wait early (a timer, since a pod in image pull backoff may not change for minutes)
  const failAfterMs = opts.failAfterMs ?? FAIL_AFTER_MS
  const failing = new Map<string, {since: number; why: string; role: string}>()
  let failed: {pod: string; why: string; role: string} | undefined
  const stop = new AbortController()
  opts.signal?.addEventListener('abort', () => stop.abort(), {once: true})
  const timers = new Set<NodeJS.Timeout>()
  const giveUpOn = (pod: string) => {
    const f = failing.get(pod)
    if (!f || failed) return
    failed = {pod, why: f.why, role: f.role}
    stop.abort()
  }
  const track = (members: MemberStatus[]) => {
    const now = Date.now()
    const seen = new Set<string>()
    for (const m of members) {
      const why = failingMember(m)
      if (!why) continue
      seen.add(m.pod)
      const f = failing.get(m.pod)
      if (f) f.why = why
      else {
        failing.set(m.pod, {since: now, why, role: m.role})
        const t = setTimeout(() => (timers.delete(t), giveUpOn(m.pod)), failAfterMs)
        timers.add(t)
      }
      if (now - failing.get(m.pod)!.since >= failAfterMs) giveUpOn(m.pod)
    }
    for (const pod of failing.keys()) if (!seen.has(pod)) failing.delete(pod)
  }
  // pods a StatefulSet cannot create (a quota, a LimitRange, an admission webhook) show only in its
  // FailedCreate events: looked for while members have no pod, so --wait ends early with the reason
  const started = Date.now()
  const createFailing = new Map<string, {since: number; why: string; role: string}>()
  const lookForCreateFailures = async () => {
    const missing = last ? Object.entries(last.desired).filter(([role, n]) => last!.members.filter((m) => m.role === role).length < n).map(([role]) => role) : []
    if (!missing.length || failed) return
    const events = await kube
      .list<{involvedObject?: {name?: string}; message?: string; lastTimestamp?: string; eventTime?: string; metadata?: {creationTimestamp?: string}}>(R.events(ns), {fieldSelector: 'involvedObject.kind=StatefulSet,reason=FailedCreate'})
      .catch(() => ({items: []}))
    const now = Date.now()
    for (const role of missing) {
      const sts = roleStatefulSetName(name, role)
      const recent = events.items
        .filter((e) => e.involvedObject?.name === sts && Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') >= started - 10_000)
        .at(-1)
      if (!recent) {
        createFailing.delete(sts)
        continue
      }
      const why = `cannot create its pods: ${(recent.message ?? 'FailedCreate').split('\n')[0]}`
      const f = createFailing.get(sts) ?? {since: now, why, role}
      createFailing.set(sts, {...f, why})
      if (now - f.since >= failAfterMs && !failed) {
        failed = {pod: `statefulset ${sts}`, why, role}
        stop.abort()
      }
    }
  }
  const poller = setInterval(() => void lookForCreateFailures(), Math.max(100, Math.min(5000, failAfterMs / 3)))
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
        observedGeneration: root.metadata?.annotations?.[ANNOTATION.observedGeneration] ?? '',
        ...(root.metadata?.annotations?.[ANNOTATION.agentProblem] ? {agentProblem: root.metadata.annotations[ANNOTATION.agentProblem]} : {}),
        desired,
        members: stored
          ? [...(pods!.values() as Iterable<V1Pod>)].filter((p) => isMemberPod(p as PodLike, name)).map((p) => memberStatus(p, stored.cluster)).sort((a, b) => byNatural(a.pod, b.pod))
          : [],
      }
      last = snapshot
      opts.onUpdate?.(snapshot)
      if (isSnapshotConfigured(snapshot)) return snapshot
      track(snapshot.members)
      return undefined
    },
    {timeoutMs: opts.timeoutMs, signal: stop.signal},
  ).finally(() => {
    timers.forEach((t) => clearTimeout(t))
    clearInterval(poller)
  })
  if (result) return result
  if (failed) {
    const others = [...failing.keys()].filter((p) => p !== failed!.pod)
    const also = others.length ? ` (also ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''})` : ''
    const who = failed.pod.startsWith('statefulset ') ? `role ${failed.role}: ${failed.pod}` : `${failed.role} member ${failed.pod}:`
    throw new UserError(
      `cluster/${name} will not be configured: ${who} ${failed.why} (for ${Math.round(failAfterMs / 1000)}s)${also}; the cluster is left as it is (kubectl kd status ${name}, kubectl kd delete ${name})`,
    )
  }
  if (deleted) throw new UserError(`cluster "${name}" was deleted while waiting for it`)
  if (opts.signal?.aborted) throw new UserError('interrupted')
  const configured = last?.members.filter((m) => m.state === 'configured').length ?? 0
  const total = Object.values(last?.desired ?? {}).reduce((a, b) => a + b, 0)
  const creates = [...createFailing.entries()].map(([sts, f]) => `statefulset ${sts} ${f.why}`)
  const why = [...creates, ...(last ? [stuckMembers(last)] : [])].filter(Boolean).join('; ')
  throw new UserError(`timed out waiting for cluster/${name} to be configured: ${configured}/${total} members configured, cluster state ${last?.state ?? 'unknown'}${why ? `; ${why}` : ''}`)
}

