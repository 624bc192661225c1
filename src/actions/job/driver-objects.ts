// A Spark job's driver objects, made the way spark-submit makes them: the one code path shared by
// `kubectl kd submit` and the in-cluster runner of a managed job (src/runner), which re-renders each
// attempt from the stored submission. Must not import @kubernetes/client-node or the CLI's modules:
// the runner's bundle includes it.
import {R, type KubeClient} from '../../kube/client.ts'
import type {KubeObject} from '../../kube-object.ts'
import {isAlreadyExists, isNotFound} from '../../kube/errors.ts'
import {UserError} from '../../errors.ts'
import {renderDriver, ownedByDriver, type DriverObjects} from '../../spark/render.ts'
import {buildSubmission} from '../../spark/submission.ts'
import type {SubmissionIds} from '../../spark/names.ts'
import type {StoredSubmission} from '../../spark/render-runner.ts'

/**
 * Creates a job's driver objects as spark-submit does: the driver pod first, then its Service and
 * ConfigMaps owned by it (server-side apply); the pod this call created is deleted if the rest fails.
 * The one way drivers are made, by `submit` and by the in-cluster runner of a managed job. With
 * `adoptExisting`, a pod of that name already there (a runner resuming its attempt) is taken as made
 * and its objects are applied again.
 */
export async function createDriverObjects(
  k: KubeClient,
  objs: DriverObjects,
  namespace: string,
  opts: {dryRun?: boolean; podServiceAccount?: string; adoptExisting?: boolean; signal?: AbortSignal; onPodCreated?: () => void} = {},
): Promise<{pod: KubeObject & {metadata: {uid: string}}; created: CreatedObject[]}> {
  const extras = [objs.filesConfigMap, objs.templateConfigMap].filter((o): o is KubeObject => o !== undefined)
  const podBody = opts.podServiceAccount ? {...objs.pod, spec: {...(objs.pod.spec as object), serviceAccountName: opts.podServiceAccount}} : objs.pod
  let pod: KubeObject & {metadata: {uid: string}}
  let created = true
  try {
    pod = await k.create(R.pods(namespace), podBody, {dryRun: opts.dryRun, signal: opts.signal})
  } catch (err) {
    if (!opts.adoptExisting || !isAlreadyExists(err)) throw err
    pod = await k.get(R.pods(namespace), objs.pod.metadata.name)
    created = false
  }
  const made: CreatedObject[] = created ? [{kind: 'Pod', name: objs.pod.metadata.name, namespace, uid: pod.metadata.uid}] : []
  opts.onPodCreated?.()
  try {
    // server-side apply, as spark-submit 3.5 does (fabric8 serverSideApply with force), without discovery
    const owned = [objs.service, objs.configMap, ...extras].map((o) => ownedByDriver(o, pod))
    const applied = await Promise.all(owned.map((o) => k.apply<KubeObject & {metadata: {uid: string}}>(o.kind === 'Service' ? R.services(namespace) : R.configMaps(namespace), o, {dryRun: opts.dryRun, signal: opts.signal})))
    for (const a of applied) made.push({kind: a.kind ?? 'ConfigMap', name: a.metadata.name, namespace, uid: a.metadata.uid})
  } catch (err) {
    // only the pod this run created (its uid): its Service and ConfigMaps go with it
    if (!opts.dryRun && created) await k.delete(R.pods(namespace), objs.pod.metadata.name, {uid: pod.metadata.uid}).catch(() => undefined)
    throw err
  }
  return {pod, created: made}
}

/** On a driver pod `submit` made: the submission's hash and Spark ids (JSON), to complete it if half-made. */
export const SUBMISSION_ANNOTATION = 'kubectl-kd.io/submission'

/**
 * Completes a job whose driver pod exists but whose Service or ConfigMaps do not (a submit interrupted
 * between its writes): each missing object is created, owned by that pod (a create: a race is decided by
 * the API server, and nothing existing is written over). An object of the name that the pod does not own
 * is someone else's: refused. Returns what was created (empty: the job was whole already).
 */
export async function completeDriverObjects(
  k: KubeClient,
  objs: DriverObjects,
  namespace: string,
  pod: KubeObject & {metadata: {uid: string}},
  opts: {dryRun?: boolean} = {},
): Promise<CreatedObject[]> {
  const owned = [objs.service, objs.configMap, objs.filesConfigMap, objs.templateConfigMap].filter((o): o is KubeObject => o !== undefined).map((o) => ownedByDriver(o, pod))
  const resourceOf = (o: KubeObject) => (o.kind === 'Service' ? R.services(namespace) : R.configMaps(namespace))
  const isOwned = (o: KubeObject & {metadata: {ownerReferences?: {uid?: string}[]}}) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === pod.metadata.uid)
  const made: CreatedObject[] = []
  for (const o of owned) {
    const kind = o.kind.toLowerCase()
    let found = await k.get<KubeObject & {metadata: {uid: string}}>(resourceOf(o), o.metadata.name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
    if (!found) {
      try {
        const c = await k.create<KubeObject & {metadata: {uid: string}}>(resourceOf(o), o, {dryRun: opts.dryRun})
        made.push({kind: o.kind, name: o.metadata.name, namespace, uid: c.metadata.uid})
        continue
      } catch (err) {
        if (!isAlreadyExists(err)) throw err
        found = await k.get(resourceOf(o), o.metadata.name)
      }
    }
    if (!isOwned(found as never)) {
      throw new UserError(`${kind}/${o.metadata.name} in namespace "${namespace}" exists but is not owned by pod/${pod.metadata.name}: it is not this job's, and kubectl kd does not write over it; delete the job (kubectl kd delete job/${jobNameOf(pod.metadata.name)} -n ${namespace}) or that ${kind}`)
    }
  }
  return made
}

const jobNameOf = (pod: string) => (pod.endsWith('-driver') ? pod.slice(0, -7) : pod)

/** What one submission created: each object with its uid, so that only these are ever undone. */
export type CreatedObject = {kind: string; name: string; namespace: string; uid: string}

/** One attempt's driver objects from the stored submission: its pod name, labels and Spark ids fixed by the runner. */
export function renderStoredAttempt(stored: StoredSubmission, o: {ids: SubmissionIds; podName: string; labels: Record<string, string>; server: string}): DriverObjects {
  const conf = [
    ...(stored.args.conf ?? []),
    `spark.kubernetes.namespace=${stored.namespace}`,
    `spark.kubernetes.driver.pod.name=${o.podName}`,
    ...Object.entries(o.labels).map(([k, v]) => `spark.kubernetes.driver.label.${k}=${v}`),
  ]
  const submission = buildSubmission({...stored.args, conf})
  return renderDriver(submission, {namespace: stored.namespace, server: o.server, user: stored.user, userFromEnv: stored.userFromEnv, ids: o.ids, shippedData: stored.shippedData, ...stored.templates})
}
