// The real binary, offline: help, app catalog, dry-run renders, and one clear error line for bad input.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {load} from 'js-yaml'
import {isOneLineError, kd} from '../lib/kd.ts'

// no cluster may be reachable through these
const offline = {KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent-home'}

const help = suite('help and catalog')
help('--help lists the commands, usage says `kubectl kd`', () => {
  const r = kd(['--help'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /kubectl kd/)
  for (const c of ['create', 'get', 'status', 'scale', 'delete', 'app']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`))
})
help('app list works with no cluster', () => {
  const r = kd(['app', 'list'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.match(lines[0]!, /^NAME\s+DISTRO\s+VERSION\s+ROLES\s+SOURCE$/)
  for (const app of ['spark221e2', 'cassandra311', 'spark211up', 'spark35', 'shelldemo']) assert.ok(lines.some((l) => l.startsWith(app + ' ')), app)
})
help('app show -o yaml is a KubeDirectorApp', () => {
  const r = kd(['app', 'show', 'spark221e2', '-o', 'yaml'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  const app = load(r.stdout) as {apiVersion: string; kind: string; metadata: {name: string}; spec: {roles: {id: string; cardinality: string}[]}}
  assert.equal([app.apiVersion, app.kind, app.metadata.name], ['kubedirector.hpe.com/v1beta1', 'KubeDirectorApp', 'spark221e2'])
  assert.equal(app.spec.roles.map((x) => `${x.id}:${x.cardinality}`), ['controller:1', 'worker:0+', 'jupyter:0+'])
})
help.run()

const dry = suite('create --dry-run=client (no cluster)')
dry('spark221e2 -o yaml renders the root ConfigMap first and every object of the cluster', () => {
  const r = kd(['create', 'spark221e2', '--members', 'worker=2', '--dry-run=client', '-o', 'yaml', '-n', 'team-a'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  const docs = r.stdout.split(/^---$/m).map((d) => load(d) as {kind: string; metadata: {name: string; namespace: string}})
  assert.is(docs[0]!.kind, 'ConfigMap')
  assert.is(docs[0]!.metadata.name, 'spark221e2-kd')
  assert.ok(docs.every((d) => d.metadata.namespace === 'team-a'))
  const names = docs.map((d) => `${d.kind}/${d.metadata.name}`)
  for (const n of ['Service/spark221e2', 'StatefulSet/spark221e2-controller', 'StatefulSet/spark221e2-worker', 'Service/spark221e2-worker-1', 'Deployment/spark221e2-kd-agent', 'Role/spark221e2-kd-agent'])
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`)
})
dry('-o json is a List; default output is one line per cluster', () => {
  const r = kd(['create', 'cassandra311', 'db', '--dry-run=client', '-o', 'json'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  assert.is(JSON.parse(r.stdout).kind, 'List')
  const plain = kd(['create', 'shelldemo', '--dry-run=client'], {env: offline})
  assert.is(plain.stdout, 'cluster/shelldemo created (dry run)\n')
})
dry('-f with every cluster form', () => {
  for (const f of ['examples/clusters/spark221e2.yaml', 'examples/clusters/spark221e2-v1alpha1.yaml', 'examples/clusters/spark221e2-announcement.yaml', 'examples/clusters/shelldemo.yaml']) {
    const r = kd(['create', '-f', f, '--dry-run=client', '-o', 'name'], {env: offline})
    assert.is(r.code, 0, `${f}: ${r.stderr}`)
    assert.match(r.stdout, /^configmap\/.*-kd$/m)
  }
})
dry('-f examples/clusters/ (a directory): one cluster per file, each name once; a name given twice names both files', () => {
  const r = kd(['create', '-f', 'examples/clusters/', '--dry-run=client'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  const created = r.stdout.trim().split('\n')
  assert.ok(created.length >= 9, r.stdout)
  assert.ok(created.every((l) => /^cluster\/[a-z0-9-]+ created \(dry run\)$/.test(l)), r.stdout)
  assert.is(new Set(created).size, created.length, 'distinct names')
  const applied = kd(['apply', '-f', 'examples/clusters', '--dry-run=client', '-o', 'name'], {env: offline})
  assert.is(applied.code, 0, applied.stderr)
  const twice = kd(['create', '-f', 'examples/clusters/shelldemo.yaml', '-f', 'examples/clusters/shelldemo.yaml', '--dry-run=client'], {env: offline})
  assert.is(twice.code, 1)
  assert.match(twice.stderr, /^error: examples\/clusters\/shelldemo\.yaml: cluster "demo" is defined twice: give each cluster its own metadata\.name$/m)
})
dry('-f - reads stdin', () => {
  const r = kd(['create', '-f', '-', '--dry-run=client'], {env: offline, input: 'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: s1}\nspec: {app: shelldemo, roles: [{id: controller}, {id: worker, members: 3}]}\n'})
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'cluster/s1 created (dry run)\n')
})
dry.run()

const bad = suite('bad input: one line, exit 1')
const cases: [string, string[], RegExp][] = [
  ['unknown app', ['create', 'nosuchapp', '--dry-run=client'], /unknown app "nosuchapp": known apps are .*spark221e2/],
  ['invalid --members syntax', ['create', 'shelldemo', '--members', 'worker', '--dry-run=client'], /--members worker: expected ROLE=VALUE/],
  ['--members not a number', ['create', 'shelldemo', '--members', 'worker=x', '--dry-run=client'], /--members worker=x: the member count must be a whole number/],
  ['--members below cardinality', ['create', 'shelldemo', '--members', 'worker=1', '--dry-run=client'], /--members worker=1: role "worker" of app shelldemo has cardinality 2\+/],
  ['--members unknown role', ['create', 'shelldemo', '--members', 'db=1', '--dry-run=client'], /app shelldemo has no role "db"/],
  ['name too long', ['create', 'shelldemo', 'a'.repeat(60), '--dry-run=client'], /too long|at most/],
  ['invalid name', ['create', 'shelldemo', 'Bad_Name', '--dry-run=client'], /^error: invalid cluster name "Bad_Name": must be at most 63 characters/],
  ['--members of a fixed cardinality: one member, singular', ['create', 'shelldemo', '--members', 'controller=2', '--dry-run=client'], /has cardinality 1 \(exactly 1 member\)$/m],
  ['a value outside a flag\'s set: the same words for every flag', ['create', 'shelldemo', '--dry-run=maybe'], /^error: invalid value "maybe" for --dry-run: must be one of none, client, server$/m],
  ['a value outside a flag\'s set (another flag)', ['create', 'shelldemo', '--service-type', 'Nope', '--dry-run=client'], /^error: invalid value "Nope" for --service-type: must be one of /],
  ['--memory that no member can run with', ['create', 'shelldemo', '--memory', 'worker=1Mi', '--dry-run=client'], /^error: --memory worker=1Mi: below 32Mi, the least memory a member can run with/],
  ['--cpu 0', ['create', 'shelldemo', '--cpu', 'worker=0', '--dry-run=client'], /^error: --cpu worker=0: below 10m, the least cpu a member can run with/],
  ['a file whose limits no member can run with', ['create', '-f', 'test/fixtures/bad/tiny-memory.yaml', '--dry-run=client'], /tiny-memory.yaml: spec.roles\[0\].resources.limits.memory: 1Mi is below 32Mi, the least memory a member can run with/],
  ['truncated YAML', ['create', '-f', 'test/fixtures/bad/truncated.yaml', '--dry-run=client'], /test\/fixtures\/bad\/truncated.yaml: .*line \d+/],
  ['unknown role in file', ['create', '-f', 'test/fixtures/bad/unknown-role.yaml', '--dry-run=client'], /unknown-role.yaml: spec.roles\[1\].id: unknown role "broker"/],
  ['member count below cardinality in file', ['create', '-f', 'test/fixtures/bad/below-cardinality.yaml', '--dry-run=client'], /below-cardinality.yaml: spec.roles\[1\].members: 1 is below the cardinality 2\+/],
  ['missing limits', ['create', '-f', 'test/fixtures/bad/no-limits.yaml', '--dry-run=client'], /no-limits.yaml: spec.roles\[0\].resources.limits.cpu: is required/],
  ['unknown field', ['create', '-f', 'test/fixtures/bad/unknown-field.yaml', '--dry-run=client'], /unknown-field.yaml: spec.roles\[1\].membersz: unknown field in a KubeDirectorCluster/],
  ['wrong kind', ['create', '-f', 'test/fixtures/bad/wrong-kind.yaml', '--dry-run=client'], /wrong-kind.yaml: kind: "Pod" is not allowed/],
  ['missing file', ['create', '-f', 'nope.yaml', '--dry-run=client'], /-f nope.yaml: no such file or directory/],
  ['bad -o', ['create', 'shelldemo', '--dry-run=client', '-o', 'xml'], /unable to match a printer suitable for the output format "xml"/],
  ['unknown flag', ['create', 'shelldemo', '--bogus'], /unknown flag: --bogus/],
  ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
  ['no kubeconfig', ['get'], /no kubeconfig found/],
]
for (const [what, args, message] of cases) {
  bad(what, () => {
    const r = kd(args, {env: offline})
    assert.ok(isOneLineError(r), `exit ${r.code}, stderr: ${r.stderr}`)
    assert.match(r.stderr, message)
    assert.is(r.stdout, '')
  })
}
bad.run()
