// The read-only commands' client (get, status, completion, behind connection.ts connectReads): one
// HTTP/1.1 request per TLS connection, on node:tls alone. node:https and its HTTP machinery cost about
// 5 ms of those commands' start-up, a tenth of `kubectl kd get`, and they need none of it: a read is one
// request and one whole answer (Connection: close), parsed once its length or last chunk has arrived.
// Streams, watches, WebSocket upgrades and the agent use transport.ts.
import {connect, createSecureContext} from 'node:tls'
import {useExtraCaCerts} from './extra-ca.ts'
import type {Credentials} from './transport.ts'

export interface Http1Request {
  method?: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  signal?: AbortSignal
  /** fail when the whole answer has not arrived within this long */
  timeoutMs: number
}

export interface Http1Client {
  server: string
  /** The body of a 2xx answer; otherwise throws an Error with {code, body} (body parsed when JSON). */
  text(path: string, req: Http1Request): Promise<string>
}

export interface Http1Response {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** Throws when the CA, certificate or key does not parse. */
export function http1Client(c: Credentials): Http1Client {
  if (!c.ca) useExtraCaCerts()
  const secureContext = createSecureContext({ca: c.ca, cert: c.cert, key: c.key})
  const server = new URL(c.server.replace(/\/$/, ''))
  const host = server.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(server.port || 443)
  // SNI carries names only; for an IP address the certificate's IP SANs are checked as Node does
  const servername = /^[\d.]+$|:/.test(host) ? undefined : host

  const text = (path: string, req: Http1Request) =>
    new Promise<string>((resolve, reject) => {
      const method = req.method ?? 'GET'
      const url = new URL(server.href.replace(/\/$/, '') + path)
      for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
      const body = req.body === undefined ? undefined : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body))
      const token = c.token?.()
      const request = [
        `${method} ${url.pathname}${url.search} HTTP/1.1`,
        `Host: ${server.host}`,
        'Accept: application/json',
        'Connection: close',
        ...(token ? [`Authorization: Bearer ${token}`] : []),
        ...(body ? [`Content-Type: ${req.contentType ?? 'application/json'}`, `Content-Length: ${body.length}`] : []),
      ]
      const socket = connect({host, port, servername, secureContext, ...(c.insecureSkipTLSVerify ? {rejectUnauthorized: false} : {})})
      const chunks: Buffer[] = []
      let received = 0
      let head: AnswerHead | undefined
      let tail = Buffer.alloc(0)
      let done = false
      const settle = (fn: () => void) => {
        if (done) return
        done = true
        clearTimeout(timer)
        req.signal?.removeEventListener('abort', onAbort)
        socket.destroy()
        fn()
      }
      const fail = (err: Error) => settle(() => reject(err))
      // settles with the answer; before the connection has closed (not `final`) an answer that does not
      // parse yet is left to wait for more: a chunk's data can look like the last chunk
      const answer = (final: boolean) => {
        if (done) return
        let res: Http1Response
        try {
          res = parseResponse(Buffer.concat(chunks))
        } catch (err) {
          if (final) fail(err as Error)
          return
        }
        const text = res.body.toString('utf8')
        if (res.status >= 200 && res.status < 300) return settle(() => resolve(text))
        let parsed: unknown = text
        try {
          parsed = JSON.parse(text)
        } catch {}
        fail(Object.assign(new Error(`HTTP ${res.status} ${method} ${path}`), {code: res.status, body: parsed}))
      }
      const onAbort = () => fail(Object.assign(new Error('This operation was aborted'), {name: 'AbortError'}))
      const timer = setTimeout(() => fail(new Error(`${method} ${path}: no answer within ${req.timeoutMs / 1000}s`)), req.timeoutMs)
      if (req.signal?.aborted) return onAbort()
      req.signal?.addEventListener('abort', onAbort, {once: true})
      socket.once('secureConnect', () => socket.write(Buffer.concat([Buffer.from(`${request.join('\r\n')}\r\n\r\n`), ...(body ? [body] : [])])))
      // the answer is complete when its length says so (a server or proxy may keep the connection open
      // despite Connection: close); without a length, when the connection closes
      socket.on('data', (d: Buffer) => {
        chunks.push(d)
        received += d.length
        tail = Buffer.concat([tail, d]).subarray(-5)
        head ??= answerHead(Buffer.concat(chunks))
        if (!head) return
        if (head.length !== undefined ? received - head.bodyStart >= head.length : head.chunked && tail.toString('latin1') === '0\r\n\r\n') answer(false)
      })
      socket.once('error', fail)
      socket.once('close', () => answer(true))
    })

  return {server: c.server.replace(/\/$/, ''), text}
}

interface AnswerHead {
  statusLine: string
  /** lower-case names */
  headers: Record<string, string>
  bodyStart: number
  /** the Content-Length (not for a chunked body) */
  length?: number
  chunked: boolean
}

/** The status line and headers, once they have all arrived; where the body starts and how its end is known. */
function answerHead(raw: Buffer): AnswerHead | undefined {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const chunked = /\bchunked\b/i.test(headers['transfer-encoding'] ?? '')
  const length = chunked || headers['content-length'] === undefined ? undefined : Number(headers['content-length'])
  return {statusLine, headers, bodyStart: end + 4, length, chunked}
}

/** A complete HTTP/1.1 response: status, headers (lower-case names), body. */
export function parseResponse(raw: Buffer): Http1Response {
  const head = answerHead(raw)
  if (!head) throw new Error(raw.length ? 'the connection closed in the middle of an answer' : 'the connection closed without an answer (socket hang up)')
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.statusLine)?.[1]
  if (!status) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify(head.statusLine.slice(0, 40))}`)
  let body = raw.subarray(head.bodyStart)
  if (head.chunked) body = dechunk(body)
  else if (head.length !== undefined) {
    if (!(head.length >= 0) || body.length < head.length) throw new Error('the connection closed in the middle of an answer')
    body = body.subarray(0, head.length)
  }
  return {status: Number(status), headers: head.headers, body}
}

/** The body of a chunked transfer (RFC 9112 §7.1), complete up to its last (empty) chunk. */
function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd < 0) throw new Error('the connection closed in the middle of an answer')
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16)
    if (Number.isNaN(size)) throw new Error('a malformed chunked answer')
    if (size === 0) return Buffer.concat(parts)
    const start = lineEnd + 2
    if (data.length < start + size + 2) throw new Error('the connection closed in the middle of an answer')
    parts.push(data.subarray(start, start + size))
    at = start + size + 2
  }
}
