// The KubeDirectorCluster model: ClusterSpec is what the user wrote (any form, members may be omitted);
// ResolvedCluster is the checked, defaulted cluster the renderer, configmeta and the agent work from
// (stored as cluster.json in the root ConfigMap).

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const
export type ServiceType = (typeof SERVICE_TYPES)[number]

export type ClusterForm = 'v1beta1' | 'v1alpha1' | 'announcement'

export interface EnvVar {
  name: string
  value: string
}

export interface Resources {
  requests: Record<string, string>
  limits: Record<string, string>
}

export interface RoleStorage {
  size: string
  storageClassName?: string
}

/** A Kubernetes pod toleration (core/v1 Toleration). */
export interface Toleration {
  key?: string
  operator?: 'Exists' | 'Equal'
  value?: string
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
  tolerationSeconds?: number
}

/** Per-role node placement (KubeDirector v1beta1 role fields `affinity`; `nodeSelector` and `tolerations` are ours). */
export interface RolePlacement {
  nodeSelector?: Record<string, string>
  tolerations?: Toleration[]
  /** core/v1 Affinity, passed through (the API server validates its inside) */
  affinity?: {nodeAffinity?: unknown; podAffinity?: unknown; podAntiAffinity?: unknown}
}

/** KubeDirector's KDSecret: a Secret of the namespace mounted in every member of a role. */
export interface RoleSecret {
  name: string
  mountPath: string
  defaultMode?: number
  readOnly: boolean
}

/** KubeDirector's VolumeProjections: an existing PVC mounted in every member of a role. */
export interface VolumeProjection {
  pvcName: string
  mountPath: string
  readOnly: boolean
}

/** KubeDirector's FileInjections: a file the agent fetches and puts into each member before configure. */
export interface FileInjection {
  srcURL: string
  destDir: string
  permissions?: {fileMode?: number; fileOwner?: string; fileGroup?: string}
}

/**
 * KubeDirector's SecretKey: a value members read through configcli (configmeta's roles.<role>.secret_keys),
 * never stored in clear. As written, `value` or (a file from get -o yaml) the `encryptedValue` kubectl-kd
 * stored; once sealed (secret-keys.ts) only `encryptedValue`, AES-256-GCM under the cluster's key Secret.
 */
export interface SecretKey {
  name: string
  value?: string
  encryptedValue?: string
}

/**
 * KubeDirector's BlockStorage: numDevices raw block volumes per member (claims `b0`…, volumeMode Block, of
 * storageClassName), at pathPrefix0, pathPrefix1, … in the member and in configmeta's node.block_device_paths.
 */
export interface RoleBlockStorage {
  storageClassName: string
  pathPrefix: string
  numDevices: number
  /** default 1Gi, as KubeDirector */
  size?: string
}

/** Role fields that pass into the pod template or the agent (checked when read; nothing to resolve). */
export interface RolePodExtras {
  secretKeys?: SecretKey[]
  blockStorage?: RoleBlockStorage
  fileInjections?: FileInjection[]
  serviceAccountName?: string
  /** size of /dev/shm (a memory-backed emptyDir) */
  sharedMemory?: string
  secret?: RoleSecret
  volumeProjections?: VolumeProjection[]
}

export const NAMING_SCHEMES = ['UID', 'CrNameRole'] as const
export type NamingScheme = (typeof NAMING_SCHEMES)[number]

export interface ClusterRoleSpec extends RolePlacement, RolePodExtras {
  id: string
  members?: number
  resources?: {requests?: Record<string, string>; limits?: Record<string, string>}
  env: EnvVar[]
  storage?: RoleStorage
  podLabels?: Record<string, string>
  podAnnotations?: Record<string, string>
  serviceLabels?: Record<string, string>
  serviceAnnotations?: Record<string, string>
  /** where the role was written, for error messages: `spec.roles[1]` and the keys used (`members` or `replicas`) */
  at: {path: string; idKey: 'id' | 'name'; membersKey: 'members' | 'replicas'}
}

/**
 * KubeDirector's spec.connections: other app clusters of the namespace whose configmeta, and ConfigMaps
 * (label kubedirector.hpe.com/cmType) and Secrets (label kubedirector.hpe.com/secretType) whose content,
 * appear under `connections` in each member's configmeta (src/cluster/connections.ts).
 */
export interface Connections {
  clusters: string[]
  configmaps: string[]
  secrets: string[]
}

/** `create --image/--package/--agent-image`, kept with the cluster so get -o yaml | apply -f keeps them (annotations). */
export interface RecordedOverrides {
  images?: Record<string, string>
  packages?: Record<string, string>
  agentImage?: string
}

export interface ClusterSpec {
  name: string
  namespace?: string
  app: string
  appCatalog?: string
  serviceType?: ServiceType
  roles: ClusterRoleSpec[]
  labels?: Record<string, string>
  form: ClusterForm
  /** annotation kubectl-kd.io/script-timeout: wins over the app's (src/app/script-timeout.ts) */
  scriptTimeoutSeconds?: number
  /** absent when the spec connects nothing */
  connections?: Connections
  /** the Secret of every role that names none (KubeDirector copies it into the roles) */
  defaultSecret?: RoleSecret
  /** accepted and kept; object names are derived the same way under both (names.ts) */
  namingScheme?: NamingScheme
  /** from the annotations kubectl-kd.io/images, /packages, /agent-image */
  overrides?: RecordedOverrides
}

export interface ResolvedRole extends RolePlacement, RolePodExtras {
  id: string
  members: number
  resources: Resources
  env: EnvVar[]
  storage?: RoleStorage
  podLabels: Record<string, string>
  podAnnotations: Record<string, string>
  serviceLabels: Record<string, string>
  serviceAnnotations: Record<string, string>
}

export interface ResolvedCluster {
  name: string
  namespace?: string
  /** the app id (KubeDirectorApp metadata.name) */
  app: string
  serviceType?: ServiceType
  /** every role the cluster may run, in the app's role order; roles not in the spec have 0 members */
  roles: ResolvedRole[]
  labels: Record<string, string>
  scriptTimeoutSeconds?: number
  /** absent when the cluster connects nothing (so clusters written before connections keep their cluster.json) */
  connections?: Connections
  defaultSecret?: RoleSecret
  namingScheme?: NamingScheme
  /** absent when created without --image/--package/--agent-image */
  overrides?: RecordedOverrides
}

/** Defaults used when a cluster spec gives no resources for a role (raised to the role's minResources). */
/**
 * The least a member's limits may be: below this no member ever gets configured (its container's shell,
 * the tar that installs the config package and the scripts do not fit in less memory, and a CPU limit of
 * a few millicores makes a configure run past its timeout). Refused at create, apply and --dry-run.
 */
export const MIN_MEMBER_LIMITS = {cpu: '10m', memory: '32Mi'} as const

/** Why a limit below MIN_MEMBER_LIMITS is refused, in one wording for flags and files. */
export const belowFloor = (key: 'cpu' | 'memory') =>
  `below ${MIN_MEMBER_LIMITS[key]}, the least ${key} a member can run with (its shell, the config package's tar and scripts)`

export const DEFAULT_RESOURCES: Resources = {
  // small requests: a laptop or CI node fits tens of members; limits cap what a member may use
  requests: {cpu: '25m', memory: '64Mi'},
  limits: {cpu: '1', memory: '512Mi'},
}

export const MAX_TOTAL_MEMBERS = 1000
