// TYPE/NAME arguments the way kubectl takes them: `NAME`, `cluster/NAME`, `job/NAME`, or `job NAME`;
// the one parser every command uses, with one set of type aliases.
import {UserError} from './errors.ts'

export type TargetKind = 'cluster' | 'job'

const KINDS: Record<string, TargetKind> = {
  cluster: 'cluster',
  clusters: 'cluster',
  kdcluster: 'cluster',
  kdclusters: 'cluster',
  job: 'job',
  jobs: 'job',
  sparkjob: 'job',
  sparkjobs: 'job',
}

/** The kind a type word names (`clusters`, `job`, …), or undefined. */
export const targetKind = (word: string): TargetKind | undefined => (Object.hasOwn(KINDS, word) ? KINDS[word] : undefined)

/** `only`: the command works on that kind alone (a bare NAME is one of them; another type is refused). */
export function parseTarget(first: string, second?: string, only?: TargetKind): {kind?: TargetKind; name: string} {
  let target: {kind?: TargetKind; name: string}
  if (first.includes('/')) {
    const [type, name] = [first.slice(0, first.indexOf('/')), first.slice(first.indexOf('/') + 1)]
    const kind = targetKind(type)
    if (!kind) throw new UserError(`unknown resource type "${type}" in ${first}: use ${only ? `${only}/NAME` : 'cluster/NAME or job/NAME'}`)
    if (!name) throw new UserError(`${first}: the name is missing`)
    if (name.includes('/')) throw new UserError(`${first}: expected TYPE/NAME with one name`)
    target = {kind, name}
  } else if (second !== undefined) {
    const kind = targetKind(first)
    if (!kind) throw new UserError(`unknown resource type "${first}": use ${only ?? 'cluster or job'}`)
    target = {kind, name: second}
  } else target = {name: first}
  if (!only) return target
  if (target.kind && target.kind !== only) throw new UserError(`${first}${second ? ` ${second}` : ''}: this command works on ${only}s only`)
  return {kind: only, name: target.name}
}

/** Several targets, kubectl's way (get): TYPE [NAME ...] or TYPE/NAME [TYPE/NAME ...] (one type at a time here), in the order given. */
export function parseTargets(words: string[]): {kind: 'cluster' | 'job'; names: string[]} {
  let kind: 'cluster' | 'job' | undefined
  const names: string[] = []
  if (words[0]!.includes('/')) {
    for (const w of words) {
      if (!w.includes('/')) throw new UserError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl kd get cluster/a cluster/b'): ${w}`)
      const t = parseTarget(w)
      if (kind && t.kind !== kind) throw new UserError(`${w}: give one type at a time (kubectl kd get ${kind}/… or ${t.kind}/…)`)
      kind = t.kind
      names.push(t.name)
    }
  } else {
    kind = targetKind(words[0]!)
    if (!kind) throw new UserError(`unknown resource type "${words[0]}": use clusters or jobs`)
    names.push(...words.slice(1))
  }
  // as kubectl: a name given twice is listed twice
  return {kind: kind!, names}
}

/**
 * Several targets of any kind (delete, status, describe), in the order given, each once: `NAME` (one bare
 * name; the command decides its kind), `TYPE NAME [NAME ...]`, or `TYPE/NAME [TYPE/NAME ...]` (types may mix).
 */
export function parseTargetList(words: string[]): {kind?: TargetKind; name: string}[] {
  let targets: {kind?: TargetKind; name: string}[]
  if (words.length === 1) targets = [parseTarget(words[0]!)]
  else if (words[0]!.includes('/')) {
    targets = words.map((w) => {
      if (!w.includes('/')) throw new UserError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl kd delete cluster/a job/b'): ${w}`)
      return parseTarget(w)
    })
  } else {
    const kind = targetKind(words[0]!)
    if (!kind) throw new UserError(`unknown resource type "${words[0]}": use cluster or job (or give one NAME, cluster/NAME or job/NAME per argument)`)
    targets = words.slice(1).map((name) => {
      if (name.includes('/')) throw new UserError(`${name}: a name after the type ${words[0]} cannot contain "/" (give TYPE NAME ... or TYPE/NAME ...)`)
      return {kind, name}
    })
  }
  const seen = new Set<string>()
  return targets.filter((t) => {
    const key = `${t.kind ?? ''}/${t.name}`
    return !seen.has(key) && !!seen.add(key)
  })
}

/**
 * logs' words: `[TYPE/]NAME [MEMBER]` or `TYPE NAME [MEMBER]`. A member makes it a cluster (`NAME MEMBER`);
 * a job takes none (its executors are picked with --executor). No kind: a bare NAME, a job or a cluster.
 */
export function parseLogsTarget(words: string[]): {kind?: TargetKind; name: string; member?: string} {
  const typed = words.length > 1 && !words[0]!.includes('/') && targetKind(words[0]!) !== undefined
  const target = typed ? parseTarget(words[0]!, words[1]) : parseTarget(words[0]!)
  const rest = words.slice(typed ? 2 : 1)
  if (rest.length > 1) throw new UserError(`unexpected argument: ${rest[1]} (see --help)`)
  const member = rest[0]
  if (member !== undefined && target.kind === 'job') throw new UserError(`${member}: a job's log takes no member (--executor ID picks an executor)`)
  return {kind: target.kind ?? (member !== undefined ? 'cluster' : undefined), name: target.name, member}
}
