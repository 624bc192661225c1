// Spark's naming and labelling contract on Kubernetes (Spark 3.5, resource-managers/kubernetes):
// app ids, the random resource-name prefix, driver pod/service/ConfigMap names and the labels the
// driver and `kubectl kd` use to find a job's pods. Pure; randomness and the clock are injected.
import {randomBytes, randomUUID} from 'node:crypto'

export const SPARK_LABEL = {
  appId: 'spark-app-selector',
  role: 'spark-role',
  appName: 'spark-app-name',
  version: 'spark-version',
  execId: 'spark-exec-id',
  resourceProfileId: 'spark-exec-resourceprofile-id',
} as const

/** Label keys users may not set through spark.kubernetes.{driver,executor}.label.* (Spark's require). */
export const RESERVED_DRIVER_LABELS = [SPARK_LABEL.appId, SPARK_LABEL.role, SPARK_LABEL.appName, SPARK_LABEL.version]
export const RESERVED_EXECUTOR_LABELS = [SPARK_LABEL.appId, SPARK_LABEL.role, SPARK_LABEL.execId, SPARK_LABEL.resourceProfileId, SPARK_LABEL.appName, SPARK_LABEL.version]

export const DRIVER_CONTAINER = 'spark-kubernetes-driver'
export const EXECUTOR_CONTAINER = 'spark-kubernetes-executor'
export const SPARK_CONF_DIR = '/opt/spark/conf'
export const SPARK_PROPERTIES = 'spark.properties'
export const DRIVER_CONF_VOLUME = 'spark-conf-volume-driver'
export const LOCAL_DIR_VOLUME = 'spark-local-dir-1'
/** where files shipped from the client (kubectl kd's addition) are mounted in the driver */
export const SHIPPED_FILES_DIR = '/opt/spark/kd-files'
export const SHIPPED_FILES_VOLUME = 'kd-shipped-files'
const DNS_LABEL_MAX = 63
export const PYTHON_MAIN_CLASS = 'org.apache.spark.deploy.PythonRunner'
/** Spark version written into the spark-version label when neither the image tag nor --spark-version says. */
export const DEFAULT_SPARK_VERSION = '3.5.3'

/** Whether Spark version `v` (x.y.z) is at least major.minor. */
export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = v.split('.').map((x) => parseInt(x, 10) || 0)
  return a > major || (a === major && b >= minor)
}

/** The Spark versions whose spark-submit objects were captured (test/unit/spark-golden) and are rendered exactly. */
export const CAPTURED_SPARK_VERSIONS = ['3.5', '4.3']

/** The random parts of one submission (all of Spark's randomness, in one place). */
export interface SubmissionIds {
  /** spark-<32 hex>: spark.app.id and the spark-app-selector label */
  appId: string
  /** uniqueID of the resource-name prefix (driver pod and service) */
  prefixId: string
  /** uniqueID of the driver ConfigMap name (Spark draws a second one) */
  configMapId: string
  /** UUID of the local dir /var/data/spark-<uuid> */
  localDirUuid: string
  /** spark.app.submitTime, ms since epoch */
  submitTime: number
}

/** KubernetesUtils.uniqueID: 3 random bytes in hex + hex of the low 40 bits of the time in ms. */
export function uniqueId(nowMs: number, random: Buffer = randomBytes(3)): string {
  return random.toString('hex') + (BigInt(nowMs) & 0xffffffffffn).toString(16)
}

export function newSubmissionIds(nowMs = Date.now()): SubmissionIds {
  return {
    appId: 'spark-' + randomUUID().replaceAll('-', ''),
    prefixId: uniqueId(nowMs),
    configMapId: uniqueId(nowMs),
    localDirUuid: randomUUID(),
    submitTime: nowMs,
  }
}

/** KubernetesConf.getResourceNamePrefix */
export function resourceNamePrefix(appName: string, id: string): string {
  return `${appName}-${id}`.trim().toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-')
}

/** KubernetesConf.getAppNameLabel */
export function appNameLabel(appName: string): string {
  return appName.trim().toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, DNS_LABEL_MAX)
}

/** DriverServiceFeatureStep: `<prefix>-driver-svc`, or `spark-<new id>-driver-svc` when that exceeds 63 chars. */
export function driverServiceName(prefix: string, fallbackId: string): string {
  const preferred = `${prefix}-driver-svc`
  return preferred.length <= DNS_LABEL_MAX ? preferred : `spark-${fallbackId}-driver-svc`
}

/** KubernetesClientUtils.configMapNameDriver */
export function driverConfigMapName(configMapId: string): string {
  return `spark-drv-${configMapId}-conf-map`
}

/** The ConfigMap with files shipped from the client (kubectl kd only; spark-submit uploads to a Hadoop FS instead). */
export function shippedFilesConfigMapName(configMapId: string): string {
  return `spark-drv-${configMapId}-files`
}

/** A job's name as kubectl kd shows it: the driver pod name without Spark's `-driver` suffix. */
export function jobNameOfDriverPod(podName: string): string {
  return podName.endsWith('-driver') ? podName.slice(0, -'-driver'.length) : podName
}
