// The naming and labelling contract shared by the plugin, the agent and the tests.
// Every object name and every label/annotation key the project writes comes from here,
// so the CLI and the agent can never disagree about what an object is called.
// Object names come from the names the user wrote through objectNamePart(): a name that is already a DNS
// label is used as it is (existing clusters keep their objects), any other name KubeDirector accepts
// (`ubuntu18.04`, role `vanilla_centos`) is lowercased, its other characters turned into '-', and a short
// hash of the written name appended, so two names never map to one. Labels, status, configmeta and
// every command keep the written names.
import type {RoleBlockStorage} from './model.ts'
import {createHash} from 'node:crypto'

export const GROUP = 'kubectl-kd.io'

/** app.kubernetes.io/component of the agent's objects (read by status without loading the renderer). */
export const AGENT_COMPONENT = 'agent'

export const LABEL = {
  cluster: `${GROUP}/cluster`,
  app: `${GROUP}/app`,
  role: `${GROUP}/role`,
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  /** marks a ConfigMap that stores an app definition added with `kubectl kd app add` */
  appDefinition: `${GROUP}/app-definition`,
  /** marks a ConfigMap that holds a config package (tar in binaryData) */
  package: `${GROUP}/package`,
} as const

export const MANAGED_BY = 'kubectl-kd'
export const FIELD_MANAGER = 'kubectl-kd'

export const ANNOTATION = {
  /** member pod: create pending|creating|configured|config error|delete pending|deleting; root: creating|updating|configured */
  state: `${GROUP}/state`,
  /** member pod: the container ID the config package was last run for */
  configuredContainer: `${GROUP}/configured-container`,
  /** member pod: the cluster generation (membership) the member last saw */
  configGeneration: `${GROUP}/config-generation`,
  /** member pod: short last error (never secrets) */
  lastError: `${GROUP}/last-error`,
  /** member pod: last lines of startscript output on a config error */
  lastOutput: `${GROUP}/last-output`,
  /** root ConfigMap: JSON member-state rollup, KubeDirector's memberStateRollup */
  rollup: `${GROUP}/rollup`,
  /** root ConfigMap: membership generation, bumped by create/scale */
  generation: `${GROUP}/generation`,
  /** member pod: what its last setup ran with (package URL, content hash included, and script timeout) */
  setupSpec: `${GROUP}/setup-spec`,
  /** root ConfigMap: hash of every object create/apply last wrote for the cluster ('' after a scale), so an apply of the same spec writes nothing */
  renderHash: `${GROUP}/render-hash`,
  /** agent Deployment: version of the agent code it runs */
  agentVersion: `${GROUP}/agent-version`,
  /** KubeDirectorCluster (get -o yaml, apply -f): `create --image ROLE=IMG` overrides, JSON {role: image} */
  images: `${GROUP}/images`,
  /** KubeDirectorCluster: `--package ROLE=…` overrides as the cluster runs them, JSON {role: packageURL} */
  packages: `${GROUP}/packages`,
  /** KubeDirectorCluster: `--agent-image` */
  agentImage: `${GROUP}/agent-image`,
  /** root ConfigMap: HMAC of its spec under the cluster's key (spec-signature.ts); the agent acts only on a signed spec */
  specSignature: `${GROUP}/spec-signature`,
  /** objects the agent keeps at the spec: hash of the object as rendered (member-objects.ts) */
  specHash: `${GROUP}/spec-hash`,
  /** root ConfigMap: the generation the agent's state and rollup were computed for */
  observedGeneration: `${GROUP}/observed-generation`,
  /** root ConfigMap: what the agent cannot do right now and why (empty when nothing) */
  agentProblem: `${GROUP}/agent-problem`,
} as const

/** Pod condition the agent sets; member pods list it as a readinessGate. */
export const CONFIGURED_CONDITION = `${GROUP}/configured`

/** Keys of the root ConfigMap's data. */
export const ROOT_KEYS = {
  app: 'app.json',
  cluster: 'cluster.json',
} as const

export const MEMBER_STATES = ['create pending', 'creating', 'configured', 'config error', 'delete pending', 'deleting'] as const
export type MemberState = (typeof MEMBER_STATES)[number]
export const CLUSTER_STATES = ['creating', 'updating', 'configured'] as const
export type ClusterState = (typeof CLUSTER_STATES)[number]

export const APP_CONTAINER = 'app'
export const DEFAULT_DOMAIN = 'cluster.local'

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** characters of the hash appended to an altered name */
export const NAME_HASH_LENGTH = 6

/**
 * The part of object names standing for a name the user wrote: the name itself when it matches `valid`,
 * else its DNS-safe form (lowercase, other characters '-', a letter first when `valid` needs one) with
 * `-HASH` of the written name appended. Deterministic: the CLI and the agent derive the same names.
 */
function objectNamePart(name: string, valid: RegExp): string {
  if (valid.test(name)) return name
  const hash = createHash('sha256').update(name).digest('hex').slice(0, NAME_HASH_LENGTH)
  let base = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '')
  if (valid === DNS_1035_LABEL) base = base.replace(/^[^a-z]+/, '')
  return base ? `${base}-${hash}` : `kd-${hash}`
}

/** The cluster's name in object names (it names the headless Service: a DNS-1035 label). */
export const clusterObjectName = (cluster: string) => objectNamePart(cluster, DNS_1035_LABEL)
/** A role's id in object names (part of StatefulSet, pod and Service names: a DNS label). */
export const roleObjectName = (role: string) => objectNamePart(role, DNS_1123_LABEL)

export const rootConfigMapName = (cluster: string) => `${clusterObjectName(cluster)}-kd`
export const headlessServiceName = (cluster: string) => clusterObjectName(cluster)
export const roleStatefulSetName = (cluster: string, role: string) => `${clusterObjectName(cluster)}-${roleObjectName(role)}`
export const memberPodName = (cluster: string, role: string, index: number) => `${roleStatefulSetName(cluster, role)}-${index}`
export const memberServiceName = (podName: string) => podName
/** The cluster's Secret holding the token of its hasAuthToken services (Jupyter), key `token`. */
export const authSecretName = (cluster: string) => `${clusterObjectName(cluster)}-kd-auth`
export const AUTH_TOKEN_KEY = 'token'
/** The cluster's Secret holding the AES-256 key its roles' secretKeys are sealed with, key `key`. */
export const keysSecretName = (cluster: string) => `${clusterObjectName(cluster)}-kd-keys`
export const SECRET_KEYS_KEY = 'key'
/** How a member of a role with a hasAuthToken service gets the token: an env var from the Secret. */
export const AUTH_TOKEN_ENV = 'KD_AUTH_TOKEN'
export const agentName = (cluster: string) => `${clusterObjectName(cluster)}-kd-agent`
export const memberFqdn = (podName: string, cluster: string, namespace: string, domain = DEFAULT_DOMAIN) =>
  `${podName}.${headlessServiceName(cluster)}.${namespace}.svc.${domain}`

/** A role's blockStorage as KubeDirector lays it out: claim `b<i>` at `<pathPrefix><i>`, 1Gi unless sized. */
export function blockDevices(role: {blockStorage?: RoleBlockStorage}): {claim: string; path: string; size: string; storageClassName: string}[] {
  const b = role.blockStorage
  if (!b) return []
  return Array.from({length: b.numDevices}, (_, i) => ({claim: `b${i}`, path: `${b.pathPrefix}${i}`, size: b.size ?? '1Gi', storageClassName: b.storageClassName}))
}
