// `kubectl kd logs cluster/NAME MEMBER`: the log of a member's container (or of the cluster's agent).
// Without a member, one error line lists the members and shows how to pick one.
import type {V1Pod} from '@kubernetes/client-node'
import {AGENT_COMPONENT, APP_CONTAINER, LABEL} from '../../cluster/names.ts'
import {suggestions} from '../../did-you-mean.ts'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {byNatural} from '../../order.ts'
import {clusterSelector, readCluster} from './clusters.ts'

export interface MemberLogsOptions {
  /** a member pod (demo-worker-0), the same without the cluster's name (worker-0), or `agent` */
  member?: string
  follow?: boolean
  tailLines?: number
  write: (chunk: Uint8Array) => void
  signal?: AbortSignal
}

// the agent Deployment's one container (render-agent.ts)
const AGENT_CONTAINER = 'agent'

/** The pod and container `member` names among the cluster's pods; a UserError that lists them otherwise. */
export function pickMember(cluster: string, pods: V1Pod[], member: string | undefined): {pod: string; container: string} {
  const members = pods
    .filter((p) => p.metadata?.labels?.[LABEL.role])
    .map((p) => p.metadata!.name!)
    .sort(byNatural)
  const agent = pods.find((p) => p.metadata?.labels?.[LABEL.component] === AGENT_COMPONENT && !p.metadata?.deletionTimestamp)
  const listed = members.length ? `members: ${members.join(', ')}` : 'no member pods yet'
  if (member === undefined) {
    if (!members.length) throw new UserError(`cluster "${cluster}" has no member pods yet; its agent's log: kubectl kd logs cluster/${cluster} agent`)
    throw new UserError(`cluster "${cluster}" has ${members.length === 1 ? 'one member' : `${members.length} members`}: ${members.join(', ')}; pick one: kubectl kd logs cluster/${cluster} ${members[0]} (or agent, for the cluster's agent)`)
  }
  if (member === 'agent') {
    if (!agent) throw new UserError(`cluster "${cluster}" has no running agent pod (kubectl kd status ${cluster} says why)`)
    return {pod: agent.metadata!.name!, container: AGENT_CONTAINER}
  }
  const prefix = `${cluster}-`
  const pod = members.find((m) => m === member || m === prefix + member)
  if (pod) return {pod, container: APP_CONTAINER}
  // suggested in the form typed: the pod's name, or the name without the cluster's
  const forms = member.startsWith(prefix) ? members : members.map((m) => m.slice(prefix.length))
  const [close] = suggestions(member, forms)
  throw new UserError(`cluster "${cluster}" has no member "${member}"${close ? `; did you mean "${close}"?` : ''} (${listed}, or agent)`)
}

export async function memberLogs(kube: KubeClient, name: string, o: MemberLogsOptions): Promise<void> {
  await readCluster(kube, name)
  const pods = await kube.list<V1Pod>(R.pods(kube.namespace), {labelSelector: clusterSelector(name)})
  const {pod, container} = pickMember(name, pods.items, o.member)
  const {streamLogs} = await import('../../kube/logs.ts')
  await streamLogs(kube, {namespace: kube.namespace, pod, container, follow: o.follow, tailLines: o.tailLines, signal: o.signal}, o.write)
}
