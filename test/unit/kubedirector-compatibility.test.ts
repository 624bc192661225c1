// docs/kubedirector-compatibility.md against KubeDirector's v1beta1 Go types (test/unit/fixtures/kubedirector/types)
// and against the parsers: the table lists exactly the types' spec fields (plus kubectl-kd's extensions), and
// each field the table calls implemented/ignored/extension is read by the parser while each one it calls
// refused is refused by name.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {appFromObject} from '../../src/app/parse.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {dump} from 'js-yaml'

const doc = readFileSync(new URL('../../docs/kubedirector-compatibility.md', import.meta.url), 'utf8')
const goTypes = ['kubedirectorapp_types.go', 'kubedirectorcluster_types.go'].map((f) => readFileSync(new URL(`./fixtures/kubedirector/types/${f}`, import.meta.url), 'utf8')).join('\n')

type Status = 'implemented' | 'refused by name' | 'ignored' | 'extension'
const STATUSES: Status[] = ['implemented', 'refused by name', 'ignored', 'extension']

/** The table rows of one `## KIND` section: field path → status. */
function table(kind: string): Map<string, Status> {
  const section = doc.split(/^## /m).find((s) => s.startsWith(kind))
  assert.ok(section, `section ## ${kind}`)
  const rows = new Map<string, Status>()
  for (const m of section!.matchAll(/^\| `([^`]+)` \| ([^|]+?) \|/gm)) {
    const status = m[2]!.trim() as Status
    assert.ok(STATUSES.includes(status), `${m[1]}: status ${status}`)
    assert.not.ok(rows.has(m[1]!), `${m[1]} listed twice`)
    rows.set(m[1]!, status)
  }
  return rows
}

/** struct name → [json name, Go type] of its fields, from the Go source. */
function structs(): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>()
  for (const m of goTypes.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields: Array<[string, string]> = []
    for (const f of m[2]!.matchAll(/^\s+\w+\s+(\S+)\s+`json:"([^",]*)[^`]*`/gm)) if (f[2] && f[2] !== '-') fields.push([f[2], f[1]!])
    out.set(m[1]!, fields)
  }
  return out
}

/** Every spec field path of a root struct; a package's own structs are followed, others (corev1) are leaves. */
function paths(root: string): string[] {
  const all = structs()
  const out: string[] = []
  const walk = (type: string, prefix: string) => {
    // SetupPackage unmarshals itself into SetupPackageInfo
    const fields = all.get(type === 'SetupPackage' ? 'SetupPackageInfo' : type) ?? []
    for (const [name, goType] of fields) {
      const list = goType.replace(/^\*/, '').startsWith('[]')
      const base = goType.replace(/^[*[\]]+/, '')
      const path = `${prefix}.${name}${list && all.has(base) ? '[]' : ''}`
      out.push(path.replace(/\[\]$/, ''))
      if (all.has(base) || base === 'SetupPackage') walk(base, path)
    }
  }
  walk(root, 'spec')
  return out
}

test('the table lists exactly the Go types\' spec fields (and kubectl-kd\'s extensions)', () => {
  for (const [kind, root] of [['KubeDirectorApp', 'KubeDirectorAppSpec'], ['KubeDirectorCluster', 'KubeDirectorClusterSpec']] as const) {
    const rows = table(kind)
    const fromGo = paths(root)
    assert.ok(fromGo.length > 20, `${root}: ${fromGo.length} fields`)
    const listed = [...rows].filter(([, s]) => s !== 'extension').map(([p]) => p)
    assert.equal(fromGo.filter((p) => !listed.includes(p)), [], `${kind}: fields of the Go types missing from the table`)
    assert.equal(listed.filter((p) => !fromGo.includes(p)), [], `${kind}: table rows that are no field of the Go types`)
  }
})

const APP = {
  apiVersion: 'kubedirector.hpe.com/v1beta1',
  kind: 'KubeDirectorApp',
  metadata: {name: 'probe'},
  spec: {
    label: {name: 'p'},
    distroID: 'p',
    version: '1',
    configSchemaVersion: 8,
    defaultImageRepoTag: 'busybox:1',
    services: [{id: 'web', endpoint: {port: 80}}],
    roles: [{id: 'r', cardinality: '1'}],
    config: {roleServices: [{roleID: 'r', serviceIDs: ['web']}], selectedRoles: ['r']},
  },
}
const CLUSTER = {apiVersion: 'kubedirector.hpe.com/v1beta1', kind: 'KubeDirectorCluster', metadata: {name: 'probe'}, spec: {app: 'probe', roles: [{id: 'r'}]}}
const PROBE = {kdProbe: 1}

/** The document with `path` set to a probe value (lists: in their first item); the parser's error, if any. */
function probe(base: object, path: string, parse: (o: object) => unknown): string | undefined {
  const o = structuredClone(base) as Record<string, unknown>
  const parts = path.split('.')
  let cur: Record<string, unknown> = o
  for (const [i, raw] of parts.entries()) {
    const list = raw.endsWith('[]')
    const key = raw.replace(/\[\]$/, '')
    if (i === parts.length - 1) {
      cur[key] = list ? [PROBE] : PROBE
      break
    }
    if (list) {
      if (!Array.isArray(cur[key]) || !(cur[key] as unknown[]).length) cur[key] = [{}]
      cur = (cur[key] as Record<string, unknown>[])[0]!
    } else {
      if (typeof cur[key] !== 'object' || cur[key] === null) cur[key] = {}
      cur = cur[key] as Record<string, unknown>
    }
  }
  try {
    parse(o)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

test('fields the table calls refused are refused by name; the others are read by the parser', () => {
  const parsers = {
    KubeDirectorApp: [APP, (o: object) => appFromObject(o, 'f')],
    KubeDirectorCluster: [CLUSTER, (o: object) => parseClusterSpecs(dump(o), 'f')],
  } as const
  for (const [kind, [base, parse]] of Object.entries(parsers)) {
    const rows = table(kind)
    for (const [path, status] of rows) {
      // a field under a refused one is refused with it
      const parent = path.slice(0, path.lastIndexOf('.')).replace(/\[\]$/, '')
      if (rows.get(parent) === 'refused by name') continue
      const message = probe(base, path.replace(/(roles|services|roleServices|fileInjections|secretKeys|volumeProjections)(?=\.|$)/g, '$1[]'), parse as (o: object) => unknown)
      const unknown = new RegExp(`^f: ${path.replace(/\[\]/g, '\\[0\\]').replace(/\./g, '\\.')}(\\[0\\])?: unknown field`)
      if (status === 'refused by name') assert.match(message ?? '', unknown, `${kind} ${path}: the table says refused, the parser says ${message}`)
      else assert.not.match(message ?? '', unknown, `${kind} ${path}: the table says ${status}, the parser says ${message}`)
    }
  }
})

test.run()
