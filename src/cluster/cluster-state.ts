// A cluster's state and member counts as get, get -w and status show them, decided together from one
// read of the root and the member pods, so the two never disagree (`configured 0/2` right after create,
// when the agent has configured the members but their pods are not Ready yet, or `configured 3/4` right
// after a scale, when the agent has not seen the new member). Pure.
import {isMemberDone} from './member-state.ts'
import type {ClusterState} from './names.ts'

export interface ShownState {
  state: ClusterState | string
  /** wanted members that are configured and Ready */
  ready: number
  /** wanted members */
  total: number
}

/**
 * `annotated`: the state the agent wrote on the root; `desired`: wanted members per role; `members`: the
 * member pods' states. The agent's `configured` is shown only when the members bear it out: every wanted
 * member has a pod that is configured and Ready (or in config error: setup ran and failed, the cluster is
 * settled), none is missing and none is on its way out. Otherwise the cluster is still `creating` (its
 * first generation) or `updating`.
 */
export function shownClusterState(
  annotated: string | undefined,
  generation: number,
  desired: Record<string, number>,
  members: ReadonlyArray<{role: string; state: string; ready: boolean}>,
): ShownState {
  const total = Object.values(desired).reduce((a, b) => a + b, 0)
  const leaving = (m: {state: string}) => m.state === 'delete pending' || m.state === 'deleting'
  const wanted = members.filter((m) => !leaving(m) && (desired[m.role] ?? 0) > 0)
  const ready = wanted.filter(isMemberDone).length
  const settled = wanted.length === total && members.every((m) => !leaving(m)) && wanted.every((m) => isMemberDone(m) || m.state === 'config error')
  const state = annotated ?? 'creating'
  if (state === 'configured' && !settled) return {state: generation > 1 ? 'updating' : 'creating', ready, total}
  return {state, ready, total}
}
