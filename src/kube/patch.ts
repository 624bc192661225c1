// Small patches the agent makes: annotations (JSON merge patch; null removes a key) and a pod condition
// through the pods/status subresource (strategic merge: conditions merge by type). Also the one read it
// needs (a package ConfigMap). On transport.ts, like the rest of the agent's API calls.
import type {Transport} from './transport.ts'

export async function patchAnnotations(api: Transport, path: string, annotations: Record<string, string | null>): Promise<unknown> {
  return api.json('PATCH', path, {contentType: 'application/merge-patch+json', body: {metadata: {annotations}}})
}

export interface PodCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
}

export async function patchPodCondition(api: Transport, namespace: string, pod: string, c: PodCondition, now = new Date()): Promise<unknown> {
  const condition = {...c, lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z')}
  return api.json('PATCH', `/api/v1/namespaces/${namespace}/pods/${pod}/status`, {
    contentType: 'application/strategic-merge-patch+json',
    body: {status: {conditions: [condition]}},
  })
}

export const podPath = (namespace: string, pod: string) => `/api/v1/namespaces/${namespace}/pods/${pod}`
export const configMapPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`
