// The objects the agent keeps at the cluster's spec (DESIGN §4.3): the headless Service, a StatefulSet per
// role and a Service per member, and the decisions that bring what the namespace holds to them. Each
// rendered object carries the hash of its own render, so the agent tells "as specified" from "changed"
// without comparing fields the API server defaults. Only objects owned by the root (its uid) are updated or
// deleted; an object of a needed name that is not the cluster's is reported, never taken over (apart from
// the exact render of this cluster applied by hand from `create --dry-run=client -o yaml`). Pure.
import {createHash} from 'node:crypto'
import type {KubeObject} from '../kube-object.ts'
import {ANNOTATION, LABEL, MANAGED_BY} from './names.ts'

/** Is this rendered object one the agent keeps (not the root, not the agent's own objects)? */
export const isMemberObject = (o: KubeObject) => (o.kind === 'StatefulSet' || o.kind === 'Service') && o.metadata.labels?.[LABEL.component] === undefined

/** Hash of a rendered object, without its owner (the root's uid) or the hash itself. */
export function specHash(o: KubeObject): string {
  const {ownerReferences: _owners, ...metadata} = o.metadata
  const annotations = {...metadata.annotations}
  delete annotations[ANNOTATION.specHash]
  const plain = {...o, metadata: {...metadata, annotations: Object.keys(annotations).length ? annotations : undefined}}
  return createHash('sha256').update(JSON.stringify(plain)).digest('hex').slice(0, 16)
}

export function withSpecHash(o: KubeObject): KubeObject {
  return {...o, metadata: {...o.metadata, annotations: {...o.metadata.annotations, [ANNOTATION.specHash]: specHash(o)}}}
}

/** What the agent needs to know of an object of the namespace (its informers keep only this). */
export interface ObservedObject {
  kind: 'StatefulSet' | 'Service'
  name: string
  uid: string
  ownerUids: string[]
  labels: Record<string, string>
  specHash?: string
  /** StatefulSet: spec.replicas, metadata.generation and its status */
  replicas?: number
  generation?: number
  observedGeneration?: number
  updatedReplicas?: number
  currentRevision?: string
  updateRevision?: string
}

export type ObjectAction =
  | {op: 'create'; object: KubeObject}
  | {op: 'apply'; object: KubeObject; adopt?: boolean}
  | {op: 'delete'; kind: ObservedObject['kind']; name: string; uid: string}

export interface ConvergencePlan {
  /** first the headless Service and StatefulSets, then member Services (nothing waits for them) */
  actions: ObjectAction[]
  /** names this cluster needs that something else holds: reported, left alone */
  foreign: string[]
  /** StatefulSets whose change the StatefulSet controller has not finished rolling out */
  rollingOut: string[]
}

const key = (kind: string, name: string) => `${kind}/${name}`

/**
 * `desired`: the member objects rendered for the root `rootUid` (owner references set, spec hashes on);
 * `observed`: the StatefulSets and Services of the namespace labelled with this cluster.
 */
export function planConvergence(desired: KubeObject[], observed: ObservedObject[], rootUid: string, cluster: string): ConvergencePlan {
  const have = new Map(observed.map((o) => [key(o.kind, o.name), o]))
  const wanted = new Set(desired.map((d) => key(d.kind, d.metadata.name)))
  const first: ObjectAction[] = []
  const later: ObjectAction[] = []
  const foreign: string[] = []
  const rollingOut: string[] = []
  for (const d of desired) {
    const o = have.get(key(d.kind, d.metadata.name))
    const queue = d.kind === 'Service' && d.metadata.labels?.[LABEL.role] !== undefined ? later : first
    const hash = d.metadata.annotations?.[ANNOTATION.specHash]
    if (!o) {
      queue.push({op: 'create', object: d})
      continue
    }
    const ours = o.ownerUids.includes(rootUid)
    const exactRender = o.ownerUids.length === 0 && o.labels[LABEL.managedBy] === MANAGED_BY && o.labels[LABEL.cluster] === cluster && o.specHash === hash
    if (!ours && !exactRender) {
      foreign.push(`${d.kind.toLowerCase()}/${d.metadata.name}`)
      continue
    }
    const replicas = (d.spec as {replicas?: number} | undefined)?.replicas
    if (!ours || o.specHash !== hash || (d.kind === 'StatefulSet' && o.replicas !== replicas)) queue.push({op: 'apply', object: d, ...(ours ? {} : {adopt: true})})
    else if (d.kind === 'StatefulSet' && !rolledOut(o)) rollingOut.push(d.metadata.name)
  }
  // what the root owns and the spec no longer names (a role removed, members scaled away)
  for (const o of observed) {
    if (o.ownerUids.includes(rootUid) && !wanted.has(key(o.kind, o.name))) later.push({op: 'delete', kind: o.kind, name: o.name, uid: o.uid})
  }
  return {actions: [...first, ...later], foreign: foreign.sort(), rollingOut}
}

/** The StatefulSet controller has seen the latest spec and every replica runs its revision. */
function rolledOut(o: ObservedObject): boolean {
  if ((o.observedGeneration ?? 0) < (o.generation ?? 0)) return false
  if (!o.replicas) return true
  return o.updateRevision === undefined || o.currentRevision === o.updateRevision || (o.updatedReplicas ?? 0) >= o.replicas
}

/** The fields of a StatefulSet or Service the agent keeps (a 1000-member cluster's Services in little memory). */
export function observeObject(kind: ObservedObject['kind'], o: {metadata?: {name?: string; uid?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: {uid: string}[]}; spec?: {replicas?: number}; status?: {observedGeneration?: number; updatedReplicas?: number; currentRevision?: string; updateRevision?: string}}): ObservedObject {
  const m = o.metadata ?? {}
  const hash = m.annotations?.[ANNOTATION.specHash]
  return {
    kind,
    name: m.name ?? '',
    uid: m.uid ?? '',
    ownerUids: (m.ownerReferences ?? []).map((r) => r.uid),
    labels: m.labels ?? {},
    ...(hash ? {specHash: hash} : {}),
    ...(kind === 'StatefulSet'
      ? {
          replicas: o.spec?.replicas,
          generation: m.generation,
          observedGeneration: o.status?.observedGeneration,
          updatedReplicas: o.status?.updatedReplicas,
          currentRevision: o.status?.currentRevision,
          updateRevision: o.status?.updateRevision,
        }
      : {}),
  }
}
