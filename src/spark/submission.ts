// The spark-submit argument model: flags and --conf/--properties-file in, one validated Submission out,
// following SparkSubmitArguments' precedence (flag > --conf > properties file) and its error wording,
// plus the checks Spark's Kubernetes feature steps make before anything is created. Pure: the action
// reads files and the cluster; this module only decides.
import {UserError} from '../errors.ts'
import {loadProperties} from './java-properties.ts'
import {DEFAULT_SPARK_VERSION, PYTHON_MAIN_CLASS, RESERVED_DRIVER_LABELS, RESERVED_EXECUTOR_LABELS, SHIPPED_FILES_DIR} from './names.ts'
import {sparkMasterOf} from './master.ts'
import {byteStringAs, isCpuQuantity, isPositiveByteString, scalaToDouble, scalaToInt} from './units.ts'

/** What the user typed, as the command parsed it. */
export interface SubmitArgs {
  /** APP_FILE: local:///…jar, ./job.py, https://…, s3a://… */
  appResource?: string
  appArgs?: string[]
  mainClass?: string
  name?: string
  /** repeated --conf values, raw `key=value` */
  conf?: string[]
  /** --properties-file: path and its text (read by the caller) */
  propertiesFile?: {path: string; text: string}
  driverMemory?: string
  driverCores?: string
  executorMemory?: string
  executorCores?: string
  numExecutors?: string
  jars?: string
  pyFiles?: string
  image?: string
  serviceAccount?: string
  sparkVersion?: string
  /** --master k8s://URL (the action checks it against the kubeconfig) */
  master?: string
  /** --deploy-mode: only cluster */
  deployMode?: string
  files?: string
  archives?: string
  /** --packages / --repositories / --exclude-packages: resolved by the driver, as in Spark's cluster mode on Kubernetes */
  packages?: string
  repositories?: string
  excludePackages?: string
  driverJavaOptions?: string
  driverClassPath?: string
  driverLibraryPath?: string
  proxyUser?: string
  /** spark-submit options that do not apply on Kubernetes: refused by name */
  supervise?: boolean
  totalExecutorCores?: string
  queue?: string
  principal?: string
  keytab?: string
}

export type ResourceType = 'java' | 'python'

/** A file on the client machine that is shipped with the job (in a ConfigMap mounted into the driver). */
export interface ShippedFile {
  /** the path as the user wrote it (file:// stripped) */
  source: string
  /** ConfigMap key and file name under SHIPPED_FILES_DIR */
  key: string
  /** URI the driver sees */
  uri: string
}

export interface Submission {
  appName: string
  mainClass: string
  /** primary resource as the driver sees it (shipped files rewritten to file:///opt/spark/kd-files/…) */
  primaryResource: string
  appArgs: string[]
  resourceType: ResourceType
  /** the SparkConf spark-submit would build from the user's input (no master/deploy mode/system properties) */
  conf: Map<string, string>
  shippedFiles: ShippedFile[]
  sparkVersion: string
  /** spark.master as spark-submit writes it (k8s://https://…), when --master or spark.master gave one */
  master?: string
  /** --proxy-user: the driver runs as this user (Spark 3.4+ passes it to the driver) */
  proxyUser?: string
  /** client paths of spark.kubernetes.{driver,executor}.podTemplateFile (the action reads them) */
  podTemplateFiles: {driver?: string; executor?: string}
  warnings: string[]
}

// messages quote the values as given: a line break in one (a manifest's multi-line string) is shown as
// \n or \r, so the error stays the one `error: …` line the CLI prints
const fail = (message: string): never => {
  throw new UserError(message.replace(/\r/g, '\\r').replace(/\n/g, '\\n'))
}

/** `--conf k=v` → [k, v] (SparkSubmitUtils.parseSparkConfProperty: split at the first `=`). */
function parseConfPair(pair: string): [string, string] {
  const i = pair.indexOf('=')
  if (i <= 0) fail(`Invalid argument to --conf: ${pair}`)
  return [pair.slice(0, i), pair.slice(i + 1)]
}

const splitList = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)

/** A client-local path (no scheme, or file:) — spark-submit would upload it; kubectl kd ships it. */
export function isClientLocal(uri: string): boolean {
  if (uri.startsWith('file:')) return true
  return !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri)
}

const stripFileScheme = (uri: string) => (uri.startsWith('file://') ? uri.slice('file://'.length) : uri.startsWith('file:') ? uri.slice('file:'.length) : uri)
const baseName = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p

function sparkVersionFromImage(image: string | undefined): string | undefined {
  const tag = image?.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : undefined
  return tag && !tag.includes('/') ? /^v?(\d+\.\d+\.\d+)/.exec(tag)?.[1] : undefined
}

export function buildSubmission(args: SubmitArgs): Submission {
  const warnings: string[] = []
  const conf = new Map<string, string>()
  for (const pair of args.conf ?? []) {
    const [k, v] = parseConfPair(pair)
    if (!k.startsWith('spark.')) warnings.push(`Ignoring non-Spark config property: ${k}`)
    else conf.set(k, v)
  }
  if (args.propertiesFile) {
    const props = loadProperties(args.propertiesFile.text)
    for (const [k, v] of props) {
      if (!k.startsWith('spark.')) warnings.push(`Ignoring non-Spark config property: ${k} (in ${args.propertiesFile.path})`)
      else if (!conf.has(k)) conf.set(k, v.trim())
    }
  }
  // explicit flags win over --conf and the properties file
  const flagConf: [string | undefined, string][] = [
    [args.name, 'spark.app.name'],
    [args.driverMemory, 'spark.driver.memory'],
    [args.driverCores, 'spark.driver.cores'],
    [args.executorMemory, 'spark.executor.memory'],
    [args.executorCores, 'spark.executor.cores'],
    [args.numExecutors, 'spark.executor.instances'],
    [args.image, 'spark.kubernetes.container.image'],
    [args.serviceAccount, 'spark.kubernetes.authenticate.driver.serviceAccountName'],
    [args.files, 'spark.files'],
    [args.archives, 'spark.archives'],
    [args.packages, 'spark.jars.packages'],
    [args.repositories, 'spark.jars.repositories'],
    [args.excludePackages, 'spark.jars.excludes'],
    [args.driverJavaOptions, 'spark.driver.extraJavaOptions'],
    [args.driverClassPath, 'spark.driver.extraClassPath'],
    [args.driverLibraryPath, 'spark.driver.extraLibraryPath'],
    [args.deployMode, 'spark.submit.deployMode'],
  ]
  for (const [value, key] of flagConf) if (value !== undefined) conf.set(key, value)
  if (args.jars !== undefined) conf.set('spark.jars', args.jars)
  if (args.pyFiles !== undefined) conf.set('spark.submit.pyFiles', args.pyFiles)

  // spark-submit options for other cluster managers: refused by name (spark-submit ignores them on Kubernetes)
  const notHere: [unknown, string][] = [
    [args.supervise, '--supervise restarts a driver in Spark standalone or Mesos cluster mode only; on Kubernetes the driver pod is never restarted (restartPolicy Never): resubmit the job instead'],
    [args.totalExecutorCores, '--total-executor-cores applies to Spark standalone and Mesos only; on Kubernetes use --num-executors and --executor-cores (or --cluster NAME for a standalone app cluster)'],
    [args.queue, '--queue applies to YARN only'],
    [args.principal ?? args.keytab, '--principal/--keytab (Kerberos) are not supported by kubectl kd submit; use spark-submit'],
  ]
  for (const [value, message] of notHere) if (value !== undefined && value !== false) fail(message)
  const deployMode = conf.get('spark.submit.deployMode')
  if (deployMode !== undefined && deployMode !== 'cluster') {
    if (deployMode === 'client') fail('--deploy-mode client runs the driver on this machine, which kubectl kd submit does not do: use --deploy-mode cluster (the default here), --cluster NAME for the standalone master of an app cluster, or spark-submit for client mode')
    fail(`--deploy-mode ${deployMode}: Deploy mode must be either client or cluster`)
  }
  const masterArg = args.master ?? conf.get('spark.master')
  const master = masterArg !== undefined ? sparkMasterOf(masterArg) : undefined
  if (master) conf.set('spark.master', master)
  for (const key of ['spark.jars.packages', 'spark.jars.excludes']) {
    for (const c of splitList(conf.get(key))) {
      const parts = c.split(':')
      const ok = key === 'spark.jars.packages' ? parts.length === 3 || (parts.length === 4 && parts[2] !== '') : parts.length === 2
      if (!ok || parts.some((x) => x.trim() === '')) {
        fail(key === 'spark.jars.packages' ? `Provided Maven Coordinates must be in the form 'groupId:artifactId:version'. The coordinate provided is: ${c}` : `--exclude-packages ${c}: must be in the form 'groupId:artifactId'`)
      }
    }
  }
  if (args.proxyUser !== undefined && !args.proxyUser.trim()) fail('--proxy-user: a user name is needed')

  // SparkSubmitArguments.validateSubmitArguments
  const resource = args.appResource
  if (!resource) fail('Missing application resource.')
  const check = (key: string, ok: (v: string) => boolean, message: string) => {
    const v = conf.get(key)
    if (v !== undefined && !ok(v)) fail(`${message} (${key}=${JSON.stringify(v)})`)
  }
  check('spark.driver.memory', isPositiveByteString, 'Driver memory must be a positive number')
  check('spark.driver.cores', (v) => (scalaToDouble(v) ?? -1) > 0, 'Driver cores must be a positive number')
  check('spark.executor.memory', isPositiveByteString, 'Executor memory must be a positive number')
  check('spark.executor.cores', (v) => (scalaToDouble(v) ?? -1) > 0, 'Executor cores must be a positive number')
  check('spark.executor.instances', (v) => (scalaToInt(v) ?? -1) >= 0, 'Number of executors must be a positive number')
  // typed SparkConf entries the driver feature steps read on the client (ConfigEntry errors)
  for (const key of ['spark.driver.cores', 'spark.executor.cores']) {
    const v = conf.get(key)
    if (v !== undefined && scalaToInt(v.trim()) === undefined) fail(`${key} should be int, but was ${v}`)
  }
  for (const key of ['spark.driver.memoryOverhead', 'spark.executor.memoryOverhead', 'spark.driver.memory', 'spark.executor.memory']) {
    const v = conf.get(key)
    if (v === undefined) continue
    try {
      byteStringAs(v, 'm')
    } catch (err) {
      fail(`${key} should be a size in MiB or with a unit (k, m, g, t), but was ${v}: ${(err as Error).message}`)
    }
  }
  for (const key of ['spark.kubernetes.memoryOverheadFactor', 'spark.driver.memoryOverheadFactor', 'spark.executor.memoryOverheadFactor']) {
    const v = conf.get(key)
    if (v === undefined) continue
    const f = scalaToDouble(v)
    if (f === undefined) fail(`${key} should be double, but was ${v}`)
    if (key !== 'spark.kubernetes.memoryOverheadFactor' && !(f! > 0 && f! < 1)) fail(`${key}: Ensure that memory overhead is a double between 0 --> 1.0 (was ${v})`)
  }
  // Kubernetes feature steps
  const image = conf.get('spark.kubernetes.driver.container.image') ?? conf.get('spark.kubernetes.container.image')
  if (!image) fail('Must specify the driver container image (--image IMAGE or --conf spark.kubernetes.container.image=IMAGE)')
  const pull = conf.get('spark.kubernetes.container.image.pullPolicy')
  if (pull !== undefined && !['Always', 'Never', 'IfNotPresent'].includes(pull)) {
    fail(`The value of spark.kubernetes.container.image.pullPolicy should be one of Always, Never, IfNotPresent, but was ${pull}`)
  }
  for (const [k] of conf) {
    for (const [prefix, reserved] of [
      ['spark.kubernetes.driver.label.', RESERVED_DRIVER_LABELS],
      ['spark.kubernetes.executor.label.', RESERVED_EXECUTOR_LABELS],
    ] as const) {
      if (k.startsWith(prefix) && (reserved as readonly string[]).includes(k.slice(prefix.length))) {
        fail(`requirement failed: Label with key ${k.slice(prefix.length)} is not allowed as it is reserved for Spark bookkeeping operations.`)
      }
    }
  }
  for (const key of ['spark.kubernetes.driver.request.cores', 'spark.kubernetes.driver.limit.cores', 'spark.kubernetes.executor.request.cores', 'spark.kubernetes.executor.limit.cores']) {
    const v = conf.get(key)
    if (v !== undefined && !isCpuQuantity(v)) fail(`${key}=${JSON.stringify(v)} is not a valid CPU quantity (e.g. 1, 0.5, 500m)`)
  }
  const execPrefix = conf.get('spark.kubernetes.executor.podNamePrefix')
  if (execPrefix !== undefined && !(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(execPrefix) && execPrefix.length <= 47)) {
    fail(`'${execPrefix}' in spark.kubernetes.executor.podNamePrefix is invalid. must conform https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names and the value length <= 47`)
  }
  for (const key of ['spark.driver.host', 'spark.driver.bindAddress']) {
    if (conf.has(key)) fail(`${key} is not supported in Kubernetes mode: the driver's ${key === 'spark.driver.host' ? 'hostname is managed via its Kubernetes service' : "bind address is the driver pod's IP"}`)
  }
  for (const key of ['spark.kubernetes.kerberos.krb5.path', 'spark.kubernetes.kerberos.krb5.configMapName', 'spark.kubernetes.kerberos.tokenSecret.name', 'spark.kubernetes.hadoop.configMapName', 'spark.kubernetes.driver.pod.featureSteps', 'spark.kubernetes.executor.pod.featureSteps', 'spark.kubernetes.file.upload.path']) {
    if (conf.has(key)) fail(`${key} is not supported by kubectl kd submit (see docs/spark-differences.md); use spark-submit for it`)
  }
  // MountVolumesFeatureStep's checks (KubernetesVolumeUtils)
  const volumeKeys = [...conf.keys()].filter((k) => k.startsWith('spark.kubernetes.driver.volumes.'))
  const volumes = new Set(volumeKeys.map((k) => k.split('.').slice(4, 6).join('.')))
  const mountPaths = new Map<string, string>()
  for (const v of volumes) {
    const [type, name] = v.split('.')
    const key = (k: string) => `spark.kubernetes.driver.volumes.${v}.${k}`
    if (!name) fail(`spark.kubernetes.driver.volumes.${type}: expected spark.kubernetes.driver.volumes.<type>.<name>.mount.path`)
    if (!['hostPath', 'emptyDir', 'persistentVolumeClaim', 'nfs'].includes(type!)) fail(`${key('*')}: Kubernetes Volume type \`${type}\` is not supported (hostPath, emptyDir, persistentVolumeClaim, nfs)`)
    const path = conf.get(key('mount.path'))
    if (!path) fail(`${key('mount.path')} is required`)
    if (mountPaths.has(path!)) fail(`requirement failed: Found duplicated mountPath: \`${path}\` (${mountPaths.get(path!)} and ${v})`)
    mountPaths.set(path!, v)
    const needs: Record<string, string[]> = {hostPath: ['options.path'], persistentVolumeClaim: ['options.claimName'], nfs: ['options.path', 'options.server'], emptyDir: []}
    for (const o of needs[type!]!) if (!conf.get(key(o))) fail(`${key(o)} is required for a ${type} volume`)
    if (type === 'persistentVolumeClaim' && /^OnDemand$|SPARK_EXECUTOR_ID/.test(conf.get(key('options.claimName')) ?? '')) {
      fail(`${key('options.claimName')}=${conf.get(key('options.claimName'))}: on-demand claims (created by spark-submit) are not supported for the driver; create the PersistentVolumeClaim and name it`)
    }
    for (const o of volumeKeys.filter((k) => k.startsWith(key('')))) {
      const rest = o.slice(key('').length)
      if (!['mount.path', 'mount.subPath', 'mount.subPathExpr', 'mount.readOnly', 'options.path', 'options.type', 'options.medium', 'options.sizeLimit', 'options.claimName', 'options.server'].includes(rest)) {
        fail(`${o} is not supported by kubectl kd submit (options for labels, storageClass and sizes of on-demand claims are not)`)
      }
    }
  }

  // resource type and main class (SparkSubmit: .py → PythonRunner; .R unsupported here)
  const lower = resource!.toLowerCase()
  if (lower.endsWith('.r')) fail(`${resource}: R applications are not supported by kubectl kd submit`)
  const resourceType: ResourceType = lower.endsWith('.py') ? 'python' : 'java'
  if (resourceType === 'python' && args.mainClass) warnings.push(`--class ${args.mainClass} is ignored for a Python application`)
  const mainClass = resourceType === 'python' ? PYTHON_MAIN_CLASS : args.mainClass ?? fail(`No main class set for ${resource}: please specify one with --class.`)
  if (resourceType === 'java' && conf.has('spark.submit.pyFiles') && splitList(conf.get('spark.submit.pyFiles')).length) {
    warnings.push('--py-files is only used by Python applications')
  }

  // app name: --name, spark.app.name, else the main class (JVM) or the file name (Python), as SparkSubmitArguments does
  const appName = conf.get('spark.app.name') ?? (resourceType === 'java' ? mainClass : baseName(stripFileScheme(resource!)))
  conf.set('spark.app.name', appName)

  // client-local files are shipped in a ConfigMap and seen by the driver under SHIPPED_FILES_DIR
  const shippedFiles: ShippedFile[] = []
  const ship = (uri: string): string => {
    if (!isClientLocal(uri)) return uri
    const source = stripFileScheme(uri)
    const key = baseName(source)
    if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(`${source}: the file name must consist of letters, digits, '-', '_' or '.' to be shipped with the job`)
    const existing = shippedFiles.find((f) => f.key === key)
    if (existing && existing.source !== source) fail(`${source} and ${existing.source} have the same file name: rename one to ship both`)
    const shipped = `file://${SHIPPED_FILES_DIR}/${key}`
    if (!existing) shippedFiles.push({source, key, uri: shipped})
    return shipped
  }
  const primaryResource = ship(resource!)
  if (conf.has('spark.jars')) conf.set('spark.jars', splitList(conf.get('spark.jars')).map(ship).join(','))
  if (conf.has('spark.submit.pyFiles')) conf.set('spark.submit.pyFiles', splitList(conf.get('spark.submit.pyFiles')).map(ship).join(','))
  // --files/--archives: spark-submit uploads local ones; kubectl kd ships them like jars (an archive keeps its #alias)
  for (const key of ['spark.files', 'spark.archives']) {
    if (conf.has(key)) conf.set(key, splitList(conf.get(key)).map((u) => {
      const hash = u.indexOf('#')
      return hash < 0 ? ship(u) : ship(u.slice(0, hash)) + u.slice(hash)
    }).join(','))
  }

  return {
    appName,
    mainClass,
    primaryResource,
    appArgs: args.appArgs ?? [],
    resourceType,
    conf,
    shippedFiles,
    sparkVersion: args.sparkVersion ?? sparkVersionFromImage(image) ?? DEFAULT_SPARK_VERSION,
    master,
    proxyUser: args.proxyUser,
    podTemplateFiles: {driver: conf.get('spark.kubernetes.driver.podTemplateFile'), executor: conf.get('spark.kubernetes.executor.podTemplateFile')},
    warnings,
  }
}
