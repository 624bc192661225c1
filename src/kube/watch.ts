// List-then-watch with a local cache: the basis of every `--wait`, `--watch` and `-w`. Watches end
// silently and relists re-send unchanged objects, so this re-watches from the last resourceVersion,
// relists on 410 Gone, and reports only real changes. No polling.
import type {Kube} from './connection.ts'
import {rawJson, type ObjectList} from './raw.ts'
import {UserError} from '../errors.ts'

export interface Watched {
  metadata?: {name?: string; namespace?: string; resourceVersion?: string; uid?: string}
}

export interface WatchSpec {
  /** collection path, e.g. /api/v1/namespaces/ns/pods */
  path: string
  labelSelector?: string
  fieldSelector?: string
}

export type Cache<T> = Map<string, T>

const keyOf = (o: Watched) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`

/**
 * Keeps `cache` in sync with the collection and calls `onChange` after the initial list and after every
 * change, until `signal` aborts. Errors other than 410 and dropped connections are retried with backoff.
 */
export async function syncCollection<T extends Watched>(
  kube: Kube,
  spec: WatchSpec,
  onChange: (cache: Cache<T>, event: {type: 'LIST' | 'ADDED' | 'MODIFIED' | 'DELETED'; object?: T}) => void,
  signal: AbortSignal,
): Promise<void> {
  const cache: Cache<T> = new Map()
  let resourceVersion: string | undefined
  let backoff = 200
  const query = {labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector}
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const list = await rawJson<ObjectList<T>>(kube, spec.path, {query, signal})
        cache.clear()
        for (const item of list.items) cache.set(keyOf(item), item)
        resourceVersion = list.metadata.resourceVersion
        onChange(cache, {type: 'LIST'})
      }
      const gone = await watchOnce<T>(kube, spec.path, {...query, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 240}, signal, (type, obj) => {
        if (obj.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion
        if (type === 'BOOKMARK') return
        const key = keyOf(obj)
        const old = cache.get(key)
        if (type === 'DELETED') cache.delete(key)
        else {
          if (old?.metadata?.resourceVersion === obj.metadata?.resourceVersion) return
          cache.set(key, obj)
        }
        onChange(cache, {type: type as 'ADDED' | 'MODIFIED' | 'DELETED', object: obj})
      })
      if (gone) resourceVersion = undefined
      backoff = 200
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof UserError && /forbidden|rejected the credentials/.test(err.message)) throw err
      await sleep(backoff, signal)
      backoff = Math.min(backoff * 2, 5000)
      resourceVersion = undefined
    }
  }
}

/** One watch request; resolves true when the server says the resourceVersion is too old (410 Gone). */
async function watchOnce<T>(
  kube: Kube,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  signal: AbortSignal,
  onEvent: (type: string, obj: T) => void,
): Promise<boolean> {
  const watch = new kube.k8s.Watch(kube.kc)
  return new Promise<boolean>((resolve, reject) => {
    let gone = false
    let controller: AbortController | undefined
    const abort = () => controller?.abort()
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
          if (err && !signal.aborted && !gone) reject(err)
          else resolve(gone)
        },
      )
      .then((c) => {
        controller = c
        if (signal.aborted) c.abort()
      }, reject)
  })
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }, {once: true})
  })
}

/**
 * Watches until `done(cache)` returns a value (not undefined), or the deadline passes (UserError with
 * `timeoutMessage`). `onProgress` sees every change (for progress views).
 */
export async function waitUntil<T extends Watched, R>(
  kube: Kube,
  spec: WatchSpec,
  done: (cache: Cache<T>) => R | undefined,
  opts: {timeoutMs: number; timeoutMessage: string; onProgress?: (cache: Cache<T>) => void},
): Promise<R> {
  const controller = new AbortController()
  let result: R | undefined
  const timer = opts.timeoutMs > 0 ? setTimeout(() => controller.abort(), opts.timeoutMs) : undefined
  try {
    await syncCollection<T>(kube, spec, (cache) => {
      opts.onProgress?.(cache)
      const r = done(cache)
      if (r !== undefined) {
        result = r
        controller.abort()
      }
    }, controller.signal)
  } finally {
    if (timer) clearTimeout(timer)
  }
  if (result === undefined) throw new UserError(opts.timeoutMessage)
  return result
}
