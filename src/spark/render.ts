// renderDriver: the objects spark-submit 3.5 creates in cluster mode (driver Pod, headless driver
// Service, spark-drv-…-conf-map with spark.properties), field for field as captured from a real
// spark-submit (see test/unit/spark-golden/), so the stock driver inside the image runs unchanged.
// Pure: ids, namespace, API server URL, user and clock come in as data.
import type {KubeObject} from '../kube-object.ts'
import {storeProperties} from './java-properties.ts'
import {POD_TEMPLATE_DIR, POD_TEMPLATE_FILE_NAME, POD_TEMPLATE_KEY, POD_TEMPLATE_VOLUME, applyDriverTemplate, podTemplateConfigMapName} from './pod-template.ts'
import {
  DRIVER_CONF_VOLUME,
  DRIVER_CONTAINER,
  LOCAL_DIR_VOLUME,
  SHIPPED_FILES_DIR,
  SHIPPED_FILES_VOLUME,
  SPARK_CONF_DIR,
  SPARK_LABEL,
  SPARK_PROPERTIES,
  appNameLabel,
  driverConfigMapName,
  driverServiceName,
  resourceNamePrefix,
  shippedFilesConfigMapName,
  type SubmissionIds,
  versionAtLeast,
} from './names.ts'
import type {Submission} from './submission.ts'
import {byteStringAs, scalaToDouble} from './units.ts'

export interface RenderContext {
  namespace: string
  /** the API server URL, written as spark.master=k8s://URL */
  server: string
  /** SPARK_USER: the client's user name */
  user: string
  /** whether `user` came from the SPARK_USER variable (Spark 3 lets it win over --proxy-user) */
  userFromEnv?: boolean
  ids: SubmissionIds
  /** ConfigMap binaryData for shipped files (key → base64), when there are any */
  shippedData?: Record<string, string>
  /** spark.kubernetes.driver.podTemplateFile, parsed */
  driverTemplate?: Record<string, any>
  /** spark.kubernetes.executor.podTemplateFile's text: travels to the driver in a ConfigMap */
  executorTemplate?: string
}

type Obj = Record<string, unknown>

export interface DriverObjects {
  pod: KubeObject
  service: KubeObject
  configMap: KubeObject
  /** only when client-local files are shipped (kubectl kd's addition) */
  filesConfigMap?: KubeObject
  /** the executor pod template for the driver (PodTemplateConfigMapStep), when there is one */
  templateConfigMap?: KubeObject
  /** the conf the driver reads (spark.properties as a map) */
  properties: Map<string, string>
  appId: string
  jobName: string
}

const withPrefix = (conf: Map<string, string>, prefix: string): [string, string][] =>
  [...conf.entries()].filter(([k]) => k.startsWith(prefix) && k.length > prefix.length).map(([k, v]) => [k.slice(prefix.length), v])

/** Spark's memory overhead: explicit spark.driver.memoryOverhead, else max(factor × memory, 384) MiB. */
function driverMemoryMiB(sub: Submission): {memoryMiB: number; overheadMiB: number; factor: number} {
  const conf = sub.conf
  const memoryMiB = byteStringAs(conf.get('spark.driver.memory') ?? '1g', 'm')
  const explicitFactor = conf.get('spark.driver.memoryOverheadFactor') ?? conf.get('spark.kubernetes.memoryOverheadFactor')
  const baseFactor = scalaToDouble(conf.get('spark.driver.memoryOverheadFactor') ?? conf.get('spark.kubernetes.memoryOverheadFactor') ?? '0.1')!
  const factor = sub.resourceType !== 'java' && explicitFactor === undefined ? 0.4 : baseFactor
  const overhead = conf.get('spark.driver.memoryOverhead')
  const overheadMiB = overhead !== undefined ? byteStringAs(overhead, 'm') : Math.max(Math.trunc(factor * memoryMiB), 384)
  return {memoryMiB, overheadMiB, factor}
}

/**
 * MountVolumesFeatureStep: spark.kubernetes.driver.volumes.<type>.<name>.{mount.*,options.*}. Spark lists
 * them in a hash order; here they keep the order of their first property (pods do not care).
 */
function driverVolumes(conf: Map<string, string>, v4: boolean): {volume: Obj; mount: Obj}[] {
  const prefix = 'spark.kubernetes.driver.volumes.'
  const specs = new Map<string, {type: string; name: string}>()
  for (const [k] of withPrefix(conf, prefix)) {
    const [type, name] = k.split('.')
    if (type && name && !specs.has(`${type}.${name}`)) specs.set(`${type}.${name}`, {type, name})
  }
  return [...specs.values()].map(({type, name}) => {
    const get = (key: string) => conf.get(`${prefix}${type}.${name}.${key}`)
    const readOnly = (get('mount.readOnly') ?? 'false').trim().toLowerCase() === 'true'
    const mount: Obj = {mountPath: get('mount.path'), name, readOnly, subPath: get('mount.subPath') ?? ''}
    // Spark 4 always writes subPathExpr
    if (v4 || get('mount.subPathExpr') !== undefined) mount.subPathExpr = get('mount.subPathExpr') ?? ''
    const volume: Obj =
      type === 'hostPath'
        ? {hostPath: {path: get('options.path'), type: get('options.type') ?? ''}, name}
        : type === 'emptyDir'
          ? {emptyDir: {...(get('options.medium') ? {medium: get('options.medium')} : {}), ...(get('options.sizeLimit') ? {sizeLimit: get('options.sizeLimit')} : {})}, name}
          : type === 'nfs'
            ? {name, nfs: {path: get('options.path'), server: get('options.server')}}
            : {name, persistentVolumeClaim: {claimName: get('options.claimName'), readOnly}}
    return {volume, mount}
  })
}

/** Scala's Double.toString for the factors Spark writes back (0.1, 0.4, 0.25). */
const scalaDouble = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n))

export function renderDriver(sub: Submission, ctx: RenderContext): DriverObjects {
  const {conf} = sub
  const {ids, namespace} = ctx
  const prefix = resourceNamePrefix(sub.appName, ids.prefixId)
  const podName = conf.get('spark.kubernetes.driver.pod.name') ?? `${prefix}-driver`
  const serviceName = driverServiceName(prefix, ids.prefixId)
  const configMapName = driverConfigMapName(ids.configMapId)
  const image = conf.get('spark.kubernetes.driver.container.image') ?? conf.get('spark.kubernetes.container.image')!
  const driverPort = Number(conf.get('spark.driver.port') ?? 7078)
  const blockManagerPort = Number(conf.get('spark.driver.blockManager.port') ?? conf.get('spark.blockManager.port') ?? 7079)
  const uiPort = Number(conf.get('spark.ui.port') ?? 4040)
  // Spark 4 declares the Spark Connect port; 4.3 adds allowPrivilegeEscalation=false (captured from 4.3.0)
  const v4 = versionAtLeast(sub.sparkVersion, 4, 0)
  const connectPort = Number(conf.get('spark.connect.grpc.binding.port') ?? 15002)
  const escalation = conf.get('spark.kubernetes.driver.securityContext.allowPrivilegeEscalation') ?? conf.get('spark.kubernetes.securityContext.allowPrivilegeEscalation') ?? 'false'
  const securityContext = versionAtLeast(sub.sparkVersion, 4, 3) ? {securityContext: {allowPrivilegeEscalation: escalation.trim().toLowerCase() === 'true'}} : {}
  const substitute = (v: string) => v.replaceAll('{{APP_ID}}', ids.appId)

  const labels: Record<string, string> = {
    ...Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.label.')),
    [SPARK_LABEL.version]: sub.sparkVersion,
    [SPARK_LABEL.appId]: ids.appId,
    [SPARK_LABEL.appName]: appNameLabel(sub.appName),
    [SPARK_LABEL.role]: 'driver',
  }
  const annotations = Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.annotation.').map(([k, v]) => [k, substitute(v)]))
  const {memoryMiB, overheadMiB, factor} = driverMemoryMiB(sub)
  const memory = `${memoryMiB + overheadMiB}Mi`
  const cpuRequest = conf.get('spark.kubernetes.driver.request.cores') ?? String(Number(conf.get('spark.driver.cores') ?? '1'))
  const cpuLimit = conf.get('spark.kubernetes.driver.limit.cores')
  const limits: Record<string, string> = {memory, ...(cpuLimit ? {cpu: cpuLimit} : {})}
  for (const [rest, amount] of withPrefix(conf, 'spark.driver.resource.')) {
    const m = /^(.+)\.amount$/.exec(rest)
    const vendor = m && conf.get(`spark.driver.resource.${m[1]}.vendor`)
    if (m && vendor) limits[`${vendor}/${m[1]}`] = amount
  }
  const localDir = `/var/data/spark-${ids.localDirUuid}`
  const env: Obj[] = [
    {name: 'SPARK_USER', value: sub.proxyUser !== undefined && (v4 || !ctx.userFromEnv) ? sub.proxyUser : ctx.user},
    {name: 'SPARK_APPLICATION_ID', value: ids.appId},
    ...withPrefix(conf, 'spark.kubernetes.driverEnv.').map(([name, value]) => ({name, value})),
    {name: 'SPARK_DRIVER_BIND_ADDRESS', valueFrom: {fieldRef: {apiVersion: 'v1', fieldPath: 'status.podIP'}}},
    {name: 'SPARK_LOCAL_DIRS', value: localDir},
    // EnvSecretsFeatureStep: spark.kubernetes.driver.secretKeyRef.ENV=secret:key reads ENV from the Secret
    ...withPrefix(conf, 'spark.kubernetes.driver.secretKeyRef.').map(([name, ref]) => {
      const [secret, key] = ref.split(':')
      return {name, valueFrom: {secretKeyRef: {key, name: secret}}}
    }),
    ...(sub.resourceType === 'python'
      ? [
          ...(conf.has('spark.pyspark.python') ? [{name: 'PYSPARK_PYTHON', value: conf.get('spark.pyspark.python')}] : []),
          ...(conf.has('spark.pyspark.driver.python') || conf.has('spark.pyspark.python')
            ? [{name: 'PYSPARK_DRIVER_PYTHON', value: conf.get('spark.pyspark.driver.python') ?? conf.get('spark.pyspark.python')}]
            : []),
        ]
      : []),
    {name: 'SPARK_CONF_DIR', value: SPARK_CONF_DIR},
  ]
  const secretMounts = withPrefix(conf, 'spark.kubernetes.driver.secrets.')
  const userVolumes = driverVolumes(conf, v4)
  const templateCm = ctx.executorTemplate !== undefined ? podTemplateConfigMapName(prefix) : undefined
  const volumeMounts: Obj[] = [
    ...secretMounts.map(([secret, path]) => ({mountPath: path, name: `${secret}-volume`})),
    ...userVolumes.map((v) => v.mount),
    ...(templateCm ? [{mountPath: POD_TEMPLATE_DIR, name: POD_TEMPLATE_VOLUME}] : []),
    {mountPath: localDir, name: LOCAL_DIR_VOLUME},
    {mountPath: SPARK_CONF_DIR, name: DRIVER_CONF_VOLUME},
    ...(sub.shippedFiles.length ? [{mountPath: SHIPPED_FILES_DIR, name: SHIPPED_FILES_VOLUME, readOnly: true}] : []),
  ]
  const volumes: Obj[] = [
    ...secretMounts.map(([secret]) => ({name: `${secret}-volume`, secret: {secretName: secret}})),
    ...userVolumes.map((v) => v.volume),
    ...(templateCm ? [{configMap: {items: [{key: POD_TEMPLATE_KEY, path: POD_TEMPLATE_FILE_NAME}], name: templateCm}, name: POD_TEMPLATE_VOLUME}] : []),
    {emptyDir: conf.get('spark.kubernetes.local.dirs.tmpfs') === 'true' ? {medium: 'Memory'} : {}, name: LOCAL_DIR_VOLUME},
    {configMap: {items: [{key: SPARK_PROPERTIES, mode: 420, path: SPARK_PROPERTIES}], name: configMapName}, name: DRIVER_CONF_VOLUME},
    ...(sub.shippedFiles.length ? [{configMap: {name: shippedFilesConfigMapName(ids.configMapId)}, name: SHIPPED_FILES_VOLUME}] : []),
  ]
  const nodeSelector = Object.fromEntries([...withPrefix(conf, 'spark.kubernetes.node.selector.'), ...withPrefix(conf, 'spark.kubernetes.driver.node.selector.')])
  const pullSecrets = (conf.get('spark.kubernetes.container.image.pullSecrets') ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  const serviceAccount = conf.get('spark.kubernetes.authenticate.driver.serviceAccountName')
  const schedulerName = conf.get('spark.kubernetes.driver.scheduler.name') ?? conf.get('spark.kubernetes.scheduler.name')
  const args = ['driver', ...(sub.proxyUser !== undefined ? ['--proxy-user', sub.proxyUser] : []), '--properties-file', `${SPARK_CONF_DIR}/${SPARK_PROPERTIES}`, '--class', sub.mainClass, sub.primaryResource, ...sub.appArgs]

  const plainPod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: podName, namespace, labels, ...(Object.keys(annotations).length ? {annotations} : {})},
    spec: {
      containers: [
        {
          args,
          env,
          image,
          imagePullPolicy: conf.get('spark.kubernetes.container.image.pullPolicy') ?? 'IfNotPresent',
          name: DRIVER_CONTAINER,
          ports: [
            {containerPort: driverPort, name: 'driver-rpc-port', protocol: 'TCP'},
            {containerPort: blockManagerPort, name: 'blockmanager', protocol: 'TCP'},
            {containerPort: uiPort, name: 'spark-ui', protocol: 'TCP'},
            ...(v4 ? [{containerPort: connectPort, name: 'spark-connect', protocol: 'TCP'}] : []),
          ],
          resources: {limits, requests: {cpu: cpuRequest, memory}},
          ...securityContext,
          volumeMounts,
        },
      ],
      ...(pullSecrets.length ? {imagePullSecrets: pullSecrets.map((name) => ({name}))} : {}),
      ...(Object.keys(nodeSelector).length ? {nodeSelector} : {}),
      restartPolicy: 'Never',
      ...(schedulerName ? {schedulerName} : {}),
      ...(serviceAccount ? {serviceAccount, serviceAccountName: serviceAccount} : {}),
      volumes,
    },
  }

  const pod = (ctx.driverTemplate ? applyDriverTemplate(plainPod, ctx.driverTemplate, conf.get('spark.kubernetes.driver.podTemplateContainerName')) : plainPod) as KubeObject

  const serviceAnnotations = Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.service.annotation.'))
  const ipFamilies = (conf.get('spark.kubernetes.driver.service.ipFamilies') ?? 'IPv4').split(',').map((s) => s.trim())
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName,
      namespace,
      labels: {[SPARK_LABEL.appId]: ids.appId, ...Object.fromEntries(withPrefix(conf, 'spark.kubernetes.driver.service.label.'))},
      ...(Object.keys(serviceAnnotations).length ? {annotations: serviceAnnotations} : {}),
    },
    spec: {
      clusterIP: 'None',
      ipFamilies,
      ipFamilyPolicy: conf.get('spark.kubernetes.driver.service.ipFamilyPolicy') ?? 'SingleStack',
      ports: [
        {name: 'driver-rpc-port', port: driverPort, targetPort: driverPort},
        {name: 'blockmanager', port: blockManagerPort, targetPort: blockManagerPort},
        {name: 'spark-ui', port: uiPort, targetPort: uiPort},
        ...(v4 ? [{appProtocol: 'grpc', name: 'spark-connect', port: connectPort, targetPort: connectPort}] : []),
      ],
      selector: {...labels},
    },
  }

  // spark.properties: the submission conf, what SparkSubmit adds, and the feature steps' system properties
  const properties = new Map(conf)
  const set = (k: string, v: string) => properties.set(k, v)
  set('spark.master', sub.master ?? `k8s://${ctx.server}`)
  set('spark.submit.deployMode', 'cluster')
  set('spark.app.submitTime', String(ids.submitTime))
  set('spark.kubernetes.namespace', namespace)
  if (sub.resourceType === 'java') {
    set('spark.jars', [...(conf.get('spark.jars') ?? '').split(',').filter(Boolean), sub.primaryResource].join(','))
  }
  set('spark.submit.pyFiles', conf.get('spark.submit.pyFiles') ?? '')
  set('spark.kubernetes.driver.pod.name', podName)
  set('spark.app.id', ids.appId)
  set('spark.kubernetes.submitInDriver', 'true')
  set('spark.kubernetes.memoryOverheadFactor', scalaDouble(factor))
  set('spark.driver.host', `${serviceName}.${namespace}.svc`)
  set('spark.driver.port', String(driverPort))
  set('spark.driver.blockManager.port', String(blockManagerPort))
  set('spark.kubernetes.resource.type', sub.resourceType)
  if (templateCm) set('spark.kubernetes.executor.podTemplateFile', `${POD_TEMPLATE_DIR}/${POD_TEMPLATE_FILE_NAME}`)

  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {name: configMapName, namespace},
    data: {
      [SPARK_PROPERTIES]: storeProperties(properties, `Java properties built from Kubernetes config map with name: ${configMapName}`, new Date(ids.submitTime)),
      'spark.kubernetes.namespace': namespace,
    },
    immutable: true,
  }
  const filesConfigMap: KubeObject | undefined = sub.shippedFiles.length
    ? {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {name: shippedFilesConfigMapName(ids.configMapId), namespace, labels: {[SPARK_LABEL.appId]: ids.appId}},
        binaryData: Object.fromEntries(sub.shippedFiles.map((f) => [f.key, ctx.shippedData?.[f.key] ?? ''])),
        immutable: true,
      }
    : undefined
  const templateConfigMap: KubeObject | undefined = templateCm
    ? {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: templateCm, namespace}, data: {[POD_TEMPLATE_KEY]: ctx.executorTemplate!}, immutable: true}
    : undefined
  return {pod, service, configMap, filesConfigMap, templateConfigMap, properties, appId: ids.appId, jobName: podName.endsWith('-driver') ? podName.slice(0, -7) : podName}
}

/** Adds the ownerReference spark-submit puts on the service and ConfigMap, once the driver pod exists. */
export function ownedByDriver<T extends KubeObject>(obj: T, pod: {metadata?: {name?: string; uid?: string}}): T {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      ownerReferences: [{apiVersion: 'v1', kind: 'Pod', controller: true, name: pod.metadata!.name!, uid: pod.metadata!.uid!}],
    },
  }
}
