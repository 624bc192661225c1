// renderCluster(): the Kubernetes objects of one app cluster (docs/architecture.md) from the app and the resolved
// cluster — root ConfigMap, headless Service, a StatefulSet per role, a Service per member, and the agent
// (render-agent.ts). Pure and deterministic: same input, same objects, no timestamps, stable order.
// Every name, label and annotation comes from names.ts.
import type {App, AppRole} from '../app/model.ts'
import {findRole, roleEndpointServices} from '../app/model.ts'
import {applyOverrides} from '../app/overrides.ts'
import type {KubeObject} from '../kube-object.ts'
import type {ResolvedCluster, ResolvedRole} from './model.ts'
import {blockDevices} from './names.ts'
import {
  ANNOTATION,
  APP_CONTAINER,
  AUTH_TOKEN_ENV,
  AUTH_TOKEN_KEY,
  CONFIGURED_CONDITION,
  LABEL,
  ROOT_KEYS,
  headlessServiceName,
  memberPodName,
  memberServiceName,
  roleStatefulSetName,
  authSecretName,
  rootConfigMapName,
} from './names.ts'
import {clusterLabels, ownedByRoot, roleLabels} from './object-meta.ts'
import {persistedDirs} from './persist-dirs.ts'
import {renderAgent} from './render-agent.ts'
import {withSpecHash} from './member-objects.ts'
import type {RenderOptions} from './render-options.ts'
import {DEFAULT_SERVICE_TYPE} from './render-options.ts'

export type {RenderOptions} from './render-options.ts'
export type {KubeObject} from '../kube-object.ts'

/** Name of the per-member volume claim template (KubeDirector's), so PVCs are `p-POD`. */
const PERSIST_VOLUME = 'p'
/** Marker the init container leaves once persisted directories are copied to the volume. */
const PERSIST_INIT_MARKER = '/etc/kubectl-kd.init'
const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name'

export function renderCluster(app: App, cluster: ResolvedCluster, options: RenderOptions): KubeObject[] {
  const effectiveApp = applyOverrides(app, {images: options.images ?? {}, packages: options.packages ?? {}})
  const members: KubeObject[] = [renderHeadlessService(cluster, options)]
  for (const role of cluster.roles) members.push(renderStatefulSet(effectiveApp, cluster, role, options))
  for (const role of cluster.roles) members.push(...renderMemberServices(effectiveApp, cluster, role, options))
  // the objects the agent keeps at the spec carry their render's hash (member-objects.ts)
  const objects = [renderRoot(effectiveApp, cluster, options), ...members.map((o) => withSpecHash(plainCopy(o))), ...renderAgent(cluster, options, effectiveApp)]
  return objects.map(plainCopy)
}

/** A copy sharing no sub-objects (no YAML anchors in `-o yaml`, safe for callers to modify). */
function plainCopy(obj: KubeObject): KubeObject {
  return JSON.parse(JSON.stringify(obj)) as KubeObject
}

/** The root ConfigMap alone (the create action applies it first to learn its UID). */
export function renderRoot(app: App, cluster: ResolvedCluster, options: RenderOptions): KubeObject {
  // namespace and service type last, whether the spec gave them or not: the same cluster is always the same text
  const {namespace: _namespace, serviceType: _serviceType, ...rest} = cluster
  const stored: ResolvedCluster = {...rest, namespace: options.namespace, serviceType: serviceTypeOf(cluster, options)}
  return plainCopy({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: rootConfigMapName(cluster.name),
      namespace: options.namespace,
      labels: clusterLabels(cluster),
      annotations: {[ANNOTATION.generation]: String(options.generation ?? 1)},
    },
    data: {
      [ROOT_KEYS.app]: `${JSON.stringify(app, null, 2)}\n`,
      [ROOT_KEYS.cluster]: `${JSON.stringify(stored, null, 2)}\n`,
    },
  })
}

function renderHeadlessService(cluster: ResolvedCluster, options: RenderOptions): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: headlessServiceName(cluster.name),
      namespace: options.namespace,
      labels: clusterLabels(cluster),
      ...ownedByRoot(cluster, options.rootUid),
    },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: {[LABEL.cluster]: cluster.name},
      // KubeDirector's dummy port: some DNS setups publish no records for a headless Service without ports
      ports: [{name: 'port', port: 8888, protocol: 'TCP'}],
    },
  }
}

function renderStatefulSet(app: App, cluster: ResolvedCluster, role: ResolvedRole, options: RenderOptions): KubeObject {
  const appRole = findRole(app, role.id)!
  const labels = roleLabels(cluster, role.id)
  const podLabels = {...role.podLabels, ...labels}
  const persist = role.storage ? persistedDirs(appRole) : []
  const services = roleEndpointServices(app, appRole)
  // a hasAuthToken service's token comes from the cluster's Secret: the pod spec holds only the reference
  const env = [
    ...role.env.map((e): Record<string, unknown> => ({name: e.name, value: e.value})),
    ...(services.some((s) => s.endpoint.hasAuthToken) ? [{name: AUTH_TOKEN_ENV, valueFrom: {secretKeyRef: {name: authSecretName(cluster.name), key: AUTH_TOKEN_KEY}}}] : []),
  ]
  const container: Record<string, unknown> = {
    name: APP_CONTAINER,
    image: appRole.imageRepoTag,
    imagePullPolicy: 'IfNotPresent',
    ports: services.map((s) => ({name: s.id, containerPort: s.endpoint.port, protocol: 'TCP'})),
    ...(env.length > 0 ? {env} : {}),
    resources: {requests: {...role.resources.requests}, limits: {...role.resources.limits}},
  }
  if (app.capabilities.length > 0) container.securityContext = {capabilities: {add: [...app.capabilities]}}
  if (appRole.containerSpec?.stdin) container.stdin = true
  if (appRole.containerSpec?.tty) container.tty = true
  const extra = podExtras(role)
  const mounts = [...persist.map((dir) => ({name: PERSIST_VOLUME, mountPath: dir, subPath: dir.slice(1)})), ...extra.mounts]
  if (mounts.length > 0) container.volumeMounts = mounts
  const devices = blockDevices(role)
  if (devices.length > 0) container.volumeDevices = devices.map((d) => ({name: d.claim, devicePath: d.path}))

  const podSpec: Record<string, unknown> = {
    enableServiceLinks: false,
    // a role's own ServiceAccount is there to be used by the member: its token is mounted as the account says
    ...(role.serviceAccountName ? {serviceAccountName: role.serviceAccountName} : {automountServiceAccountToken: false}),
    readinessGates: [{conditionType: CONFIGURED_CONDITION}],
    ...(role.nodeSelector ? {nodeSelector: {...role.nodeSelector}} : {}),
    ...(role.tolerations ? {tolerations: role.tolerations.map((t) => ({...t}))} : {}),
    ...(role.affinity ? {affinity: structuredClone(role.affinity)} : {}),
    ...(persist.length > 0 ? {initContainers: [persistInitContainer(appRole, role, persist)]} : {}),
    containers: [container],
    ...(extra.volumes.length > 0 ? {volumes: extra.volumes} : {}),
  }
  const spec: Record<string, unknown> = {
    replicas: role.members,
    podManagementPolicy: 'Parallel',
    serviceName: headlessServiceName(cluster.name),
    selector: {matchLabels: {[LABEL.cluster]: cluster.name, [LABEL.role]: role.id}},
    template: {
      metadata: {labels: podLabels, ...(Object.keys(role.podAnnotations).length > 0 ? {annotations: {...role.podAnnotations}} : {})},
      spec: podSpec,
    },
  }
  const claims: Record<string, unknown>[] = []
  if (role.storage) {
    claims.push({
      metadata: {name: PERSIST_VOLUME, labels},
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: {requests: {storage: role.storage.size}},
        ...(role.storage.storageClassName ? {storageClassName: role.storage.storageClassName} : {}),
      },
    })
  }
  for (const d of devices) {
    claims.push({
      metadata: {name: d.claim, labels},
      spec: {accessModes: ['ReadWriteOnce'], volumeMode: 'Block', resources: {requests: {storage: d.size}}, storageClassName: d.storageClassName},
    })
  }
  if (claims.length > 0) spec.volumeClaimTemplates = claims
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: roleStatefulSetName(cluster.name, role.id),
      namespace: options.namespace,
      labels,
      ...ownedByRoot(cluster, options.rootUid),
    },
    spec,
  }
}

/** Volumes and mounts of a role's sharedMemory (/dev/shm), secret and volumeProjections. */
function podExtras(role: ResolvedRole): {volumes: Record<string, unknown>[]; mounts: Record<string, unknown>[]} {
  const volumes: Record<string, unknown>[] = []
  const mounts: Record<string, unknown>[] = []
  if (role.sharedMemory) {
    volumes.push({name: 'kd-shm', emptyDir: {medium: 'Memory', sizeLimit: role.sharedMemory}})
    mounts.push({name: 'kd-shm', mountPath: '/dev/shm'})
  }
  if (role.secret) {
    const s = role.secret
    volumes.push({name: 'kd-secret', secret: {secretName: s.name, ...(s.defaultMode !== undefined ? {defaultMode: s.defaultMode} : {})}})
    mounts.push({name: 'kd-secret', mountPath: s.mountPath, ...(s.readOnly ? {readOnly: true} : {})})
  }
  role.volumeProjections?.forEach((v, i) => {
    volumes.push({name: `kd-projection-${i}`, persistentVolumeClaim: {claimName: v.pvcName, ...(v.readOnly ? {readOnly: true} : {})}})
    mounts.push({name: `kd-projection-${i}`, mountPath: v.mountPath, ...(v.readOnly ? {readOnly: true} : {})})
  })
  return {volumes, mounts}
}

/** Copies the image's persisted directories onto the empty volume once (KubeDirector's init container, with tar). */
function persistInitContainer(appRole: AppRole, role: ResolvedRole, dirs: string[]): Record<string, unknown> {
  const relative = dirs.map((d) => d.slice(1)).join(' ')
  const script = [
    `if [ ! -e /mnt${PERSIST_INIT_MARKER} ]; then`,
    `  cd / && for d in ${relative}; do mkdir -p "$d"; done`,
    `  tar cf - ${relative} | tar xf - -C /mnt`,
    `  mkdir -p /mnt/etc && touch /mnt${PERSIST_INIT_MARKER}`,
    'fi',
  ].join('\n')
  return {
    name: 'init',
    image: appRole.imageRepoTag,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', script],
    resources: {requests: {...role.resources.requests}, limits: {...role.resources.limits}},
    securityContext: {runAsUser: 0},
    volumeMounts: [{name: PERSIST_VOLUME, mountPath: '/mnt'}],
  }
}

function renderMemberServices(app: App, cluster: ResolvedCluster, role: ResolvedRole, options: RenderOptions): KubeObject[] {
  const services = roleEndpointServices(app, findRole(app, role.id)!)
  if (services.length === 0) return []
  const out: KubeObject[] = []
  for (let index = 0; index < role.members; index++) {
    const pod = memberPodName(cluster.name, role.id, index)
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: memberServiceName(pod),
        namespace: options.namespace,
        labels: {...role.serviceLabels, ...roleLabels(cluster, role.id)},
        ...(Object.keys(role.serviceAnnotations).length > 0 ? {annotations: {...role.serviceAnnotations}} : {}),
        ...ownedByRoot(cluster, options.rootUid),
      },
      spec: {
        type: serviceTypeOf(cluster, options),
        selector: {[POD_NAME_LABEL]: pod},
        publishNotReadyAddresses: true,
        // KubeDirector's port names: <urlScheme>-<service id>, or generic-<service id> without a scheme
        ports: services.map((s) => ({
          name: `${(s.endpoint.urlScheme ?? 'generic').toLowerCase()}-${s.id}`,
          port: s.endpoint.port,
          targetPort: s.endpoint.port,
          protocol: 'TCP',
        })),
      },
    })
  }
  return out
}

function serviceTypeOf(cluster: ResolvedCluster, options: RenderOptions) {
  return options.serviceType ?? cluster.serviceType ?? DEFAULT_SERVICE_TYPE
}
