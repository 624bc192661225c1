// Reads KubeDirectorCluster documents (kubedirector.hpe.com/v1beta1, kubedirector.bluedata.io/v1alpha1 and
// the announcement's form with roles as {name, replicas}) from YAML or JSON text, multi-document streams
// and `kind: List` included, into ClusterSpec. Only shape and syntax are checked here; everything that
// needs the app (cardinality, roles, resources) is checked by resolveCluster(). Pure; no I/O.
import {UserError} from '../errors.ts'
import {isRecord, loadDocuments, manifestsOf} from '../app/documents.ts'
import {FieldReader, fieldError} from '../app/field-reader.ts'
import type {App} from '../app/model.ts'
import {APP_KIND, appFromObject} from '../app/parse.ts'
import {readScriptTimeout, SCRIPT_TIMEOUT_ANNOTATION} from '../app/script-timeout.ts'
import {isQuantity} from './quantity.ts'
import type {ClusterForm, ClusterRoleSpec, Connections, NamingScheme, RecordedOverrides, RolePodExtras, RoleSecret, ClusterSpec, EnvVar, RolePlacement, ServiceType, Toleration} from './model.ts'
import {NAMING_SCHEMES, SERVICE_TYPES} from './model.ts'
import {ANNOTATION, LABEL} from './names.ts'

const CLUSTER_API_VERSIONS = ['kubedirector.hpe.com/v1beta1', 'kubedirector.bluedata.io/v1alpha1'] as const
const CLUSTER_KIND = 'KubeDirectorCluster'

/** Every KubeDirectorCluster in `text`; any other kind is a UserError. */
export function parseClusterSpecs(text: string, source: string): ClusterSpec[] {
  const {apps, clusters} = parseManifests(text, source)
  if (apps.length > 0) throw new UserError(`${source}: holds a ${APP_KIND}; expected only ${CLUSTER_KIND} documents`)
  return clusters
}

/** Apps and clusters from one file (`create -f` accepts app definitions next to the clusters using them). */
export function parseManifests(text: string, source: string): {apps: App[]; clusters: ClusterSpec[]} {
  const manifests = loadDocuments(text, source).flatMap(manifestsOf)
  if (manifests.length === 0) throw new UserError(`${source}: no ${CLUSTER_KIND} found (the file is empty)`)
  const apps: App[] = []
  const clusters: ClusterSpec[] = []
  manifests.forEach((m, i) => {
    const label = manifests.length > 1 ? `${source} (document ${i + 1})` : source
    if (isRecord(m) && m.kind === APP_KIND) apps.push(appFromObject(m, label))
    else clusters.push(clusterFromObject(m, label))
  })
  return {apps, clusters}
}

function clusterFromObject(obj: unknown, source: string): ClusterSpec {
  const doc = FieldReader.of(obj, source, '')
  const kind = doc.string('kind')
  if (kind !== CLUSTER_KIND) throw doc.error('kind', `${JSON.stringify(kind ?? '')} is not allowed: use ${CLUSTER_KIND} (or ${APP_KIND} for an app definition)`)
  const apiVersion = doc.string('apiVersion') ?? ''
  if (!(CLUSTER_API_VERSIONS as readonly string[]).includes(apiVersion))
    throw doc.error('apiVersion', `${JSON.stringify(apiVersion)} is not allowed: use one of ${CLUSTER_API_VERSIONS.join(', ')}`)
  const metadata = doc.requiredChild('metadata')
  const spec = doc.requiredChild('spec')
  const roleReaders = spec.list('roles')
  if (!roleReaders || roleReaders.length === 0) throw spec.error('roles', 'at least one role is required')
  const roles = roleReaders.map(readRole)
  const announcement = roles.some((r) => r.at.idKey === 'name' || r.at.membersKey === 'replicas')
  const form: ClusterForm = apiVersion === CLUSTER_API_VERSIONS[0] ? 'v1beta1' : announcement ? 'announcement' : 'v1alpha1'

  const serviceType = spec.string('serviceType')
  if (serviceType !== undefined && !(SERVICE_TYPES as readonly string[]).includes(serviceType))
    throw spec.error('serviceType', `${JSON.stringify(serviceType)} is not allowed: use one of ${SERVICE_TYPES.join(', ')}`)
  const appCatalog = spec.string('appCatalog')
  if (appCatalog !== undefined && appCatalog !== 'local' && appCatalog !== 'system')
    throw spec.error('appCatalog', `${JSON.stringify(appCatalog)} is not allowed: use local or system`)
  const namespace = metadata.string('namespace')
  // the labels kubectl-kd sets itself (get -o yaml shows them) are not the user's: a file from get reads back the same
  const labels = withoutOwnLabels(metadata.stringMap('labels'))
  const name = metadata.requiredString('name')
  const app = spec.requiredString('app')
  const connections = readConnections(spec)
  const defaultSecret = readSecret(spec, 'defaultSecret')
  const namingScheme = spec.string('namingScheme')
  if (namingScheme !== undefined && !(NAMING_SCHEMES as readonly string[]).includes(namingScheme))
    throw spec.error('namingScheme', `${JSON.stringify(namingScheme)} is not allowed: use ${NAMING_SCHEMES.join(' or ')}`)
  const overrides = readOverrides(metadata.child('annotations'))
  const scriptTimeoutSeconds = readScriptTimeout(metadata.child('annotations')?.string(SCRIPT_TIMEOUT_ANNOTATION), source)
  doc.rejectUnknown('spec', `a ${CLUSTER_KIND} (${form} form)`)
  return {
    name,
    ...(namespace ? {namespace} : {}),
    app,
    ...(appCatalog ? {appCatalog} : {}),
    ...(serviceType ? {serviceType: serviceType as ServiceType} : {}),
    roles,
    ...(labels ? {labels} : {}),
    form,
    ...(scriptTimeoutSeconds !== undefined ? {scriptTimeoutSeconds} : {}),
    ...(connections ? {connections} : {}),
    ...(defaultSecret ? {defaultSecret} : {}),
    ...(namingScheme ? {namingScheme: namingScheme as NamingScheme} : {}),
    ...(overrides ? {overrides} : {}),
  }
}

/** The --image/--package/--agent-image a cluster was created with, as get -o yaml writes them (annotations). */
function readOverrides(annotations: FieldReader | undefined): RecordedOverrides | undefined {
  if (!annotations) return undefined
  const out: RecordedOverrides = {}
  for (const [field, key] of [['images', ANNOTATION.images], ['packages', ANNOTATION.packages]] as const) {
    const raw = annotations.string(key)
    if (raw === undefined) continue
    const at = `${annotations.path}[${JSON.stringify(key)}]`
    let map: unknown
    try {
      map = JSON.parse(raw)
    } catch {
      map = undefined
    }
    if (!map || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string'))
      throw fieldError(annotations.source, at, `must be a JSON object of role: ${field === 'images' ? 'image' : 'package URL'}`)
    if (Object.keys(map).length) out[field] = map as Record<string, string>
  }
  const agentImage = annotations.string(ANNOTATION.agentImage)
  if (agentImage) out.agentImage = agentImage
  return Object.keys(out).length ? out : undefined
}

const MOUNT_PATH = /^\/[^\0]*[^/]$/
/** raw block volumes per member: each is a claim and a device node */
const MAX_BLOCK_DEVICES = 32

/** A KDSecret (role `secret`, cluster `defaultSecret`). */
function readSecret(parent: FieldReader, key: string): RoleSecret | undefined {
  const s = parent.child(key)
  if (!s) return undefined
  const name = s.requiredString('name')
  if (name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw s.error('name', `${JSON.stringify(name)} is not the name of a Secret`)
  const mountPath = s.requiredString('mountPath')
  if (!MOUNT_PATH.test(mountPath)) throw s.error('mountPath', `${JSON.stringify(mountPath)} must be an absolute path without a trailing '/'`)
  const defaultMode = s.integer('defaultMode')
  if (defaultMode !== undefined && (defaultMode < 0 || defaultMode > 0o777)) throw s.error('defaultMode', `${defaultMode} is not a file mode (0 to 511, i.e. 0777)`)
  return {name, mountPath, ...(defaultMode !== undefined ? {defaultMode} : {}), readOnly: s.boolean('readOnly') ?? false}
}

/** serviceAccountName, sharedMemory, secret, volumeProjections of a role. */
function readPodExtras(r: FieldReader): RolePodExtras {
  const out: RolePodExtras = {}
  const sa = r.string('serviceAccountName')
  if (sa) {
    if (sa.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(sa)) throw r.error('serviceAccountName', `${JSON.stringify(sa)} is not the name of a ServiceAccount`)
    out.serviceAccountName = sa
  }
  const shm = r.string('sharedMemory')
  if (shm !== undefined) {
    if (!isQuantity(shm) || !/^[0-9.]+[A-Za-z]*$/.test(shm) || Number.parseFloat(shm) <= 0) throw r.error('sharedMemory', `${JSON.stringify(shm)} must be a positive quantity (e.g. 1Gi)`)
    out.sharedMemory = shm
  }
  const secret = readSecret(r, 'secret')
  if (secret) out.secret = secret
  const injections = r.list('fileInjections')?.map((f) => {
    const srcURL = f.requiredString('srcURL')
    if (!/^https?:\/\/[^\s/]+/.test(srcURL)) throw f.error('srcURL', `${JSON.stringify(srcURL)} must be an http:// or https:// URL`)
    const destDir = f.requiredString('destDir')
    if (!/^\/[^\0]*$/.test(destDir)) throw f.error('destDir', `${JSON.stringify(destDir)} must be an absolute path`)
    const p = f.child('permissions')
    const fileMode = p?.integer('fileMode')
    if (fileMode !== undefined && (fileMode < 0 || fileMode > 0o7777)) throw p!.error('fileMode', `${fileMode} is not a file mode (0 to 4095, i.e. 07777)`)
    const ids: Record<string, string> = {}
    for (const key of ['fileOwner', 'fileGroup'] as const) {
      const v = p?.string(key)
      if (v === undefined || v === '') continue
      if (!/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/.test(v)) throw p!.error(key, `${JSON.stringify(v)} is not a user or group name or id`)
      ids[key] = v
    }
    const permissions = {...(fileMode !== undefined ? {fileMode} : {}), ...ids}
    return {srcURL, destDir, ...(Object.keys(permissions).length ? {permissions} : {})}
  })
  if (injections?.length) out.fileInjections = injections
  const keys = r.list('secretKeys')?.map((k, i, all) => {
    const name = k.requiredString('name')
    if (all.findIndex((o) => o.value.name === name) !== i) throw k.error('name', `${JSON.stringify(name)} is listed twice`)
    const value = k.string('value')
    const encryptedValue = k.string('encryptedValue')
    // KubeDirector: a non-empty value wins; an empty one stands for itself unless encryptedValue is given
    if (value) return {name, value}
    if (encryptedValue) return {name, encryptedValue}
    return {name, value: ''}
  })
  if (keys?.length) out.secretKeys = keys
  const block = r.child('blockStorage')
  if (block) {
    const storageClassName = block.requiredString('storageClassName')
    const pathPrefix = block.requiredString('pathPrefix')
    if (!/^\/[^\0]*[^/]$/.test(pathPrefix)) throw block.error('pathPrefix', `${JSON.stringify(pathPrefix)} must be an absolute path (devices are pathPrefix0, pathPrefix1, …)`)
    const numDevices = block.integer('numDevices')
    if (numDevices === undefined) throw block.error('numDevices', 'is required')
    if (numDevices < 1 || numDevices > MAX_BLOCK_DEVICES) throw block.error('numDevices', `${numDevices} is not allowed: use 1 to ${MAX_BLOCK_DEVICES}`)
    const size = block.string('size')
    if (size !== undefined && (!isQuantity(size) || !(Number.parseFloat(size) > 0))) throw block.error('size', `${JSON.stringify(size)} must be a positive quantity (e.g. 10Gi)`)
    out.blockStorage = {storageClassName, pathPrefix, numDevices, ...(size !== undefined ? {size} : {})}
  }
  const projections = r.list('volumeProjections')?.map((v) => {
    const pvcName = v.requiredString('pvcName')
    if (pvcName.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(pvcName)) throw v.error('pvcName', `${JSON.stringify(pvcName)} is not the name of a PersistentVolumeClaim`)
    const mountPath = v.requiredString('mountPath')
    if (!MOUNT_PATH.test(mountPath)) throw v.error('mountPath', `${JSON.stringify(mountPath)} must be an absolute path without a trailing '/'`)
    return {pvcName, mountPath, readOnly: v.boolean('readOnly') ?? false}
  })
  if (projections?.length) out.volumeProjections = projections
  // every path mounted into the member once (KubeDirector: unique mount paths per role)
  const paths = [...(out.sharedMemory ? [{at: r.at('sharedMemory'), path: '/dev/shm'}] : []), ...(secret ? [{at: r.at('secret.mountPath'), path: secret.mountPath}] : []), ...(projections ?? []).map((p, i) => ({at: `${r.at('volumeProjections')}[${i}].mountPath`, path: p.mountPath}))]
  paths.forEach((p, i) => {
    const first = paths.findIndex((q) => q.path === p.path)
    if (first !== i) throw fieldError(r.source, p.at, `${p.path} is mounted twice in role ${JSON.stringify(r.value.id ?? r.value.name)} (also by ${paths[first]!.at})`)
  })
  return out
}

const CONNECTION_KINDS = ['clusters', 'configmaps', 'secrets'] as const

/** spec.connections: lists of names in the cluster's namespace; undefined when it connects nothing. */
function readConnections(spec: FieldReader): Connections | undefined {
  const c = spec.child('connections')
  if (!c) return undefined
  const out: Connections = {clusters: [], configmaps: [], secrets: []}
  for (const kind of CONNECTION_KINDS) {
    const names = c.stringList(kind) ?? []
    names.forEach((n, i) => {
      if (n.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n))
        throw fieldError(spec.source, `${c.at(kind)}[${i}]`, `${JSON.stringify(n)} is not the name of a Kubernetes object (a-z, 0-9, '-' and '.')`)
      if (names.indexOf(n) !== i) throw fieldError(spec.source, `${c.at(kind)}[${i}]`, `${JSON.stringify(n)} is listed twice`)
    })
    out[kind] = names
  }
  return CONNECTION_KINDS.some((k) => out[k].length > 0) ? out : undefined
}

const OWN_LABELS: string[] = [LABEL.cluster, LABEL.app, LABEL.managedBy]

function withoutOwnLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!labels) return undefined
  const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => !OWN_LABELS.includes(k)))
  return Object.keys(rest).length ? rest : undefined
}

function readRole(r: FieldReader): ClusterRoleSpec {
  const idKey = r.has('id') || !r.has('name') ? 'id' : 'name'
  const membersKey = r.has('replicas') && !r.has('members') ? 'replicas' : 'members'
  const members = r.integer(membersKey)
  if (members !== undefined && members < 0) throw r.error(membersKey, `${members} is not allowed: use 0 or more`)
  const role: ClusterRoleSpec = {
    id: r.requiredString(idKey),
    ...(members !== undefined ? {members} : {}),
    env: readEnv(r),
    at: {path: r.path, idKey, membersKey},
  }
  const resources = r.child('resources')
  if (resources) {
    role.resources = {}
    for (const kind of ['requests', 'limits'] as const) {
      const list = resources.stringMap(kind)
      if (!list) continue
      for (const [k, v] of Object.entries(list))
        if (!isQuantity(v)) throw resources.error(`${kind}.${k}`, `${JSON.stringify(v)} is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 4Gi)`)
      role.resources[kind] = list
    }
  }
  const storage = r.child('storage')
  if (storage) {
    const size = storage.requiredString('size')
    if (!isQuantity(size)) throw storage.error('size', `${JSON.stringify(size)} is not a Kubernetes quantity (e.g. 10Gi)`)
    const storageClassName = storage.string('storageClassName')
    role.storage = {size, ...(storageClassName ? {storageClassName} : {})}
  }
  for (const key of ['podLabels', 'podAnnotations', 'serviceLabels', 'serviceAnnotations'] as const) {
    const map = r.stringMap(key)
    if (map) role[key] = map
  }
  Object.assign(role, readPlacement(r), readPodExtras(r))
  return role
}

const TOLERATION_KEYS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds']
const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']
const AFFINITY_KEYS = ['nodeAffinity', 'podAffinity', 'podAntiAffinity']

/** A role's nodeSelector, tolerations and affinity (v1beta1 camelCase), checked field by field. */
function readPlacement(r: FieldReader): RolePlacement {
  const out: RolePlacement = {}
  const nodeSelector = r.stringMap('nodeSelector')
  if (nodeSelector && Object.keys(nodeSelector).length > 0) out.nodeSelector = nodeSelector
  const tolerations = r.list('tolerations')?.map((t) => {
    const unknown = Object.keys(t.value).find((k) => !TOLERATION_KEYS.includes(k))
    if (unknown) throw t.error(unknown, `is not a toleration field (allowed: ${TOLERATION_KEYS.join(', ')})`)
    const tol: Toleration = {}
    const key = t.string('key')
    if (key !== undefined && key !== '') tol.key = key
    const operator = t.string('operator')
    if (operator !== undefined && operator !== 'Exists' && operator !== 'Equal') throw t.error('operator', `${JSON.stringify(operator)} is not allowed: use Exists or Equal`)
    if (operator) tol.operator = operator as Toleration['operator']
    const value = t.string('value')
    if (value !== undefined && value !== '') {
      if (operator === 'Exists') throw t.error('value', 'must be empty when operator is Exists')
      tol.value = value
    }
    if (tol.key === undefined && operator !== 'Exists') throw t.error('operator', 'must be Exists when key is empty (a toleration of every taint)')
    const effect = t.string('effect')
    if (effect !== undefined && effect !== '' && !TOLERATION_EFFECTS.includes(effect))
      throw t.error('effect', `${JSON.stringify(effect)} is not allowed: use ${TOLERATION_EFFECTS.join(', ')} (or leave it out for all effects)`)
    if (effect) tol.effect = effect as Toleration['effect']
    const seconds = t.integer('tolerationSeconds')
    if (seconds !== undefined) {
      if (tol.effect !== 'NoExecute') throw t.error('tolerationSeconds', 'is only allowed with effect NoExecute')
      tol.tolerationSeconds = seconds
    }
    return tol
  })
  if (tolerations && tolerations.length > 0) out.tolerations = tolerations
  const affinity = r.child('affinity')
  if (affinity) {
    const picked: Record<string, unknown> = {}
    for (const k of Object.keys(affinity.value)) {
      if (!AFFINITY_KEYS.includes(k)) throw affinity.error(k, `is not an affinity field (allowed: ${AFFINITY_KEYS.join(', ')})`)
      // the inside is core/v1 NodeAffinity/PodAffinity: checked by the API server, here only its shape
      const c = affinity.child(k)
      if (c) picked[k] = JSON.parse(JSON.stringify(affinity.opaque(k)))
    }
    if (Object.keys(picked).length > 0) out.affinity = picked
  }
  return out
}

function readEnv(r: FieldReader): EnvVar[] {
  return (r.list('env') ?? []).map((e) => {
    if (e.has('valueFrom')) throw e.error('valueFrom', 'is not supported; KubeDirector roles take env as {name, value}')
    return {name: e.requiredString('name'), value: e.string('value') ?? ''}
  })
}
