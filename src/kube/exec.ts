// Runs a command in a container over pods/exec (WebSocket, v5.channel.k8s.io so stdin EOF reaches the
// process). The exit code comes from the exec status, never from the socket closing; a connection lost
// before the status arrives is an error (the remote process may still run: callers use status files).
import {Readable, Writable} from 'node:stream'
import type {Kube} from './connection.ts'

export interface ExecRequest {
  namespace: string
  pod: string
  container: string
  command: string[]
  stdin?: Uint8Array
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

export class ExecError extends Error {
  override name = 'ExecError'
}

function tailSink(max: number) {
  let chunks: Buffer[] = []
  let size = 0
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk)
      size += chunk.length
      while (size > max && chunks.length > 1) size -= chunks.shift()!.length
      cb()
    },
  })
  return {stream, text: () => {
    const all = Buffer.concat(chunks)
    chunks = [all]
    return all.subarray(Math.max(0, all.length - max)).toString('utf8')
  }}
}

export async function execInPod(kube: Kube, req: ExecRequest): Promise<ExecResult> {
  const max = req.maxOutputBytes ?? 64 * 1024
  const out = tailSink(max)
  const err = tailSink(max)
  const stdin = req.stdin ? Readable.from([Buffer.from(req.stdin)]) : null
  const exec = new kube.k8s.Exec(kube.kc)
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      fn()
    }
    exec
      .exec(req.namespace, req.pod, req.container, req.command, out.stream, err.stream, stdin, false, (status) => {
        finish(() => {
          if (status?.status === 'Success') return resolve({code: 0, stdout: out.text(), stderr: err.text()})
          const cause = status?.details?.causes?.find((c) => c.reason === 'ExitCode')
          if (cause?.message !== undefined) return resolve({code: Number.parseInt(cause.message, 10), stdout: out.text(), stderr: err.text()})
          reject(new ExecError(`exec in ${req.pod}: ${status?.message ?? 'failed'}`))
        })
      })
      .then(
        (ws) => {
          if (req.timeoutMs) {
            timer = setTimeout(() => finish(() => {
              ws.close()
              reject(new ExecError(`exec in ${req.pod}: no result within ${req.timeoutMs} ms`))
            }), req.timeoutMs)
          }
          ws.on('close', () => setImmediate(() => finish(() => reject(new ExecError(`exec in ${req.pod}: connection closed before the command finished`)))))
          ws.on('error', (e: Error) => finish(() => reject(new ExecError(`exec in ${req.pod}: ${e.message}`))))
        },
        (e: Error) => finish(() => reject(new ExecError(`exec in ${req.pod}: ${e.message?.split('\n')[0]}`))),
      )
  })
}
