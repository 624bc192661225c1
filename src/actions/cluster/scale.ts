// `kubectl kd scale`: changes a role's member count within its cardinality. Only the root is written (its
// spec re-signed with the cluster's key, what `edit` rights allow); the agent brings the StatefulSet and
// member Services to it and runs addnodes/delnodes.
import type {App} from '../../app/model.ts'
import {cardinalityIsOpen, cardinalityMinimum, cardinalityText} from '../../app/model.ts'
import {MAX_TOTAL_MEMBERS, type ResolvedCluster} from '../../cluster/model.ts'
import {keysSecretName, rootConfigMapName} from '../../cluster/names.ts'
import {OPTIONS_KEY, rootSignatureProblem, signRoot} from '../../cluster/spec-signature.ts'
import {applyObject, checkAccess} from '../../kube/apply.ts'
import {isConflict} from '../../kube/errors.ts'
import {UserError} from '../../errors.ts'
import {suggestions} from '../../did-you-mean.ts'
import type {KubeClient, KubeObject} from '../../kube/client.ts'
import {readCluster} from './clusters.ts'
import {renderHash, rootToWrite} from './cluster-apply.ts'
import {readClusterKey, renderPlanObjects} from './cluster-plan.ts'
import type {StoredOptions} from '../../cluster/cluster-change.ts'

/** The roles of a cluster whose member count can change (open cardinality, N+). */
export function scalableRoles(app: App, cluster: ResolvedCluster): string[] {
  return cluster.roles.filter((r) => cardinalityIsOpen(app.roles.find((a) => a.id === r.id)?.cardinality ?? '')).map((r) => r.id)
}

/**
 * The role to scale: the one named (as the user typed it); else the cluster's one role whose count can
 * change, or, of several, the one that has members (shelldemo's worker beside an empty edge).
 */
export function roleToScale(app: App, cluster: ResolvedCluster, role: string | undefined): string {
  const roles = app.roles.map((r) => r.id)
  if (role === undefined) {
    const scalable = scalableRoles(app, cluster)
    if (scalable.length === 1) return scalable[0]!
    const withMembers = scalable.filter((id) => (cluster.roles.find((r) => r.id === id)?.members ?? 0) > 0)
    if (withMembers.length === 1) return withMembers[0]!
    if (scalable.length === 0) throw new UserError(`cluster "${cluster.name}" has no role whose members can be scaled (every role's cardinality is fixed)`)
    throw new UserError(`cluster "${cluster.name}" has ${scalable.length} roles that can be scaled (${scalable.join(', ')}): name one with --role ROLE, or give ROLE=N`)
  }
  if (!roles.includes(role)) {
    const [close] = suggestions(role, roles)
    throw new UserError(`cluster "${cluster.name}" has no role "${role}"${close ? `; did you mean "${close}"?` : ''} (roles: ${roles.join(', ')})`)
  }
  return role
}

function checkScale(app: App, cluster: ResolvedCluster, role: string, members: number): ResolvedCluster {
  const appRole = app.roles.find((r) => r.id === role)!
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
  /** as the user typed it; undefined: the cluster's one scalable role */
  role?: string
  members: number
  /** client: every check, nothing written */
  dryRun: 'none' | 'client' | 'server'
}

export interface ScaleResult {
  /** the role scaled */
  role: string
  from: number
  to: number
  unchanged: boolean
  /** the cluster's roles with members, after the change */
  roles: string[]
}

export async function scaleCluster(kube: KubeClient, o: ScaleOptions): Promise<ScaleResult> {
  const rootName = rootConfigMapName(o.name)
  // read, change one role's count, write with the root's resourceVersion as a precondition: a scale of
  // another role, an apply or an edit that lands meanwhile is read again, never written over
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await readCluster(kube, o.name)
    const role = roleToScale(stored.app, stored.cluster, o.role)
    const from = stored.cluster.roles.find((r) => r.id === role)?.members ?? 0
    const cluster = checkScale(stored.app, stored.cluster, role, o.members)
    const roles = cluster.roles.filter((r) => r.members > 0).map((r) => r.id)
    const result = {role, from, to: o.members, unchanged: from === o.members, roles}
    if (result.unchanged || o.dryRun === 'client') return result
    if (attempt === 0) await checkAccess(kube, [{verb: 'patch', resource: 'configmaps', name: rootName}, {verb: 'get', resource: 'secrets', name: keysSecretName(o.name)}], kube.namespace, 'nothing was changed')
    const key = await readClusterKey(kube, kube.namespace, o.name)
    const problem = rootSignatureProblem(key, stored.root)
    if (problem)
      throw new UserError(`cluster "${o.name}" is not scaled: configmap/${rootName}: ${problem}; check its spec (kubectl kd get cluster ${o.name} -o yaml) and apply the one you want with kubectl kd apply -f`)
    const options = JSON.parse(stored.root.data?.[OPTIONS_KEY] ?? '{}') as StoredOptions
    const objects = renderPlanObjects(stored.app, cluster, kube.namespace, options)
    const root = signRoot(key!, rootToWrite(objects[0]!, stored.root as KubeObject, renderHash(objects)))
    root.metadata = {...root.metadata, resourceVersion: stored.root.metadata?.resourceVersion}
    try {
      await applyObject(kube, root, {dryRun: o.dryRun === 'server'})
      return result
    } catch (err) {
      if (!isConflict(err)) throw err
    }
  }
  throw new UserError(`cluster "${o.name}" kept changing while it was being scaled (5 tries); nothing was written: run the command again`)
}
