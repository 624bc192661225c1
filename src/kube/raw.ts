// Plain REST calls on any API path with the kubeconfig's credentials: lists and reads of any kind
// without the generated clients' discovery round-trips, and the stream under watches and logs.
import type {Kube, KubeReads} from './connection.ts'

export interface RawRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  signal?: AbortSignal
  /** names the call in -v logs and errors (default: method and path) */
  what?: string
}

/** Raw response: the caller reads the body (JSON or a stream). Non-2xx throws {code, body} for translateApiError. */
export async function rawFetch(kube: Kube, path: string, req: RawRequest = {}): Promise<Response> {
  // in the esbuild bundle a lazily imported CommonJS module has only a default export
  const undici = await import('undici')
  const fetch = undici.fetch ?? (undici as unknown as {default: typeof undici}).default.fetch
  const url = new URL(kube.server.replace(/\/$/, '') + path)
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
  const method = req.method ?? 'GET'
  const ctx = new kube.k8s.RequestContext(url.toString(), method as never)
  await kube.kc.applySecurityAuthentication(ctx)
  const headers: Record<string, string> = {...ctx.getHeaders(), accept: 'application/json'}
  if (req.body !== undefined) headers['content-type'] = req.contentType ?? 'application/json'
  const response = await fetch(url, {
    method,
    headers,
    body: req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body),
    dispatcher: ctx.getDispatcher() as never,
    signal: req.signal,
  })
  if (!response.ok) {
    const body = await response.text()
    throw Object.assign(new Error(`HTTP ${response.status} ${method} ${path}`), {code: response.status, body})
  }
  return response as unknown as Response
}

export async function rawJson<T>(kube: KubeReads, path: string, req: RawRequest = {}): Promise<T> {
  return kube.call(req.what ?? `${req.method ?? 'GET'} ${path}`, async () => JSON.parse(await kube.text(path, req)) as T)
}

/** API path of a namespaced collection: ('v1','pods','ns') → /api/v1/namespaces/ns/pods; namespace '' = all namespaces. */
export function collectionPath(apiVersion: string, resource: string, namespace: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`
  return namespace ? `${base}/namespaces/${namespace}/${resource}` : `${base}/${resource}`
}

export interface ObjectList<T> {
  metadata: {resourceVersion?: string; continue?: string}
  items: T[]
}
