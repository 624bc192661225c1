// A lean API client for the in-cluster agent: HTTPS requests, watch streams and the target of WebSocket
// upgrades (exec.ts opens those with `ws`) with the ServiceAccount's token and CA (or a kubeconfig's
// certificate/token, to run the agent from a workstation), on node:https only. It must never import
// @kubernetes/client-node: its generated models cost the agent ~50 MiB of RSS (DESIGN.md §4, agent RSS
// ≤ 64 MiB). The plugin uses connection.ts, whose reads come here when the kubeconfig is simple.
import {readFileSync} from 'node:fs'
import {Agent, request as httpsRequest} from 'node:https'
import {createSecureContext, type SecureContext} from 'node:tls'
import type {IncomingMessage} from 'node:http'
import {join} from 'node:path'
import {useExtraCaCerts} from './extra-ca.ts'

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined> | Array<[string, string]>
  body?: unknown
  contentType?: string
  signal?: AbortSignal
  /** fail when no answer (headers) arrives within this long; default 30 s */
  timeoutMs?: number
}

/** A non-2xx answer: code is the HTTP status, body the API's Status (parsed when JSON). */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly code: number,
    readonly body: {message?: string; reason?: string; code?: number} | string,
    what: string,
  ) {
    super(`${what}: HTTP ${code}${typeof body === 'object' && body.message ? `: ${body.message}` : ''}`)
  }
}

export interface Transport {
  server: string
  namespace: string
  /** raw response (2xx only); the caller reads or destroys the body */
  request(method: string, path: string, opts?: RequestOptions): Promise<IncomingMessage>
  /** request + JSON body */
  json<T>(method: string, path: string, opts?: RequestOptions): Promise<T>
  /** URL (wss://) and TLS options and headers to open a WebSocket on an API path (exec.ts: `ws` is loaded only there) */
  webSocketTarget(path: string, query: Array<[string, string]>): {url: string; options: {secureContext: SecureContext; rejectUnauthorized?: boolean; headers: Record<string, string>}}
  close(): void
}

export interface Credentials {
  server: string
  namespace: string
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
  /** bearer token (re-read for in-cluster: the kubelet rotates it) */
  token?: () => string | undefined
  insecureSkipTLSVerify?: boolean
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** The pod's ServiceAccount (token re-read at most once a minute) and the API server from the environment. */
export function inClusterCredentials(namespace?: string, dir = SA_DIR, env = process.env): Credentials {
  const host = env.KUBERNETES_SERVICE_HOST
  const port = env.KUBERNETES_SERVICE_PORT ?? '443'
  if (!host) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST is not set')
  let token = ''
  let readAt = 0
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    namespace: namespace || readFileSync(join(dir, 'namespace'), 'utf8').trim(),
    ca: readFileSync(join(dir, 'ca.crt')),
    token: () => {
      if (Date.now() - readAt > 60_000) {
        token = readFileSync(join(dir, 'token'), 'utf8').trim()
        readAt = Date.now()
      }
      return token
    },
  }
}

export function createTransport(c: Credentials): Transport {
  // one TLS context for every connection: passing ca/cert/key per connection parses them and builds a new
  // OpenSSL context each time (at 100 concurrent execs: ~1 MiB and a few ms of CPU each)
  // (rejectUnauthorized only when skipping: left out, Node honours NODE_TLS_REJECT_UNAUTHORIZED, as client-node does)
  if (!c.ca) useExtraCaCerts()
  const tls = {secureContext: createSecureContext({ca: c.ca, cert: c.cert, key: c.key}), ...(c.insecureSkipTLSVerify ? {rejectUnauthorized: false} : {})}
  const agent = new Agent({...tls, keepAlive: true, maxFreeSockets: 4})
  const server = c.server.replace(/\/$/, '')
  const url = (path: string, query: RequestOptions['query']) => {
    const u = new URL(server + path)
    for (const [k, v] of Array.isArray(query) ? query : Object.entries(query ?? {})) if (v !== undefined) u.searchParams.append(k, String(v))
    return u
  }
  const headers = (extra: Record<string, string> = {}) => {
    const token = c.token?.()
    return {...extra, ...(token ? {authorization: `Bearer ${token}`} : {})}
  }

  const request = (method: string, path: string, opts: RequestOptions = {}) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
      const what = `${method} ${path}`
      const req = httpsRequest(
        url(path, opts.query),
        {method, agent, headers: headers({accept: 'application/json', ...(body !== undefined ? {'content-type': opts.contentType ?? 'application/json'} : {})}), signal: opts.signal},
        (res) => {
          clearTimeout(timer)
          const code = res.statusCode ?? 0
          if (code >= 200 && code < 300) return resolve(res)
          readBody(res).then((text) => {
            let parsed: ApiError['body'] = text
            try {
              parsed = JSON.parse(text) as ApiError['body']
            } catch {}
            reject(new ApiError(code, parsed, what))
          }, reject)
        },
      )
      const timer = setTimeout(() => req.destroy(new Error(`${what}: no answer within ${(opts.timeoutMs ?? 30_000) / 1000}s`)), opts.timeoutMs ?? 30_000)
      req.on('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
      req.end(body)
    })

  return {
    server,
    namespace: c.namespace,
    request,
    json: async <T>(method: string, path: string, opts?: RequestOptions) => JSON.parse(await readBody(await request(method, path, opts))) as T,
    webSocketTarget: (path, query) => ({url: url(path, query).toString().replace(/^http/, 'ws'), options: {...tls, headers: headers()}}),
    close: () => agent.destroy(),
  }
}

export function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (d: Buffer) => chunks.push(d))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}
