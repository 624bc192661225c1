// Runs a command in a container over pods/exec (WebSocket, v5.channel.k8s.io so stdin EOF reaches the
// process; v4 as a fallback). The exit code comes from the exec status (channel 3), never from the socket
// closing; a connection lost before the status arrives is an error (the remote process may still run:
// callers use status files). Speaks the channel protocol itself (no client-node); http-client.ts gives it
// the URL, TLS context and credentials.
import type {IncomingMessage} from 'node:http'
import type {SecureContext} from 'node:tls'
import WebSocket from 'ws'
import type {ExecRequest, ExecResult} from './client.ts'

/** Where and how to open a WebSocket on an API path. */
export interface WebSocketTarget {
  url: string
  options: {secureContext: SecureContext; rejectUnauthorized?: boolean; headers: Record<string, string>; handshakeTimeout: number}
}

export class ExecError extends Error {
  override name = 'ExecError'
  constructor(
    message: string,
    /** the request's timeoutMs passed without a result */
    readonly timedOut = false,
  ) {
    super(message)
  }
}

const STDIN = 0
const STDOUT = 1
const STDERR = 2
const STATUS = 3
const CLOSE = 255
const CHUNK = 64 * 1024
/** a WebSocket ping this often; no pong by the next one means a dead connection (an error, so retried) */
const PING_MS = 20_000
/** after the status arrives, output still in flight gets this long to arrive before the socket closes */
const DRAIN_MS = 1_000

/** Keeps the last `max` bytes written. */
export function tailBuffer(max: number) {
  let chunks: Buffer[] = []
  let size = 0
  return {
    write(chunk: Buffer) {
      chunks.push(chunk)
      size += chunk.length
      while (size - chunks[0]!.length >= max && chunks.length > 1) size -= chunks.shift()!.length
    },
    text() {
      const all = Buffer.concat(chunks)
      chunks = [all]
      return all.subarray(Math.max(0, all.length - max)).toString('utf8')
    },
  }
}

interface ExecStatus {
  status?: string
  message?: string
  details?: {causes?: Array<{reason?: string; message?: string}>}
}

/** The exit code an exec status reports, or undefined when it reports no exit (an API-side failure). */
export function exitCodeOf(status: ExecStatus): number | undefined {
  if (status.status === 'Success') return 0
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode')
  return cause?.message !== undefined ? Number.parseInt(cause.message, 10) : undefined
}

export async function execOverWebSocket(open: (path: string, query: Array<[string, string]>) => Promise<WebSocketTarget>, req: ExecRequest): Promise<ExecResult> {
  const max = req.maxOutputBytes ?? 64 * 1024
  const out = tailBuffer(max)
  const err = tailBuffer(max)
  const query: Array<[string, string]> = [
    ...req.command.map((c): [string, string] => ['command', c]),
    ['container', req.container],
    ['stdout', 'true'],
    ['stderr', 'true'],
    ...(req.stdin || req.holdStdin ? [['stdin', 'true'] as [string, string]] : []),
  ]
  const path = `/api/v1/namespaces/${req.namespace}/pods/${req.pod}/exec`
  let target: WebSocketTarget
  try {
    target = await open(path, query)
  } catch (e) {
    throw new ExecError(`exec in ${req.pod}: ${(e as Error).message}`)
  }
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    let ping: NodeJS.Timeout | undefined
    let result: ExecResult | undefined
    let ws: WebSocket
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      if (ping) clearInterval(ping)
      fn()
      if (ws.readyState <= 1) ws.close()
    }
    try {
      ws = new WebSocket(target.url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {...target.options, perMessageDeflate: false})
    } catch (e) {
      return reject(new ExecError(`exec in ${req.pod}: ${(e as Error).message}`))
    }
    if (req.timeoutMs) timer = setTimeout(() => finish(() => reject(new ExecError(`exec in ${req.pod}: no result within ${req.timeoutMs} ms`, true))), req.timeoutMs)
    ws.on('open', () => {
      let alive = true
      ws.on('pong', () => (alive = true))
      ping = setInterval(() => {
        if (!alive) return finish(() => reject(new ExecError(`exec in ${req.pod}: no answer to a WebSocket ping within ${PING_MS / 1000}s`)))
        alive = false
        ws.ping()
      }, PING_MS)
      const data = Buffer.from(req.stdin ?? [])
      for (let i = 0; i < data.length; i += CHUNK) ws.send(Buffer.concat([Buffer.of(STDIN), data.subarray(i, i + CHUNK)]))
      // v5: tell the server stdin is done, so `tar -x -f -` sees EOF
      if (req.stdin && !req.holdStdin && ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.of(CLOSE, STDIN))
    })
    ws.on('message', (data: Buffer) => {
      if (!data.length) return
      const channel = data[0]
      if (channel === STDOUT) out.write(data.subarray(1))
      else if (channel === STDERR) err.write(data.subarray(1))
      else if (channel === STATUS) {
        let status: ExecStatus
        try {
          status = JSON.parse(data.subarray(1).toString('utf8')) as ExecStatus
        } catch {
          status = {message: data.subarray(1).toString('utf8')}
        }
        const code = exitCodeOf(status)
        if (code === undefined) return finish(() => reject(new ExecError(`exec in ${req.pod}: ${status.message ?? 'failed'}`)))
        // the server closes the socket right after the status: resolve then, with every byte of output
        result = {code, stdout: '', stderr: ''}
        if (timer) clearTimeout(timer)
        timer = setTimeout(() => finish(() => resolve({code, stdout: out.text(), stderr: err.text()})), DRAIN_MS)
      }
    })
    // a refused upgrade (RBAC, no such pod/container): the API's Status message says why
    ws.on('unexpected-response', (_req: unknown, res: IncomingMessage) => {
      void readAll(res).then((text) => {
        let message = text.trim()
        try {
          message = (JSON.parse(text) as {message?: string}).message ?? message
        } catch {}
        finish(() => reject(new ExecError(`exec in ${req.pod}: HTTP ${res.statusCode}: ${message}`)))
      }, () => finish(() => reject(new ExecError(`exec in ${req.pod}: HTTP ${res.statusCode}`))))
    })
    ws.on('close', () =>
      finish(() =>
        result ? resolve({code: result.code, stdout: out.text(), stderr: err.text()}) : reject(new ExecError(`exec in ${req.pod}: connection closed before the command finished`)),
      ),
    )
    ws.on('error', (e: Error) => finish(() => reject(new ExecError(`exec in ${req.pod}: ${e.message}`))))
  })
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (d: Buffer) => chunks.push(d))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}
