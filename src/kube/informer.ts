// A small informer for the agent: list, then watch from the list's resourceVersion, keeping a cache and
// calling onChange only for real changes. Watches are re-opened from the last resourceVersion when they
// end (server timeout, API server restart, network error, with backoff on errors); only a 410 Gone
// (or an error answer to the list) forces a relist. Never polls: an idle cluster costs one open watch.
import type {Kube} from './connection.ts'
import {rawJson, type ObjectList} from './raw.ts'
import {sleep, type Watched} from './watch.ts'

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

const nameOf = (o: Watched) => o.metadata?.name ?? ''

export function startInformer<T extends Watched>(kube: Kube, spec: InformerSpec, hooks: InformerHooks<T>): Informer<T> {
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
          const list = await rawJson<ObjectList<T>>(kube, spec.path, {query, signal})
          const fresh = new Map(list.items.map((o) => [nameOf(o), o]))
          const changed = fresh.size !== cache.size || [...fresh].some(([k, o]) => cache.get(k)?.metadata?.resourceVersion !== o.metadata?.resourceVersion)
          cache.clear()
          for (const [k, o] of fresh) cache.set(k, o)
          rv = list.metadata.resourceVersion
          markSynced()
          if (changed || failures === 0) hooks.onChange('SYNC', undefined)
        }
        const outcome = await watchOnce<T>(kube, spec.path, {...query, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: spec.timeoutSeconds ?? 300}, signal, (type, obj) => {
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

/** One watch request: 'gone' on 410, 'ended' when the server closed it; rejects on errors. */
function watchOnce<T>(
  kube: Kube,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  signal: AbortSignal,
  onEvent: (type: string, obj: T) => void,
): Promise<'gone' | 'ended'> {
  const watch = new kube.k8s.Watch(kube.kc)
  // the client aborts a watch after this long without data; bookmarks arrive about once a minute
  ;(watch as unknown as {requestTimeoutMs: number}).requestTimeoutMs = ((query.timeoutSeconds as number) + 30) * 1000
  return new Promise((resolve, reject) => {
    let gone = false
    let request: AbortController | undefined
    const abort = () => request?.abort()
    signal.addEventListener('abort', abort, {once: true})
    watch
      .watch(
        path,
        query,
        (type, obj) => {
          if (type === 'ERROR') {
            if ((obj as {code?: number})?.code === 410) gone = true
            return
          }
          onEvent(type, obj as T)
        },
        (err) => {
          signal.removeEventListener('abort', abort)
          if (gone) resolve('gone')
          else if ((err as {statusCode?: number})?.statusCode === 410) resolve('gone')
          else if (err && !signal.aborted) reject(err)
          else resolve('ended')
        },
      )
      .then((c) => {
        request = c
        if (signal.aborted) c.abort()
      }, reject)
  })
}
