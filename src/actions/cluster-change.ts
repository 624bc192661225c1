// Orchestrates create/apply: plan every cluster (all checks, no writes), then apply each plan.
// `--dry-run=client` needs no cluster at all when the apps are built in.
import type {DryRun} from '../kube/apply.ts'
import type {ConnectionOptions, Kube} from '../kube/connection.ts'
import {applyPlan, parseMembers, parseRoleAssignments, planClusters, supportObjects, type AppliedObject, type ClusterPlan} from './create.ts'
import type {ServiceType} from '../cluster/model.ts'

export interface ClusterChangeRequest {
  conn: ConnectionOptions
  app?: string
  name?: string
  files?: string[]
  members: string[]
  memory?: string[]
  cpu?: string[]
  images: string[]
  packages: string[]
  serviceType?: string
  agentImage?: string
  dryRun: DryRun
  allowExisting: boolean
}

export interface ClusterChange {
  plans: ClusterPlan[]
  applied: AppliedObject[][]
  kube?: Kube
}

export async function changeClusters(req: ClusterChangeRequest): Promise<ClusterChange> {
  const overrides = {
    members: parseMembers(req.members),
    memory: parseRoleAssignments(req.memory ?? [], 'memory'),
    cpu: parseRoleAssignments(req.cpu ?? [], 'cpu'),
    images: parseRoleAssignments(req.images, 'image'),
    packages: parseRoleAssignments(req.packages, 'package'),
    serviceType: req.serviceType as ServiceType | undefined,
    agentImage: req.agentImage,
  }
  // --dry-run=client never needs a cluster: the kubeconfig only supplies the namespace, and apps stored in
  // a namespace are looked up only when one answers
  let kube: Kube | undefined
  const {hasKubeconfig} = await import('../kube/kubeconfig-present.ts')
  if (req.dryRun !== 'client' || hasKubeconfig(req.conn.kubeconfig)) {
    const {connect} = await import('../kube/connection.ts')
    kube = req.dryRun === 'client' ? await connect(req.conn).catch(() => undefined) : await connect(req.conn)
  }
  const namespace = kube?.namespace ?? req.conn.namespace ?? 'default'
  const plans = await planClusters({...overrides, conn: req.conn, app: req.app, name: req.name, files: req.files, dryRun: req.dryRun}, kube, namespace)
  if (req.dryRun === 'client') {
    for (const p of plans) p.objects.splice(1, 0, ...supportObjects(p))
    return {plans, applied: [], kube}
  }
  const applied: AppliedObject[][] = []
  for (const plan of plans) applied.push(await applyPlan(kube!, plan, {allowExisting: req.allowExisting, dryRun: req.dryRun}))
  return {plans, applied, kube}
}
