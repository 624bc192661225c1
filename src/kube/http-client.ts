// The KubeClient over node:https: JSON requests, watches (chunked JSON lines), log streams and exec
// (WebSocket, exec.ts). Credentials come from a kubeconfig, the pod's ServiceAccount or client-node's
// authenticators (connection.ts); this module never loads @kubernetes/client-node, so the agent's bundle
// and memory stay small. Timeouts as kubectl has them: TLS handshake 10 s, and --request-timeout.
// Only idempotent requests (reads, apply, patch, delete) are retried, and only once the server has
// answered at least once: a create is sent once, and its answer (AlreadyExists included) stands — but
// for a 429, which the server answers without handling the request.
import {Agent, request as httpsRequest} from 'node:https'
import {createSecureContext, type SecureContext} from 'node:tls'
import {STATUS_CODES, type IncomingMessage} from 'node:http'
import {ApiError, errorFromAnswer, errorFromNetwork, errorKind, isTransient, timeoutError} from './errors.ts'
import {resourcePath, type KubeClient, type Resource, type WatchEventType} from './client.ts'
import type {WebSocketTarget} from './exec.ts'
import {useExtraCaCerts} from './extra-ca.ts'

export const FIELD_MANAGER = 'kubectl-kd'

export interface Credentials {
  server: string
  namespace: string
  context: string
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
  insecureSkipTLSVerify?: boolean
  /** the Authorization header value, asked before every request (tokens rotate, exec plugins refresh) */
  authorization?: () => string | undefined | Promise<string | undefined>
}

export interface HttpClientOptions {
  /** --request-timeout: a whole JSON request (not watches or streams); 0 = none */
  requestTimeoutMs?: number
  /** TLS handshake timeout (kubectl: 10 s) */
  handshakeTimeoutMs?: number
  /** how long a passing outage is retried for idempotent requests */
  retryWindowMs?: number
  /** -v=6: one line per request, as kubectl's round tripper logs it (the caller decides where it goes) */
  debug?: (line: string) => void
}

type Query = Record<string, string | number | boolean | undefined> | Array<[string, string]>

interface SendOptions {
  query?: Query
  body?: unknown
  contentType?: string
  signal?: AbortSignal
  /** fail when the answer's headers have not arrived within this long (0: no limit) */
  headersTimeoutMs: number
  what: string
}

const IDEMPOTENT = new Set(['GET', 'PATCH', 'PUT', 'DELETE'])

export function httpClient(c: Credentials, opts: HttpClientOptions = {}): KubeClient {
  // one TLS context for every connection: building one per request parses the CA and keys each time
  if (!c.ca) useExtraCaCerts()
  const tls: {secureContext: SecureContext; rejectUnauthorized?: boolean} = {
    secureContext: createSecureContext({ca: c.ca, cert: c.cert, key: c.key}),
    // left out unless skipping, so Node honours NODE_TLS_REJECT_UNAUTHORIZED as kubectl users expect
    ...(c.insecureSkipTLSVerify ? {rejectUnauthorized: false} : {}),
  }
  // bulk commands keep up to 64 requests in flight (kube/bounded.ts): their connections stay open between
  // requests rather than closing past a few idle ones and opening again (a TLS handshake each, on both sides)
  const agent = new Agent({...tls, keepAlive: true, maxFreeSockets: 64})
  const server = c.server.replace(/\/$/, '')
  const handshakeMs = opts.handshakeTimeoutMs ?? 10_000
  const retryWindowMs = opts.retryWindowMs ?? 30_000
  let answered = false

  const url = (path: string, query: Query | undefined) => {
    const u = new URL(server + path)
    for (const [k, v] of Array.isArray(query) ? query : Object.entries(query ?? {})) if (v !== undefined) u.searchParams.append(k, String(v))
    return u
  }
  const headers = async (extra: Record<string, string>) => {
    const auth = await c.authorization?.()
    return {...extra, ...(auth ? {authorization: auth} : {})}
  }

  /** One request; resolves with a 2xx answer (body unread), rejects with an ApiError otherwise. */
  const send = async (method: string, path: string, o: SendOptions): Promise<IncomingMessage> => {
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
    let hdrs: Record<string, string>
    try {
      // Content-Length always with a body: Node frames a DELETE's body no other way, and unframed bytes
      // would be read by the server as the start of the next request on the kept-alive connection
      hdrs = await headers({
        accept: 'application/json',
        ...(body !== undefined ? {'content-type': o.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(body))} : {}),
      })
    } catch (err) {
      throw new ApiError('Unauthorized', 0, `getting credentials for ${server} failed: ${(err as Error).message?.split('\n')[0] || String(err)}`)
    }
    const target = url(path, o.query)
    const started = Date.now()
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(target, {method, agent, headers: hdrs, signal: o.signal}, (res) => {
        clearTimeout(timer)
        answered = true
        const code = res.statusCode ?? 0
        // kubectl -v=6: method, URL (never a header: credentials live there), status, time to the answer
        opts.debug?.(`${method} ${target.href} ${code} ${STATUS_CODES[code] ?? ''} in ${Date.now() - started} milliseconds`)
        if (code >= 200 && code < 300) return resolve(res)
        readBody(res).then((text) => reject(errorFromAnswer(code, text, o.what, server)), (e) => reject(errorFromNetwork(e, o.what, server)))
      })
      const timer = o.headersTimeoutMs > 0 ? setTimeout(() => req.destroy(timeoutError(`no answer from the API server within ${o.headersTimeoutMs / 1000}s`)), o.headersTimeoutMs) : undefined
      req.on('socket', (socket) => {
        // a server that accepts TCP but never completes TLS must not hang the command
        if (!(socket as {connecting?: boolean}).connecting) return
        const handshake = setTimeout(() => req.destroy(timeoutError(`TLS handshake with ${server} timed out after ${handshakeMs / 1000}s`)), handshakeMs)
        socket.once('secureConnect', () => clearTimeout(handshake))
        socket.once('close', () => clearTimeout(handshake))
      })
      req.on('error', (e) => {
        clearTimeout(timer)
        opts.debug?.(`${method} ${target.href} failed in ${Date.now() - started} milliseconds: ${e.message}`)
        if (o.signal?.aborted) reject(Object.assign(new Error('aborted'), {name: 'AbortError'}))
        else reject(errorFromNetwork(e, o.what, server))
      })
      req.end(body)
    })
  }

  /** send + read the whole body, retrying idempotent requests through a passing outage. */
  const call = async (method: string, path: string, o: Omit<SendOptions, 'headersTimeoutMs'>): Promise<string> => {
    const started = Date.now()
    const limit = opts.requestTimeoutMs ?? 0
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await send(method, path, {...o, headersTimeoutMs: limit > 0 ? Math.max(1, limit - (Date.now() - started)) : 60_000})
        return await readBody(res)
      } catch (err) {
        const delay = Math.min(250 * 2 ** attempt, 4000)
        // a 429 (priority and fairness turned it away) was not handled: even a create is sent again
        const again = (IDEMPOTENT.has(method) && answered && isTransient(err)) || errorKind(err) === 'TooManyRequests'
        const retry = again && !o.signal?.aborted && Date.now() - started + delay < retryWindowMs
        if (!retry) throw err
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }
  const json = async <T>(method: string, path: string, o: Omit<SendOptions, 'headersTimeoutMs'>): Promise<T> => JSON.parse(await call(method, path, o)) as T
  const name = (res: Resource, n?: string) => `${res.resource.replace(/s$/, '')}${n ? `/${n}` : 's'}`
  const dry = (d?: boolean) => (d ? {dryRun: 'All'} : {})

  const client: KubeClient = {
    namespace: c.namespace,
    context: c.context,
    server,
    get: (res, n, o = {}) => json('GET', resourcePath(res, n), {signal: o.signal, what: `get ${name(res, n)}`}),
    list: (res, o = {}) =>
      json('GET', resourcePath(res), {
        query: {labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: o.continue},
        signal: o.signal,
        what: `list ${name(res)}`,
      }),
    create: (res, obj, o = {}) =>
      json('POST', resourcePath(res), {body: obj, query: {fieldManager: FIELD_MANAGER, ...dry(o.dryRun)}, signal: o.signal, what: `create ${name(res, (obj as {metadata?: {name?: string}}).metadata?.name)}`}),
    apply: (res, obj, o = {}) =>
      json('PATCH', resourcePath(res, obj.metadata.name), {
        body: obj,
        contentType: 'application/apply-patch+yaml',
        query: {fieldManager: FIELD_MANAGER, force: true, ...dry(o.dryRun)},
        signal: o.signal,
        what: `apply ${name(res, obj.metadata.name)}`,
      }),
    patch: (res, n, type, body, o = {}) =>
      json('PATCH', resourcePath(res, n, o.subresource), {
        body,
        contentType: {merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json'}[type],
        query: {fieldManager: FIELD_MANAGER, ...dry(o.dryRun)},
        signal: o.signal,
        what: `patch ${name(res, n)}${o.subresource ? `/${o.subresource}` : ''}`,
      }),
    delete: async (res, n, o = {}) => {
      const body = {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        ...(o.propagationPolicy ? {propagationPolicy: o.propagationPolicy} : {}),
        ...(o.uid ? {preconditions: {uid: o.uid}} : {}),
        ...(o.gracePeriodSeconds !== undefined ? {gracePeriodSeconds: o.gracePeriodSeconds} : {}),
        ...(o.dryRun ? {dryRun: ['All']} : {}),
      }
      await call('DELETE', resourcePath(res, n), {body, signal: o.signal, what: `delete ${name(res, n)}`})
    },
    deleteCollection: async (res, o) => {
      await call('DELETE', resourcePath(res), {
        query: {labelSelector: o.labelSelector, propagationPolicy: o.propagationPolicy},
        signal: o.signal,
        what: `delete ${name(res)} -l ${o.labelSelector}`,
      })
    },
    watch: (res, o, onEvent) => watchStream(send, res, o, onEvent as (t: WatchEventType, obj: unknown) => void),
    text: (path, o = {}) => call('GET', path, {query: o.query, signal: o.signal, what: o.what ?? `GET ${path}`}),
    stream: async (path, o, onChunk) => {
      const res = await send('GET', path, {query: o.query, signal: o.signal, headersTimeoutMs: 60_000, what: o.what ?? `GET ${path}`})
      try {
        for await (const chunk of res) onChunk(chunk as Buffer)
      } catch (err) {
        if (!o.signal?.aborted) throw errorFromNetwork(err, o.what ?? `GET ${path}`, server)
      }
    },
    // `ws` is loaded by the commands that exec, not by every command
    exec: async (req) => (await import('./exec.ts')).execOverWebSocket(webSocketTarget, req),
    portForward: async (req, local) => (await import('./port-forward.ts')).forwardOverWebSocket(webSocketTarget, req, local),
    close: () => agent.destroy(),
  }

  const webSocketTarget = async (path: string, query: Array<[string, string]>): Promise<WebSocketTarget> => ({
    url: url(path, query).toString().replace(/^http/, 'ws'),
    options: {...tls, headers: await headers({}), handshakeTimeout: handshakeMs * 3},
  })
  return client
}

/** a watch silent this long is presumed dead (the API server sends a bookmark every minute) */
const WATCH_IDLE_MS = 120_000

function watchStream(
  send: (method: string, path: string, o: SendOptions) => Promise<IncomingMessage>,
  res: Resource,
  o: {labelSelector?: string; fieldSelector?: string; resourceVersion?: string; timeoutSeconds?: number; signal?: AbortSignal},
  onEvent: (type: WatchEventType, obj: unknown) => void,
): Promise<'gone' | 'ended'> {
  const timeoutSeconds = o.timeoutSeconds ?? 300
  const idleMs = Math.min(WATCH_IDLE_MS, (timeoutSeconds + 30) * 1000)
  const path = resourcePath(res)
  const query = {watch: true, allowWatchBookmarks: true, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, resourceVersion: o.resourceVersion, timeoutSeconds}
  return send('GET', path, {query, signal: o.signal, headersTimeoutMs: 60_000, what: `watch ${res.resource}`}).then(
    (answer) =>
      new Promise<'gone' | 'ended'>((resolve, reject) => {
        let gone = false
        let rest = ''
        const idle = setTimeout(() => answer.destroy(new Error(`watch ${path}: no data for ${idleMs / 1000}s`)), idleMs)
        answer.setEncoding('utf8')
        answer.on('data', (chunk: string) => {
          idle.refresh()
          const lines = (rest + chunk).split('\n')
          rest = lines.pop() ?? ''
          for (const line of lines) {
            if (!line.trim()) continue
            let ev: {type: string; object: {code?: number}}
            try {
              ev = JSON.parse(line) as typeof ev
            } catch {
              continue
            }
            if (ev.type === 'ERROR') {
              if (ev.object?.code === 410) gone = true
              continue
            }
            onEvent(ev.type as WatchEventType, ev.object)
          }
        })
        const done = (err?: Error) => {
          clearTimeout(idle)
          if (gone) resolve('gone')
          else if (err && !o.signal?.aborted) reject(err)
          else resolve('ended')
        }
        answer.on('end', () => done())
        answer.on('error', (e) => done(e))
        answer.on('close', () => done(answer.complete ? undefined : new Error(`watch ${path}: connection lost`)))
      }),
  )
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (d: Buffer) => chunks.push(d))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}
