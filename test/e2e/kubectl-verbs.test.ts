// kubectl's verbs and flags with the real binary on the real cluster: describe, edit (with an editor
// script), delete -f and --ignore-not-found, scale --replicas/--role and its "did you mean", -v=6, a bare
// --dry-run, and logs of a cluster's members.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl, kubectlJson} from '../lib/cluster.ts'
import {isOneLineError, kd} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-verbs')
const dir = mkdtempSync(join(tmpdir(), 'kd-verbs-'))
const run = (args: string[], extraEnv: Record<string, string> = {}) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: {...clusterEnv(), ...extraEnv}})
const ok = (args: string[], extraEnv: Record<string, string> = {}) => {
  const r = run(args, extraEnv)
  assert.is(r.code, 0, `kubectl kd ${args.join(' ')}: ${r.stderr}`)
  return r
}
const workers = (name: string) => kubectlJson(['-n', ns, 'get', 'statefulset', `${name}-worker`]).spec.replicas as number
const test = suite('kubectl verbs')
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

test.before(() => {
  ok(['create', 'shelldemo', 'demo', '--wait', '--timeout', '4m'])
})

test('describe: the status view under kubectl\'s name, in its NAME, TYPE NAME and TYPE/NAME forms', () => {
  const status = JSON.parse(ok(['status', 'demo', '-o', 'json']).stdout) as {members: {pod: string}[]}
  for (const form of [['demo'], ['cluster', 'demo'], ['cluster/demo']]) {
    const r = ok(['describe', ...form])
    assert.match(r.stdout, /^Cluster:\s+demo$/m)
    assert.match(r.stdout, new RegExp(`^Namespace:\\s+${ns}$`, 'm'))
    for (const m of status.members) assert.match(r.stdout, new RegExp(`^\\s+\\S+\\s+${m.pod}\\s+configured\\s`, 'm'))
  }
  const missing = run(['describe', 'cluster/nope'])
  assert.ok(isOneLineError(missing), missing.stderr)
  assert.match(missing.stderr, /^error: cluster "nope" not found/)
})

/** An editor script that runs sed on the file it is given, as $EDITOR. */
function sedEditor(name: string, expression: string): string {
  const file = join(dir, name)
  writeFileSync(file, `#!/bin/sh\nexec sed -i '${expression}' "$1"\n`)
  chmodSync(file, 0o755)
  return file
}

test('edit: unchanged cancels; a change is applied on save; a bad one is refused with the file kept', () => {
  const unchanged = ok(['edit', 'cluster/demo'], {EDITOR: 'true', KUBE_EDITOR: ''})
  assert.is(unchanged.stdout, '')
  assert.is(unchanged.stderr, 'Edit cancelled, no changes made.\n')
  assert.is(workers('demo'), 2)

  // the second role's members: worker 2 -> 3, with KUBE_EDITOR taking precedence over EDITOR
  const edited = ok(['edit', 'demo'], {KUBE_EDITOR: sedEditor('three.sh', '/- id: worker/,/members:/s/members: 2/members: 3/'), EDITOR: 'false'})
  assert.is(edited.stdout, 'cluster/demo edited\n')
  assert.is(workers('demo'), 3)
  const got = JSON.parse(ok(['get', 'cluster', 'demo', '-o', 'json']).stdout) as {spec: {roles: {id: string; members: number}[]}}
  assert.is(got.spec.roles.find((r) => r.id === 'worker')!.members, 3)

  const bad = run(['edit', 'demo'], {EDITOR: sedEditor('bad.sh', '/- id: worker/,/members:/s/members: 3/members: many/')})
  assert.ok(isOneLineError(bad), bad.stderr)
  assert.match(bad.stderr, /^error: \S+\.yaml: spec\.roles\[1\]\.members: must be an integer/)
  const kept = /(\/\S+\.yaml)/.exec(bad.stderr)![1]!
  assert.ok(existsSync(kept), `${kept} is kept`)
  assert.match(readFileSync(kept, 'utf8'), /members: many/)
  assert.is(workers('demo'), 3)

  const renamed = run(['edit', 'demo'], {EDITOR: sedEditor('rename.sh', 's/^  name: demo$/  name: other/')})
  assert.ok(isOneLineError(renamed), renamed.stderr)
  assert.match(renamed.stderr, /the name of the cluster cannot be changed/)
})

test('scale: kubectl\'s --replicas with --role or without (the one scalable role with members); a mistyped role is named as typed', () => {
  assert.is(ok(['scale', 'cluster/demo', '--replicas', '2']).stdout, 'cluster/demo scaled: worker 3 -> 2\n')
  assert.is(workers('demo'), 2)
  const typo = run(['scale', 'demo', 'wroker=4'])
  assert.ok(isOneLineError(typo), typo.stderr)
  assert.is(typo.stderr, 'error: cluster "demo" has no role "wroker"; did you mean "worker"? (roles: controller, worker, edge)\n')
  const flag = run(['scale', 'demo', '--role', 'wroker', '--replicas', '4'])
  assert.is(flag.stderr, typo.stderr)
  assert.is(workers('demo'), 2)
})

test("a bare --dry-run is kubectl's client dry run, with its warning: nothing changes", () => {
  const scale = ok(['scale', 'demo', '--replicas', '4', '--dry-run'])
  assert.is(scale.stdout, 'cluster/demo scaled: worker 2 -> 4 (dry run)\n')
  assert.match(scale.stderr, /^W\d{4} [\d:.]+ +\d+ \S+\] --dry-run is deprecated and can be replaced with --dry-run=client\.$/m)
  const del = ok(['delete', 'demo', '--dry-run'])
  assert.is(del.stdout, 'cluster/demo deleted (dry run)\n')
  assert.is(workers('demo'), 2)
  assert.ok(kubectlJson(['-n', ns, 'get', 'configmap', 'demo-kd']).metadata.uid)
})

test('-v=6: each API request on stderr (method, URL, status, time), stdout unchanged, no credentials', () => {
  const plain = ok(['get', 'cluster', 'demo', '-o', 'name'])
  for (const form of [['-v=6'], ['--v=6'], ['-v', '6']]) {
    const r = ok(['get', 'cluster', 'demo', '-o', 'name', ...form])
    assert.is(r.stdout, plain.stdout)
    const lines = r.stderr.trim().split('\n')
    assert.ok(lines.length >= 2, r.stderr)
    for (const l of lines) assert.match(l, /^I\d{4} [\d:.]+ +\d+ \S+\] GET https:\/\/\S+ 200 OK in \d+ milliseconds$/)
    assert.match(r.stderr, new RegExp(`GET ${env.KD_API_SERVER!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/api/v1/namespaces/${ns}/configmaps\\?labelSelector=`))
    assert.not.match(r.stderr, /authorization|bearer|BEGIN/i)
  }
  const quiet = ok(['get', 'cluster', 'demo', '-o', 'name', '-v=2'])
  assert.is(quiet.stderr, '')
})

test("logs cluster/NAME: without a member one line naming them; a member's or the agent's log", () => {
  // the pods are the members listed (one being deleted still has its log): the third worker, scaled away
  // above without --wait, is gone first
  kubectl(['-n', ns, 'wait', '--for=delete', 'pod/demo-worker-2', '--timeout=180s'])
  const pointer = run(['logs', 'cluster/demo'])
  assert.ok(isOneLineError(pointer), pointer.stderr)
  assert.is(pointer.stderr, 'error: cluster "demo" has 3 members: demo-controller-0, demo-worker-0, demo-worker-1; pick one: kubectl kd logs cluster/demo demo-controller-0 (or agent, for the cluster\'s agent)\n')
  assert.is(run(['logs', 'demo']).stderr, pointer.stderr)
  const member = ok(['logs', 'cluster/demo', 'demo-worker-0'])
  assert.is(member.stdout, kubectl(['-n', ns, 'logs', 'demo-worker-0', '-c', 'app']))
  assert.is(ok(['logs', 'cluster', 'demo', 'worker-0']).stdout, member.stdout)
  const agent = ok(['logs', 'cluster/demo', 'agent', '--tail', '3'])
  assert.is(agent.stdout.trimEnd().split('\n').length, 3, agent.stdout)
  const typo = run(['logs', 'demo', 'wroker-1'])
  assert.ok(isOneLineError(typo), typo.stderr)
  assert.match(typo.stderr, /^error: cluster "demo" has no member "wroker-1"; did you mean "worker-1"\?/)
})

test('delete -f FILE: the clusters the file defines; a missing one is an error, or nothing at all with --ignore-not-found', () => {
  const file = join(dir, 'fromfile.yaml')
  writeFileSync(file, 'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: fromfile}\nspec: {app: shelldemo, roles: [{id: controller}, {id: worker, members: 2}]}\n')
  ok(['create', '-f', file])
  const del = ok(['delete', '-f', file, '--wait', '--timeout', '3m'])
  assert.is(del.stdout, 'cluster/fromfile deleted\n')
  assert.equal(kubectl(['-n', ns, 'get', 'configmaps,statefulsets,pods', '-l', 'kubectl-kd.io/cluster=fromfile', '-o', 'name']), '')
  const again = run(['delete', '-f', file])
  assert.ok(isOneLineError(again), again.stderr)
  assert.match(again.stderr, new RegExp(`^error: cluster "fromfile" not found in namespace "${ns}"`))
  const ignored = run(['delete', '-f', file, '--ignore-not-found'])
  assert.equal([ignored.code, ignored.stdout, ignored.stderr], [0, '', ''])
  const byName = run(['delete', 'cluster/fromfile', '--ignore-not-found'])
  assert.equal([byName.code, byName.stdout, byName.stderr], [0, '', ''])
  const job = run(['delete', 'job/nope', '--ignore-not-found'])
  assert.equal([job.code, job.stdout, job.stderr], [0, '', ''])
  // stdin, and the cluster made at the start
  const stdin = kd(['delete', '-n', ns, '-f', '-', '--wait', '--timeout', '3m'], {env: clusterEnv(), input: ok(['get', 'cluster', 'demo', '-o', 'yaml']).stdout})
  assert.is(stdin.code, 0, stdin.stderr)
  assert.is(stdin.stdout, 'cluster/demo deleted\n')
})

test.run()
