// Drives `get -w` and `status -w`: calls back after every change to a cluster's root ConfigMap or its
// member pods (watch events, never polling), at most every 200 ms, until `signal` aborts.
import {clusterSelector} from './clusters.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {watchUntil} from '../../kube/informer.ts'

export async function watchClusters(kube: KubeClient, opts: {allNamespaces?: boolean; name?: string}, onChange: () => Promise<void>, signal: AbortSignal): Promise<void> {
  const ns = opts.allNamespaces ? '' : kube.namespace
  let pending: NodeJS.Timeout | undefined
  let first = true
  const selector = clusterSelector(opts.name)
  await watchUntil(
    kube,
    [
      {resource: R.configMaps(ns), labelSelector: selector},
      {resource: R.pods(ns), labelSelector: selector},
    ],
    () => {
      // the caller printed the state before watching: the first sync is not news
      if (first) return void (first = false)
      if (!pending)
        pending = setTimeout(() => {
          pending = undefined
          void onChange()
        }, 200)
      return undefined
    },
    {timeoutMs: 0, signal},
  )
  if (pending) clearTimeout(pending)
}
