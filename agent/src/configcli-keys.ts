// Precomputes every answer the member-side `configcli` (agent/member/configcli.sh) can give, as a flat
// key file, so the member needs only sh: no Python, no JSON parser. Pure: configmeta in, text out.
//
// Semantics follow KubeDirector's configcli (bluek8s/configcli, namespace.py): a key is a dot-separated
// path; `bdvlibrefkey` indirections are followed (also in the middle of a path); a dict answers with its
// keys, a list with its items, both comma-joined; scalars print as Python prints them (True/False/None).

/** Macro entries live under this prefix; real configmeta keys never start with it. */
export const MACRO_PREFIX = '%'

type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
const REFKEY = 'bdvlibrefkey'

function isObject(v: Json | undefined): v is {[k: string]: Json} {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Follows a refkey path from the root, itself resolving refkeys met on the way. */
function resolvePath(root: Json, tokens: string[], depth = 0): Json | undefined {
  if (depth > 32) throw new Error(`configmeta: bdvlibrefkey loop at ${tokens.join('.')}`)
  let cur: Json | undefined = root
  for (let i = 0; i < tokens.length; i++) {
    if (isObject(cur) && Array.isArray(cur[REFKEY])) {
      cur = resolvePath(root, [...(cur[REFKEY] as string[]), ...tokens.slice(i)], depth + 1)
      return cur
    }
    if (!isObject(cur) || !(tokens[i]! in cur)) return undefined
    cur = cur[tokens[i]!]
  }
  if (isObject(cur) && Array.isArray(cur[REFKEY])) return resolvePath(root, cur[REFKEY] as string[], depth + 1)
  return cur
}

/** The configmeta document with every indirection replaced by the value it points to. */
export function materialize(root: Json): Json {
  const walk = (v: Json, depth: number): Json => {
    if (depth > 64) throw new Error('configmeta: nesting too deep')
    if (isObject(v)) {
      if (Array.isArray(v[REFKEY])) {
        const target = resolvePath(root, v[REFKEY] as string[])
        return target === undefined ? null : walk(target, depth + 1)
      }
      const out: {[k: string]: Json} = {}
      for (const [k, child] of Object.entries(v)) out[k] = walk(child, depth + 1)
      return out
    }
    return v
  }
  return walk(root, 0)
}

/** How configcli prints a value. */
export function renderValue(v: Json): string {
  if (v === null) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : renderValue(x))).join(',')
  if (isObject(v)) return Object.keys(v).join(',')
  return String(v)
}

/** Escapes a value for one line of the key file; the shell side decodes with printf %b. */
export function escapeValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')
}

/** All fqdns of one nodegroup, in role order then member order, without duplicates. */
function nodegroupFqdns(m: Json, ng: string): string[] {
  const roles = resolvePath(m, ['nodegroups', ng, 'roles'])
  const out: string[] = []
  if (!isObject(roles)) return out
  for (const role of Object.values(roles)) {
    const fqdns = isObject(role) ? role.fqdns : undefined
    if (Array.isArray(fqdns)) for (const f of fqdns) if (typeof f === 'string' && !out.includes(f)) out.push(f)
  }
  return out
}

/** Macro answers: node and nodegroup macros of configcli, keyed `%name` or `%name.ARG`. */
export function macroEntries(configmeta: Json): Array<[string, string]> {
  const m = materialize(configmeta)
  const out: Array<[string, string]> = []
  const nodegroups = isObject(m) && isObject(m.nodegroups) ? Object.keys(m.nodegroups) : []
  const node = isObject(m) && isObject(m.node) ? m.node : {}
  const selfFqdn = typeof node.fqdn === 'string' ? node.fqdn : ''
  const selfNg = typeof node.nodegroup_id === 'string' ? node.nodegroup_id : '1'
  out.push([`${MACRO_PREFIX}num_nodegroups`, String(nodegroups.length)])
  const all: string[] = []
  for (const ng of nodegroups) {
    const fqdns = nodegroupFqdns(m, ng)
    out.push([`${MACRO_PREFIX}nodegroup_fqdns.${ng}`, fqdns.join(',')])
    for (const f of fqdns) if (!all.includes(f)) all.push(f)
    const roles = resolvePath(m, ['nodegroups', ng, 'roles'])
    if (!isObject(roles)) continue
    for (const role of Object.values(roles)) {
      if (!isObject(role) || !Array.isArray(role.fqdns)) continue
      const mappings = isObject(role.fqdn_mappings) ? role.fqdn_mappings : {}
      role.fqdns.forEach((f, i) => {
        if (typeof f !== 'string') return
        out.push([`${MACRO_PREFIX}index.${f}`, String(i)])
        const id = mappings[f]
        if (id !== undefined) out.push([`${MACRO_PREFIX}id.${f}`, renderValue(id)])
      })
    }
  }
  out.push([`${MACRO_PREFIX}all_fqdns`, all.join(',')])
  out.push([`${MACRO_PREFIX}local_group_fqdns`, nodegroupFqdns(m, selfNg).join(',')])
  const selfIndex = out.find(([k]) => k === `${MACRO_PREFIX}index.${selfFqdn}`)
  if (selfIndex) out.push([`${MACRO_PREFIX}self_index`, selfIndex[1]])
  if (node.id !== undefined) out.push([`${MACRO_PREFIX}self_id`, renderValue(node.id)])
  return out
}

/** Every key path of the materialized document, parents before children, in document order. */
export function keyEntries(configmeta: Json): Array<[string, string]> {
  const m = materialize(configmeta)
  const out: Array<[string, string]> = []
  const walk = (prefix: string, v: Json) => {
    out.push([prefix, renderValue(v)])
    if (isObject(v)) for (const [k, child] of Object.entries(v)) walk(`${prefix}.${k}`, child)
  }
  if (isObject(m)) for (const [k, v] of Object.entries(m)) walk(k, v)
  return out
}

/** The key file installed next to configmeta.json: `KEY<TAB>VALUE` lines, macros last. */
export function configcliKeyFile(configmeta: unknown): string {
  const entries = [...keyEntries(configmeta as Json), ...macroEntries(configmeta as Json)]
  return entries.map(([k, v]) => `${k}\t${escapeValue(v)}\n`).join('')
}
