// Container logs over the pods/log subresource: the tail of a log as text, or a followed stream
// written chunk by chunk (ends when the container ends, or when `signal` aborts).
import type {Kube, KubeReads} from './connection.ts'
import {rawFetch} from './raw.ts'

export interface LogOptions {
  namespace: string
  pod: string
  container?: string
  tailLines?: number
  follow?: boolean
  signal?: AbortSignal
}

const query = (o: LogOptions) => ({container: o.container, tailLines: o.tailLines, follow: o.follow ? 'true' : undefined})
const logPath = (o: LogOptions) => `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/log`

export async function readLogs(kube: KubeReads, o: LogOptions): Promise<string> {
  return kube.call(`logs pod/${o.pod}`, () => kube.text(logPath(o), {query: query({...o, follow: false}), signal: o.signal}))
}

/** Streams the log to `write` until the container stops (follow) or the log ends. */
export async function streamLogs(kube: Kube, o: LogOptions, write: (chunk: Uint8Array) => void): Promise<void> {
  const response = await kube.call(`logs pod/${o.pod}`, () => rawFetch(kube, logPath(o), {query: query(o), signal: o.signal}))
  if (!response.body) return
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) write(chunk)
  } catch (err) {
    if (!o.signal?.aborted) throw err
  }
}
