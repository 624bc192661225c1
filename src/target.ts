// TYPE/NAME arguments the way kubectl takes them: `NAME`, `cluster/NAME`, `job/NAME`, or `job NAME`.
import {UserError} from './errors.ts'

export type TargetKind = 'cluster' | 'job'

const KINDS: Record<string, TargetKind> = {cluster: 'cluster', clusters: 'cluster', kdcluster: 'cluster', job: 'job', jobs: 'job', sparkjob: 'job'}

export function parseTarget(first: string, second?: string): {kind?: TargetKind; name: string} {
  if (first.includes('/')) {
    const [type, name] = [first.slice(0, first.indexOf('/')), first.slice(first.indexOf('/') + 1)]
    const kind = KINDS[type]
    if (!kind) throw new UserError(`unknown resource type "${type}" in ${first}: use cluster/NAME or job/NAME`)
    if (!name) throw new UserError(`${first}: the name is missing`)
    return {kind, name}
  }
  if (second !== undefined) {
    const kind = KINDS[first]
    if (!kind) throw new UserError(`unknown resource type "${first}": use cluster or job`)
    return {kind, name: second}
  }
  return {name: first}
}
