// kubeflow spark-operator `SparkApplication` (sparkoperator.k8s.io/v1beta2) as input to `submit -f`:
// mapped to the spark-submit arguments the operator itself would pass (its buildSparkSubmitArgs), so a
// user's existing manifest runs without installing the operator. Fields the operator applies through its
// mutating webhook (volumes, tolerations, sidecars, …) are reported as ignored, never silently dropped.
import {UserError} from '../errors.ts'
import type {SubmitArgs} from './submission.ts'

const SPARKAPP_API_VERSION = 'sparkoperator.k8s.io/v1beta2'

type O = Record<string, any>

export interface SparkAppInput {
  args: SubmitArgs
  /** metadata.namespace, if the manifest names one */
  namespace?: string
  /** metadata.name: the job name (driver pod `<name>-driver`) */
  name: string
  warnings: string[]
}

const WEBHOOK_FIELDS = ['volumeMounts', 'affinity', 'tolerations', 'podSecurityContext', 'securityContext', 'sidecars', 'initContainers', 'hostNetwork', 'dnsConfig', 'hostAliases', 'lifecycle', 'configMaps', 'secrets', 'envFrom', 'envSecretKeyRefs', 'gpu', 'terminationGracePeriodSeconds', 'shareProcessNamespace', 'template', 'priorityClassName', 'ports', 'schedulerName', 'memoryLimit', 'kubernetesMaster', 'serviceLabels']

export function sparkAppToSubmitArgs(doc: unknown, file: string): SparkAppInput {
  const app = doc as O
  const where = (path: string) => `${file}: ${path}`
  if (!app || typeof app !== 'object') throw new UserError(`${file}: not a SparkApplication (expected a YAML/JSON object)`)
  if (app.kind !== 'SparkApplication') throw new UserError(where(`kind is ${JSON.stringify(app.kind)}, expected SparkApplication (apiVersion ${SPARKAPP_API_VERSION})`))
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
  if (spec.mode && spec.mode !== 'cluster') throw new UserError(where(`spec.mode ${spec.mode} is not supported: only cluster mode`))
  if (!spec.mainApplicationFile) throw new UserError(where('spec.mainApplicationFile is required'))
  if ((type === 'Java' || type === 'Scala') && !spec.mainClass) throw new UserError(where('spec.mainClass is required for a Java/Scala application'))
  if (spec.deps?.packages?.length || spec.deps?.repositories?.length) throw new UserError(where('spec.deps.packages/repositories (Maven resolution) is not supported: put the jars in the image and list them in spec.deps.jars'))

  set('spark.kubernetes.container.image.pullPolicy', spec.imagePullPolicy)
  if (spec.imagePullSecrets?.length) set('spark.kubernetes.container.image.pullSecrets', spec.imagePullSecrets.join(','))
  for (const [k, v] of Object.entries(spec.sparkConf ?? {})) set(k, v)
  for (const [k, v] of Object.entries(spec.hadoopConf ?? {})) set(`spark.hadoop.${k}`, v)
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) set(`spark.kubernetes.node.selector.${k}`, v)
  set('spark.kubernetes.memoryOverheadFactor', spec.memoryOverheadFactor)
  if (spec.deps?.files?.length) set('spark.files', spec.deps.files.join(','))
  if (spec.deps?.archives?.length) set('spark.archives', spec.deps.archives.join(','))
  if (spec.proxyUser) throw new UserError(where('spec.proxyUser is not supported by kubectl kd submit'))
  if (spec.volumes?.length) warnings.push(`${file}: spec.volumes is ignored (the operator's webhook mounts volumes; kubectl kd submit does not)`)

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
    for (const e of s.env ?? []) {
      if (e.valueFrom) warnings.push(`${file}: spec.${r}.env[${e.name}].valueFrom is ignored (only plain values are passed to Spark)`)
      else set(envPrefix + e.name, e.value ?? '')
    }
    for (const f of WEBHOOK_FIELDS) if (s[f] !== undefined) warnings.push(`${file}: spec.${r}.${f} is ignored (the operator applies it with its webhook; kubectl kd submit does not)`)
    return s
  }
  const driver = role('driver')
  const executor = role('executor')
  set('spark.kubernetes.driver.pod.name', driver.podName ?? `${name}-driver`)
  for (const [k, v] of Object.entries(driver.serviceAnnotations ?? {})) set(`spark.kubernetes.driver.service.annotation.${k}`, v)
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
  for (const f of ['monitoring', 'sparkUIOptions', 'driverIngressOptions', 'batchScheduler', 'timeToLiveSeconds', 'restartPolicy', 'sparkConfigMap', 'hadoopConfigMap']) {
    if (spec[f] !== undefined && !(f === 'restartPolicy' && spec[f]?.type === 'Never')) warnings.push(`${file}: spec.${f} is ignored (an operator feature)`)
  }
  return {
    name,
    namespace: app.metadata?.namespace,
    warnings,
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
    },
  }
}

// The types each field must have before it is mapped (a YAML typo such as `arguments: 10` or
// `sparkConf: [a]` is one UserError naming the field, never a TypeError from the mapping).
const SCALAR_LISTS = ['arguments', 'imagePullSecrets', 'deps.jars', 'deps.files', 'deps.pyFiles', 'deps.archives', 'deps.packages', 'deps.repositories']
const SCALAR_MAPS = ['sparkConf', 'hadoopConf', 'nodeSelector']
const ROLE_MAPS = ['labels', 'annotations', 'nodeSelector', 'envVars', 'serviceAnnotations']
const ROLE_SCALARS = ['cores', 'coreRequest', 'coreLimit', 'memory', 'memoryOverhead', 'image', 'javaOptions', 'serviceAccount', 'podName', 'instances', 'deleteOnTermination']
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
    for (const f of ROLE_SCALARS) if (role[f] !== undefined && role[f] !== null && !isScalar(role[f])) throw bad(`${r}.${f}`, 'a string or number', role[f])
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
