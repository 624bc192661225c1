// `kubectl kd scale`: changes a role's member count within its cardinality. The stored app and
// cluster are re-rendered with the new count and only the root, StatefulSets and member Services are
// applied (what `edit` rights allow); the agent then runs addnodes/delnodes.
import type {App} from '../app/model.ts'
import {cardinalityIsOpen, cardinalityMinimum, cardinalityText} from '../app/model.ts'
import {MAX_TOTAL_MEMBERS, type ResolvedCluster} from '../cluster/model.ts'
import {LABEL} from '../cluster/names.ts'
import {UserError} from '../errors.ts'
import type {KubeClient} from '../kube/client.ts'
import {readCluster} from './clusters.ts'
import {applyPlan} from './cluster-apply.ts'
import {OPTIONS_KEY, renderPlanObjects, type StoredOptions} from './cluster-plan.ts'

function checkScale(app: App, cluster: ResolvedCluster, role: string, members: number): ResolvedCluster {
  const appRole = app.roles.find((r) => r.id === role)
  if (!appRole) throw new UserError(`--role ${role}: app ${app.id} has no role "${role}" (roles: ${app.roles.map((r) => r.id).join(', ')})`)
  const min = cardinalityMinimum(appRole.cardinality)
  if (cardinalityIsOpen(appRole.cardinality) ? members < min : members !== min)
    throw new UserError(
      `cannot scale role "${role}" of cluster ${cluster.name} to ${members}: its cardinality is ${appRole.cardinality} (${cardinalityText(appRole.cardinality)})`,
    )
  const current = cluster.roles.find((r) => r.id === role)
  if (!current) throw new UserError(`role "${role}" is not part of cluster ${cluster.name} (it was not selected when the cluster was created)`)
  const roles = cluster.roles.map((r) => (r.id === role ? {...r, members} : r))
  const total = roles.reduce((n, r) => n + r.members, 0)
  if (total > MAX_TOTAL_MEMBERS) throw new UserError(`cannot scale to ${total} members in total: at most ${MAX_TOTAL_MEMBERS} per cluster`)
  return {...cluster, roles}
}

export interface ScaleOptions {
  name: string
  role: string
  members: number
  dryRun: 'none' | 'server'
}

export interface ScaleResult {
  from: number
  to: number
  unchanged: boolean
  /** the cluster's roles with members, after the change */
  roles: string[]
}

export async function scaleCluster(kube: KubeClient, o: ScaleOptions): Promise<ScaleResult> {
  const stored = await readCluster(kube, o.name)
  const from = stored.cluster.roles.find((r) => r.id === o.role)?.members ?? 0
  const cluster = checkScale(stored.app, stored.cluster, o.role, o.members)
  const roles = cluster.roles.filter((r) => r.members > 0).map((r) => r.id)
  if (from === o.members) return {from, to: o.members, unchanged: true, roles}
  const options = JSON.parse(stored.root.data?.[OPTIONS_KEY] ?? '{}') as StoredOptions
  const objects = renderPlanObjects(stored.app, cluster, kube.namespace, options)
  const members = (obj: {kind: string; metadata: {labels?: Record<string, string>}}) =>
    (obj.kind === 'StatefulSet' || obj.kind === 'Service') && !!obj.metadata.labels?.[LABEL.role]
  await applyPlan(kube, {app: stored.app, cluster, namespace: kube.namespace, objects, packages: {}, options}, {allowExisting: true, dryRun: o.dryRun, only: members})
  return {from, to: o.members, unchanged: false, roles}
}
