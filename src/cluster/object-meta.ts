// Labels and ownerReferences every object of an app cluster carries (docs/architecture.md), built only from the
// shared naming contract in names.ts.
import type {OwnerReference} from '../kube-object.ts'
import type {ResolvedCluster} from './model.ts'
import {LABEL, MANAGED_BY, rootConfigMapName} from './names.ts'

/** cluster, app and managed-by labels; the user's metadata.labels go first so ours always win. */
export function clusterLabels(cluster: ResolvedCluster): Record<string, string> {
  return {...cluster.labels, [LABEL.cluster]: cluster.name, [LABEL.app]: cluster.app, [LABEL.managedBy]: MANAGED_BY}
}

export function roleLabels(cluster: ResolvedCluster, role: string): Record<string, string> {
  return {...clusterLabels(cluster), [LABEL.role]: role}
}

/** The ownerReference to the root ConfigMap, so deleting the root deletes the cluster; none before the root exists. */
export function ownedByRoot(cluster: ResolvedCluster, rootUid: string | undefined): {ownerReferences?: OwnerReference[]} {
  if (!rootUid) return {}
  return {
    ownerReferences: [
      {apiVersion: 'v1', kind: 'ConfigMap', name: rootConfigMapName(cluster.name), uid: rootUid, controller: true, blockOwnerDeletion: true},
    ],
  }
}
