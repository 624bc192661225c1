// What create/apply/edit do to app clusters, as data: each cluster's plan (its app, spec, rendered
// objects and stored options) and what was written for it. Made by actions/cluster/cluster-plan.ts and
// actions/cluster/cluster-apply.ts, printed by output/cluster-change.ts.
import type {App} from '../app/model.ts'
import type {KubeObject} from '../kube-object.ts'
import type {ResolvedCluster} from './model.ts'

export interface ClusterPlan {
  app: App
  cluster: ResolvedCluster
  namespace: string
  /** root ConfigMap first, then the rest, without ownerReferences */
  objects: KubeObject[]
  /** local package directories to pack, by ConfigMap name */
  packages: Record<string, string>
  /** what a later scale must render with again */
  options: StoredOptions
  /** the cluster's key: its spec is signed and its secretKeys sealed with it (its key Secret is written with the cluster) */
  clusterKey: Buffer
}

export interface StoredOptions {
  agentImage?: string
}

export interface AppliedObject {
  kind: string
  name: string
  action: 'created' | 'configured' | 'unchanged'
}

export interface ClusterChange {
  plans: ClusterPlan[]
  /** per plan, what was written (empty for a client dry run) */
  applied: AppliedObject[][]
}
