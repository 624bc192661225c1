// -o yaml|json round trips on the real cluster: `app show -o yaml` is a file `app add` takes back, and
// `get cluster -o yaml` is a file `apply -f` takes back without changing anything.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {dump, load} from 'js-yaml'
import {clusterEnv, createNamespace, deleteNamespace, kubectlJson} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-roundtrip')
const dir = mkdtempSync(join(tmpdir(), 'kd-roundtrip-'))
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const ok = (args: string[]) => {
  const r = run(args)
  assert.is(r.code, 0, `kubectl kd ${args.join(' ')}: ${r.stderr}`)
  return r
}

type Manifest = {apiVersion: string; kind: string; metadata: Record<string, unknown> & {name: string}; spec: Record<string, unknown>; status?: unknown}

const test = suite('round trips')

test('get -o yaml with no clusters: an empty List', () => {
  const list = load(ok(['get', 'clusters', '-o', 'yaml']).stdout) as {kind: string; items: unknown[]}
  assert.is(list.kind, 'List')
  assert.equal(list.items, [])
})

test('app show spark35 -o yaml, renamed, app add takes it back; app show of the copy equals the original', () => {
  const original = load(ok(['app', 'show', 'spark35', '-o', 'yaml']).stdout) as Manifest
  assert.equal([original.apiVersion, original.kind, original.metadata.name], ['kubedirector.hpe.com/v1beta1', 'KubeDirectorApp', 'spark35'])
  const file = join(dir, 'a.yaml')
  writeFileSync(file, dump({...original, metadata: {...original.metadata, name: 'spark35-copy'}}))
  assert.match(ok(['app', 'add', file]).stdout, /^app\/spark35-copy created$/m)
  const copy = load(ok(['app', 'show', 'spark35-copy', '-o', 'yaml']).stdout) as Manifest
  assert.equal(copy.metadata, {name: 'spark35-copy', namespace: ns})
  assert.equal(copy.spec, original.spec)
  const json = JSON.parse(ok(['app', 'show', 'spark35-copy', '-o', 'json']).stdout) as Manifest
  assert.equal(json.spec, original.spec)
  ok(['app', 'remove', 'spark35-copy'])
})

test('a hello cluster: get -o yaml > x.yaml, apply -f x.yaml reports unchanged and writes nothing', () => {
  ok(['app', 'add', 'examples/apps/hello.yaml'])
  ok(['create', 'hello', 'x', '--wait', '--timeout', '3m'])
  const got = ok(['get', 'cluster', 'x', '-o', 'yaml']).stdout
  const m = load(got) as Manifest & {status: {state: string; roles: {id: string; members: {pod: string; state: string; nodeID: number}[]}[]}}
  assert.equal([m.apiVersion, m.kind, m.metadata.name, m.metadata.namespace], ['kubedirector.hpe.com/v1beta1', 'KubeDirectorCluster', 'x', ns])
  assert.match(String(m.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  assert.ok(m.metadata.uid)
  assert.is((m.spec as {app: string}).app, 'hello')
  assert.is(m.status.state, 'configured')
  assert.equal(m.status.roles[0]!.members.map((x) => [x.pod, x.state, x.nodeID]), [['x-node-0', 'configured', 1]])
  const file = join(dir, 'x.yaml')
  writeFileSync(file, got)
  const root = () => kubectlJson(['-n', ns, 'get', 'configmap', 'x-kd']).metadata
  const before = root()
  const applied = ok(['apply', '-f', file])
  assert.is(applied.stdout, 'cluster/x unchanged\n')
  const after = root()
  assert.is(after.resourceVersion, before.resourceVersion, 'the root was not written')
  // the JSON form is taken back as well
  const jsonFile = join(dir, 'x.json')
  writeFileSync(jsonFile, ok(['get', 'cluster', 'x', '-o', 'json']).stdout)
  assert.is(ok(['apply', '-f', jsonFile]).stdout, 'cluster/x unchanged\n')
  assert.is(readFileSync(file, 'utf8'), got)
})

test('several clusters: kind List with items; jsonpath over .items[*].metadata.name', () => {
  ok(['create', 'hello', 'y'])
  const list = load(ok(['get', 'clusters', '-o', 'yaml']).stdout) as {apiVersion: string; kind: string; items: Manifest[]}
  assert.equal([list.apiVersion, list.kind], ['v1', 'List'])
  assert.equal(list.items.map((i) => `${i.kind}/${i.metadata.name}`), ['KubeDirectorCluster/x', 'KubeDirectorCluster/y'])
  assert.is(ok(['get', 'clusters', '-o', 'jsonpath={.items[*].metadata.name}']).stdout, 'x y')
  // the table is as before
  assert.match(ok(['get']).stdout, /^NAME\s+APP\s+STATE\s+MEMBERS\s+AGE\n/)
})

test('the clusters are deleted', () => {
  ok(['delete', 'x', '--wait', '--timeout', '2m'])
  ok(['delete', 'y', '--wait', '--timeout', '2m'])
  assert.equal((load(ok(['get', '-o', 'yaml']).stdout) as {items: unknown[]}).items, [])
})

test.after(() => {
  rmSync(dir, {recursive: true, force: true})
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})
test.run()
