// Container logs over the pods/log subresource: the tail of a log as text, or a followed stream
// written chunk by chunk (ends when the container ends, or when `signal` aborts).
import {R, resourcePath, type KubeClient} from './client.ts'

export interface LogOptions {
  namespace: string
  pod: string
  container?: string
  tailLines?: number
  follow?: boolean
  signal?: AbortSignal
}

const query = (o: LogOptions) => ({container: o.container, tailLines: o.tailLines, follow: o.follow ? 'true' : undefined})
const logPath = (o: LogOptions) => resourcePath(R.pods(o.namespace), o.pod, 'log')

export function readLogs(kube: KubeClient, o: LogOptions): Promise<string> {
  return kube.text(logPath(o), {query: query({...o, follow: false}), signal: o.signal, what: `logs pod/${o.pod}`})
}

/** Streams the log to `write` until the container stops (follow) or the log ends. */
export function streamLogs(kube: KubeClient, o: LogOptions, write: (chunk: Uint8Array) => void): Promise<void> {
  return kube.stream(logPath(o), {query: query(o), signal: o.signal, what: `logs pod/${o.pod}`}, write)
}
