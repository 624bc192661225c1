// Writing a planned cluster. A new cluster's root ConfigMap is created with a plain create, so of two
// racing creates the API server lets exactly one win (the other gets "already exists" and writes nothing
// more); everything else is created owned by that root. An existing cluster (apply, scale) is updated
// by server-side apply. No write ever goes over an object of another cluster: names are checked against
// what the namespace holds before the first write. If a write fails midway, a new cluster's root is
// deleted by uid, so the garbage collector removes exactly what this run created.
import {createHash} from 'node:crypto'
import type {ResolvedCluster} from '../../cluster/model.ts'
import {AGENT_COMPONENT, ANNOTATION, LABEL, ROOT_KEYS, rootConfigMapName} from '../../cluster/names.ts'
import {isMemberObject} from '../../cluster/member-objects.ts'
import {OPTIONS_KEY, rootSignatureProblem, signRoot} from '../../cluster/spec-signature.ts'
import {runBounded} from '../../kube/bounded.ts'
import {UserError} from '../../errors.ts'
import {applyNeeds, applyObject, checkAccess, checkGrants} from '../../kube/apply.ts'
import {R, resourceFor, type KubeClient, type KubeObject} from '../../kube/client.ts'
import {isAlreadyExists, isConflict, isNotFound} from '../../kube/errors.ts'
import {ensureAuthSecret, needsAuthToken} from './auth-token.ts'
import {checkPodSecurity} from './pod-security.ts'
import {claimChanges, memberRestarts, type MemberRestart} from '../../cluster/member-restarts.ts'
import {readRoot} from '../../cluster/root.ts'
import {renderPlanObjects, supportObjects} from './cluster-plan.ts'
import type {AppliedObject, ClusterPlan, StoredOptions} from '../../cluster/cluster-change.ts'

export interface ApplyOptions {
  /** `apply`: update a cluster that exists instead of refusing */
  allowExisting?: boolean
  dryRun: 'none' | 'server'
  /**
   * `edit`: the root the change was made from. If the cluster's spec is no longer that one (a scale or
   * apply landed meanwhile), nothing is written: kubectl's refusal of a stale edit.
   */
  basedOn?: KubeObject
  /** told, before the first write, which members of an existing cluster the change restarts */
  onRestarts?: (restarts: MemberRestart[]) => void
}

/**
 * Applies one plan: checks, the signed root, then the agent and what it needs; the agent brings the
 * member objects (StatefulSets, Services) to the root's spec (member-objects.ts), so a command cut short
 * after the root leaves nothing the agent does not finish. A new cluster is removed again if a write fails.
 */
export async function applyPlan(kube: KubeClient, plan: ClusterPlan, opts: ApplyOptions): Promise<AppliedObject[]> {
  const ns = plan.namespace
  const rootName = rootConfigMapName(plan.cluster.name)
  const [rendered] = plan.objects
  if (!rendered || rendered.metadata.name !== rootName) throw new Error('render did not put the root ConfigMap first')
  const existing = await getRoot(kube, ns, rootName)
  if (existing && existing.metadata.labels?.[LABEL.cluster] !== plan.cluster.name)
    throw new UserError(`configmap/${rootName} in namespace "${ns}" exists but is not the root of a kubectl-kd cluster "${plan.cluster.name}"; it is left alone`)
  // the same create run again after it was cut short finishes what it began; a complete cluster, or
  // another spec, is refused
  if (existing && !opts.allowExisting && (!sameSpec(existing, rendered) || (await supportInPlace(kube, plan, existing)))) throw alreadyExists(plan)
  if (opts.basedOn) checkNotStale(plan, opts.basedOn, existing)

  const all = [rendered, ...plan.objects.slice(1), ...supportObjects(plan)]
  const hash = renderHash(plan.objects)
  if (existing && hash && isUnchanged(existing, rendered, hash) && !rootSignatureProblem(plan.clusterKey, existing) && (await supportInPlace(kube, plan, existing)))
    return [{kind: 'ConfigMap', name: rootName, action: 'unchanged'}]
  await checkAccess(kube, applyNeeds(all), ns)
  await checkGrants(kube, all, ns)
  const leftovers = await checkNameClashes(kube, plan.cluster, all.slice(1), existing?.metadata.uid)
  if (leftovers) {
    // objects of this cluster's name but no root when it was read: another create has just made them (its
    // root is there now), or a deleted cluster of this name is still being collected
    const raced = await kube.get(R.configMaps(ns), rootName).then(() => true, (err) => (isNotFound(err) ? false : Promise.reject(err)))
    if (raced) throw alreadyExists(plan)
    throw new UserError(`cluster "${plan.cluster.name}" cannot be created in namespace "${ns}" yet: ${leftovers} of an earlier cluster of that name are still being deleted (wait, or kubectl kd delete ${plan.cluster.name} --wait); nothing was changed`)
  }

  await checkPodSecurity(kube, all, ns, plan.cluster.name)
  const dryRun = opts.dryRun === 'server'
  if (existing) {
    const before = storedObjects(existing, ns)
    const fixed = claimChanges(before, all)
    if (fixed.length)
      throw new UserError(`cluster "${plan.cluster.name}": the storage or blockStorage of role ${fixed.map((r) => JSON.stringify(r)).join(', ')} cannot change once the cluster exists (a StatefulSet's volume claims are fixed); keep them as they are, or delete the cluster and create it again; nothing was changed`)
    const restarts = opts.onRestarts ? memberRestarts(before, all) : []
    if (restarts.length) opts.onRestarts!(restarts)
  }
  let rootUid: string
  if (existing) {
    rootUid = (await writeRoot(kube, plan, rendered, hash, existing, {dryRun, basedOn: opts.basedOn})).metadata.uid ?? existing.metadata.uid!
  } else {
    try {
      rootUid = (await kube.create<KubeObject>(R.configMaps(ns), signRoot(plan.clusterKey, rootToWrite(rendered, undefined, hash)), {dryRun})).metadata.uid ?? 'dry-run'
    } catch (err) {
      if (isAlreadyExists(err)) throw alreadyExists(plan)
      throw err
    }
  }
  const action = existing ? 'configured' : 'created'
  const results: AppliedObject[] = [{kind: 'ConfigMap', name: rootName, action}]
  // rendered again, now owned by the root (owner references are set in one place: render); the member
  // objects are the agent's to write, checked here only by a server dry run
  const owned = [...supportObjects(plan, rootUid), ...renderPlanObjects(plan.app, plan.cluster, ns, plan.options, rootUid).slice(1).filter((o) => dryRun || !isMemberObject(o))]
  try {
    // the key and token Secrets before the agent and pods that read them
    if (!dryRun && needsAuthToken(plan.app)) await ensureAuthSecret(kube, plan.cluster, ns, rootUid)
    // a RoleBinding after its Role (binding a Role that does not exist yet is refused), the agent after
    // both (its informers stop on a 403)
    const stage = (o: KubeObject) => (o.kind === 'RoleBinding' ? 1 : o.kind === 'Deployment' ? 2 : isMemberObject(o) ? 3 : 0)
    const write = (o: KubeObject) => (existing ? applyObject(kube, o, {dryRun}) : createOwned(kube, o, dryRun, plan.cluster))
    for (const s of [0, 1, 2, 3]) await inPool(owned.filter((o) => stage(o) === s), write)
    for (const o of owned) results.push({kind: o.kind, name: o.metadata.name, action})
  } catch (err) {
    // only what this run created: the root of this uid, and through it what it owns
    if (!existing && !dryRun) {
      const undone = await kube.delete(R.configMaps(ns), rootName, {uid: rootUid, propagationPolicy: 'Background'}).then(
        () => undefined,
        (e: unknown) => (isNotFound(e) ? undefined : (e as Error).message.split('\n')[0]),
      )
      if (undone !== undefined)
        throw new UserError(`${(err as Error).message.split('\n')[0]}; the half-made cluster could not be removed (${undone}): kubectl kd create again finishes it, kubectl kd delete ${plan.cluster.name} removes it`)
    }
    throw err
  }
  return results
}

async function getRoot(kube: KubeClient, ns: string, name: string): Promise<KubeObject | undefined> {
  return kube.get<KubeObject>(R.configMaps(ns), name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
}

/** The spec keys of a root (what a write changes; annotations are the agent's and the generation's). */
const specData = (root: KubeObject) => {
  const data = (root as {data?: Record<string, string>}).data ?? {}
  return JSON.stringify([data[ROOT_KEYS.app], data[ROOT_KEYS.cluster], data[OPTIONS_KEY]])
}

const sameSpec = (a: KubeObject, b: KubeObject) => specData(a) === specData(b)

function checkNotStale(plan: ClusterPlan, basedOn: KubeObject, existing: KubeObject | undefined) {
  if (!existing) throw new UserError(`cluster "${plan.cluster.name}" was deleted while it was being edited; nothing was written`)
  if (existing.metadata.uid !== basedOn.metadata.uid || !sameSpec(existing, basedOn)) throw staleError(plan)
}

const staleError = (plan: ClusterPlan) =>
  new UserError(`cluster "${plan.cluster.name}" was changed by someone else since it was read (a scale, apply or edit landed meanwhile); nothing was written: run the command again on the cluster as it is now`)

/**
 * Writes the signed root over `existing`, with its resourceVersion as a precondition (the API server
 * refuses a write over a newer root). A refusal caused only by the agent's status annotations is retried on
 * the newer root; a spec another writer changed meanwhile is not written over (apply and edit fail with one
 * line; scale re-reads and scales again).
 */
async function writeRoot(kube: KubeClient, plan: ClusterPlan, rendered: KubeObject, hash: string, existing: KubeObject, o: {dryRun: boolean; basedOn?: KubeObject}): Promise<KubeObject> {
  let current = existing
  for (let attempt = 0; ; attempt++) {
    const root = signRoot(plan.clusterKey, rootToWrite(rendered, current, hash))
    root.metadata = {...root.metadata, resourceVersion: current.metadata.resourceVersion}
    try {
      return await applyObject(kube, root, {dryRun: o.dryRun})
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw isConflict(err) ? staleError(plan) : err
    }
    const now = await getRoot(kube, plan.namespace, rootConfigMapName(plan.cluster.name))
    if (!now || now.metadata.uid !== existing.metadata.uid) throw new UserError(`cluster "${plan.cluster.name}" was deleted while this command ran; nothing was written`)
    if (!sameSpec(now, o.basedOn ?? existing)) throw staleError(plan)
    current = now
  }
}

/** The agent and what it needs are all there and owned by the root (else apply writes them again). */
async function supportInPlace(kube: KubeClient, plan: ClusterPlan, root: KubeObject): Promise<boolean> {
  const wanted = supportObjects(plan, root.metadata.uid)
    .concat(renderPlanObjects(plan.app, plan.cluster, plan.namespace, plan.options, root.metadata.uid).filter((o) => o.metadata.labels?.[LABEL.component] === AGENT_COMPONENT))
  const found = await Promise.all(wanted.map((o) => kube.get<KubeObject>(resourceFor(o, plan.namespace), o.metadata.name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))))
  return found.every((o, i) => o && (o.metadata.ownerReferences ?? []).some((r) => r.uid === root.metadata.uid) && sameContent(o, wanted[i]!))
}

/** The parts of a support object a change touches (rules, the Deployment's template labels and annotations, code), compared as data. */
function sameContent(have: KubeObject, want: KubeObject): boolean {
  const pick = (o: KubeObject) => {
    const x = o as Record<string, unknown>
    const template = (x.spec as {template?: {metadata?: {labels?: unknown; annotations?: unknown}}} | undefined)?.template?.metadata
    return canonical([x.rules, template?.labels, template?.annotations, want.kind === 'Secret' ? undefined : x.binaryData])
  }
  return pick(have) === pick(want)
}

/** JSON with sorted keys and no nulls (the API server orders fields its own way). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).filter(([, y]) => y !== null).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  )
}

/** The objects the existing root was last written from (none when the root is damaged). */
function storedObjects(existing: KubeObject, ns: string): KubeObject[] {
  const data = (existing as {data?: Record<string, string>}).data
  const stored = readRoot(data)
  if (stored.problem !== undefined) return []
  const options = JSON.parse(data?.[OPTIONS_KEY] ?? '{}') as StoredOptions
  return renderPlanObjects(stored.app, stored.cluster, ns, options)
}

/**
 * Hash of a cluster's rendered objects (the root's annotations aside: generation and state change on every
 * write). The package and agent-code ConfigMaps are left out: their contents are in the rendered objects
 * already (a package's hash in its URL in the root, the agent code's hash on the Deployment).
 */
export function renderHash(objects: KubeObject[]): string {
  const h = createHash('sha256')
  for (const [i, o] of objects.entries()) h.update(JSON.stringify(i === 0 ? {...o, metadata: {...o.metadata, annotations: undefined}} : o)).update('\n')
  return h.digest('hex')
}

/** The root holds the same app and cluster and was last written from the same objects: nothing to write. */
function isUnchanged(existing: KubeObject, rendered: KubeObject, hash: string): boolean {
  if (existing.metadata.annotations?.[ANNOTATION.renderHash] !== hash) return false
  const have = (existing as {data?: Record<string, string>}).data ?? {}
  const want = (rendered as {data?: Record<string, string>}).data ?? {}
  return Object.keys(want).length === Object.keys(have).length && Object.entries(want).every(([k, v]) => have[k] === v)
}

/** The root as written: its generation one past the existing root's (1 for a new cluster), state creating or updating, the render hash when known. */
export function rootToWrite(rendered: KubeObject, existing?: KubeObject, hash?: string): KubeObject {
  const generation = Number(existing?.metadata.annotations?.[ANNOTATION.generation] ?? 0) + 1
  return {
    ...rendered,
    metadata: {
      ...rendered.metadata,
      annotations: {...rendered.metadata.annotations, [ANNOTATION.generation]: String(generation), [ANNOTATION.state]: existing ? 'updating' : 'creating', ...(hash ? {[ANNOTATION.renderHash]: hash} : {})},
    },
  }
}

function alreadyExists(plan: ClusterPlan): UserError {
  return new UserError(
    `cluster "${plan.cluster.name}" already exists in namespace "${plan.namespace}": choose another name, change it with kubectl kd apply -f / kubectl kd scale, or remove it with kubectl kd delete ${plan.cluster.name}`,
  )
}

/** A plain create of an object of a new cluster; one that appeared meanwhile is another writer's, never ours to change. */
async function createOwned(kube: KubeClient, o: KubeObject, dryRun: boolean, cluster: ResolvedCluster): Promise<unknown> {
  try {
    return await kube.create(resourceFor(o, kube.namespace), o, {dryRun})
  } catch (err) {
    if (isAlreadyExists(err)) throw new UserError(`cannot create cluster "${cluster.name}": ${o.kind.toLowerCase()}/${o.metadata.name} was created by someone else meanwhile; nothing of theirs was changed`)
    throw err
  }
}

/**
 * Refuses, before any write, names the namespace already uses for something this cluster does not own:
 * another cluster's member (cluster `a` role `b-c` and cluster `a-b` role `c` both want `a-b-c-0`) or an
 * object not made by kubectl-kd. Objects labelled with this cluster's name but not owned by its root are
 * counted and returned (the caller tells a racing create from a deletion in progress).
 */
async function checkNameClashes(kube: KubeClient, cluster: ResolvedCluster, objects: KubeObject[], rootUid: string | undefined): Promise<number> {
  const byCollection = new Map<string, {kind: string; names: Set<string>; res: ReturnType<typeof resourceFor>}>()
  for (const o of objects) {
    const res = resourceFor(o, kube.namespace)
    const key = `${res.apiVersion}/${res.resource}`
    if (!byCollection.has(key)) byCollection.set(key, {kind: o.kind, names: new Set(), res})
    byCollection.get(key)!.names.add(o.metadata.name)
  }
  const clashes: string[] = []
  let leftovers = 0
  await Promise.all(
    [...byCollection.values()].map(async ({kind, names, res}) => {
      // a few names: one get each; many (member Services): one list
      const found: KubeObject[] =
        names.size <= 8
          ? (await Promise.all([...names].map((n) => kube.get<KubeObject>(res, n).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))))).filter((o) => o !== undefined)
          : (await kube.list<KubeObject>(res)).items.filter((o) => names.has(o.metadata.name))
      for (const o of found) {
        if (rootUid && o.metadata.ownerReferences?.some((r) => r.uid === rootUid)) continue
        const owner = o.metadata.labels?.[LABEL.cluster]
        const what = `${kind.toLowerCase()}/${o.metadata.name}`
        if (owner && owner !== cluster.name) clashes.push(`${what} belongs to cluster "${owner}"`)
        else if (owner === cluster.name && !rootUid) leftovers++
        else clashes.push(`${what} exists and was not made for cluster "${cluster.name}"`)
      }
    }),
  )
  if (clashes.length > 0) {
    clashes.sort()
    const more = clashes.length > 3 ? ` and ${clashes.length - 3} more` : ''
    throw new UserError(`cluster "${cluster.name}" cannot use the names it needs in namespace "${kube.namespace}": ${clashes.slice(0, 3).join('; ')}${more}; choose another cluster name (nothing was changed)`)
  }
  return leftovers
}

/** Writes in flight at once (batches of 8 waited for their slowest request; a pool keeps them all busy). */
const WRITES_IN_FLIGHT = 16

/** fn over every item, WRITES_IN_FLIGHT at a time; the first failure stops the rest and fails the whole once those in flight ended. */
async function inPool<T>(items: T[], fn: (t: T) => Promise<unknown>): Promise<void> {
  let failure: {err: unknown} | undefined
  await runBounded(items, WRITES_IN_FLIGHT, (item) => fn(item).then(() => undefined, (err) => void (failure ??= {err})), () => failure !== undefined)
  if (failure) throw failure.err
}
