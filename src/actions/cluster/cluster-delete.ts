// Deleting app clusters: `kubectl kd delete NAME` (deleteCluster: only what the cluster owns, the root
// last) and `kubectl kd delete -f FILE|DIR|-`: the clusters the KubeDirectorCluster files name (the files
// create and apply take, read by the same reader), each deleted as `delete NAME` deletes it, in its own
// namespace. As kubectl: every cluster is tried; the ones not found are reported (or passed over with
// --ignore-not-found) after the others are deleted.
import {LABEL, rootConfigMapName} from '../../cluster/names.ts'
import {clusterObjects, isAgentPod, isClusterObject, isMemberPodOf, isRootOwned, type ClusterObjects} from '../../cluster/cluster-objects.ts'
import {storedFromRoot} from '../../cluster/cluster-status.ts'
import {parseManifests} from '../../cluster/parse.ts'
import {UserError} from '../../errors.ts'
import {R, withNamespace, type KubeClient, type KubeObject, type Resource} from '../../kube/client.ts'
import {checkAccess} from '../../kube/apply.ts'
import {runBounded} from '../../kube/bounded.ts'
import {errorKind, isNotFound} from '../../kube/errors.ts'
import {ClusterNotFoundError, clusterSelector, findRoot} from './clusters.ts'
import {readInputs} from './inputs.ts'

export interface DeleteFilesOptions {
  files: string[]
  /** the namespace -n gave, if any (a file's metadata.namespace must agree with it) */
  namespace?: string
  ignoreNotFound?: boolean
  wait?: boolean
  timeoutMs?: number
  dryRun?: 'server' | 'client'
}

export interface DeletedCluster {
  name: string
  namespace: string
  /** false: there was no such cluster (only with ignoreNotFound; else it is in `notFound`) */
  deleted: boolean
}

/** The clusters named in the files, in file order, each once: checked before anything is deleted. */
export function clustersInFiles(files: string[], namespace: string, namespaceFlag?: string): {name: string; namespace: string}[] {
  const seen = new Set<string>()
  const out: {name: string; namespace: string}[] = []
  for (const input of readInputs(files)) {
    const {clusters} = parseManifests(input.text, input.source)
    for (const spec of clusters) {
      if (spec.namespace && namespaceFlag && spec.namespace !== namespaceFlag)
        throw new UserError(`${input.source}: metadata.namespace: "${spec.namespace}" does not match --namespace "${namespaceFlag}"`)
      const ns = spec.namespace ?? namespace
      if (seen.has(`${ns}/${spec.name}`)) continue
      seen.add(`${ns}/${spec.name}`)
      out.push({name: spec.name, namespace: ns})
    }
  }
  if (out.length === 0) throw new UserError(`-f ${files.join(', ')}: no KubeDirectorCluster found`)
  return out
}

export async function deleteClustersInFiles(kube: KubeClient, o: DeleteFilesOptions): Promise<{deleted: DeletedCluster[]; notFound: ClusterNotFoundError[]}> {
  const deleted: DeletedCluster[] = []
  const notFound: ClusterNotFoundError[] = []
  for (const c of clustersInFiles(o.files, kube.namespace, o.namespace)) {
    try {
      await deleteCluster(withNamespace(kube, c.namespace), c.name, {wait: o.wait, timeoutMs: o.timeoutMs, dryRun: o.dryRun})
      deleted.push({...c, deleted: true})
    } catch (err) {
      if (!(err instanceof ClusterNotFoundError)) throw err
      if (o.ignoreNotFound) deleted.push({...c, deleted: false})
      else notFound.push(err)
    }
  }
  return {deleted, notFound}
}

/**
 * Deletes the cluster: its agent, members and their objects here, then the root ConfigMap (the garbage
 * collector removes whatever of the root's is left). Only the cluster's own objects (cluster-objects.ts:
 * owned by the root's uid, or unowned with kubectl-kd's labels and a name the cluster's render gives);
 * an object that merely carries the cluster's labels is left alone. With --wait, until the root, the
 * member pods and every object deleted here are gone.
 */
export async function deleteCluster(kube: KubeClient, name: string, opts: {wait?: boolean; timeoutMs?: number; dryRun?: 'server' | 'client'}): Promise<void> {
  // a damaged root is deleted as well: deleting is how it is fixed
  const root = await findRoot(kube, name)
  if (!root) throw new ClusterNotFoundError(name, kube.namespace)
  // kubectl's client dry run: what would be deleted is there; nothing is sent
  if (opts.dryRun === 'client') return
  const ns = kube.namespace
  // half a deletion helps nobody: what the writes below need is asked first
  await checkAccess(kube, DELETE_NEEDS, ns, 'nothing was deleted')
  const ours = clusterObjects(name, ns, root.metadata?.uid, storedFromRoot(root))
  // the garbage collector removes owned objects about 20 a second (the controller-manager's client limit),
  // and a StatefulSet deleted in the foreground stayed until it had looked at each of its pods: 1000
  // members took minutes. So the agent goes first (left running, it wrote the state of every member being
  // deleted), then the members' StatefulSets and their pods and, beside them, the cluster's other objects,
  // member Services included; all by name and uid, many in flight (the API server runs a collection delete
  // one object at a time: 28 s for 1000 pods); the root last
  let cleared: ClearedObjects = {deleted: [], complete: false, statefulSets: new Set()}
  if (opts.dryRun !== 'server') {
    const agent = await deleteOwnObjects(kube, ours, R.deployments(ns))
    const [others, members] = await Promise.all([
      Promise.all(CLUSTER_RESOURCES.filter((r) => r !== R.deployments && r !== R.statefulSets).map((r) => deleteOwnObjects(kube, ours, r(ns)))),
      // a StatefulSet that is gone makes no new pod; its pods are the cluster's when it was (by uid)
      deleteOwnObjects(kube, ours, R.statefulSets(ns)).then(async (sets) => {
        const uids = new Set([...sets.uids, ...sets.left])
        const pods = (await kube.list<KubeObject>(R.pods(ns), {labelSelector: `${LABEL.cluster}=${name},${LABEL.role}`})).items
        await deleteObjects(kube, R.pods(ns), pods.filter((p) => isMemberPodOf(uids, p)))
        return {sets, uids}
      }),
    ])
    const all = [agent, ...others, members.sets]
    cleared = {deleted: all.filter((d) => d.uids.size > 0), complete: all.every((d) => d.complete), statefulSets: members.uids}
  }
  const {deleted, complete, statefulSets} = cleared
  // in the foreground only when some of what the root owns is left to the garbage collector
  const propagationPolicy = opts.wait && !complete ? 'Foreground' : 'Background'
  await kube.delete(R.configMaps(ns), rootConfigMapName(name), {propagationPolicy, dryRun: opts.dryRun === 'server', uid: root.metadata?.uid})
  if (opts.wait && opts.dryRun !== 'server') {
    const {watchUntil} = await import('../../kube/informer.ts')
    // the cluster's pods: its members (their StatefulSet's uid) and its agent; a foreign pod with the labels is not waited for
    const isOurPod = (p: KubeObject) => isMemberPodOf(statefulSets, p) || isAgentPod(name, p)
    await watchUntil(
      kube,
      [
        {resource: R.configMaps(ns), fieldSelector: `metadata.name=${rootConfigMapName(name)}`},
        {resource: R.pods(ns), labelSelector: clusterSelector(name)},
        // the objects deleted above: their collections are watched until they are gone
        ...deleted.map(({resource}) => ({resource, labelSelector: clusterSelector(name)})),
      ],
      ([roots, pods, ...others]) =>
        roots!.size === 0 && ![...pods!.values()].some(isOurPod) && others.every((c, i) => ![...c.values()].some((o: KubeObject) => deleted[i]!.uids.has(o.metadata.uid ?? ''))) ? true : undefined,
      {timeoutMs: opts.timeoutMs ?? 0, timeoutMessage: `timed out waiting for cluster "${name}" and everything it owns to be deleted`},
    )
  }
}

const DELETE_NEEDS = [
  {verb: 'list', resource: 'deployments', group: 'apps'},
  {verb: 'delete', resource: 'deployments', group: 'apps'},
  {verb: 'list', resource: 'statefulsets', group: 'apps'},
  {verb: 'delete', resource: 'statefulsets', group: 'apps'},
  {verb: 'delete', resource: 'services'},
  {verb: 'list', resource: 'pods'},
  {verb: 'delete', resource: 'pods'},
  {verb: 'delete', resource: 'configmaps'},
]

/**
 * Deletes `objects` of `res` by name and uid, DELETES_IN_FLIGHT at a time (one gone meanwhile is fine).
 * Those `mayLeave` allows are returned when deleting them is forbidden: their owner's deletion takes them.
 */
async function deleteObjects(kube: KubeClient, res: Resource, objects: KubeObject[], mayLeave: (o: KubeObject) => boolean = () => false): Promise<KubeObject[]> {
  const left: KubeObject[] = []
  await runBounded(objects, DELETES_IN_FLIGHT, (o) =>
    kube.delete(res, o.metadata.name, {uid: o.metadata.uid, propagationPolicy: 'Background'}).catch((err) => {
      if (isNotFound(err)) return
      if (errorKind(err) === 'Forbidden' && mayLeave(o)) return void left.push(o)
      return Promise.reject(err)
    }),
  )
  return left
}

/** Deletes in flight at once per collection (bench/scale.bench.ts: 1000 member Services) */
const DELETES_IN_FLIGHT = 32

/** The collections a cluster's objects live in (render.ts, render-agent.ts, package ConfigMaps, key and token Secrets). */
const CLUSTER_RESOURCES = [R.configMaps, R.secrets, R.services, R.statefulSets, R.deployments, R.serviceAccounts, R.roles, R.roleBindings]

interface DeletedObjects {
  resource: Resource
  /** the uids deleted */
  uids: Set<string>
  /** the uids of the root's objects the user may not delete: the garbage collector's */
  left: Set<string>
  /** false when the collection could not be listed or one of the root's objects not deleted */
  complete: boolean
}

interface ClearedObjects {
  deleted: DeletedObjects[]
  complete: boolean
  /** uids of the cluster's StatefulSets: their pods are its members */
  statefulSets: Set<string>
}

/**
 * Deletes the cluster's objects in `res` (cluster-objects.ts decides which are), each by name and uid: those
 * the root owns (left to the garbage collector they waited behind its queue of the members' pods, a minute
 * at 1000 members) and those nothing owns that `create --dry-run=client -o yaml | kubectl apply -f -` made.
 * The root itself is not among them. A collection the user may not list, or one of the root's objects the
 * user may not delete (a user may delete a cluster without the right to delete, say, Roles), is left to the
 * garbage collector: `complete` is then false.
 */
async function deleteOwnObjects(kube: KubeClient, c: ClusterObjects, res: Resource): Promise<DeletedObjects> {
  const list = await kube.list<KubeObject>(res, {labelSelector: clusterSelector(c.name)}).catch((err) => (errorKind(err) === 'Forbidden' ? undefined : Promise.reject(err)))
  const root = rootConfigMapName(c.name)
  const ours = (list?.items ?? []).filter((o) => !(res.resource === 'configmaps' && o.metadata.name === root) && isClusterObject(c, res.resource, o))
  const left = new Set(await deleteObjects(kube, res, ours, (o) => isRootOwned(c, o)))
  const uid = (o: KubeObject) => o.metadata.uid ?? ''
  return {resource: res, uids: new Set(ours.filter((o) => !left.has(o)).map(uid)), left: new Set([...left].map(uid)), complete: list !== undefined && left.size === 0}
}
