// Drives `get -w` and `status -w`: calls back after every change to a cluster's root ConfigMap or its
// member pods (watch events, never polling), at most every 200 ms.
import {clusterSelector} from './clusters.ts'
import type {Kube} from '../kube/connection.ts'
import {collectionPath} from '../kube/raw.ts'
import {syncCollection} from '../kube/watch.ts'

export async function watchClusters(kube: Kube, opts: {allNamespaces?: boolean; name?: string}, onChange: () => Promise<void>, signal?: AbortSignal): Promise<void> {
  const ns = opts.allNamespaces ? '' : kube.namespace
  const controller = new AbortController()
  signal?.addEventListener('abort', () => controller.abort(), {once: true})
  process.once('SIGINT', () => controller.abort())
  let pending: NodeJS.Timeout | undefined
  let initial = 2
  const schedule = (_: unknown, event: {type: string}) => {
    if (event.type === 'LIST' && initial-- > 0) return
    if (pending) return
    pending = setTimeout(() => {
      pending = undefined
      void onChange()
    }, 200)
  }
  const selector = clusterSelector(opts.name)
  await Promise.all([
    syncCollection(kube, {path: collectionPath('v1', 'configmaps', ns), labelSelector: selector}, schedule, controller.signal),
    syncCollection(kube, {path: collectionPath('v1', 'pods', ns), labelSelector: selector}, schedule, controller.signal),
  ])
}
