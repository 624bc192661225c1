// One TCP connection to a pod's port through the API server (pods/portforward over WebSocket,
// v4.channel.k8s.io: channel 0 carries data, channel 1 the server's error text; each channel's first
// frame starts with the port number, 2 bytes). One WebSocket per local connection, as kubectl does one
// stream pair per connection. Speaks the protocol itself (no client-node); http-client.ts gives it the
// URL, TLS context and credentials.
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'
import WebSocket from 'ws'
import type {PortForwardRequest} from './client.ts'
import type {WebSocketTarget} from './exec.ts'

const DATA = 0
const ERROR = 1

/** Carries `local` to the pod's port until either side ends; rejects with the API's or the kubelet's reason. */
export async function forwardOverWebSocket(open: (path: string, query: Array<[string, string]>) => Promise<WebSocketTarget>, req: PortForwardRequest, local: Duplex): Promise<void> {
  const what = `port-forward to ${req.pod}:${req.port}`
  const target = await open(`/api/v1/namespaces/${encodeURIComponent(req.namespace)}/pods/${encodeURIComponent(req.pod)}/portforward`, [['ports', String(req.port)]])
  local.pause()
  return new Promise<void>((resolve, reject) => {
    let settled = false
    let errorText = ''
    const portPrefix = [true, true]
    const ws = new WebSocket(target.url, ['v4.channel.k8s.io'], {...target.options, perMessageDeflate: false})
    const finish = (err?: Error) => {
      if (settled) return
      settled = true
      if (err) local.destroy()
      else local.end()
      // a local side that is gone (the listener closed it) has no one to wait for: drop the stream at once
      if (local.destroyed) ws.terminate()
      else if (ws.readyState <= 1) ws.close()
      if (err) reject(err)
      else resolve()
    }
    // noticed before the stream opens too: a connection closed during the handshake must not leave it open
    local.once('close', () => finish())
    ws.on('open', () => {
      local.on('data', (chunk: Buffer) => ws.send(Buffer.concat([Buffer.of(DATA), chunk])))
      local.on('end', () => finish())
      local.on('error', () => finish())
      local.resume()
    })
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) return
      const channel = data[0]!
      if (channel !== DATA && channel !== ERROR) return
      let body = data.subarray(1)
      if (portPrefix[channel]) {
        portPrefix[channel] = false
        body = body.subarray(2)
      }
      if (channel === DATA) {
        if (body.length) local.write(body)
      } else errorText += body.toString('utf8')
    })
    ws.on('unexpected-response', (_req: unknown, res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').trim()
        let message = text
        try {
          message = (JSON.parse(text) as {message?: string}).message ?? text
        } catch {}
        finish(new Error(`${what}: HTTP ${res.statusCode}: ${message}`))
      })
    })
    ws.on('close', () => finish(errorText ? new Error(`${what}: ${errorText.trim()}`) : undefined))
    ws.on('error', (e: Error) => finish(new Error(`${what}: ${e.message}`)))
  })
}
