// KubeDirector's spec.connections in configmeta (pkg/catalog/configmeta.go genClusterConnections,
// genConfigConnections, genSecretConnections): each connected app cluster appears under
// connections.clusters.NAME as its own configmeta (no `node`, every bdvlibrefkey prefixed with
// connections/clusters/NAME so configcli resolves it in the member's document); connected ConfigMaps
// and Secrets appear under connections.configmaps.<cmType> / connections.secrets.<secretType>, grouped by
// their label kubedirector.hpe.com/cmType / secretType (objects without that label, and objects that do
// not exist, are left out, as KubeDirector does). Secret values stay base64, as Go marshals []byte.
// connectionsVersion() is the version members get `startscript --reconnect` for when it changes.
// Pure: the agent passes what its informers hold.
import {createHash} from 'node:crypto'
import type {App} from '../app/model.ts'
import {configmeta, type Configmeta, type MemberInfo} from './configmeta.ts'
import type {Connections, ResolvedCluster} from './model.ts'
import {DEFAULT_DOMAIN, memberFqdn, memberPodName} from './names.ts'

export const CONFIGMAP_TYPE_LABEL = 'kubedirector.hpe.com/cmType'
export const SECRET_TYPE_LABEL = 'kubedirector.hpe.com/secretType'

/** A connected app cluster as its root ConfigMap tells it. */
export interface ConnectedCluster {
  name: string
  uid: string
  namespace: string
  app: App
  cluster: ResolvedCluster
}

/** A connected ConfigMap (data as strings) or Secret (data base64, as the API returns it). */
export interface ConnectedObject {
  name: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  data?: Record<string, string>
}

/** What the agent observed of the connected objects (absent names: not there). */
export interface ConnectedState {
  clusters: Record<string, ConnectedCluster | undefined>
  configmaps: Record<string, ConnectedObject | undefined>
  secrets: Record<string, ConnectedObject | undefined>
}

export type ConfigmetaConnections = Configmeta['connections']

/** The members of a cluster as its spec has them (names are deterministic). */
export function clusterMembers(cluster: ResolvedCluster, namespace: string, domain = DEFAULT_DOMAIN): MemberInfo[] {
  return cluster.roles.flatMap((r) =>
    Array.from({length: r.members}, (_, index) => {
      const pod = memberPodName(cluster.name, r.id, index)
      return {pod, role: r.id, index, fqdn: memberFqdn(pod, cluster.name, namespace, domain)}
    }),
  )
}

const sorted = <T>(m: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** Every bdvlibrefkey in `v` prefixed with `prefix`. */
function prefixRefkeys(v: unknown, prefix: string[]): unknown {
  if (Array.isArray(v)) return v.map((x) => prefixRefkeys(x, prefix))
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    if (Array.isArray(o.bdvlibrefkey)) return {bdvlibrefkey: [...prefix, ...(o.bdvlibrefkey as string[])]}
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, prefixRefkeys(x, prefix)]))
  }
  return v
}

/** The configmeta a connected cluster shows its connections: its own document without `node`. */
export function connectedClusterMeta(c: ConnectedCluster, domain?: string): unknown {
  const members = clusterMembers(c.cluster, c.namespace, domain)
  const self = members[0] ?? {pod: memberPodName(c.cluster.name, c.cluster.roles[0]?.id ?? '', 0), role: c.cluster.roles[0]?.id ?? ''}
  const {node: _node, connections: _c, ...rest} = configmeta(c.app, {...c.cluster, namespace: c.namespace}, members, self, {clusterId: c.uid, ...(domain ? {domain} : {})})
  return {...(prefixRefkeys(rest, ['connections', 'clusters', c.name]) as object), node: null, connections: {clusters: null, configmaps: null, secrets: null}}
}

function byType(names: string[], objects: Record<string, ConnectedObject | undefined>, label: string, secret: boolean): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {}
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
  const enc = (m: Record<string, string> | undefined) => (m ? (secret ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, b64(v)])) : {...m}) : null)
  for (const name of names) {
    const o = objects[name]
    const type = o?.labels?.[label]
    if (!o || type === undefined) continue
    ;(out[type] ??= []).push({
      metadata: {name: secret ? b64(o.name) : o.name},
      data: o.data ? sorted({...o.data}) : null,
      labels: enc(o.labels),
      annotations: enc(o.annotations),
    })
  }
  return sorted(out)
}

/** configmeta's `connections` for a cluster connecting `wanted`, from what is observed. */
export function connectionsMeta(wanted: Connections | undefined, state: ConnectedState, domain?: string): ConfigmetaConnections {
  if (!wanted) return {clusters: {}, configmaps: {}, secrets: {}}
  const clusters: Record<string, unknown> = {}
  for (const name of [...wanted.clusters].sort()) {
    const c = state.clusters[name]
    if (c) clusters[name] = connectedClusterMeta(c, domain)
  }
  return {
    clusters,
    configmaps: byType(wanted.configmaps, state.configmaps, CONFIGMAP_TYPE_LABEL, false),
    secrets: byType(wanted.secrets, state.secrets, SECRET_TYPE_LABEL, true),
  }
}

/** A short version of the connections' content: members that saw another get `--reconnect`. */
export function connectionsVersion(meta: ConfigmetaConnections): string {
  return createHash('sha256').update(JSON.stringify(meta)).digest('hex').slice(0, 16)
}
