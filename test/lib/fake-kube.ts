// An in-memory KubeClient for the actions' unit tests, as Helm tests its actions with a fake kube client:
// objects by collection, uids and resourceVersions, label and field selectors, create races (AlreadyExists),
// server-side apply, merge patches, deletes with uid preconditions and the garbage collector's cascade,
// watches, access reviews answered by a rule, and injectable failures. Every request is recorded.
// It stands in for the API server's bookkeeping only: no admission, no controllers (tests add pods).
import {ApiError} from '../../src/kube/errors.ts'
import type {Duplex} from 'node:stream'
import {FIELD_MANAGER} from '../../src/kube/http-client.ts'
import type {AnyObject, ExecRequest, ExecResult, KubeClient, ListOptions, ObjectList, PortForwardRequest, Resource, WatchEventType} from '../../src/kube/client.ts'

export interface RecordedRequest {
  verb: 'get' | 'list' | 'create' | 'apply' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'text' | 'stream' | 'exec' | 'portforward'
  resource: string
  namespace: string
  name?: string
  dryRun?: boolean
  body?: unknown
  propagationPolicy?: string
}

export interface AccessAttributes {
  verb: string
  resource: string
  group?: string
  subresource?: string
  namespace?: string
  name?: string
}

type Listener = (type: WatchEventType, obj: AnyObject, res: Resource) => void

const keyOf = (res: Resource, namespace: string, name: string) => `${res.apiVersion}|${res.resource}|${namespace}|${name}`

export class FakeKube implements KubeClient {
  readonly server = 'https://fake.example:6443'
  readonly context = 'fake'
  readonly requests: RecordedRequest[] = []
  /** answers SelfSubjectAccessReviews (and LocalSubjectAccessReviews for other subjects); default: allowed */
  allow: (a: AccessAttributes, user?: string) => boolean = () => true
  /** a failure for a request, or undefined to serve it */
  fail: (r: RecordedRequest) => ApiError | undefined = () => undefined
  /** answers text()/stream() by path */
  texts = new Map<string, string>()
  execHandler: (req: ExecRequest) => ExecResult | Promise<ExecResult> = () => ({code: 0, stdout: '', stderr: ''})
  /** false: deleting an owner leaves what it owns (a garbage collector behind its queue), so a test sees who deletes it */
  collectGarbage = true
  private objects = new Map<string, AnyObject>()
  private rv = 100
  private uid = 0
  private listeners = new Set<Listener>()

  constructor(readonly namespace = 'default') {}

  /** Puts objects in place as if created earlier (no request recorded). */
  seed(res: Resource, ...objs: AnyObject[]): AnyObject[] {
    return objs.map((o) => this.store(res, structuredClone(o)))
  }

  /** The stored objects of a collection ('' namespace: all). */
  all(res: Resource): AnyObject[] {
    return [...this.objects.entries()].filter(([k]) => this.inCollection(k, res)).map(([, o]) => structuredClone(o))
  }

  find(res: Resource, name: string): AnyObject | undefined {
    const o = this.objects.get(keyOf(res, res.namespace, name))
    return o && structuredClone(o)
  }

  /** Requests of one verb (and resource), for assertions. */
  made(verb: RecordedRequest['verb'], resource?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.verb === verb && (!resource || r.resource === resource))
  }

  async get<T>(res: Resource, name: string): Promise<T> {
    this.record({verb: 'get', resource: res.resource, namespace: res.namespace, name})
    const o = this.objects.get(keyOf(res, res.namespace, name))
    if (!o) throw notFound(res, name)
    return structuredClone(o) as T
  }

  async list<T>(res: Resource, opts: ListOptions = {}): Promise<ObjectList<T>> {
    this.record({verb: 'list', resource: res.resource, namespace: res.namespace})
    const items = [...this.objects.entries()]
      .filter(([k, o]) => this.inCollection(k, res) && matchesLabels(o, opts.labelSelector) && matchesFields(o, opts.fieldSelector))
      .map(([, o]) => structuredClone(o) as T)
    return {metadata: {resourceVersion: String(this.rv)}, items}
  }

  async create<T>(res: Resource, obj: unknown, opts: {dryRun?: boolean} = {}): Promise<T> {
    const o = structuredClone(obj) as AnyObject
    this.record({verb: 'create', resource: res.resource, namespace: res.namespace, name: o.metadata?.name, dryRun: opts.dryRun, body: o})
    if (res.resource === 'selfsubjectaccessreviews' || res.resource === 'localsubjectaccessreviews') {
      const a = o.spec.resourceAttributes as AccessAttributes
      return {...o, status: {allowed: this.allow(a, o.spec.user)}} as T
    }
    if (o.metadata?.generateName && !o.metadata.name) o.metadata.name = `${o.metadata.generateName}${(++this.uid).toString(36)}`
    if (this.objects.has(keyOf(res, res.namespace, o.metadata.name)))
      throw new ApiError('AlreadyExists', 409, `create ${res.resource}/${o.metadata.name}: ${res.resource} "${o.metadata.name}" already exists`, {reason: 'AlreadyExists'})
    // the API server records who wrote an object (the client sends fieldManager=kubectl-kd); seeded objects have no such entry
    o.metadata.managedFields = [{manager: FIELD_MANAGER, operation: 'Update'}]
    return (opts.dryRun ? {...o, metadata: {...o.metadata, uid: 'dry-run-uid'}} : this.store(res, o)) as T
  }

  async apply<T>(res: Resource, obj: AnyObject, opts: {dryRun?: boolean} = {}): Promise<T> {
    const o = structuredClone(obj)
    this.record({verb: 'apply', resource: res.resource, namespace: res.namespace, name: o.metadata.name, dryRun: opts.dryRun, body: o})
    const old = this.objects.get(keyOf(res, res.namespace, o.metadata.name))
    // a resourceVersion in an apply is a precondition, as on the API server
    if (o.metadata.resourceVersion !== undefined && o.metadata.resourceVersion !== old?.metadata.resourceVersion)
      throw new ApiError('Conflict', 409, `apply ${res.resource}/${o.metadata.name}: the object has been modified; please apply your changes to the latest version and try again`, {reason: 'Conflict'})
    // server-side apply as one field manager that owns every field it sends: the sent fields replace
    const merged = old ? {...old, ...o, metadata: {...old.metadata, ...o.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp}} : o
    if (opts.dryRun) return structuredClone(merged) as T
    return this.store(res, merged, old ? 'MODIFIED' : 'ADDED') as T
  }

  async patch<T>(res: Resource, name: string, type: string, body: unknown, opts: {dryRun?: boolean; subresource?: string} = {}): Promise<T> {
    this.record({verb: 'patch', resource: opts.subresource ? `${res.resource}/${opts.subresource}` : res.resource, namespace: res.namespace, name, dryRun: opts.dryRun, body})
    const old = this.objects.get(keyOf(res, res.namespace, name))
    if (!old) throw notFound(res, name)
    // a resourceVersion in the patch is a precondition, as on the API server
    const wanted = (body as AnyObject)?.metadata?.resourceVersion
    if (wanted !== undefined && wanted !== old.metadata.resourceVersion)
      throw new ApiError('Conflict', 409, `patch ${res.resource}/${name}: the object has been modified; please apply your changes to the latest version and try again`, {reason: 'Conflict'})
    const patched = type === 'strategic' ? strategicMerge(old, body as AnyObject) : mergePatch(old, body as AnyObject)
    if (opts.dryRun) return structuredClone(patched) as T
    return this.store(res, patched, 'MODIFIED') as T
  }

  async delete(res: Resource, name: string, opts: {dryRun?: boolean; uid?: string; propagationPolicy?: string} = {}): Promise<void> {
    this.record({verb: 'delete', resource: res.resource, namespace: res.namespace, name, dryRun: opts.dryRun, ...(opts.propagationPolicy ? {propagationPolicy: opts.propagationPolicy} : {})})
    const key = keyOf(res, res.namespace, name)
    const o = this.objects.get(key)
    if (!o) throw notFound(res, name)
    if (opts.uid && o.metadata.uid !== opts.uid)
      throw new ApiError('Conflict', 409, `delete ${res.resource}/${name}: Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${o.metadata.uid}`)
    if (!opts.dryRun) this.remove(key)
  }

  async deleteCollection(res: Resource, opts: {labelSelector: string}): Promise<void> {
    this.record({verb: 'deletecollection', resource: res.resource, namespace: res.namespace})
    for (const [k, o] of [...this.objects.entries()]) if (this.inCollection(k, res) && matchesLabels(o, opts.labelSelector)) this.remove(k)
  }

  watch<T>(res: Resource, opts: {labelSelector?: string; fieldSelector?: string; signal?: AbortSignal}, onEvent: (type: WatchEventType, obj: T) => void): Promise<'gone' | 'ended'> {
    try {
      this.record({verb: 'watch', resource: res.resource, namespace: res.namespace})
    } catch (err) {
      return Promise.reject(err)
    }
    if (opts.signal?.aborted) return Promise.resolve('ended')
    return new Promise((resolve) => {
      const listener: Listener = (type, obj, r) => {
        if (r.apiVersion !== res.apiVersion || r.resource !== res.resource || (res.namespace && r.namespace !== res.namespace)) return
        if (matchesLabels(obj, opts.labelSelector) && matchesFields(obj, opts.fieldSelector)) onEvent(type, structuredClone(obj) as T)
      }
      this.listeners.add(listener)
      opts.signal?.addEventListener('abort', () => {
        this.listeners.delete(listener)
        resolve('ended')
      }, {once: true})
    })
  }

  async text(path: string): Promise<string> {
    this.record({verb: 'text', resource: path, namespace: ''})
    const t = this.texts.get(path)
    if (t === undefined) throw new ApiError('NotFound', 404, `GET ${path}: not found`)
    return t
  }

  async stream(path: string, _o: unknown, onChunk: (c: Uint8Array) => void): Promise<void> {
    onChunk(Buffer.from(await this.text(path)))
  }

  async exec(req: ExecRequest): Promise<ExecResult> {
    this.record({verb: 'exec', resource: 'pods/exec', namespace: req.namespace, name: req.pod, body: req.command})
    return this.execHandler(req)
  }

  /** answers portForward: the test plays the pod's side of the connection */
  portForwardHandler: (req: PortForwardRequest, local: Duplex) => Promise<void> = async (req) => {
    throw new ApiError('NotFound', 404, `pods "${req.pod}" not found`)
  }

  async portForward(req: PortForwardRequest, local: Duplex): Promise<void> {
    this.record({verb: 'portforward', resource: 'pods/portforward', namespace: req.namespace, name: req.pod, body: req.port})
    return this.portForwardHandler(req, local)
  }

  close(): void {}

  private record(r: RecordedRequest): void {
    this.requests.push(r)
    const failure = this.fail(r)
    if (failure) throw failure
  }

  private inCollection(key: string, res: Resource): boolean {
    const [apiVersion, resource, ns] = key.split('|')
    return apiVersion === res.apiVersion && resource === res.resource && (!res.namespace || ns === res.namespace)
  }

  private store(res: Resource, o: AnyObject, type: WatchEventType = 'ADDED'): AnyObject {
    o.metadata = {...o.metadata, namespace: res.namespace || o.metadata?.namespace, resourceVersion: String(++this.rv)}
    o.metadata.uid ??= `uid-${++this.uid}`
    o.metadata.creationTimestamp ??= '2026-01-01T00:00:00Z'
    this.objects.set(keyOf(res, res.namespace || o.metadata.namespace || '', o.metadata.name), o)
    this.emit(type, o, res)
    return structuredClone(o)
  }

  /** Deletes an object and, as the garbage collector does, everything it owns. */
  private remove(key: string): void {
    const o = this.objects.get(key)
    if (!o) return
    this.objects.delete(key)
    const [apiVersion, resource, namespace] = key.split('|') as [string, string, string]
    this.emit('DELETED', o, {apiVersion, resource, namespace})
    if (!this.collectGarbage) return
    for (const [k, d] of [...this.objects.entries()]) if (d.metadata.ownerReferences?.some((r: {uid: string}) => r.uid === o.metadata.uid)) this.remove(k)
  }

  private emit(type: WatchEventType, o: AnyObject, res: Resource): void {
    for (const l of this.listeners) l(type, o, res)
  }
}

function notFound(res: Resource, name: string): ApiError {
  return new ApiError('NotFound', 404, `get ${res.resource}/${name}: ${res.resource} "${name}" not found`, {reason: 'NotFound'})
}

/** kubectl's equality-based selectors: a=b, a!=b, a, !a (comma = and). */
export function matchesLabels(o: AnyObject, selector?: string): boolean {
  if (!selector) return true
  const labels: Record<string, string> = o.metadata?.labels ?? {}
  return selector.split(',').every((term) => {
    const t = term.trim()
    if (t.startsWith('!')) return !Object.hasOwn(labels, t.slice(1))
    const ne = t.indexOf('!=')
    if (ne > 0) return labels[t.slice(0, ne)] !== t.slice(ne + 2)
    const eq = t.indexOf('=')
    if (eq > 0) return labels[t.slice(0, eq)] === t.slice(eq + 1).replace(/^=/, '')
    return Object.hasOwn(labels, t)
  })
}

function matchesFields(o: AnyObject, selector?: string): boolean {
  if (!selector) return true
  return selector.split(',').every((term) => {
    const [path, value] = term.split('=') as [string, string]
    const actual = path.split('.').reduce<any>((v, k) => v?.[k], o)
    return String(actual) === value
  })
}

/** RFC 7386 JSON merge patch (null removes). */
function mergePatch(target: AnyObject, patch: AnyObject): AnyObject {
  const out: AnyObject = {...target}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null && !Array.isArray(out[k])) out[k] = mergePatch(out[k], v as AnyObject)
    else out[k] = structuredClone(v)
  }
  return out
}

/** Strategic merge as far as the agent uses it: status.conditions merge by type. */
function strategicMerge(target: AnyObject, patch: AnyObject): AnyObject {
  const conditions = patch.status?.conditions as AnyObject[] | undefined
  if (!conditions) return mergePatch(target, patch)
  const merged = [...(target.status?.conditions ?? [])].filter((c: AnyObject) => !conditions.some((n) => n.type === c.type))
  return mergePatch(target, {...patch, status: {...patch.status, conditions: [...merged, ...conditions]}})
}
