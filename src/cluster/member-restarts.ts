// Which members a change restarts, said before it is written (apply, and apply --dry-run=server): a
// role's pod template that changes makes its StatefulSet replace every member pod that stays, one by
// one. Compares the objects the cluster was last written from with the ones about to be written. Pure.
import {LABEL} from './names.ts'

interface ObjectLike {
  kind: string
  metadata: {name: string; labels?: Record<string, string>}
  spec?: unknown
}

interface ContainerLike {
  name?: string
  image?: string
  resources?: unknown
  env?: unknown
}

interface StatefulSetSpec {
  replicas?: number
  volumeClaimTemplates?: unknown[]
  template?: {spec?: {containers?: ContainerLike[]; initContainers?: ContainerLike[]}} & Record<string, unknown>
}

export interface MemberRestart {
  role: string
  /** what changed in the role's pods: resources, image, environment or pod template */
  changes: string[]
  /** members that exist now and stay, and so are restarted */
  members: number
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

function changesOf(before: StatefulSetSpec, after: StatefulSetSpec): string[] {
  if (same(before.template, after.template)) return []
  const containers = (s: StatefulSetSpec) => [...(s.template?.spec?.containers ?? []), ...(s.template?.spec?.initContainers ?? [])]
  const field = (f: keyof ContainerLike) => !same(containers(before).map((c) => c[f]), containers(after).map((c) => c[f]))
  const changes = [field('resources') && 'resources', field('image') && 'image', field('env') && 'environment'].filter((c): c is string => !!c)
  // anything else in the template (ports, volumes, labels, …) also replaces the pods
  const rest = (s: StatefulSetSpec) => ({...s.template, spec: {...s.template?.spec, containers: containers(s).map((c) => ({...c, resources: 0, image: 0, env: 0}))}})
  if (!changes.length || !same(rest(before), rest(after))) changes.push('pod template')
  return changes
}

/** The roles whose members `after` restarts, in `after`'s order; roles added or removed restart nothing. */
export function memberRestarts(before: ObjectLike[], after: ObjectLike[]): MemberRestart[] {
  const old = new Map(before.filter((o) => o.kind === 'StatefulSet').map((o) => [o.metadata.name, o.spec as StatefulSetSpec]))
  const restarts: MemberRestart[] = []
  for (const o of after.filter((x) => x.kind === 'StatefulSet')) {
    const was = old.get(o.metadata.name)
    if (!was) continue
    const spec = o.spec as StatefulSetSpec
    const changes = changesOf(was, spec)
    const members = Math.min(was.replicas ?? 1, spec.replicas ?? 1)
    if (changes.length && members > 0) restarts.push({role: o.metadata.labels?.[LABEL.role] ?? o.metadata.name, changes, members})
  }
  return restarts
}

/**
 * Roles whose storage or blockStorage a change alters: a StatefulSet's claim templates cannot be changed
 * (the API server refuses it), so such a change is refused before anything is written.
 */
export function claimChanges(before: ObjectLike[], after: ObjectLike[]): string[] {
  const old = new Map(before.filter((o) => o.kind === 'StatefulSet').map((o) => [o.metadata.name, o.spec as StatefulSetSpec]))
  return after
    .filter((o) => o.kind === 'StatefulSet' && old.has(o.metadata.name) && !same(old.get(o.metadata.name)!.volumeClaimTemplates, (o.spec as StatefulSetSpec).volumeClaimTemplates))
    .map((o) => o.metadata.labels?.[LABEL.role] ?? o.metadata.name)
}
