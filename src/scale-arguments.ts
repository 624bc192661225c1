// The words of `kubectl kd scale`: the ROLE=N form and kubectl's --replicas with --role. Pure.
import {UserError} from './errors.ts'
import {parseTarget, targetKind} from './target.ts'

/**
 * The cluster, role and count from scale's words: `NAME ROLE=N`, `NAME --replicas N [--role ROLE]`,
 * `cluster/NAME …` and `cluster NAME …`. The role stays as typed (the action says when there is none such).
 */
export function scaleArguments(args: {name: string; assignment?: string; more?: string}, flags: {role?: string; replicas?: number; members?: number}): {name: string; role?: string; members: number} {
  let words = [args.name, args.assignment, args.more].filter((w): w is string => w !== undefined)
  // `scale cluster demo …`: kubectl's TYPE NAME
  if (words.length >= 2 && targetKind(words[0]!) && !words[1]!.includes('=')) words = words.slice(1)
  if (words.length > 2) throw new UserError(`unexpected argument: ${words[2]} (see --help)`)
  const [first, assignment] = words as [string, string | undefined]
  const {name} = parseTarget(first, undefined, 'cluster')
  if (flags.replicas !== undefined && flags.members !== undefined && flags.replicas !== flags.members) throw new UserError('--replicas and --members say different counts: give one of them')
  let role = flags.role
  let members = flags.replicas ?? flags.members
  if (assignment !== undefined) {
    const m = /^([^=]+)=(\d+)$/.exec(assignment)
    if (!m) throw new UserError(`${assignment}: expected ROLE=N, e.g. worker=3`)
    if ((role !== undefined && role !== m[1]) || (members !== undefined && members !== Number(m[2]))) throw new UserError(`${assignment} and --role/--replicas say different things: give one of them`)
    ;[role, members] = [m[1], Number(m[2])]
  }
  if (members === undefined) throw new UserError('give the new member count: --replicas N (with --role ROLE when the cluster has several roles that scale), or ROLE=N')
  return {name, role, members}
}
