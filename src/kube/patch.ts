// Small patches the agent makes: annotations (JSON merge patch; null removes a key) and a pod condition
// through the pods/status subresource (strategic merge: conditions merge by type).
import type {Kube} from './connection.ts'
import {rawJson} from './raw.ts'

export async function patchAnnotations(kube: Kube, path: string, annotations: Record<string, string | null>): Promise<unknown> {
  return rawJson(kube, path, {method: 'PATCH', contentType: 'application/merge-patch+json', body: {metadata: {annotations}}})
}

export interface PodCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
}

export async function patchPodCondition(kube: Kube, namespace: string, pod: string, c: PodCondition, now = new Date()): Promise<unknown> {
  const condition = {...c, lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z')}
  return rawJson(kube, `/api/v1/namespaces/${namespace}/pods/${pod}/status`, {
    method: 'PATCH',
    contentType: 'application/strategic-merge-patch+json',
    body: {status: {conditions: [condition]}},
  })
}

export const podPath = (namespace: string, pod: string) => `/api/v1/namespaces/${namespace}/pods/${pod}`
export const configMapPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`
