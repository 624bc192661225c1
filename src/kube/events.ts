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
