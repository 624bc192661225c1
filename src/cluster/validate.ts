// KubeDirector's kdcluster rules checked against the app, plus the Kubernetes name limits of everything
// render() will create: turns a ClusterSpec into a ResolvedCluster (members defaulted from the
// cardinality, resources defaulted, every app role present) or throws one UserError naming the field.
import {fieldError} from '../app/field-reader.ts'
import type {App, AppRole} from '../app/model.ts'
import {cardinalityIsOpen, cardinalityMinimum, cardinalityText} from '../app/model.ts'
import {agentName, memberPodName, roleObjectName, roleStatefulSetName, rootConfigMapName} from './names.ts'
import type {ClusterRoleSpec, ClusterSpec, ResolvedCluster, ResolvedRole, Resources, RoleSecret} from './model.ts'
import {belowFloor, DEFAULT_RESOURCES, MAX_TOTAL_MEMBERS, MIN_MEMBER_LIMITS} from './model.ts'
import {compareQuantities, maxQuantity, parseQuantity} from './quantity.ts'

/** A KubeDirectorCluster's metadata.name is a DNS subdomain; it is also a label value here: at most 63 characters. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/
/** A StatefulSet's pods carry a `controller-revision-hash` label of NAME-HASH (≤ 63): keep NAME ≤ 52. */
const MAX_STATEFULSET_NAME = 52

export function resolveCluster(app: App, spec: ClusterSpec, source: string): ResolvedCluster {
  if (spec.app !== app.id) throw fieldError(source, 'spec.app', `is ${JSON.stringify(spec.app)} but the app given is ${app.id}`)
  checkClusterName(spec.name, source)
  const roleIds = app.roles.map((r) => r.id)

  const seen = new Set<string>()
  for (const r of spec.roles) {
    const at = `${r.at.path}.${r.at.idKey}`
    if (!roleIds.includes(r.id))
      throw fieldError(source, at, `unknown role ${JSON.stringify(r.id)} in app ${app.id}; valid roles: ${roleIds.join(', ')}`)
    if (seen.has(r.id)) throw fieldError(source, at, `duplicate role ${JSON.stringify(r.id)} (each role may appear once)`)
    seen.add(r.id)
  }
  for (const role of app.roles) {
    if (app.defaultConfig.selectedRoles.includes(role.id) && cardinalityMinimum(role.cardinality) > 0 && !seen.has(role.id))
      throw fieldError(source, 'spec.roles', `role ${JSON.stringify(role.id)} of app ${app.id} needs at least ${cardinalityMinimum(role.cardinality)} member(s) (cardinality ${role.cardinality}) but is missing`)
  }

  const roles: ResolvedRole[] = []
  for (const appRole of app.roles) {
    const given = spec.roles.find((r) => r.id === appRole.id)
    if (!given && !app.defaultConfig.selectedRoles.includes(appRole.id)) continue
    roles.push(resolveRole(app, appRole, given, source, spec.defaultSecret))
  }
  const total = roles.reduce((n, r) => n + r.members, 0)
  if (total > MAX_TOTAL_MEMBERS)
    throw fieldError(source, 'spec.roles', `${total} members in total is above the maximum ${MAX_TOTAL_MEMBERS} per cluster`)
  for (const r of roles) checkRoleNames(spec.name, r, source)
  checkRoleObjectNames(app, source)
  if (spec.connections?.clusters.includes(spec.name))
    throw fieldError(source, `spec.connections.clusters[${spec.connections.clusters.indexOf(spec.name)}]`, `cluster ${JSON.stringify(spec.name)} cannot connect to itself`)

  return {
    name: spec.name,
    ...(spec.namespace ? {namespace: spec.namespace} : {}),
    app: app.id,
    ...(spec.serviceType ? {serviceType: spec.serviceType} : {}),
    roles,
    labels: spec.labels ?? {},
    ...(spec.scriptTimeoutSeconds !== undefined ? {scriptTimeoutSeconds: spec.scriptTimeoutSeconds} : {}),
    ...(spec.connections ? {connections: spec.connections} : {}),
    ...(spec.defaultSecret ? {defaultSecret: spec.defaultSecret} : {}),
    ...(spec.namingScheme ? {namingScheme: spec.namingScheme} : {}),
    ...(spec.overrides ? {overrides: spec.overrides} : {}),
  }
}

function resolveRole(app: App, appRole: AppRole, given: ClusterRoleSpec | undefined, source: string, defaultSecret?: RoleSecret): ResolvedRole {
  const min = cardinalityMinimum(appRole.cardinality)
  const members = given ? (given.members ?? min) : 0
  if (given) {
    const at = `${given.at.path}.${given.at.membersKey}`
    const of = `of role ${JSON.stringify(appRole.id)} (app ${app.id})`
    if (cardinalityIsOpen(appRole.cardinality) && members < min)
      throw fieldError(source, at, `${members} is below the cardinality ${appRole.cardinality} ${of}`)
    if (!cardinalityIsOpen(appRole.cardinality) && members !== min)
      throw fieldError(source, at, `${members} does not match the cardinality ${appRole.cardinality} ${of}: use ${cardinalityText(appRole.cardinality)}`)
  }
  const resources = resolveResources(app, appRole, given, source)
  const role: ResolvedRole = {
    id: appRole.id,
    members,
    resources,
    env: given?.env ?? [],
    podLabels: given?.podLabels ?? {},
    podAnnotations: given?.podAnnotations ?? {},
    serviceLabels: given?.serviceLabels ?? {},
    serviceAnnotations: given?.serviceAnnotations ?? {},
    ...(given?.nodeSelector ? {nodeSelector: given.nodeSelector} : {}),
    ...(given?.tolerations ? {tolerations: given.tolerations} : {}),
    ...(given?.affinity ? {affinity: given.affinity} : {}),
    ...(given?.serviceAccountName ? {serviceAccountName: given.serviceAccountName} : {}),
    ...(given?.sharedMemory ? {sharedMemory: given.sharedMemory} : {}),
    // KubeDirector copies defaultSecret into the roles that name no Secret
    ...(given?.secret ? {secret: given.secret} : defaultSecret ? {secret: defaultSecret} : {}),
    ...(given?.volumeProjections ? {volumeProjections: given.volumeProjections} : {}),
    ...(given?.fileInjections ? {fileInjections: given.fileInjections} : {}),
    ...(given?.secretKeys ? {secretKeys: given.secretKeys} : {}),
    ...(given?.blockStorage ? {blockStorage: given.blockStorage} : {}),
  }
  if (given?.storage) {
    const at = `${given.at.path}.storage.size`
    if (!(parseQuantity(given.storage.size) > 0)) throw fieldError(source, at, `${given.storage.size} must be greater than zero`)
    if (appRole.minStorage && compareQuantities(given.storage.size, appRole.minStorage.size) < 0)
      throw fieldError(source, at, `${given.storage.size} is below the minimum ${appRole.minStorage.size} of role ${JSON.stringify(appRole.id)} (app ${app.id})`)
    role.storage = given.storage
  } else if (given && members > 0 && appRole.minStorage && !appRole.minStorage.ephemeralModeSupported) {
    throw fieldError(source, `${given.at.path}.storage`, `is required: role ${JSON.stringify(appRole.id)} (app ${app.id}) needs persistent storage of at least ${appRole.minStorage.size}`)
  }
  return role
}

/** The user's resources (requests default to limits, as Kubernetes does), or DEFAULT_RESOURCES raised to minResources. */
function resolveResources(app: App, appRole: AppRole, given: ClusterRoleSpec | undefined, source: string): Resources {
  const path = given ? `${given.at.path}.resources` : ''
  const userGave = given?.resources && (given.resources.limits || given.resources.requests)
  let resources: Resources
  if (userGave) {
    const limits = {...(given!.resources!.limits ?? {})}
    for (const key of ['cpu', 'memory'])
      if (own(limits, key) === undefined) throw fieldError(source, `${path}.limits.${key}`, `is required (every role needs limits.cpu and limits.memory)`)
    const requests = {...limits, ...(given!.resources!.requests ?? {})}
    for (const [key, request] of Object.entries(requests)) {
      const limit = own(limits, key)
      if (limit !== undefined && compareQuantities(request, limit) > 0)
        throw fieldError(source, `${path}.requests.${key}`, `${request} is above the limit ${limit}`)
    }
    for (const key of ['cpu', 'memory'] as const)
      if (compareQuantities(own(limits, key)!, MIN_MEMBER_LIMITS[key]) < 0) throw fieldError(source, `${path}.limits.${key}`, `${own(limits, key)} is ${belowFloor(key)}`)
    resources = {requests, limits}
  } else {
    const requests = {...DEFAULT_RESOURCES.requests}
    const limits = {...DEFAULT_RESOURCES.limits}
    for (const [key, min] of Object.entries(appRole.minResources)) {
      requests[key] = own(requests, key) === undefined ? min : maxQuantity(requests[key]!, min)
      limits[key] = own(limits, key) === undefined ? min : maxQuantity(limits[key]!, requests[key]!)
    }
    return {requests, limits}
  }
  for (const [key, min] of Object.entries(appRole.minResources)) {
    const request = own(resources.requests, key) ?? '0'
    if (compareQuantities(request, min) < 0)
      throw fieldError(source, `${path}.requests.${key}`, `${request} is below the minimum ${min} of role ${JSON.stringify(appRole.id)} (app ${app.id})`)
  }
  return resources
}

export function checkClusterName(name: string, source: string): void {
  if (name.length > 63 || !CLUSTER_NAME.test(name))
    throw fieldError(source, 'metadata.name', `${JSON.stringify(name)} must be at most 63 characters of a-z, 0-9, '-' and '.', starting and ending with a letter or digit`)
  const agent = agentName(name)
  if (agent.length > 253 || rootConfigMapName(name).length > 253) throw fieldError(source, 'metadata.name', `${JSON.stringify(name)} is too long`)
}

function checkRoleNames(cluster: string, role: ResolvedRole, source: string): void {
  const sts = roleStatefulSetName(cluster, role.id)
  if (sts.length > MAX_STATEFULSET_NAME)
    throw fieldError(source, 'metadata.name', `cluster name ${JSON.stringify(cluster)} is too long for role ${JSON.stringify(role.id)}: StatefulSet name ${sts} has ${sts.length} characters, at most ${MAX_STATEFULSET_NAME} are allowed (a shorter cluster name fixes this)`)
  const lastPod = memberPodName(cluster, role.id, Math.max(0, role.members - 1))
  if (lastPod.length > 63) throw fieldError(source, 'metadata.name', `member name ${lastPod} is longer than 63 characters`)
}

/** Two role ids of one app must not give one object name (`a_b` and a literal `a-b-HASH`): refused naming both. */
function checkRoleObjectNames(app: App, source: string): void {
  const byName = new Map<string, string>()
  for (const r of app.roles) {
    const other = byName.get(roleObjectName(r.id))
    if (other !== undefined)
      throw fieldError(source, 'spec.app', `roles ${JSON.stringify(other)} and ${JSON.stringify(r.id)} of app ${app.id} would share the object name ${roleObjectName(r.id)}; rename one of them in the app`)
    byName.set(roleObjectName(r.id), r.id)
  }
}

/** A map's own value (resource names such as `constructor` must not find Object's prototype). */
function own(map: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined
}
