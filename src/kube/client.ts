// The one way to reach the Kubernetes API: every action, command and the agent take a KubeClient.
// Two implementations: http-client.ts (node:https, credentials from kubeconfig, ServiceAccount or
// client-node's authenticators) and, for unit tests, test/lib/fake-kube.ts (in-memory objects).
// Pure types and path helpers only: importing this module loads nothing.

import type {KubeObject} from '../kube-object.ts'

export type {KubeObject, ObjectMeta, OwnerReference} from '../kube-object.ts'

/** Objects as read back (fields the caller reads are typed by the caller). */
export type AnyObject = Record<string, any>

export interface ObjectList<T> {
  metadata: {resourceVersion?: string; continue?: string}
  items: T[]
}

export type DryRun = 'none' | 'client' | 'server'

/** A collection: group/version, plural resource and namespace ('' = all namespaces, or cluster-scoped). */
export interface Resource {
  apiVersion: string
  resource: string
  namespace: string
}

export interface ListOptions {
  labelSelector?: string
  fieldSelector?: string
  limit?: number
  continue?: string
  signal?: AbortSignal
}

export interface WatchOptions {
  labelSelector?: string
  fieldSelector?: string
  resourceVersion?: string
  /** the server ends the watch after this long (the informer then re-watches) */
  timeoutSeconds?: number
  signal?: AbortSignal
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'

export interface WriteOptions {
  dryRun?: boolean
  signal?: AbortSignal
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'
  /** delete only the object with this uid (a precondition: another object of the same name is left alone) */
  uid?: string
  gracePeriodSeconds?: number
}

export type PatchType = 'merge' | 'strategic' | 'json'

export interface ExecRequest {
  namespace: string
  pod: string
  container: string
  command: string[]
  stdin?: Uint8Array
  /** keep stdin open (after `stdin`, if any) until the command ends: the process reads EOF only when this
   *  client goes away, killed or cut off (how a background command learns it lost its caller) */
  holdStdin?: boolean
  /** abort (and fail) after this long; 0 = no limit */
  timeoutMs?: number
  /** keep at most this many bytes of stdout/stderr (the tail) */
  maxOutputBytes?: number
}

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

export interface PortForwardRequest {
  namespace: string
  pod: string
  port: number
}

export interface KubeClient {
  /** the namespace of the context (or -n), used where a command names none */
  readonly namespace: string
  readonly context: string
  readonly server: string
  get<T = AnyObject>(res: Resource, name: string, opts?: {signal?: AbortSignal}): Promise<T>
  list<T = AnyObject>(res: Resource, opts?: ListOptions): Promise<ObjectList<T>>
  /** a plain create: the API server decides races (AlreadyExists) */
  create<T = AnyObject>(res: Resource, obj: unknown, opts?: WriteOptions): Promise<T>
  /** server-side apply (fieldManager kubectl-kd, force) */
  apply<T = AnyObject>(res: Resource, obj: KubeObject, opts?: WriteOptions): Promise<T>
  patch<T = AnyObject>(res: Resource, name: string, type: PatchType, body: unknown, opts?: WriteOptions & {subresource?: string}): Promise<T>
  delete(res: Resource, name: string, opts?: DeleteOptions): Promise<void>
  deleteCollection(res: Resource, opts: {labelSelector: string; propagationPolicy?: DeleteOptions['propagationPolicy']; signal?: AbortSignal}): Promise<void>
  /** one watch request: 'gone' when the resourceVersion is too old (410), 'ended' when the server closed it */
  watch<T = AnyObject>(res: Resource, opts: WatchOptions, onEvent: (type: WatchEventType, obj: T) => void): Promise<'gone' | 'ended'>
  /** GET of a non-JSON path (pod logs, a pod's proxy, /version); query values are sent as given */
  text(path: string, opts?: {query?: Record<string, string | number | boolean | undefined>; signal?: AbortSignal; what?: string}): Promise<string>
  /** a streamed GET (logs -f): chunks until the server ends it or `signal` aborts */
  stream(path: string, opts: {query?: Record<string, string | number | boolean | undefined>; signal?: AbortSignal; what?: string}, onChunk: (chunk: Uint8Array) => void): Promise<void>
  exec(req: ExecRequest): Promise<ExecResult>
  /** carries one local connection to a pod's port (pods/portforward) until either side ends it */
  portForward(req: PortForwardRequest, local: import('node:stream').Duplex): Promise<void>
  close(): void
}

/** The path of a collection or, with `name`, of one object (and its subresource). */
export function resourcePath(res: Resource, name?: string, subresource?: string): string {
  const base = res.apiVersion.includes('/') ? `/apis/${res.apiVersion}` : `/api/${res.apiVersion}`
  const ns = res.namespace ? `/namespaces/${encodeURIComponent(res.namespace)}` : ''
  // (a ':' stays: pods/NAME:PORT/proxy names a port)
  return `${base}${ns}/${res.resource}${name === undefined ? '' : `/${encodeURIComponent(name).replaceAll('%3A', ':')}`}${subresource ? `/${subresource}` : ''}`
}

const resourceOf = (apiVersion: string, resource: string) => (namespace: string): Resource => ({apiVersion, resource, namespace})

/** The collections the plugin and the agent use. */
export const R = {
  pods: resourceOf('v1', 'pods'),
  services: resourceOf('v1', 'services'),
  configMaps: resourceOf('v1', 'configmaps'),
  secrets: resourceOf('v1', 'secrets'),
  serviceAccounts: resourceOf('v1', 'serviceaccounts'),
  events: resourceOf('v1', 'events'),
  namespaces: () => resourceOf('v1', 'namespaces')(''),
  persistentVolumeClaims: resourceOf('v1', 'persistentvolumeclaims'),
  statefulSets: resourceOf('apps/v1', 'statefulsets'),
  deployments: resourceOf('apps/v1', 'deployments'),
  jobs: resourceOf('batch/v1', 'jobs'),
  cronJobs: resourceOf('batch/v1', 'cronjobs'),
  roles: resourceOf('rbac.authorization.k8s.io/v1', 'roles'),
  roleBindings: resourceOf('rbac.authorization.k8s.io/v1', 'rolebindings'),
  selfSubjectAccessReviews: () => resourceOf('authorization.k8s.io/v1', 'selfsubjectaccessreviews')(''),
  localSubjectAccessReviews: resourceOf('authorization.k8s.io/v1', 'localsubjectaccessreviews'),
}

const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps',
  Service: 'services',
  StatefulSet: 'statefulsets',
  Deployment: 'deployments',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  Pod: 'pods',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  Event: 'events',
  Job: 'jobs',
  CronJob: 'cronjobs',
}

/** The collection an object belongs to (its namespace, else `namespace`). */
export function resourceFor(obj: {apiVersion: string; kind: string; metadata?: {namespace?: string}}, namespace = ''): Resource {
  return {apiVersion: obj.apiVersion, resource: PLURALS[obj.kind] ?? obj.kind.toLowerCase() + 's', namespace: obj.metadata?.namespace ?? namespace}
}

/** The same client, defaulting to another namespace (a file's metadata.namespace, a job's). */
export function withNamespace(kube: KubeClient, namespace: string): KubeClient {
  return namespace === kube.namespace ? kube : Object.assign(Object.create(kube) as KubeClient, {namespace})
}
