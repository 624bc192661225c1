// The agent's health as `kubectl kd status` shows it, derived from its pod (label
// app.kubernetes.io/component=agent): running, restarting (with why it last ended, e.g. OOMKilled) or not
// running. Without a running agent no member is ever configured, so status must say so. Pure.
import {LABEL} from './names.ts'
import {AGENT_COMPONENT} from './names.ts'

/** The parts of a Pod this reads (a V1Pod fits). */
interface AgentPodLike {
  metadata?: {name?: string; labels?: Record<string, string>; deletionTimestamp?: unknown}
  status?: {
    phase?: string
    containerStatuses?: Array<{
      restartCount?: number
      ready?: boolean
      state?: {running?: unknown; waiting?: {reason?: string; message?: string}; terminated?: {reason?: string; exitCode?: number}}
      lastState?: {terminated?: {reason?: string; exitCode?: number; finishedAt?: string | Date}}
    }>
  }
}

export interface AgentState {
  state: 'running' | 'restarting' | 'not running'
  pod?: string
  restarts: number
  /** why its container last ended (`OOMKilled`, `Error`), with the exit code */
  lastTermination?: {reason: string; exitCode?: number; finishedAt?: string}
  /** what it cannot do right now and why (an unsigned spec, a refused write, a name taken) */
  problem?: string
  /** one line for people */
  message: string
}

/** `problem`: what the agent says it cannot do (the root's agent-problem annotation), shown with its state. */
export function agentState(pods: AgentPodLike[], problem?: string): AgentState {
  const state = podState(pods)
  return problem ? {...state, problem, message: `${state.message}; cannot: ${problem}`} : state
}

function podState(pods: AgentPodLike[]): AgentState {
  const mine = pods.filter((p) => p.metadata?.labels?.[LABEL.component] === AGENT_COMPONENT && !p.metadata?.deletionTimestamp)
  const pod = mine.find((p) => p.status?.containerStatuses?.[0]?.state?.running) ?? mine[0]
  if (!pod) return {state: 'not running', restarts: 0, message: 'not running: no agent pod (members are not configured until it runs)'}
  const c = pod.status?.containerStatuses?.[0]
  const restarts = c?.restartCount ?? 0
  const t = c?.lastState?.terminated ?? c?.state?.terminated
  const lastTermination = t ? {reason: t.reason ?? 'unknown', ...(t.exitCode !== undefined ? {exitCode: t.exitCode} : {}), ...(c?.lastState?.terminated?.finishedAt ? {finishedAt: new Date(c.lastState.terminated.finishedAt).toISOString()} : {})} : undefined
  const last = lastTermination ? `, last ended: ${lastTermination.reason}${lastTermination.exitCode !== undefined ? ` (exit ${lastTermination.exitCode})` : ''}` : ''
  const name = pod.metadata?.name
  const base = {pod: name, restarts, ...(lastTermination ? {lastTermination} : {})}
  if (c?.state?.running) {
    return {state: 'running', ...base, message: restarts ? `running (${restarts} restart${restarts === 1 ? '' : 's'}${last})` : 'running'}
  }
  const waiting = c?.state?.waiting?.reason
  if (restarts > 0 || waiting === 'CrashLoopBackOff')
    return {state: 'restarting', ...base, message: `restarting: ${waiting ?? 'not running'} (${restarts} restart${restarts === 1 ? '' : 's'}${last})`}
  return {state: 'not running', ...base, message: `not running: ${waiting ?? c?.state?.terminated?.reason ?? pod.status?.phase ?? 'Pending'}`}
}
