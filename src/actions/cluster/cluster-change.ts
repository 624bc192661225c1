// create/apply: plan every cluster (all checks, no writes), then apply each plan. `--dry-run=client`
// needs no cluster at all when the apps are built in (kube undefined).
import type {ServiceType} from '../../cluster/model.ts'
import {parseMembers, parseRoleAssignments} from '../../cluster/overrides.ts'
import type {DryRun, KubeClient, KubeObject} from '../../kube/client.ts'
import type {MemberRestart} from '../../cluster/member-restarts.ts'
import type {AppliedObject, ClusterChange} from '../../cluster/cluster-change.ts'
import {applyPlan, renderHash, rootToWrite} from './cluster-apply.ts'
import {planClusters, supportObjects} from './cluster-plan.ts'
import {signRoot} from '../../cluster/spec-signature.ts'

export interface ClusterChangeRequest {
  app?: string
  name?: string
  files?: string[]
  /** the namespace -n gave, if any */
  namespace?: string
  members: string[]
  memory?: string[]
  cpu?: string[]
  images: string[]
  packages: string[]
  serviceType?: string
  agentImage?: string
  dryRun: DryRun
  allowExisting: boolean
  /** `edit`: the root the change was made from (a cluster changed since is not written over) */
  basedOn?: KubeObject
  /** told before a cluster is written which of its members the change restarts */
  onRestarts?: (cluster: string, restarts: MemberRestart[]) => void
}

export async function changeClusters(kube: KubeClient | undefined, req: ClusterChangeRequest): Promise<ClusterChange> {
  const overrides = {
    members: parseMembers(req.members),
    memory: parseRoleAssignments(req.memory ?? [], 'memory'),
    cpu: parseRoleAssignments(req.cpu ?? [], 'cpu'),
    images: parseRoleAssignments(req.images, 'image'),
    packages: parseRoleAssignments(req.packages, 'package'),
    serviceType: req.serviceType as ServiceType | undefined,
    agentImage: req.agentImage,
  }
  const namespace = req.namespace ?? kube?.namespace ?? 'default'
  const plans = await planClusters({...overrides, app: req.app, name: req.name, files: req.files, namespace: req.namespace, dryRun: req.dryRun}, kube, namespace)
  if (req.dryRun === 'client') {
    // what create writes for a new cluster: the root first (as written, signed with the key Secret printed
    // with it), then the rest; nothing carries ownerReferences, since the root's uid exists only once it is
    // created (the agent adopts the member objects, which are exactly its render)
    for (const p of plans) {
      p.objects.splice(0, 1, signRoot(p.clusterKey, rootToWrite(p.objects[0]!, undefined, renderHash(p.objects))), ...supportObjects(p))
    }
    return {plans, applied: []}
  }
  if (!kube) throw new Error('changeClusters: a cluster is needed unless --dry-run=client')
  const applied: AppliedObject[][] = []
  for (const plan of plans) {
    const onRestarts = req.onRestarts && ((r: MemberRestart[]) => req.onRestarts!(plan.cluster.name, r))
    applied.push(await applyPlan(kube, plan, {allowExisting: req.allowExisting, dryRun: req.dryRun, onRestarts, basedOn: req.basedOn}))
  }
  return {plans, applied}
}
