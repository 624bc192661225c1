// The one list-watch loop, for the agent and for every `--wait`, `-w` and `--watch` of the CLI: list, then
// watch from the list's resourceVersion, keeping a cache and reporting only real changes. Watches are
// re-opened from the last resourceVersion when they end (server timeout, API server restart, network
// error, with backoff); only a 410 Gone forces a relist. Never polls: an idle cluster costs one open watch.
// Credentials that stop working (401/403) end the loop with that error: retrying cannot fix them.
import {UserError} from '../errors.ts'
import {ApiError} from './errors.ts'
import type {KubeClient, Resource} from './client.ts'

export interface Watched {
  metadata?: {name?: string; namespace?: string; resourceVersion?: string; uid?: string}
}

export interface InformerSpec {
  resource: Resource
  labelSelector?: string
  fieldSelector?: string
  /** server-side watch timeout (seconds); the watch is re-opened after it */
  timeoutSeconds?: number
}

export type ChangeType = 'SYNC' | 'ADDED' | 'MODIFIED' | 'DELETED'

export interface Informer<T> {
  /** current objects by namespace/name */
  readonly cache: ReadonlyMap<string, T>
  /** resolves after the first list */
  readonly synced: Promise<void>
  /** resolves when stopped; rejects when the credentials stopped working */
  readonly done: Promise<void>
  stop(): void
}

export interface InformerHooks<T> {
  onChange: (type: ChangeType, obj: T | undefined) => void
  onError?: (err: unknown, attempt: number) => void
  /** what the cache keeps of each object (the agent keeps only the fields it reads: 1000 pods stay small) */
  keep?: (obj: T) => T
}

export const keyOf = (o: Watched) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`

const fatal = (err: unknown) => err instanceof ApiError && (err.kind === 'Forbidden' || err.kind === 'Unauthorized')

export function startInformer<T extends Watched>(kube: KubeClient, spec: InformerSpec, hooks: InformerHooks<T>, parent?: AbortSignal): Informer<T> {
  const cache = new Map<string, T>()
  const controller = new AbortController()
  parent?.addEventListener('abort', () => controller.abort(), {once: true})
  const signal = controller.signal
  let markSynced: () => void = () => {}
  const synced = new Promise<void>((r) => (markSynced = r))
  const selectors = {labelSelector: spec.labelSelector, fieldSelector: spec.fieldSelector}
  const keep = hooks.keep ?? ((o: T) => o)

  const run = async () => {
    let rv: string | undefined
    let failures = 0
    while (!signal.aborted) {
      try {
        if (rv === undefined) {
          const list = await kube.list<T>(spec.resource, {...selectors, signal})
          cache.clear()
          for (const o of list.items) cache.set(keyOf(o), keep(o))
          rv = list.metadata.resourceVersion
          failures = 0
          markSynced()
          hooks.onChange('SYNC', undefined)
          if (signal.aborted) return
        }
        const outcome = await kube.watch<T>(spec.resource, {...selectors, resourceVersion: rv, timeoutSeconds: spec.timeoutSeconds ?? 300, signal}, (type, obj) => {
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion
          failures = 0
          if (type === 'BOOKMARK') return
          const k = keyOf(obj)
          if (type === 'DELETED') {
            if (!cache.delete(k)) return
            hooks.onChange(type, obj)
            return
          }
          // resourceVersions are opaque: equal means unchanged, anything else is news
          if (cache.get(k)?.metadata?.resourceVersion === obj.metadata?.resourceVersion) return
          const kept = keep(obj)
          cache.set(k, kept)
          hooks.onChange(type, kept)
        })
        if (outcome === 'gone') rv = undefined
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof ApiError && err.kind === 'Gone') {
          rv = undefined
          continue
        }
        if (fatal(err)) throw err
        failures++
        hooks.onError?.(err, failures)
        // a failed list leaves rv undefined (relist); a failed watch re-watches from rv (410 then relists)
        await sleep(Math.min(200 * 2 ** Math.min(failures - 1, 6), 10_000), signal)
      }
    }
  }
  const done = run()
  done.catch(() => controller.abort())
  return {cache, synced, done, stop: () => controller.abort()}
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, {once: true})
  })
}

/**
 * Watches collections until `done()` returns a value (not undefined), `signal` aborts (undefined), or the
 * deadline passes (UserError with `timeoutMessage`, else undefined). `done` runs after every change of any of them.
 */
export async function watchUntil<R>(
  kube: KubeClient,
  specs: InformerSpec[],
  done: (caches: ReadonlyMap<string, any>[]) => R | undefined,
  opts: {timeoutMs: number; timeoutMessage?: string; signal?: AbortSignal},
): Promise<R | undefined> {
  const controller = new AbortController()
  opts.signal?.addEventListener('abort', () => controller.abort(), {once: true})
  let result: R | undefined
  let timedOut = false
  const timer = opts.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort()), opts.timeoutMs) : undefined
  const informers: Informer<Watched>[] = []
  let synced = 0
  const check = (type: ChangeType) => {
    if (type === 'SYNC') synced++
    if (synced < specs.length || result !== undefined) return
    const r = done(informers.map((i) => i.cache))
    if (r !== undefined) {
      result = r
      controller.abort()
    }
  }
  try {
    for (const spec of specs) informers.push(startInformer<Watched>(kube, spec, {onChange: (type) => check(type)}, controller.signal))
    await Promise.all(informers.map((i) => i.done))
  } finally {
    if (timer) clearTimeout(timer)
    controller.abort()
  }
  if (result === undefined && timedOut && opts.timeoutMessage) throw new UserError(opts.timeoutMessage)
  return result
}
