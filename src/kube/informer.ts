// A small informer for the agent: list, then watch from the list's resourceVersion, keeping a cache and
// calling onChange only for real changes. Watches are re-opened from the last resourceVersion when they
// end (server timeout, API server restart, network error, with backoff on errors); only a 410 Gone
// (or an error answer to the list) forces a relist. Never polls: an idle cluster costs one open watch.
// Runs on transport.ts (no client-node): a watch is a chunked JSON-lines response.
import {ApiError, type Transport} from './transport.ts'

export interface Watched {
  metadata?: {name?: string; namespace?: string; resourceVersion?: string; uid?: string}
}

export interface InformerSpec {
  /** collection path, e.g. /api/v1/namespaces/ns/pods */
  path: string
  labelSelector?: string
  fieldSelector?: string
  /** server-side watch timeout (seconds); the watch is re-opened after it */
  timeoutSeconds?: number
}

export type ChangeType = 'SYNC' | 'ADDED' | 'MODIFIED' | 'DELETED'

export interface Informer<T> {
  /** current objects by name */
  readonly cache: ReadonlyMap<string, T>
  /** resolves after the first list */
  readonly synced: Promise<void>
  stop(): void
}

export interface InformerHooks<T> {
  onChange: (type: ChangeType, obj: T | undefined) => void
  onError?: (err: unknown, attempt: number) => void
}

interface ObjectList<T> {
  metadata: {resourceVersion?: string}
  items: T[]
}

const nameOf = (o: Watched) => o.metadata?.name ?? ''

/** a watch silent this long is presumed dead and re-opened (bookmarks arrive every minute) */
const IDLE_MS = 120_000

export function startInformer<T extends Watched>(api: Transport, spec: InformerSpec, hooks: InformerHooks<T>): Informer<T> {
  const cache = new Map<string, T>()
  const controller = new AbortController()
  const signal = controller.signal
  let markSynced: () => void = () => {}
  const synced = new Promise<void>((r) => (markSynced = r))
  const query = {labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector}

  const run = async () => {
    let rv: string | undefined
    let failures = 0
    while (!signal.aborted) {
      try {
        if (rv === undefined) {
          const list = await api.json<ObjectList<T>>('GET', spec.path, {query, signal})
          const fresh = new Map(list.items.map((o) => [nameOf(o), o]))
          cache.clear()
          for (const [k, o] of fresh) cache.set(k, o)
          rv = list.metadata.resourceVersion
          failures = 0
          markSynced()
          hooks.onChange('SYNC', undefined)
        }
        const outcome = await watchOnce<T>(api, spec.path, {...query, watch: true, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: spec.timeoutSeconds ?? 300}, signal, (type, obj) => {
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion
          failures = 0
          if (type === 'BOOKMARK') return
          const k = nameOf(obj)
          if (type === 'DELETED') {
            if (!cache.delete(k)) return
          } else {
            if (cache.get(k)?.metadata?.resourceVersion === obj.metadata?.resourceVersion) return
            cache.set(k, obj)
          }
          hooks.onChange(type as ChangeType, obj)
        })
        if (outcome === 'gone') rv = undefined
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof ApiError && err.code === 410) {
          rv = undefined
          continue
        }
        failures++
        hooks.onError?.(err, failures)
        // a failed list leaves rv undefined (relist); a failed watch re-watches from rv (410 then relists)
        await sleep(Math.min(200 * 2 ** Math.min(failures - 1, 6), 10_000), signal)
      }
    }
  }
  void run()
  return {cache, synced, stop: () => controller.abort()}
}

/**
 * One watch request: 'gone' on a 410 ERROR event, 'ended' when the server closed it; rejects on errors and
 * when nothing arrives for IDLE_MS (a half-open connection: the API server sends a bookmark every minute).
 */
function watchOnce<T>(
  api: Transport,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  signal: AbortSignal,
  onEvent: (type: string, obj: T) => void,
): Promise<'gone' | 'ended'> {
  const idleMs = Math.min(IDLE_MS, ((query.timeoutSeconds as number) + 30) * 1000)
  return new Promise((resolve, reject) => {
    api.request('GET', path, {query, signal}).then((res) => {
      let gone = false
      let rest = ''
      const idle = setTimeout(() => res.destroy(new Error(`watch ${path}: no data for ${idleMs / 1000}s`)), idleMs)
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        idle.refresh()
        const lines = (rest + chunk).split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) {
          if (!line.trim()) continue
          let ev: {type: string; object: T & {code?: number}}
          try {
            ev = JSON.parse(line) as typeof ev
          } catch {
            continue
          }
          if (ev.type === 'ERROR') {
            if (ev.object?.code === 410) gone = true
            continue
          }
          onEvent(ev.type, ev.object)
        }
      })
      const done = (err?: Error) => {
        clearTimeout(idle)
        if (gone) resolve('gone')
        else if (err && !signal.aborted) reject(err)
        else resolve('ended')
      }
      res.on('end', () => done())
      res.on('error', (e) => done(e))
      res.on('close', () => done(res.complete ? undefined : new Error(`watch ${path}: connection lost`)))
    }, reject)
  })
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, {once: true})
  })
}
