// Pod templates as Spark uses them (spark.kubernetes.{driver,executor}.podTemplateFile): the driver's
// template is the pod Spark's feature steps start from (KubernetesUtils.loadPodFromTemplate +
// selectSparkContainer), so its fields stay and Spark's are added or override; the executor template
// travels to the driver in a ConfigMap (PodTemplateConfigMapStep), where Spark applies it to each
// executor. Pure: the action reads the files.
import {load} from 'js-yaml'
import {KUBECTL_YAML_SCHEMA} from '../app/yaml-schema.ts'
import {UserError} from '../errors.ts'

type O = Record<string, any>

/** PodTemplateConfigMapStep's names */
export const POD_TEMPLATE_VOLUME = 'pod-template-volume'
export const POD_TEMPLATE_KEY = 'podspec-configmap-key'
export const POD_TEMPLATE_DIR = '/opt/spark/pod-template'
export const POD_TEMPLATE_FILE_NAME = 'pod-spec-template.yml'
export const podTemplateConfigMapName = (resourceNamePrefix: string) => `${resourceNamePrefix}-driver-podspec-conf-map`

const isMap = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses and checks a template: one Pod (kind may be left out, as fabric8 allows). */
export function parsePodTemplate(text: string, source: string): O {
  let doc: unknown
  try {
    doc = load(text, {schema: KUBECTL_YAML_SCHEMA})
  } catch (err) {
    throw new UserError(`${source}: Could not load pod from template file: not valid YAML: ${(err as Error).message.split('\n')[0]}`)
  }
  if (!isMap(doc)) throw new UserError(`${source}: Could not load pod from template file: expected a Pod (a YAML mapping)`)
  if (doc.kind !== undefined && doc.kind !== 'Pod') throw new UserError(`${source}: Could not load pod from template file: kind is ${JSON.stringify(doc.kind)}, not Pod`)
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'v1') throw new UserError(`${source}: Could not load pod from template file: apiVersion ${JSON.stringify(doc.apiVersion)}, expected v1`)
  for (const f of ['metadata', 'spec']) if (doc[f] !== undefined && doc[f] !== null && !isMap(doc[f])) throw new UserError(`${source}: ${f} must be a mapping`)
  for (const f of ['containers', 'initContainers', 'volumes', 'imagePullSecrets', 'tolerations']) {
    const v = doc.spec?.[f]
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => !isMap(x)))) throw new UserError(`${source}: spec.${f} must be a list of mappings`)
  }
  return doc
}

/** selectSparkContainer: the named container (else the first) is Spark's; the others stay as they are. */
export function selectSparkContainer(template: O, containerName: string | undefined): {container: O; others: O[]} {
  const containers: O[] = template.spec?.containers ?? []
  const named = containerName !== undefined ? containers.filter((c) => c.name === containerName) : []
  if (named.length === 1) return {container: named[0]!, others: containers.filter((c) => c !== named[0])}
  return {container: containers[0] ?? {}, others: containers.slice(1)}
}

const concat = (a: unknown, b: unknown): O[] | undefined => {
  const list = [...(Array.isArray(a) ? a : []), ...(Array.isArray(b) ? b : [])]
  return list.length ? list : undefined
}
const mergeMaps = (a: unknown, b: unknown): O | undefined => {
  const m = {...(isMap(a) ? a : {}), ...(isMap(b) ? b : {})}
  return Object.keys(m).length ? m : undefined
}
const defined = (o: O): O => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/**
 * The driver pod Spark builds from a template: `pod` is what Spark's steps produce without one (one
 * container); the template's fields stay, lists (env, ports, volumes, mounts, pull secrets) get Spark's
 * entries appended, maps (labels, annotations, node selector, resources) get Spark's keys, and the Spark
 * container goes after the template's other containers (Client.run adds it last).
 */
export function applyDriverTemplate(pod: O, template: O, containerName: string | undefined): O {
  const {container: tc, others} = selectSparkContainer(template, containerName)
  const c: O = pod.spec.containers[0]
  const sparkContainer = defined({
    ...tc,
    ...c,
    name: tc.name ?? c.name,
    ports: concat(tc.ports, c.ports),
    env: concat(tc.env, c.env),
    volumeMounts: concat(tc.volumeMounts, c.volumeMounts),
    securityContext: mergeMaps(tc.securityContext, c.securityContext),
    resources: defined({
      ...tc.resources,
      requests: mergeMaps(tc.resources?.requests, c.resources?.requests),
      limits: mergeMaps(tc.resources?.limits, c.resources?.limits),
    }),
  })
  const tm: O = template.metadata ?? {}
  const ts: O = template.spec ?? {}
  return {
    ...pod,
    metadata: defined({
      ...tm,
      ...pod.metadata,
      labels: mergeMaps(tm.labels, pod.metadata.labels),
      annotations: mergeMaps(tm.annotations, pod.metadata.annotations),
    }),
    spec: defined({
      ...ts,
      ...pod.spec,
      containers: [...others, sparkContainer],
      nodeSelector: mergeMaps(ts.nodeSelector, pod.spec.nodeSelector),
      imagePullSecrets: concat(ts.imagePullSecrets, pod.spec.imagePullSecrets),
      volumes: concat(ts.volumes, pod.spec.volumes),
    }),
  }
}
