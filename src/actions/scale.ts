// `kubectl kd scale`: changes a role's member count within its cardinality. The stored app and
// cluster are re-rendered with the new count and applied; the agent then runs addnodes/delnodes.
import type {App} from '../app/model.ts'
import {cardinalityIsOpen, cardinalityMinimum} from '../app/model.ts'
import {MAX_TOTAL_MEMBERS, type ResolvedCluster} from '../cluster/model.ts'
import {UserError} from '../errors.ts'
import type {DryRun} from '../kube/apply.ts'
import type {Kube} from '../kube/connection.ts'
import {readCluster} from './clusters.ts'
import {OPTIONS_KEY, applyPlan, renderPlanObjects, type StoredOptions} from './create.ts'

export function checkScale(app: App, cluster: ResolvedCluster, role: string, members: number): ResolvedCluster {
  const appRole = app.roles.find((r) => r.id === role)
  if (!appRole) throw new UserError(`--role ${role}: app ${app.id} has no role "${role}" (roles: ${app.roles.map((r) => r.id).join(', ')})`)
  const min = cardinalityMinimum(appRole.cardinality)
  if (cardinalityIsOpen(appRole.cardinality) ? members < min : members !== min)
    throw new UserError(
      `cannot scale role "${role}" of cluster ${cluster.name} to ${members}: its cardinality is ${appRole.cardinality} (${cardinalityIsOpen(appRole.cardinality) ? `at least ${min}` : `exactly ${min}`} members)`,
    )
  const current = cluster.roles.find((r) => r.id === role)
  if (!current) throw new UserError(`role "${role}" is not part of cluster ${cluster.name} (it was not selected when the cluster was created)`)
  const roles = cluster.roles.map((r) => (r.id === role ? {...r, members} : r))
  const total = roles.reduce((n, r) => n + r.members, 0)
  if (total > MAX_TOTAL_MEMBERS) throw new UserError(`cannot scale to ${total} members in total: at most ${MAX_TOTAL_MEMBERS} per cluster`)
  return {...cluster, roles}
}

export async function scaleCluster(kube: Kube, name: string, role: string, members: number, dryRun: DryRun): Promise<{from: number; to: number; unchanged: boolean}> {
  const stored = await readCluster(kube, name)
  const from = stored.cluster.roles.find((r) => r.id === role)?.members ?? 0
  const cluster = checkScale(stored.app, stored.cluster, role, members)
  if (from === members) return {from, to: members, unchanged: true}
  const options = JSON.parse(stored.root.data?.[OPTIONS_KEY] ?? '{}') as StoredOptions
  const objects = renderPlanObjects(stored.app, cluster, kube.namespace, options)
  await applyPlan(kube, {app: stored.app, cluster, namespace: kube.namespace, objects, packages: {}}, {allowExisting: true, dryRun})
  return {from, to: members, unchanged: false}
}
