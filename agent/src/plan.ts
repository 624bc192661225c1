// The agent's decisions as pure functions of observed state: which member needs setup, which needs
// fresh configmeta and --addnodes/--delnodes (and with which FQDNs), what each member's state is, and the
// cluster rollup. Everything the agent must remember lives in pod annotations (known members, configured
// container, config generation) and in files in the member, so a restarted agent plans the same thing.
import {ANNOTATION, CONFIGURED_CONDITION, GROUP, type ClusterState, type MemberState} from '../../src/cluster/names.ts'
import {isConfigured, memberState, type ObservedPod} from '../../src/cluster/member-state.ts'

export type {ObservedPod}

/** Pod annotation: the members this member has been told about (configmeta at setup + notifications). */
export const KNOWN_MEMBERS_ANNOTATION = `${GROUP}/known-members`
/** Pod annotation: the version of the connections (spec.connections) this member's configmeta last carried. */
export const CONNECTIONS_ANNOTATION = `${GROUP}/connections-version`

/** `reconnect`: KubeDirector's `startscript --reconnect`, after a connected object changed */
export type LifecycleOp = 'addnodes' | 'delnodes' | 'reconnect'

export interface MemberRef {
  role: string
  index: number
}

export interface DesiredMember extends MemberRef {
  pod: string
  fqdn: string
}

export interface RolePolicy {
  hasPackage: boolean
  /**
   * What a setup of this role runs with now (package URL with its content hash, script timeout). A member
   * in `config error` whose last setup ran with another spec is set up again, in the same pod.
   */
  setupSpec?: string
  /** eventList of the role */
  configure: boolean
  addnodes: boolean
  delnodes: boolean
}

export interface PlanInput {
  desired: DesiredMember[]
  pods: ObservedPod[]
  roles: Record<string, RolePolicy>
  /** FQDN of any member, also one that has left (names are deterministic) */
  fqdnOf: (m: MemberRef) => string
  /** connectionsVersion() of what the cluster connects now; absent: it connects nothing */
  connections?: string
}

export interface NotifyOp {
  op: LifecycleOp
  role: string
  fqdns: string[]
}

export type Action =
  | {kind: 'setup'; pod: string; container: string}
  | {kind: 'notify'; pod: string; container: string; ops: NotifyOp[]; known: string; pushConfigmeta: boolean; connections?: string}
  | {kind: 'state'; pod: string; state: MemberState}
  | {kind: 'condition'; pod: string; status: 'True' | 'False'; reason: string}

const key = (m: MemberRef) => `${m.role}/${m.index}`

/** `role:0-2,4;other:0` — compact, sorted, stable. */
export function encodeMembers(members: MemberRef[]): string {
  const byRole = new Map<string, number[]>()
  // (pushed in place: the agent encodes the whole membership on every pass, 1000 members included)
  for (const m of members) {
    const list = byRole.get(m.role)
    if (list) list.push(m.index)
    else byRole.set(m.role, [m.index])
  }
  return [...byRole.keys()]
    .sort()
    .map((role) => {
      const idx = [...new Set(byRole.get(role)!)].sort((a, b) => a - b)
      const ranges: string[] = []
      for (let i = 0; i < idx.length; ) {
        let j = i
        while (j + 1 < idx.length && idx[j + 1] === idx[j]! + 1) j++
        ranges.push(i === j ? `${idx[i]}` : `${idx[i]}-${idx[j]}`)
        i = j + 1
      }
      return `${role}:${ranges.join(',')}`
    })
    .join(';')
}

export function decodeMembers(s: string | undefined): MemberRef[] {
  if (!s) return []
  const out: MemberRef[] = []
  for (const part of s.split(';')) {
    const colon = part.lastIndexOf(':')
    if (colon <= 0) continue
    const role = part.slice(0, colon)
    for (const r of part.slice(colon + 1).split(',')) {
      const [a, b] = r.split('-').map((x) => Number.parseInt(x, 10))
      if (a === undefined || Number.isNaN(a)) continue
      for (let i = a; i <= (b ?? a); i++) out.push({role, index: i})
    }
  }
  return out
}

/** The membership signature written as config-generation: what the member's configmeta describes. */
export const membershipSignature = (desired: MemberRef[]) => encodeMembers(desired)

/**
 * What to do now. `busy` lists pods with a task in flight (no second task is started for them).
 * Members are independent: one member's failure or slowness never holds back another's actions.
 */
export function plan(input: PlanInput, busy: ReadonlySet<string> = new Set()): Action[] {
  const actions: Action[] = []
  const desiredByKey = new Map(input.desired.map((d) => [key(d), d]))
  const signature = membershipSignature(input.desired)
  const podsByKey = new Map(input.pods.filter((p) => !p.deleting).map((p) => [key(p), p]))
  // members others may hear about: desired, configured for their current container
  const announceable = new Set(input.desired.filter((d) => {
    const p = podsByKey.get(key(d))
    return p !== undefined && p.name === d.pod && isConfigured(p)
  }).map(key))

  for (const p of input.pods) {
    const inDesired = desiredByKey.get(key(p))?.pod === p.name
    if (p.deleting || !inDesired) continue
    if (busy.has(p.name)) continue
    const state = p.annotations[ANNOTATION.state]
    if (!p.runningContainer) {
      // a stale `creating` (its container is gone) is corrected; a new pod's state is read from the pod itself
      if (state === 'creating') actions.push({kind: 'state', pod: p.name, state: 'create pending'})
      continue
    }
    if (p.annotations[ANNOTATION.configuredContainer] !== p.runningContainer || (state !== 'configured' && state !== 'config error')) {
      actions.push({kind: 'setup', pod: p.name, container: p.runningContainer})
      continue
    }
    if (state === 'config error') {
      // a new package or timeout: try again without waiting for the pod to be deleted (configured members
      // are left alone: configure runs once per container)
      const spec = input.roles[p.role]?.setupSpec
      if (input.roles[p.role]?.hasPackage && spec !== undefined && p.annotations[ANNOTATION.setupSpec] !== spec) {
        actions.push({kind: 'setup', pod: p.name, container: p.runningContainer})
        continue
      }
      if (p.condition !== 'False') actions.push({kind: 'condition', pod: p.name, status: 'False', reason: 'ConfigError'})
      continue
    }
    // configured: keep its view of the membership current
    if (p.condition !== 'True') actions.push({kind: 'condition', pod: p.name, status: 'True', reason: 'Configured'})
    // a role without a config package gets no configmeta and no notifications (nothing in it would read them)
    if (!input.roles[p.role]?.hasPackage) continue
    const known = decodeMembers(p.annotations[KNOWN_MEMBERS_ANNOTATION])
    const knownKeys = new Set(known.map(key))
    const adds = input.desired.filter((d) => key(d) !== key(p) && !knownKeys.has(key(d)) && announceable.has(key(d)))
    const dels = known.filter((k) => !desiredByKey.has(key(k)))
    const reconnect = input.connections !== undefined && p.annotations[CONNECTIONS_ANNOTATION] !== input.connections
    const pushConfigmeta = p.annotations[ANNOTATION.configGeneration] !== signature || reconnect
    if (!adds.length && !dels.length && !pushConfigmeta) continue
    const policy = input.roles[p.role]
    const ops: NotifyOp[] = []
    for (const [op, list] of [['delnodes', dels], ['addnodes', adds]] as const) {
      if (!list.length || !policy?.hasPackage || !policy[op]) continue
      for (const role of [...new Set(list.map((m) => m.role))].sort()) {
        const fqdns = list.filter((m) => m.role === role).sort((a, b) => a.index - b.index).map(input.fqdnOf)
        ops.push({op, role, fqdns})
      }
    }
    // after the membership news, as KubeDirector runs it: `startscript --reconnect` (no role, no fqdns)
    if (reconnect) ops.push({op: 'reconnect', role: p.role, fqdns: []})
    const delKeys = new Set(dels.map(key))
    const nextKnown = encodeMembers([...known.filter((k) => !delKeys.has(key(k))), ...adds])
    actions.push({kind: 'notify', pod: p.name, container: p.runningContainer, ops, known: nextKnown, pushConfigmeta, ...(input.connections !== undefined ? {connections: input.connections} : {})})
  }
  return actions
}

export interface Rollup {
  state: ClusterState
  members: number
  counts: Partial<Record<MemberState, number>>
  /** KubeDirector's memberStateRollup */
  membershipChanging: boolean
  membersDown: boolean
  membersInitializing: boolean
  membersWaiting: boolean
  configErrors: boolean
  pendingNotifications: number
}

/** Cluster state + rollup. `previous` is the root's last state: once configured, instability is `updating`. */
export function rollup(input: PlanInput, busy: ReadonlySet<string>, previous: ClusterState | undefined): Rollup {
  const desiredByKey = new Map(input.desired.map((d) => [key(d), d]))
  const counts: Partial<Record<MemberState, number>> = {}
  let extra = 0
  const seen = new Set<string>()
  for (const p of input.pods) {
    const inDesired = desiredByKey.get(key(p))?.pod === p.name && !p.deleting
    if (inDesired) seen.add(key(p))
    else extra++
    const s = memberState(p, inDesired)
    counts[s] = (counts[s] ?? 0) + 1
  }
  const missing = input.desired.filter((d) => !seen.has(key(d))).length
  if (missing) counts['create pending'] = (counts['create pending'] ?? 0) + missing
  const planned = plan(input, new Set())
  const pending = planned.filter((a) => a.kind === 'notify' || a.kind === 'setup').length
  const settled = (counts.configured ?? 0) + (counts['config error'] ?? 0) === input.desired.length && extra === 0 && missing === 0
  const stable = settled && pending === 0 && busy.size === 0
  const state: ClusterState = stable ? 'configured' : previous === 'configured' || previous === 'updating' ? 'updating' : 'creating'
  return {
    state,
    members: input.desired.length,
    counts,
    membershipChanging: extra > 0 || missing > 0,
    membersDown: input.pods.some((p) => !p.deleting && !p.runningContainer && p.phase !== 'Pending'),
    membersInitializing: (counts.creating ?? 0) > 0,
    membersWaiting: (counts['create pending'] ?? 0) > 0,
    configErrors: (counts['config error'] ?? 0) > 0,
    pendingNotifications: planned.filter((a) => a.kind === 'notify').length,
  }
}

export {CONFIGURED_CONDITION}
