// kubeflow spark-operator `SparkApplication` (sparkoperator.k8s.io/v1beta2) as input to `submit -f`:
// mapped to the spark-submit arguments the operator itself would pass (its buildSparkSubmitArgs), so a
// user's existing manifest runs without installing the operator. The pod fields the operator applies
// through its mutating webhook (volumes, sidecars, tolerations, …) become pod templates (the driver's is
// merged here, the executors' travels to the driver as Spark's executor template). Fields not honoured
// are refused by name, never dropped.
import {UserError} from '../errors.ts'
import type {SubmitArgs} from './submission.ts'
import type {LifecycleInput} from './lifecycle.ts'

const SPARKAPP_API_VERSION = 'sparkoperator.k8s.io/v1beta2'

type O = Record<string, any>

export interface SparkAppInput {
  args: SubmitArgs
  /** metadata.namespace, if the manifest names one */
  namespace?: string
  /** metadata.name: the job name (driver pod `<name>-driver`) */
  name: string
  warnings: string[]
  /** pod fields of spec.driver / spec.executor as pod templates (Spark container first) */
  podTemplates: {driver?: O; executor?: O}
  /** spec.restartPolicy, spec.timeToLiveSeconds and, for a ScheduledSparkApplication, its schedule fields */
  lifecycle: LifecycleInput
}

const SCHEDULE_FIELDS = ['schedule', 'timeZone', 'concurrencyPolicy', 'suspend', 'successfulRunHistoryLimit', 'failedRunHistoryLimit'] as const
const RESTART_FIELDS = ['type', 'onFailureRetries', 'onFailureRetryInterval', 'onSubmissionFailureRetries', 'onSubmissionFailureRetryInterval']

/** A ScheduledSparkApplication: its template as a SparkApplication, and its schedule fields (validated later, by name). */
function unwrapScheduled(app: O, file: string): {app: O; schedule: LifecycleInput} {
  if (app?.kind !== 'ScheduledSparkApplication') return {app, schedule: {}}
  const spec = app.spec
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new UserError(`${file}: spec must be a mapping`)
  for (const f of Object.keys(spec)) if (f !== 'template' && !(SCHEDULE_FIELDS as readonly string[]).includes(f)) throw new UserError(`${file}: spec.${f} is not a ScheduledSparkApplication (v1beta2) field kubectl kd submit knows`)
  if (spec.schedule === undefined) throw new UserError(`${file}: spec.schedule is required`)
  if (!spec.template || typeof spec.template !== 'object') throw new UserError(`${file}: spec.template (the SparkApplication spec to run) is required`)
  return {app: {...app, kind: 'SparkApplication', spec: spec.template}, schedule: Object.fromEntries(SCHEDULE_FIELDS.filter((f) => spec[f] !== undefined && spec[f] !== null).map((f) => [f, spec[f]]))}
}

/** Where each lifecycle field is in a manifest, for error messages. */
export function manifestFieldNames(file: string, scheduled: boolean): Record<keyof LifecycleInput, string> {
  const t = scheduled ? 'spec.template' : 'spec'
  return {
    restartPolicy: `${file}: ${t}.restartPolicy.type`,
    onFailureRetries: `${file}: ${t}.restartPolicy.onFailureRetries`,
    onFailureRetryInterval: `${file}: ${t}.restartPolicy.onFailureRetryInterval`,
    onSubmissionFailureRetries: `${file}: ${t}.restartPolicy.onSubmissionFailureRetries`,
    onSubmissionFailureRetryInterval: `${file}: ${t}.restartPolicy.onSubmissionFailureRetryInterval`,
    startTimeoutSeconds: '--start-timeout',
    timeToLiveSeconds: `${file}: ${t}.timeToLiveSeconds`,
    schedule: `${file}: spec.schedule`,
    timeZone: `${file}: spec.timeZone`,
    concurrencyPolicy: `${file}: spec.concurrencyPolicy`,
    suspend: `${file}: spec.suspend`,
    successfulRunHistoryLimit: `${file}: spec.successfulRunHistoryLimit`,
    failedRunHistoryLimit: `${file}: spec.failedRunHistoryLimit`,
  }
}

/** Role fields that are not honoured: refused with what to do instead. */
const REFUSED_ROLE_FIELDS: Record<string, string> = {
  gpu: 'set spark.{role}.resource.gpu.amount / .vendor / .discoveryScript in sparkConf',
  memoryLimit: 'Spark sets the memory limit to the memory request (memory + overhead)',
  kubernetesMaster: 'pass --master k8s://URL or --context',
}
const REFUSED_SPEC_FIELDS = ['monitoring', 'sparkUIOptions', 'driverIngressOptions', 'batchScheduler', 'batchSchedulerOptions', 'sparkConfigMap', 'hadoopConfigMap', 'suspend', 'failureRetries', 'retryInterval', 'driverPodDisruptionBudget']

export function sparkAppToSubmitArgs(doc: unknown, file: string): SparkAppInput {
  if (!doc || typeof doc !== 'object') throw new UserError(`${file}: not a SparkApplication (expected a YAML/JSON object)`)
  const {app, schedule} = unwrapScheduled(doc as O, file)
  const where = (path: string) => `${file}: ${schedule.schedule !== undefined && path.startsWith('spec.') ? 'spec.template.' + path.slice(5) : path}`
  if (app.kind !== 'SparkApplication') throw new UserError(where(`kind is ${JSON.stringify(app.kind)}, expected SparkApplication or ScheduledSparkApplication (apiVersion ${SPARKAPP_API_VERSION})`))
  if (app.apiVersion !== SPARKAPP_API_VERSION) throw new UserError(where(`apiVersion ${JSON.stringify(app.apiVersion)} is not supported, use ${SPARKAPP_API_VERSION}`))
  const name = app.metadata?.name
  if (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new UserError(where(`metadata.name ${JSON.stringify(name)} must be a DNS label (lower-case letters, digits, '-')`))
  const spec: O = app.spec ?? {}
  checkShapes(spec, file)
  const warnings: string[] = []
  const conf: string[] = []
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') conf.push(`${k}=${String(v)}`)
  }
  const type = String(spec.type ?? '')
  if (!['Java', 'Scala', 'Python', 'R'].includes(type)) throw new UserError(where(`spec.type ${JSON.stringify(spec.type)} must be one of Java, Scala, Python, R`))
  if (type === 'R') throw new UserError(where('spec.type R is not supported by kubectl kd submit'))
  if (spec.mode && spec.mode !== 'cluster') throw new UserError(where(`spec.mode ${spec.mode} is not supported: only cluster mode (use spark-submit for client mode)`))
  if (!spec.mainApplicationFile) throw new UserError(where('spec.mainApplicationFile is required'))
  if ((type === 'Java' || type === 'Scala') && !spec.mainClass) throw new UserError(where('spec.mainClass is required for a Java/Scala application'))
  for (const f of REFUSED_SPEC_FIELDS) if (spec[f] !== undefined && spec[f] !== null) throw new UserError(where(`spec.${f} is an operator feature kubectl kd submit does not have; remove it`))
  // Spark 3+ runs Python 3 only (it dropped spark.kubernetes.pyspark.pythonVersion): "3" is what it does anyway
  if (spec.pythonVersion !== undefined && spec.pythonVersion !== null && String(spec.pythonVersion) !== '3') throw new UserError(where(`spec.pythonVersion ${JSON.stringify(spec.pythonVersion)}: Spark 3 and 4 run Python 3 only`))
  const lifecycle: LifecycleInput = {...schedule}
  const rp = spec.restartPolicy
  if (rp !== undefined && rp !== null) {
    if (typeof rp !== 'object' || Array.isArray(rp)) throw new UserError(where('spec.restartPolicy must be a mapping (type: Never|OnFailure|Always, onFailureRetries, …)'))
    for (const f of Object.keys(rp)) if (!RESTART_FIELDS.includes(f)) throw new UserError(where(`spec.restartPolicy.${f} is not a SparkApplication (v1beta2) field kubectl kd submit knows`))
    lifecycle.restartPolicy = rp.type
    for (const f of RESTART_FIELDS.slice(1)) if (rp[f] !== undefined && rp[f] !== null) (lifecycle as O)[f] = rp[f]
  }
  if (spec.timeToLiveSeconds !== undefined && spec.timeToLiveSeconds !== null) lifecycle.timeToLiveSeconds = spec.timeToLiveSeconds

  set('spark.kubernetes.container.image.pullPolicy', spec.imagePullPolicy)
  if (spec.imagePullSecrets?.length) set('spark.kubernetes.container.image.pullSecrets', spec.imagePullSecrets.join(','))
  for (const [k, v] of Object.entries(spec.sparkConf ?? {})) set(k, v)
  for (const [k, v] of Object.entries(spec.hadoopConf ?? {})) set(`spark.hadoop.${k}`, v)
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) set(`spark.kubernetes.node.selector.${k}`, v)
  set('spark.kubernetes.memoryOverheadFactor', spec.memoryOverheadFactor)
  if (spec.deps?.files?.length) set('spark.files', spec.deps.files.join(','))
  if (spec.deps?.archives?.length) set('spark.archives', spec.deps.archives.join(','))
  if (spec.deps?.packages?.length) set('spark.jars.packages', spec.deps.packages.join(','))
  if (spec.deps?.repositories?.length) set('spark.jars.repositories', spec.deps.repositories.join(','))
  if (spec.deps?.excludePackages?.length) set('spark.jars.excludes', spec.deps.excludePackages.join(','))
  const volumes: O[] = spec.volumes ?? []
  const podTemplates: {driver?: O; executor?: O} = {}

  const role = (r: 'driver' | 'executor') => {
    const s: O = spec[r] ?? {}
    const p = `spark.kubernetes.${r}`
    set(`spark.${r}.cores`, s.cores)
    set(`${p}.request.cores`, s.coreRequest)
    set(`${p}.limit.cores`, s.coreLimit)
    set(`spark.${r}.memory`, s.memory)
    set(`spark.${r}.memoryOverhead`, s.memoryOverhead)
    set(`${p}.container.image`, s.image)
    set(`spark.${r}.extraJavaOptions`, s.javaOptions)
    set(`spark.kubernetes.authenticate.${r}.serviceAccountName`, s.serviceAccount)
    for (const [k, v] of Object.entries(s.labels ?? {})) set(`${p}.label.${k}`, v)
    for (const [k, v] of Object.entries(s.annotations ?? {})) set(`${p}.annotation.${k}`, v)
    for (const [k, v] of Object.entries(s.nodeSelector ?? {})) set(`${p}.node.selector.${k}`, v)
    const envPrefix = r === 'driver' ? 'spark.kubernetes.driverEnv.' : 'spark.executorEnv.'
    for (const [k, v] of Object.entries(s.envVars ?? {})) set(envPrefix + k, v)
    for (const e of s.env ?? []) if (!e.valueFrom) set(envPrefix + e.name, e.value ?? '')
    for (const [f, instead] of Object.entries(REFUSED_ROLE_FIELDS)) {
      if (s[f] !== undefined && s[f] !== null) throw new UserError(where(`spec.${r}.${f} is not supported by kubectl kd submit: ${instead.replace('{role}', r)}`))
    }
    for (const sec of s.secrets ?? []) {
      if (sec.secretType && sec.secretType !== 'Generic') throw new UserError(where(`spec.${r}.secrets[${sec.name}].secretType ${sec.secretType} is not supported (only Generic)`))
      set(`${p}.secrets.${sec.name}`, sec.path)
    }
    for (const [env, ref] of Object.entries((s.envSecretKeyRefs ?? {}) as Record<string, O>)) set(`${p}.secretKeyRef.${env}`, `${ref.name}:${ref.key}`)
    set(`${p}.scheduler.name`, s.schedulerName)
    const t = podTemplateOf(s, r === 'driver' ? 'spark-kubernetes-driver' : 'spark-kubernetes-executor', volumes, (path) => where(`spec.${r}.${path}`))
    if (t) podTemplates[r] = t
    return s
  }
  const driver = role('driver')
  const executor = role('executor')
  set('spark.kubernetes.driver.pod.name', driver.podName ?? `${name}-driver`)
  for (const [k, v] of Object.entries(driver.serviceAnnotations ?? {})) set(`spark.kubernetes.driver.service.annotation.${k}`, v)
  for (const [k, v] of Object.entries(driver.serviceLabels ?? {})) set(`spark.kubernetes.driver.service.label.${k}`, v)
  set('spark.executor.instances', executor.instances)
  if (executor.deleteOnTermination !== undefined) set('spark.kubernetes.executor.deleteOnTermination', executor.deleteOnTermination)
  const da = spec.dynamicAllocation
  if (da?.enabled) {
    set('spark.dynamicAllocation.enabled', 'true')
    set('spark.dynamicAllocation.shuffleTracking.enabled', da.shuffleTrackingEnabled ?? true)
    set('spark.dynamicAllocation.initialExecutors', da.initialExecutors)
    set('spark.dynamicAllocation.minExecutors', da.minExecutors)
    set('spark.dynamicAllocation.maxExecutors', da.maxExecutors)
    set('spark.dynamicAllocation.shuffleTracking.timeout', da.shuffleTrackingTimeout)
  }
  return {
    name,
    namespace: app.metadata?.namespace,
    warnings,
    podTemplates,
    lifecycle,
    args: {
      appResource: spec.mainApplicationFile,
      appArgs: (spec.arguments ?? []).map(String),
      mainClass: type === 'Python' ? undefined : spec.mainClass,
      name,
      conf,
      jars: spec.deps?.jars?.length ? spec.deps.jars.join(',') : undefined,
      pyFiles: spec.deps?.pyFiles?.length ? spec.deps.pyFiles.join(',') : undefined,
      image: spec.image,
      sparkVersion: spec.sparkVersion,
      proxyUser: spec.proxyUser,
    },
  }
}

/**
 * The operator webhook's pod changes for one role as a pod template: the Spark container (first, named
 * as Spark names it) gets the mounts, env (valueFrom), envFrom, ports, securityContext and lifecycle;
 * the pod gets sidecars, init containers, the volumes they mount (from spec.volumes, as the operator
 * picks them), configMaps, tolerations, affinity and the other pod-level fields. undefined when none.
 */
function podTemplateOf(s: O, containerName: string, volumes: O[], where: (path: string) => string): O | undefined {
  const base: O = s.template ? structuredClone(s.template) : undefined
  if (base !== undefined && (typeof base !== 'object' || Array.isArray(base))) throw new UserError(where('template must be a pod template (metadata, spec)'))
  const container: O = {name: containerName}
  const mounts: O[] = [...(s.volumeMounts ?? [])]
  const extraVolumes: O[] = []
  for (const cm of s.configMaps ?? []) {
    extraVolumes.push({name: `${cm.name}-vol`, configMap: {name: cm.name}})
    mounts.push({name: `${cm.name}-vol`, mountPath: cm.path})
  }
  if (mounts.length) container.volumeMounts = mounts
  const envFrom = (s.env ?? []).filter((e: O) => e.valueFrom)
  if (envFrom.length) container.env = envFrom
  if (s.envFrom?.length) container.envFrom = s.envFrom
  if (s.ports?.length) container.ports = s.ports.map((p: O) => ({name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP'}))
  if (s.securityContext) container.securityContext = s.securityContext
  if (s.lifecycle) container.lifecycle = s.lifecycle
  const others: O[] = [...(s.sidecars ?? []), ...(s.initContainers ?? [])]
  const used = new Set([...mounts, ...others.flatMap((c) => c.volumeMounts ?? [])].map((m: O) => m.name))
  const podVolumes = [...volumes.filter((v) => used.has(v.name)), ...extraVolumes]
  for (const name of used) {
    if (!podVolumes.some((v) => v.name === name) && !(base?.spec?.volumes ?? []).some((v: O) => v.name === name)) throw new UserError(where(`volumeMounts: volume "${name}" is not in spec.volumes`))
  }
  const spec: O = {}
  if (podVolumes.length) spec.volumes = podVolumes
  if (s.sidecars?.length) spec.sidecars = s.sidecars
  if (s.initContainers?.length) spec.initContainers = s.initContainers
  if (s.tolerations?.length) spec.tolerations = s.tolerations
  const scalars: [string, string][] = [['affinity', 'affinity'], ['podSecurityContext', 'securityContext'], ['hostNetwork', 'hostNetwork'], ['dnsConfig', 'dnsConfig'], ['hostAliases', 'hostAliases'], ['terminationGracePeriodSeconds', 'terminationGracePeriodSeconds'], ['shareProcessNamespace', 'shareProcessNamespace'], ['priorityClassName', 'priorityClassName']]
  for (const [from, to] of scalars) if (s[from] !== undefined && s[from] !== null) spec[to] = s[from]
  const touched = Object.keys(container).length > 1 || Object.keys(spec).length > 0
  if (!touched) return base
  return overlayPodTemplate(base ?? {}, container, spec)
}

/** The webhook's changes on top of a base template: lists appended, the Spark container (first) extended. */
function overlayPodTemplate(base: O, container: O, spec: O): O {
  const t: O = {apiVersion: 'v1', kind: 'Pod', ...base, spec: {...(base.spec ?? {})}}
  const containers: O[] = [...(t.spec.containers ?? [])]
  const first: O = containers[0] ?? {name: container.name}
  const merged: O = {...first}
  for (const [k, v] of Object.entries(container)) {
    if (k === 'name') continue
    merged[k] = Array.isArray(v) ? [...(first[k] ?? []), ...v] : typeof v === 'object' && v !== null ? {...(first[k] ?? {}), ...v} : v
  }
  t.spec.containers = [merged, ...containers.slice(1), ...(spec.sidecars ?? [])]
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'sidecars') continue
    t.spec[k] = Array.isArray(v) ? [...(t.spec[k] ?? []), ...v] : v
  }
  return t
}

// The types each field must have before it is mapped (a YAML typo such as `arguments: 10` or
// `sparkConf: [a]` is one UserError naming the field, never a TypeError from the mapping).
const SCALAR_LISTS = ['arguments', 'imagePullSecrets', 'deps.jars', 'deps.files', 'deps.pyFiles', 'deps.archives', 'deps.packages', 'deps.repositories', 'deps.excludePackages']
const ROLE_OBJECT_LISTS = ['volumeMounts', 'sidecars', 'initContainers', 'tolerations', 'envFrom', 'configMaps', 'secrets', 'ports', 'hostAliases']
const ROLE_OBJECTS = ['affinity', 'podSecurityContext', 'securityContext', 'dnsConfig', 'lifecycle', 'template', 'envSecretKeyRefs', 'gpu']
const ROLE_FIELDS = new Set(['cores', 'coreRequest', 'coreLimit', 'memory', 'memoryOverhead', 'memoryLimit', 'image', 'javaOptions', 'serviceAccount', 'podName', 'instances', 'deleteOnTermination',
  'labels', 'annotations', 'nodeSelector', 'envVars', 'env', 'serviceAnnotations', 'serviceLabels', 'schedulerName', 'hostNetwork', 'terminationGracePeriodSeconds', 'shareProcessNamespace',
  'priorityClassName', 'kubernetesMaster', ...['volumeMounts', 'sidecars', 'initContainers', 'tolerations', 'envFrom', 'configMaps', 'secrets', 'ports', 'hostAliases'], ...['affinity', 'podSecurityContext', 'securityContext', 'dnsConfig', 'lifecycle', 'template', 'envSecretKeyRefs', 'gpu']])
const SPEC_FIELDS = new Set(['type', 'sparkVersion', 'mode', 'proxyUser', 'image', 'imagePullPolicy', 'imagePullSecrets', 'mainClass', 'mainApplicationFile', 'arguments', 'sparkConf', 'hadoopConf',
  'volumes', 'nodeSelector', 'deps', 'driver', 'executor', 'restartPolicy', 'memoryOverheadFactor', 'dynamicAllocation', 'monitoring', 'sparkUIOptions', 'driverIngressOptions', 'batchScheduler',
  'batchSchedulerOptions', 'timeToLiveSeconds', 'sparkConfigMap', 'hadoopConfigMap', 'suspend', 'failureRetries', 'retryInterval', 'pythonVersion', 'driverPodDisruptionBudget'])
const SCALAR_MAPS = ['sparkConf', 'hadoopConf', 'nodeSelector']
const ROLE_MAPS = ['labels', 'annotations', 'nodeSelector', 'envVars', 'serviceAnnotations', 'serviceLabels']
const ROLE_SCALARS = ['cores', 'coreRequest', 'coreLimit', 'memory', 'memoryOverhead', 'image', 'javaOptions', 'serviceAccount', 'podName', 'instances', 'deleteOnTermination', 'schedulerName', 'hostNetwork', 'terminationGracePeriodSeconds', 'shareProcessNamespace', 'priorityClassName']
const SPEC_STRINGS = ['type', 'mode', 'image', 'imagePullPolicy', 'mainClass', 'mainApplicationFile', 'sparkVersion', 'proxyUser']

function checkShapes(spec: unknown, file: string): void {
  const bad = (path: string, what: string, v: unknown) => new UserError(`${file}: spec.${path} must be ${what}, not ${Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v}`)
  const isScalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v)
  const isMap = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v)
  const get = (o: O, path: string) => path.split('.').reduce<unknown>((x, k) => (isMap(x) ? x[k] : undefined), o)
  if (!isMap(spec)) throw new UserError(`${file}: spec must be a mapping, not ${Array.isArray(spec) ? 'a list' : spec === null ? 'null' : typeof spec}`)
  for (const f of ['deps', 'driver', 'executor', 'dynamicAllocation']) {
    const v = spec[f]
    if (v !== undefined && v !== null && !isMap(v)) throw bad(f, 'a mapping', v)
  }
  for (const f of Object.keys(spec)) if (!SPEC_FIELDS.has(f)) throw new UserError(`${file}: spec.${f} is not a SparkApplication (v1beta2) field kubectl kd submit knows`)
  if (spec.volumes !== undefined && spec.volumes !== null && (!Array.isArray(spec.volumes) || spec.volumes.some((v: unknown) => !isMap(v) || typeof (v as O).name !== 'string'))) throw bad('volumes', 'a list of volumes with names', spec.volumes)
  for (const f of SPEC_STRINGS) {
    const v = spec[f]
    if (v !== undefined && v !== null && typeof v !== 'string') throw bad(f, 'a string', v)
  }
  for (const f of SCALAR_LISTS) {
    const v = get(spec, f)
    if (v === undefined || v === null) continue
    if (!Array.isArray(v)) throw bad(f, 'a list', v)
    v.forEach((x, i) => {
      if (!isScalar(x)) throw bad(`${f}[${i}]`, 'a string', x)
    })
  }
  const checkMap = (path: string, v: unknown) => {
    if (v === undefined || v === null) return
    if (!isMap(v)) throw bad(path, 'a mapping of names to values', v)
    for (const [k, x] of Object.entries(v)) if (x !== null && !isScalar(x)) throw bad(`${path}.${k}`, 'a string', x)
  }
  for (const f of SCALAR_MAPS) checkMap(f, spec[f])
  for (const r of ['driver', 'executor']) {
    const role = spec[r]
    if (!isMap(role)) continue
    for (const f of ROLE_MAPS) checkMap(`${r}.${f}`, role[f])
    for (const f of Object.keys(role)) if (!ROLE_FIELDS.has(f)) throw new UserError(`${file}: spec.${r}.${f} is not a SparkApplication (v1beta2) field kubectl kd submit knows`)
    for (const f of ROLE_SCALARS) if (role[f] !== undefined && role[f] !== null && !isScalar(role[f])) throw bad(`${r}.${f}`, 'a string or number', role[f])
    for (const f of ROLE_OBJECT_LISTS) {
      const v = role[f]
      if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => !isMap(x)))) throw bad(`${r}.${f}`, 'a list of mappings', v)
    }
    for (const f of ROLE_OBJECTS) if (role[f] !== undefined && role[f] !== null && !isMap(role[f])) throw bad(`${r}.${f}`, 'a mapping', role[f])
    const env = role.env
    if (env === undefined || env === null) continue
    if (!Array.isArray(env)) throw bad(`${r}.env`, 'a list', env)
    env.forEach((e, i) => {
      if (!isMap(e) || typeof e.name !== 'string') throw bad(`${r}.env[${i}]`, 'a mapping with a string name', e)
      if (e.value !== undefined && e.value !== null && !isScalar(e.value)) throw bad(`${r}.env[${i}].value`, 'a string', e.value)
    })
  }
  const da = spec.dynamicAllocation
  if (isMap(da)) for (const [k, v] of Object.entries(da)) if (v !== null && !isScalar(v)) throw bad(`dynamicAllocation.${k}`, 'a string, number or boolean', v)
}
