// Kubernetes Events (core/v1) on an object, as controllers record them: one Event per transition,
// reason in CamelCase, a short human message. Never put secrets in a message.
import {R, type KubeClient} from './client.ts'

export interface EventTarget {
  apiVersion: string
  kind: string
  name: string
  namespace: string
  uid?: string
}

export interface EventInput {
  reason: string
  message: string
  type?: 'Normal' | 'Warning'
  /** reporting component, e.g. kubectl-kd-agent */
  component: string
}

/** The Event object (pure, for tests). */
function renderEvent(target: EventTarget, e: EventInput, now = new Date()) {
  const ts = now.toISOString()
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {generateName: `${target.name}.`, namespace: target.namespace},
    involvedObject: {apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace, uid: target.uid},
    reason: e.reason,
    message: e.message.slice(0, 1024),
    type: e.type ?? 'Normal',
    source: {component: e.component},
    reportingComponent: e.component,
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
  }
}

export async function recordEvent(kube: KubeClient, target: EventTarget, e: EventInput): Promise<void> {
  await kube.create(R.events(target.namespace), renderEvent(target, e))
}

/** The parts of an Event that say when it happened. */
export interface EventTimes {
  lastTimestamp?: string | Date | null
  eventTime?: string | Date | null
  firstTimestamp?: string | Date | null
  metadata?: {creationTimestamp?: string | Date | null; resourceVersion?: string}
}

const millis = (t: string | Date | null | undefined) => (t === undefined || t === null ? NaN : new Date(t).getTime())

/** When an event last happened: lastTimestamp, else eventTime, firstTimestamp or its creation. */
export function eventTime(e: EventTimes): number {
  for (const t of [e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp]) if (!Number.isNaN(millis(t))) return millis(t)
  return 0
}

/**
 * Events oldest first, newest last (as kubectl describe). Timestamps have whole seconds, so events of
 * the same second are ordered by resourceVersion, which the API server hands out in write order.
 */
export function inTimeOrder<T extends EventTimes>(events: T[]): T[] {
  const rv = (e: EventTimes) => (/^\d+$/.test(e.metadata?.resourceVersion ?? '') ? BigInt(e.metadata!.resourceVersion!) : -1n)
  return [...events].sort((a, b) => eventTime(a) - eventTime(b) || (rv(a) < rv(b) ? -1 : rv(a) > rv(b) ? 1 : 0))
}
