// Which objects are an app cluster's, for `delete`. Labels are anyone's to set, so a label never decides
// alone: an object is the cluster's when it has an ownerReference to the root ConfigMap's uid (everything
// create, apply and scale write). The one exception is `create --dry-run=client -o yaml | kubectl apply
// -f -`: those objects were printed before the root existed, so nothing owns them; such an object is the
// cluster's only when it has no ownerReference at all, carries kubectl-kd's managed-by label and the
// cluster's label, and bears a name the cluster's own render gives from the spec stored in its root. A
// member pod is its StatefulSet's (the controller ownerReference): it is the cluster's when that
// StatefulSet is, compared by uid. Pure: the caller lists, this decides.
import type {App} from '../app/model.ts'
import type {KubeObject} from '../kube-object.ts'
import type {ResolvedCluster} from './model.ts'
import {LABEL, MANAGED_BY, agentName, authSecretName, headlessServiceName, keysSecretName, roleStatefulSetName, rootConfigMapName} from './names.ts'
import {packageConfigMapFromURL} from './package.ts'
import {renderCluster} from './render.ts'

/** What decides whether an object is the cluster `name`'s (see the top of this file). */
export interface ClusterObjects {
  name: string
  /** uid of the root ConfigMap */
  rootUid?: string
  /** collection (`configmaps`, `statefulsets`, …) → the names the cluster's render gives an unowned object there */
  renderedNames: Map<string, Set<string>>
  /** prefixes of member names (`NAME-ROLE-`): a member Service left unowned by an earlier, larger spec keeps one */
  memberPrefixes: string[]
}

/** The collection an object of `kind` lives in (the kinds a cluster renders: ConfigMap → configmaps). */
const collectionOf = (kind: string) => `${kind.toLowerCase()}s`

/**
 * The decision for the cluster `name` whose root has `rootUid`; `stored` is the spec its root holds, or
 * undefined when the root is damaged (then only the names every cluster has are known: its headless
 * Service, agent objects and Secrets; unowned StatefulSets and member Services of a damaged root are left).
 */
export function clusterObjects(name: string, namespace: string, rootUid: string | undefined, stored: {cluster: ResolvedCluster; app: App} | undefined): ClusterObjects {
  const renderedNames = new Map<string, Set<string>>()
  const add = (kind: string, n: string) => {
    const set = renderedNames.get(collectionOf(kind)) ?? new Set<string>()
    set.add(n)
    renderedNames.set(collectionOf(kind), set)
  }
  add('Service', headlessServiceName(name))
  for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'Deployment', 'ConfigMap']) add(kind, agentName(name))
  add('Secret', authSecretName(name))
  add('Secret', keysSecretName(name))
  const memberPrefixes: string[] = []
  if (stored) {
    try {
      for (const o of renderCluster(stored.app, stored.cluster, {namespace})) add(o.kind, o.metadata.name)
    } catch {
      // a root whose content has the right shape but that the renderer cannot use: the fixed names only
    }
    for (const role of stored.cluster.roles) memberPrefixes.push(`${roleStatefulSetName(name, role.id)}-`)
    for (const role of stored.app.roles ?? []) {
      const pkg = role.configPackage?.packageURL ? packageConfigMapFromURL(role.configPackage.packageURL) : undefined
      if (pkg) add('ConfigMap', pkg)
    }
  }
  // the root itself is never among the objects deleted beside it
  renderedNames.get('configmaps')?.delete(rootConfigMapName(name))
  return {name, rootUid, renderedNames, memberPrefixes}
}

/** A member Service name of one of the roles (`NAME-ROLE-N`), whatever the member count. */
const isMemberName = (c: ClusterObjects, n: string) => c.memberPrefixes.some((p) => n.startsWith(p) && /^(0|[1-9]\d*)$/.test(n.slice(p.length)))

/** True when `o`, listed from `collection` (`services`, `statefulsets`, …), is the cluster's. */
export function isClusterObject(c: ClusterObjects, collection: string, o: KubeObject): boolean {
  const owners = o.metadata.ownerReferences ?? []
  if (owners.length > 0) return c.rootUid !== undefined && owners.some((r) => r.uid === c.rootUid)
  const labels = o.metadata.labels ?? {}
  if (labels[LABEL.managedBy] !== MANAGED_BY || labels[LABEL.cluster] !== c.name) return false
  const name = o.metadata.name
  return (c.renderedNames.get(collection)?.has(name) ?? false) || (collection === 'services' && isMemberName(c, name))
}

/** True when `o` is owned by the root itself (forbidden to delete, it is the garbage collector's once the root goes). */
export const isRootOwned = (c: ClusterObjects, o: KubeObject) => c.rootUid !== undefined && (o.metadata.ownerReferences ?? []).some((r) => r.uid === c.rootUid)

/** True when the pod's controller is one of `statefulSetUids` (the cluster's StatefulSets). */
export function isMemberPodOf(statefulSetUids: ReadonlySet<string>, pod: KubeObject): boolean {
  const controller = (pod.metadata.ownerReferences ?? []).find((r) => r.controller)
  return controller?.kind === 'StatefulSet' && statefulSetUids.has(controller.uid)
}

/** True when the pod is the cluster's agent: made by a ReplicaSet of the agent Deployment (`NAME-kd-agent-HASH`, HASH its pod-template-hash). */
export function isAgentPod(name: string, pod: KubeObject): boolean {
  const controller = (pod.metadata.ownerReferences ?? []).find((r) => r.controller)
  const hash = pod.metadata.labels?.['pod-template-hash']
  return controller?.kind === 'ReplicaSet' && hash !== undefined && controller.name === `${agentName(name)}-${hash}`
}
