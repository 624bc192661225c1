// Shell completion, the pure part: from the command tree and the words typed after `kubectl kd`, decide
// what the last word completes to (a command, a flag, a flag's value, a positional argument) and answer
// in Cobra's protocol (what kubectl ≥ 1.26 reads from kubectl_complete-kd): one candidate a line,
// optionally `\tdescription`, then `:<directive>`. Names that live in a cluster (apps, clusters, jobs,
// namespaces) are asked for through `lookup`, so this module never talks to the API itself.
import {byText} from '../order.ts'

/** Cobra's ShellCompDirective bits. */
export const Directive = {
  default: 0,
  error: 1,
  noSpace: 2,
  noFileComp: 4,
  filterFileExt: 8,
  filterDirs: 16,
  keepOrder: 32,
} as const

export interface FlagSpec {
  name: string
  char?: string
  /** boolean flags take no value */
  type: 'boolean' | 'option'
  options?: readonly string[]
  description?: string
  hidden?: boolean
}

export interface CommandSpec {
  /** oclif id: `app:list` */
  id: string
  summary?: string
  hidden?: boolean
  flags: FlagSpec[]
}

export interface Candidate {
  value: string
  description?: string
}

export interface Completion {
  candidates: Candidate[]
  directive: number
}

/** What a completion needs from a cluster or the kubeconfig; every call may return [] (no cluster). */
export type NameKind = 'apps' | 'namespace-apps' | 'clusters' | 'jobs' | 'namespaces' | 'contexts' | 'roles' | 'app-roles' | 'dashboards'
/** `of`: the cluster whose roles (`roles`), the app whose roles (`app-roles`) are asked for */
export type Lookup = (kind: NameKind, connection: ConnectionWords, of?: string) => Promise<string[]>

/** The connection flags already typed, so names come from the cluster/namespace the command will use. */
export interface ConnectionWords {
  kubeconfig?: string
  context?: string
  namespace?: string
  /** `dashboards`: the cluster typed before (open CLUSTER <TAB>) */
  cluster?: string
}

/** Topic descriptions for `kubectl kd <TAB>` (oclif topics have no class to carry a summary). */
const TOPICS: Record<string, string> = {app: 'Manage the app catalog: list, show, add and remove apps'}

/** Flags whose value is ROLE=…: completed with the roles of the app (create, apply) or cluster (scale). */
const ROLE_FLAGS = new Set(['members', 'memory', 'cpu', 'image', 'package'])

/** What names a completion asks for: one kind, or several at once (a bare NAME of status is a cluster or a job). */
type Wanted = NameKind | NameKind[] | {kind: NameKind; of: string; suffix: string}

/** Flags whose value is a local path: let the shell complete files. */
const FILE_FLAGS = new Set(['kubeconfig', 'filename', 'properties-file'])

const RESOURCE_TYPES: Record<string, 'clusters' | 'jobs'> = {
  clusters: 'clusters',
  cluster: 'clusters',
  kdcluster: 'clusters',
  jobs: 'jobs',
  job: 'jobs',
  sparkjobs: 'jobs',
}

/** Positional arguments per command: what its Nth argument (0-based) names, given the earlier ones. */
function positional(id: string, index: number, earlier: string[]): Completion | Wanted | undefined {
  const first = earlier[0]
  switch (id) {
    case 'create':
      return index === 0 ? 'apps' : undefined
    case 'app:show':
      return index === 0 ? 'apps' : undefined
    case 'app:remove':
      return index === 0 ? 'namespace-apps' : undefined
    case 'app:add':
    case 'submit':
      return index === 0 ? {candidates: [], directive: Directive.default} : undefined
    case 'get':
      if (index === 0) return {candidates: [{value: 'clusters', description: 'App clusters (default)'}, {value: 'jobs', description: 'Spark jobs'}], directive: Directive.noFileComp}
      return index === 1 && first && !first.includes('/') ? RESOURCE_TYPES[first] : undefined
    case 'status':
    case 'describe':
    case 'delete':
      // a bare NAME is a cluster or a job; after a type, names of that type (several: delete job a b)
      if (index === 0) return ['clusters', 'jobs']
      return first && !first.includes('/') && Object.hasOwn(RESOURCE_TYPES, first) ? RESOURCE_TYPES[first] : undefined
    case 'scale':
      // scale NAME ROLE=N: the cluster's roles, each followed by `=`
      if (index === 1 && first) return {kind: 'roles', of: first.replace(/^clusters?\//, ''), suffix: '='}
      return index === 0 ? 'clusters' : undefined
    case 'edit':
      if (index === 0) return 'clusters'
      return index === 1 && (first === 'cluster' || first === 'clusters') ? 'clusters' : undefined
    case 'logs':
      return index === 0 ? 'jobs' : undefined
    case 'open':
      // open CLUSTER <dashboard service or member>, open job NAME, open cluster NAME
      if (index === 0) return 'clusters'
      if (index !== 1 || !first) return undefined
      if (first === 'job' || first === 'jobs' || first === 'cluster' || first === 'clusters') return RESOURCE_TYPES[first]
      return first.includes('/') && !first.startsWith('cluster/') ? undefined : 'dashboards'
    case 'completion':
      return index === 0 ? {candidates: ['bash', 'zsh', 'fish'].map((value) => ({value})), directive: Directive.noFileComp} : undefined
    default:
      return undefined
  }
}

/** Values of a flag without an `options` list: `-o` lists its formats in its description ("one of a|b|c"). */
function flagValues(flag: FlagSpec): string[] | undefined {
  if (flag.options?.length) return [...flag.options]
  if (flag.name === 'output') {
    const m = /one of ([\w|=.-]+)/.exec(flag.description ?? '')
    if (m) return m[1]!.split('|').map((f) => (f.startsWith('jsonpath') ? 'jsonpath=' : f))
  }
  return undefined
}

const short = (text?: string) => (text ?? '').split('\n', 1)[0]!.trim()

function findFlag(command: CommandSpec | undefined, word: string): FlagSpec | undefined {
  if (!command) return undefined
  if (word.startsWith('--')) return command.flags.find((f) => f.name === word.slice(2))
  if (/^-[^-]$/.test(word)) return command.flags.find((f) => f.char === word[1])
  return undefined
}

/** Splits the typed words into the command, its positional arguments and the connection flags. */
function parseWords(commands: CommandSpec[], words: string[]) {
  const ids = new Set(commands.map((c) => c.id))
  const topics = new Set(commands.flatMap((c) => c.id.split(':').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join(':'))))
  let path: string[] = []
  let command: CommandSpec | undefined
  const args: string[] = []
  const connection: ConnectionWords = {}
  let afterDoubleDash = false
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (!afterDoubleDash && word === '--') {
      afterDoubleDash = true
      continue
    }
    if (!afterDoubleDash && word.startsWith('-') && word !== '-') {
      const eq = word.indexOf('=')
      const flag = findFlag(command ?? globalCommand(commands), eq > 0 ? word.slice(0, eq) : word)
      let value: string | undefined
      if (eq > 0) value = word.slice(eq + 1)
      else if (flag?.type === 'option' && i + 1 < words.length) value = words[++i]
      if (flag && value !== undefined && (flag.name === 'kubeconfig' || flag.name === 'context' || flag.name === 'namespace')) connection[flag.name] = value
      continue
    }
    const next = [...path, word].join(':')
    if (!command && (ids.has(next) || topics.has(next))) {
      path = [...path, word]
      if (ids.has(next) && !topics.has(next)) command = commands.find((c) => c.id === next)
      continue
    }
    args.push(word)
  }
  return {path, command, args, connection}
}

/** The connection flags every command shares, for flags typed before the command name. */
function globalCommand(commands: CommandSpec[]): CommandSpec | undefined {
  return commands.find((c) => c.id === 'get') ?? commands[0]
}

const filterPrefix = (candidates: Candidate[], prefix: string) => candidates.filter((c) => c.value.startsWith(prefix))

async function names(wanted: Wanted, lookup: Lookup, connection: ConnectionWords, prefix: string, strip = ''): Promise<Completion> {
  const ask = (kind: NameKind, of?: string) => lookup(kind, connection, of).catch(() => [] as string[])
  const one = typeof wanted === 'object' && !Array.isArray(wanted) ? wanted : undefined
  const found = one ? await ask(one.kind, one.of) : (await Promise.all((Array.isArray(wanted) ? wanted : [wanted as NameKind]).map((k) => ask(k)))).flat()
  const suffix = one?.suffix ?? ''
  const candidates = [...new Set(found)].sort().map((value) => ({value: strip + value + suffix}))
  // `worker=` goes on with its value: no space after it
  // the prefix typed after `--flag=` (then `strip` is `--flag=`) or with its `TYPE/` (then it starts with it)
  const typed = prefix.startsWith(strip) ? prefix : strip + prefix
  return {candidates: filterPrefix(candidates, typed), directive: Directive.noFileComp | (suffix.endsWith('=') ? Directive.noSpace : 0)}
}

/** Completes the last word of `words` (the words after `kubectl kd`; the last one may be ''). */
export async function complete(commands: CommandSpec[], words: string[], lookup: Lookup): Promise<Completion> {
  const typed = words.length ? words : ['']
  const current = typed.at(-1)!
  const before = typed.slice(0, -1)
  const {path, command, args, connection} = parseWords(commands, before)
  const visible = commands.filter((c) => !c.hidden)

  // the value of a flag: `--output <TAB>` or `--output=<TAB>`
  const previous = before.at(-1)
  const previousFlag = previous && !previous.includes('=') && !before.includes('--') ? findFlag(command ?? globalCommand(commands), previous) : undefined
  let valueFlag: FlagSpec | undefined
  let valuePrefix = current
  let valueLead = ''
  if (previousFlag?.type === 'option') valueFlag = previousFlag
  else if (current.startsWith('-') && current.includes('=')) {
    const eq = current.indexOf('=')
    valueFlag = findFlag(command ?? globalCommand(commands), current.slice(0, eq))
    valuePrefix = current.slice(eq + 1)
    valueLead = current.slice(0, eq + 1)
  }
  if (valueFlag) {
    if (FILE_FLAGS.has(valueFlag.name)) return {candidates: [], directive: Directive.default}
    if (valueFlag.name === 'namespace') return names('namespaces', lookup, connection, valuePrefix, valueLead)
    if (valueFlag.name === 'context') return names('contexts', lookup, connection, valuePrefix, valueLead)
    // create APP --members <TAB>: the app's roles; scale NAME --role <TAB>: the cluster's
    if (ROLE_FLAGS.has(valueFlag.name) && (command?.id === 'create' || command?.id === 'apply') && args[0])
      return names({kind: 'app-roles', of: args[0], suffix: '='}, lookup, connection, valuePrefix, valueLead)
    if (valueFlag.name === 'role' && command?.id === 'scale' && args[0])
      return names({kind: 'roles', of: args[0].replace(/^clusters?\//, ''), suffix: ''}, lookup, connection, valuePrefix, valueLead)
    const values = flagValues(valueFlag) ?? []
    const candidates = filterPrefix(
      values.map((value) => ({value: valueLead + value})),
      valueLead + valuePrefix,
    )
    // `-o jsonpath=` needs its template right after the '=': no space after that one
    const open = candidates.length > 0 && candidates.every((c) => c.value.endsWith('='))
    return {candidates, directive: Directive.noFileComp | (open ? Directive.noSpace : 0)}
  }

  // a flag name
  if (current.startsWith('-') && !before.includes('--')) {
    const flags = (command ?? globalCommand(commands))?.flags.filter((f) => !f.hidden) ?? []
    const candidates: Candidate[] = []
    for (const f of flags) {
      candidates.push({value: `--${f.name}`, description: short(f.description)})
      if (current === '-' && f.char) candidates.push({value: `-${f.char}`, description: short(f.description)})
    }
    return {candidates: filterPrefix(candidates, current), directive: Directive.noFileComp}
  }

  // a sub-command or topic
  if (!command) {
    const depth = path.length
    const seen = new Map<string, Candidate>()
    for (const c of visible) {
      const parts = c.id.split(':')
      if (parts.length <= depth || parts.slice(0, depth).join(':') !== path.join(':')) continue
      const name = parts[depth]!
      const topic = parts.length > depth + 1
      const topicId = [...path, name].join(':')
      if (!seen.has(name)) seen.set(name, {value: name, description: topic ? TOPICS[topicId] : short(c.summary)})
    }
    const candidates = [...seen.values()].sort((a, b) => byText(a.value, b.value))
    return {candidates: filterPrefix(candidates, current), directive: Directive.noFileComp}
  }

  // a positional argument
  // `status cluster/<TAB>`, `delete job/<TAB>`, `get cluster/a cluster/<TAB>`, `delete cluster/a job/<TAB>`, `logs cluster/<TAB>`
  const slash = current.indexOf('/')
  const several = ['get', 'status', 'describe', 'delete'].includes(command.id)
  const typedForm = args.length === 0 || (several && args.every((a) => a.includes('/')))
  if (['status', 'describe', 'delete', 'get', 'edit', 'logs', 'scale', 'open'].includes(command.id) && typedForm && slash > 0) {
    const kind = RESOURCE_TYPES[current.slice(0, slash)]
    if (kind) return names(kind, lookup, connection, current, current.slice(0, slash + 1))
  }
  const what = positional(command.id, args.length, args)
  if (what === undefined) return {candidates: [], directive: Directive.noFileComp}
  if (typeof what === 'object' && 'candidates' in what) return {candidates: filterPrefix(what.candidates, current), directive: what.directive}
  if (what === 'dashboards') return names(what, lookup, {...connection, cluster: args[0]!.replace(/^cluster\//, '')}, current)
  return names(what, lookup, connection, current)
}

/** Cobra's wire format. */
export function formatCompletion(completion: Completion): string {
  const lines = completion.candidates.map((c) => (c.description ? `${c.value}\t${c.description.replace(/[\t\n]/g, ' ')}` : c.value))
  return [...lines, `:${completion.directive}`].join('\n') + '\n'
}
