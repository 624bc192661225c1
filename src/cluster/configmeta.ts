// The configmeta.json document a member's config package reads (/etc/guestconfig/configmeta.json),
// exactly as KubeDirector generates it (pkg/catalog/configmeta.go): one nodegroup "1", roles with zero
// members left out, bdvlibrefkey indirections, map keys sorted like Go's encoding/json. Only `node`
// differs between members. Plus configmetaEnv(): a flat, sourceable KEY='value' view for shell scripts.
// Pure: the agent passes the members it counts (create pending … config error, not deleting).
import type {App} from '../app/model.ts'
import {findService} from '../app/model.ts'
import type {ResolvedCluster} from './model.ts'
import {DEFAULT_DOMAIN, blockDevices, memberFqdn} from './names.ts'
import {mebibytes, quantityValue} from './quantity.ts'

export interface MemberInfo {
  pod: string
  role: string
  index: number
  fqdn: string
  ip?: string
  /** KubeDirector's nodeID; default: a stable id from the role's position and the member index */
  nodeId?: number
}

export interface RefKey {
  bdvlibrefkey: string[]
}

export interface ConfigmetaService {
  qualifiers: string[]
  name: string
  id: string
  hostnames: RefKey
  global_id: string
  fqdns: RefKey
  exported_service: string
  /** `<urlScheme>://<fqdn>:<port>` per member; null for a service without a port (Go's nil slice) */
  endpoints: string[] | null
  authToken: string
}

export interface ConfigmetaRole {
  services: Record<string, ConfigmetaService>
  node_ids: string[]
  hostnames: string[]
  fqdns: string[]
  fqdn_mappings: Record<string, string>
  flavor: {storage: string; name: string; memory: string; description: string; cores: string}
  /** the role's secretKeys in clear (KubeDirector decrypts them into configmeta); absent when it has none */
  secret_keys?: Record<string, string>
}

export interface ConfigmetaNode {
  role_id: string
  nodegroup_id: string
  id: string
  hostname: string
  fqdn: string
  domain: string
  distro_id: string
  depends_on: Record<string, RefKey>
  /** the member's raw block devices (blockStorage); absent when its role has none */
  block_device_paths?: string[]
}

export interface Configmeta {
  version: string
  services: Record<string, Record<string, Record<string, RefKey>>>
  nodegroups: Record<string, {roles: Record<string, ConfigmetaRole>; distro_id: string; catalog_entry_version: string; config_metadata: Record<string, string>}>
  distros: Record<string, Record<string, RefKey>>
  cluster: {name: string; isolated: boolean; id: string; config_metadata: Record<string, RefKey>}
  node: ConfigmetaNode
  connections: {clusters: Record<string, unknown>; configmaps: Record<string, unknown>; secrets: Record<string, unknown>}
}

export interface ConfigmetaOptions {
  /** the cluster's id (KubeDirector: the kdcluster UID; here the root ConfigMap's UID) */
  clusterId?: string
  /** cluster DNS domain, used only when `self` is not among `members`; default cluster.local */
  domain?: string
  /** the connected clusters, ConfigMaps and Secrets (connections.ts); default: none */
  connections?: Configmeta['connections']
  /** role → name → value of the roles' secretKeys, opened by the agent (secret-keys.ts) */
  secretKeys?: Record<string, Record<string, string>>
}

const refkey = (...path: string[]): RefKey => ({bdvlibrefkey: path})
const sortedKeys = <T>(entries: Array<[string, T]>): Record<string, T> =>
  Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** KubeDirector's nodeID stand-in: unique and stable across scaling (≤ 1000 members per cluster). */
export function defaultNodeId(cluster: ResolvedCluster, role: string, index: number): number {
  const position = Math.max(0, cluster.roles.findIndex((r) => r.id === role))
  return position * 1000 + index + 1
}

export function configmeta(
  app: App,
  cluster: ResolvedCluster,
  members: MemberInfo[],
  self: {pod: string; role: string},
  options: ConfigmetaOptions = {},
): Configmeta {
  const selfFqdn =
    members.find((m) => m.pod === self.pod)?.fqdn ?? memberFqdn(self.pod, cluster.name, cluster.namespace ?? 'default', options.domain ?? DEFAULT_DOMAIN)
  const domain = selfFqdn.slice(self.pod.length + 1)
  const nodeIdOf = (m: {role: string; index: number; nodeId?: number}) => String(m.nodeId ?? defaultNodeId(cluster, m.role, m.index))

  const membersOf = (role: string) => members.filter((m) => m.role === role).sort((a, b) => a.index - b.index)
  const activeRoles = cluster.roles.map((r) => r.id).filter((id) => membersOf(id).length > 0)

  const roles: Array<[string, ConfigmetaRole]> = []
  for (const role of cluster.roles) {
    const ms = membersOf(role.id)
    if (ms.length === 0) continue
    const appRole = app.roles.find((r) => r.id === role.id)
    const fqdns = ms.map((m) => m.fqdn)
    const services: Array<[string, ConfigmetaService]> = (appRole?.serviceIds ?? []).map((sid) => {
      const def = findService(app, sid)!
      const endpoint = def.endpoint
      return [
        sid,
        {
          qualifiers: [],
          name: def.label.name,
          id: sid,
          hostnames: refkey('nodegroups', '1', 'roles', role.id, 'hostnames'),
          global_id: `1_${role.id}_${sid}`,
          fqdns: refkey('nodegroups', '1', 'roles', role.id, 'fqdns'),
          exported_service: def.exportedService ?? '',
          endpoints: endpoint ? ms.map((m) => `${endpoint.urlScheme ?? ''}://${m.fqdn}:${endpoint.port}`) : null,
          authToken: '',
        },
      ]
    })
    const limits = role.resources.limits
    roles.push([
      role.id,
      {
        services: sortedKeys(services),
        node_ids: ms.map(nodeIdOf),
        hostnames: fqdns,
        fqdns,
        fqdn_mappings: sortedKeys(ms.map((m) => [m.fqdn, nodeIdOf(m)])),
        flavor: {
          storage: 'n/a',
          name: 'n/a',
          memory: String(limits.memory ? mebibytes(limits.memory) : 0),
          description: 'n/a',
          cores: String(limits.cpu ? quantityValue(limits.cpu) : 0),
        },
        ...(options.secretKeys?.[role.id] && Object.keys(options.secretKeys[role.id]!).length ? {secret_keys: sortedKeys(Object.entries(options.secretKeys[role.id]!))} : {}),
      },
    ])
  }

  const topServices: Array<[string, Record<string, Record<string, RefKey>>]> = []
  for (const service of app.services) {
    const using = activeRoles.filter((r) => app.roles.find((ar) => ar.id === r)?.serviceIds.includes(service.id))
    if (using.length === 0) continue
    topServices.push([service.id, {'1': sortedKeys(using.map((r) => [r, refkey('nodegroups', '1', 'roles', r, 'services', service.id)]))}])
  }

  const selfMember = members.find((m) => m.pod === self.pod)
  const selfIndex = selfMember?.index ?? Number(/-(\d+)$/.exec(self.pod)?.[1] ?? 0)
  const selfBlockDevices = blockDevices(cluster.roles.find((r) => r.id === self.role) ?? {}).map((d) => d.path)
  return {
    version: String(app.configSchemaVersion),
    services: sortedKeys(topServices),
    nodegroups: {
      '1': {
        roles: sortedKeys(roles),
        distro_id: app.distroID,
        catalog_entry_version: app.version,
        config_metadata: sortedKeys(Object.entries(app.defaultConfig.configMeta)),
      },
    },
    distros: {[app.distroID]: {'1': refkey('nodegroups', '1')}},
    cluster: {name: cluster.name, isolated: false, id: options.clusterId ?? '', config_metadata: {'1': refkey('nodegroups', '1', 'config_metadata')}},
    node: {
      role_id: self.role,
      nodegroup_id: '1',
      id: nodeIdOf({role: self.role, index: selfIndex, ...(selfMember?.nodeId !== undefined ? {nodeId: selfMember.nodeId} : {})}),
      hostname: selfFqdn,
      fqdn: selfFqdn,
      domain,
      distro_id: app.distroID,
      depends_on: {},
      ...(selfBlockDevices.length ? {block_device_paths: selfBlockDevices} : {}),
    },
    connections: options.connections ?? {clusters: {}, configmaps: {}, secrets: {}},
  }
}

/**
 * A flat, sourceable view for shell scripts, one `KD_NAME='value'` line each (lists comma-joined):
 * KD_VERSION, KD_CLUSTER_NAME/ID/ISOLATED, KD_NODE_ROLE_ID/NODEGROUP_ID/ID/HOSTNAME/FQDN/DOMAIN/DISTRO_ID,
 * KD_DISTRO_ID, KD_CATALOG_ENTRY_VERSION, KD_ALL_FQDNS, KD_SELF_INDEX (position in its role's fqdns),
 * KD_ROLES (roles with members), per role KD_ROLE_<ROLE>_FQDNS / _NODE_IDS / _COUNT / _MEMORY / _CORES,
 * per role service KD_SERVICE_<ROLE>_<SERVICE>_ENDPOINTS, and KD_CONFIG_<KEY> for configMeta.
 * Names: upper-case, anything but A-Z and 0-9 becomes '_'.
 */
export function configmetaEnv(meta: Configmeta): string {
  const lines: string[] = []
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const add = (name: string, value: string | number | boolean | string[]) => {
    const v = Array.isArray(value) ? value.join(',') : typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value)
    lines.push(`KD_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}=${quote(v)}`)
  }
  const group = meta.nodegroups['1']!
  add('version', meta.version)
  add('cluster_name', meta.cluster.name)
  add('cluster_id', meta.cluster.id)
  add('cluster_isolated', meta.cluster.isolated)
  for (const [k, v] of Object.entries(meta.node)) if (typeof v === 'string') add(`node_${k}`, v)
  add('distro_id', group.distro_id)
  add('catalog_entry_version', group.catalog_entry_version)
  const roleIds = Object.keys(group.roles)
  add('roles', roleIds)
  add('all_fqdns', roleIds.flatMap((r) => group.roles[r]!.fqdns))
  const own = group.roles[meta.node.role_id]
  if (own) add('self_index', Math.max(0, own.fqdns.indexOf(meta.node.fqdn)))
  for (const r of roleIds) {
    const role = group.roles[r]!
    add(`role_${r}_fqdns`, role.fqdns)
    add(`role_${r}_node_ids`, role.node_ids)
    add(`role_${r}_count`, role.fqdns.length)
    add(`role_${r}_memory`, role.flavor.memory)
    add(`role_${r}_cores`, role.flavor.cores)
    for (const [sid, s] of Object.entries(role.services)) add(`service_${r}_${sid}_endpoints`, s.endpoints ?? [])
  }
  for (const [k, v] of Object.entries(group.config_metadata)) add(`config_${k}`, v)
  return lines.map((l) => `${l}\n`).join('')
}
