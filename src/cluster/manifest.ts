// A stored cluster written back as a KubeDirectorCluster (kubedirector.hpe.com/v1beta1), as `get -o yaml`
// prints it: metadata from the root ConfigMap, the spec as applied (every role with its members and
// resolved resources, so `apply -f` of the output resolves to the same cluster and changes nothing), and
// a status in KubeDirector's shape (state, memberStateRollup, roles[].members[] with pod, state, nodeID).
// parseClusterSpecs() ignores status on input. Pure.
import {scriptTimeoutAnnotations} from '../app/script-timeout.ts'
import {defaultNodeId} from './configmeta.ts'
import type {Connections, ResolvedCluster, ResolvedRole} from './model.ts'
import {clusterLabels} from './object-meta.ts'
import {ANNOTATION, headlessServiceName, memberServiceName, roleStatefulSetName} from './names.ts'

export const CLUSTER_API_VERSION = 'kubedirector.hpe.com/v1beta1'
export const CLUSTER_KIND = 'KubeDirectorCluster'

/** What the root ConfigMap's metadata and the agent tell about a cluster. */
export interface ClusterObservation {
  namespace: string
  uid?: string
  creationTimestamp?: string
  /** the root's membership generation (annotation kubectl-kd.io/generation) */
  generation?: number
  state: string
  /** the agent's rollup annotation (KubeDirector's memberStateRollup and our counts) */
  rollup?: Record<string, unknown>
  members: {pod: string; role: string; state: string; node?: string}[]
}

export interface ClusterManifest {
  apiVersion: typeof CLUSTER_API_VERSION
  kind: typeof CLUSTER_KIND
  metadata: Record<string, unknown> & {name: string; namespace: string}
  spec: Record<string, unknown>
  status: Record<string, unknown>
}

const ROLLUP_FLAGS = ['membershipChanging', 'membersDown', 'membersInitializing', 'membersWaiting', 'membersRestarting', 'configErrors', 'membersNotScheduled'] as const

export function clusterToManifest(cluster: ResolvedCluster, seen: ClusterObservation): ClusterManifest {
  const o = cluster.overrides
  const recorded = {
    ...(o?.images ? {[ANNOTATION.images]: JSON.stringify(o.images)} : {}),
    ...(o?.packages ? {[ANNOTATION.packages]: JSON.stringify(o.packages)} : {}),
    ...(o?.agentImage ? {[ANNOTATION.agentImage]: o.agentImage} : {}),
  }
  const timeout = scriptTimeoutAnnotations(cluster.scriptTimeoutSeconds)
  const annotations = timeout || Object.keys(recorded).length ? {...timeout, ...recorded} : undefined
  const rollup = Object.fromEntries(ROLLUP_FLAGS.map((k) => [k, seen.rollup?.[k] === true]))
  return {
    apiVersion: CLUSTER_API_VERSION,
    kind: CLUSTER_KIND,
    metadata: {
      name: cluster.name,
      namespace: seen.namespace,
      ...(seen.uid ? {uid: seen.uid} : {}),
      ...(seen.generation !== undefined ? {generation: seen.generation} : {}),
      ...(seen.creationTimestamp ? {creationTimestamp: seen.creationTimestamp} : {}),
      labels: clusterLabels(cluster),
      ...(annotations ? {annotations} : {}),
    },
    spec: {
      app: cluster.app,
      ...(cluster.serviceType ? {serviceType: cluster.serviceType} : {}),
      roles: cluster.roles.map(roleManifest),
      ...(cluster.connections ? {connections: connectionsManifest(cluster.connections)} : {}),
      ...(cluster.defaultSecret ? {defaultSecret: {...cluster.defaultSecret}} : {}),
      ...(cluster.namingScheme ? {namingScheme: cluster.namingScheme} : {}),
    },
    status: {
      state: seen.state,
      clusterService: headlessServiceName(cluster.name),
      memberStateRollup: rollup,
      roles: cluster.roles
        .filter((r) => r.members > 0 || seen.members.some((m) => m.role === r.id))
        .map((r) => ({
          id: r.id,
          statefulSet: roleStatefulSetName(cluster.name, r.id),
          members: seen.members
            .filter((m) => m.role === r.id)
            .map((m) => {
              const index = Number(/-(\d+)$/.exec(m.pod)?.[1] ?? 0)
              return {
                pod: m.pod,
                service: memberServiceName(m.pod),
                ...(r.storage ? {pvc: `p-${m.pod}`} : {}),
                nodeID: defaultNodeId(cluster, r.id, index),
                state: m.state,
                ...(m.node && m.node !== '<none>' ? {nodeName: m.node} : {}),
              }
            }),
        })),
    },
  }
}

/** KubeDirector's form: empty lists left out. */
function connectionsManifest(c: Connections): Record<string, string[]> {
  return Object.fromEntries(Object.entries(c).filter(([, names]) => names.length > 0).map(([k, names]) => [k, [...names]]))
}

function roleManifest(r: ResolvedRole): Record<string, unknown> {
  const nonEmpty = (m: Record<string, string>) => Object.keys(m).length > 0
  return {
    id: r.id,
    members: r.members,
    resources: {requests: {...r.resources.requests}, limits: {...r.resources.limits}},
    ...(r.env.length ? {env: r.env.map((e) => ({...e}))} : {}),
    ...(r.storage ? {storage: {...r.storage}} : {}),
    ...(nonEmpty(r.podLabels) ? {podLabels: {...r.podLabels}} : {}),
    ...(nonEmpty(r.podAnnotations) ? {podAnnotations: {...r.podAnnotations}} : {}),
    ...(nonEmpty(r.serviceLabels) ? {serviceLabels: {...r.serviceLabels}} : {}),
    ...(nonEmpty(r.serviceAnnotations) ? {serviceAnnotations: {...r.serviceAnnotations}} : {}),
    ...(r.nodeSelector ? {nodeSelector: {...r.nodeSelector}} : {}),
    ...(r.tolerations ? {tolerations: r.tolerations.map((t) => ({...t}))} : {}),
    ...(r.affinity ? {affinity: JSON.parse(JSON.stringify(r.affinity)) as unknown} : {}),
    ...(r.serviceAccountName ? {serviceAccountName: r.serviceAccountName} : {}),
    ...(r.sharedMemory ? {sharedMemory: r.sharedMemory} : {}),
    ...(r.secret ? {secret: {...r.secret}} : {}),
    ...(r.volumeProjections ? {volumeProjections: r.volumeProjections.map((v) => ({...v}))} : {}),
    ...(r.fileInjections ? {fileInjections: JSON.parse(JSON.stringify(r.fileInjections)) as unknown} : {}),
    ...(r.blockStorage ? {blockStorage: {...r.blockStorage}} : {}),
    // sealed: the value never leaves the cluster's key Secret and the members
    ...(r.secretKeys ? {secretKeys: r.secretKeys.map((k) => ({name: k.name, encryptedValue: k.encryptedValue ?? ''}))} : {}),
  }
}
