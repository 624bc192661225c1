// Compares driver objects made by `kubectl kd submit` with those made by the real spark-submit:
// random ids are replaced by placeholders, spark.properties is parsed (order is a Hashtable's), and the
// documented differences (docs/spark-differences.md) are dropped. Used by unit goldens and the e2e test.
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {loadProperties} from '../../src/spark/java-properties.ts'

/** the checkout's path (local files named on a command line carry it) */
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

type O = Record<string, any>

export interface Ids {
  appId: string
  prefixIds: string[]
  configMapId: string
  localDirUuid: string
}

/** The driver's Spark container (after a pod template's sidecars, if any): the one running `driver`. */
export const sparkContainer = (pod: O): O => pod.spec.containers.find((c: O) => c.args?.[0] === 'driver') ?? pod.spec.containers[0]

/** Reads the random ids out of a driver pod + ConfigMap. */
export function idsOf(pod: O, configMap: O): Ids {
  const appId = pod.metadata.labels['spark-app-selector']
  // from the pod name, or (a pod name set by spark.kubernetes.driver.pod.name) from the driver service host
  const host = loadProperties(configMap.data?.['spark.properties'] ?? '').get('spark.driver.host') ?? ''
  const prefixId = /-([0-9a-f]{14,18})-driver$/.exec(pod.metadata.name)?.[1] ?? /-([0-9a-f]{14,18})-driver-svc\./.exec(host)?.[1] ?? ''
  const configMapId = /^spark-drv-([0-9a-f]+)-conf-map$/.exec(configMap.metadata.name)?.[1] ?? ''
  const env = sparkContainer(pod).env.find((e: O) => e.name === 'SPARK_LOCAL_DIRS')
  return {appId, prefixIds: [prefixId], configMapId, localDirUuid: env?.value?.replace('/var/data/spark-', '') ?? ''}
}

function replaceIds(value: unknown, ids: Ids): unknown {
  if (typeof value === 'string') {
    let s = value.replaceAll(REPO, '<REPO>').replaceAll(ids.appId, '<APP_ID>').replaceAll(ids.configMapId, '<CM_ID>').replaceAll(ids.localDirUuid, '<UUID>')
    for (const p of ids.prefixIds) if (p) s = s.replaceAll(p, '<ID>')
    return s
  }
  if (Array.isArray(value)) return value.map((v) => replaceIds(v, ids))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [replaceIds(k, ids) as string, replaceIds(v, ids)]))
  return value
}

/** Fields the API server adds or that differ by design; removed before comparing. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'namespace']

function stripServer(obj: O): O {
  const o = structuredClone(obj)
  delete o.status
  for (const f of SERVER_FIELDS) delete o.metadata?.[f]
  for (const r of o.metadata?.ownerReferences ?? []) delete r.uid
  if (o.kind === 'Pod') {
    const spec = o.spec
    // defaults filled in by the API server / admission (present on live objects only)
    for (const k of ['dnsPolicy', 'enableServiceLinks', 'nodeName', 'preemptionPolicy', 'priority', 'schedulerName', 'securityContext', 'terminationGracePeriodSeconds', 'tolerations', 'serviceAccount', 'serviceAccountName']) {
      if (k === 'serviceAccount' || k === 'serviceAccountName') {
        if (spec[k] === 'default') delete spec[k]
        continue
      }
      if (k === 'schedulerName' && spec[k] !== 'default-scheduler') continue
      delete spec[k]
    }
    spec.volumes = (spec.volumes ?? []).filter((v: O) => !v.projected)
    for (const v of spec.volumes) if (v.configMap) delete v.configMap.defaultMode
    for (const c of spec.containers) {
      delete c.terminationMessagePath
      delete c.terminationMessagePolicy
      c.volumeMounts = (c.volumeMounts ?? []).filter((m: O) => m.mountPath !== '/var/run/secrets/kubernetes.io/serviceaccount')
    }
  }
  if (o.kind === 'Service') {
    for (const k of ['clusterIPs', 'internalTrafficPolicy', 'sessionAffinity', 'type', 'publishNotReadyAddresses']) delete o.spec[k]
    for (const p of o.spec.ports) if (p.protocol === 'TCP') delete p.protocol
  }
  return o
}

/** Keys of spark.properties that legitimately differ between two submissions (or by documented design). */
export const VOLATILE_PROPERTIES = ['spark.master', 'spark.app.submitTime', 'spark.kubernetes.submission.waitAppCompletion']

export interface Normalized {
  pod: O
  service: O
  configMap: O
  properties: Record<string, string>
}

export function normalize(objs: {pod: O; service: O; configMap: O}, opts: {user?: boolean} = {}): Normalized {
  const ids = idsOf(objs.pod, objs.configMap)
  const svcId = /^spark-([0-9a-f]+)-driver-svc$/.exec(objs.service.metadata.name)?.[1]
  if (svcId) ids.prefixIds.push(svcId)
  const pod = replaceIds(stripServer(objs.pod), ids) as O
  // kubectl kd's mark of the submission (a documented difference: docs/spark-differences.md)
  if (pod.metadata?.annotations) {
    delete pod.metadata.annotations['kubectl-kd.io/submission']
    if (!Object.keys(pod.metadata.annotations).length) delete pod.metadata.annotations
  }
  const service = replaceIds(stripServer(objs.service), ids) as O
  const configMap = replaceIds(stripServer(objs.configMap), ids) as O
  const props = Object.fromEntries(loadProperties(configMap.data['spark.properties']))
  for (const k of VOLATILE_PROPERTIES) delete props[k]
  delete configMap.data['spark.properties']
  if (!opts.user) {
    for (const e of sparkContainer(pod).env) if (e.name === 'SPARK_USER') e.value = '<USER>'
  }
  return {pod, service, configMap, properties: props}
}
