// The part of the `ws` package (a dependency of @kubernetes/client-node, bundled into the agent) that
// src/kube/exec.ts uses; the package ships no types and @types/ws is not installed.
declare module 'ws' {
  import {EventEmitter} from 'node:events'
  export default class WebSocket extends EventEmitter {
    constructor(url: string, protocols: string[], options: Record<string, unknown>)
    static readonly OPEN: number
    readonly protocol: string
    readonly readyState: number
    send(data: Uint8Array | string, cb?: (err?: Error) => void): void
    close(code?: number, reason?: string): void
    ping(): void
    terminate(): void
  }
}
