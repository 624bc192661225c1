// kubectl's habits with the real binary: several names in one get (each missing one is an error, exit 1),
// a name given twice listed once, and `version` failing when the server does not answer.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, objectsWithLabel} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-manners')
const run = (args: string[]) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: clusterEnv()})
const test = suite('kubectl manners')
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

test('get with several names: what exists is listed, each missing name is an error, exit 1', () => {
  assert.is(run(['create', 'shelldemo', 'demo']).code, 0)
  const r = run(['get', 'cluster/demo', 'cluster/x'])
  assert.is(r.code, 1)
  assert.match(r.stdout, /^NAME\s+APP.*\ndemo\s+shelldemo/)
  assert.match(r.stderr, new RegExp(`^error: cluster "x" not found in namespace "${ns}"$`, 'm'))
  const twice = run(['get', 'cluster', 'demo', 'demo', '-o', 'name'])
  assert.is(twice.code, 0, twice.stderr)
  assert.is(twice.stdout, 'cluster.kubectl-kd.io/demo\n')
  const mixed = run(['get', 'cluster/demo', 'demo'])
  assert.is(mixed.code, 1)
  assert.match(mixed.stderr, /no need to specify a resource type as a separate argument/)
})

test('create --dry-run=client -o yaml | kubectl apply -f -: status reads it, delete --wait removes every object', () => {
  const printed = run(['create', 'shelldemo', 'piped', '--dry-run=client', '-o', 'yaml'])
  assert.is(printed.code, 0, printed.stderr)
  kubectl(['apply', '-n', ns, '-f', '-'], {input: printed.stdout})
  const status = run(['status', 'piped'])
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stdout, /^Cluster:\s+piped$/m)
  const del = run(['delete', 'piped', '--wait', '--timeout', '3m'])
  assert.is(del.code, 0, del.stderr)
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=piped'), [])
})

test('a member whose image cannot be pulled: --wait stops early naming member, role and reason; status shows the reason', () => {
  const started = Date.now()
  const r = run(['create', 'shelldemo', 'nopull', '--image', 'worker=localhost/nosuch:1', '--wait', '--timeout', '4m'])
  assert.is(r.code, 1, r.stderr)
  assert.ok(Date.now() - started < 150_000, `stopped early, not at the 4m timeout (${Date.now() - started} ms)`)
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '))
  assert.is(errors.length, 1, r.stderr)
  assert.match(errors[0]!, /^error: cluster\/nopull will not be configured: worker member nopull-worker-\d: (ErrImagePull|ImagePullBackOff): image localhost\/nosuch:1 of container app cannot be pulled/)
  // the progress view: no ✔ for the worker role, whose failure line names it and why
  // eslint-disable-next-line no-control-regex
  const progress = r.stderr.replace(/\x1b\[[0-9;]*m/g, '')
  assert.not.match(progress, /✔ worker/)
  assert.ok(/✖ worker: members configured 0\/2 \(.*(ErrImagePull|ImagePullBackOff)/.test(progress), progress)
  const status = run(['status', 'nopull'])
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stdout, /nopull-worker-0\s+create pending\s.*(ErrImagePull|ImagePullBackOff): image localhost\/nosuch:1/)
  assert.is(run(['delete', 'nopull', '--wait', '--timeout', '2m']).code, 0)
})

test('version: the client version, and exit 1 when the server does not answer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-version-'))
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:59998", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n')
  const r = kd(['version'], {env: {KUBECONFIG: kubeconfig}})
  assert.is(r.code, 1)
  assert.match(r.stdout, /^Client Version: v\d+\.\d+\.\d+$/m)
  assert.match(r.stderr, /^error: unable to reach the server: the cluster at https:\/\/127\.0\.0\.1:59998 is not reachable \(ECONNREFUSED\)/m)
  assert.is(kd(['version', '--client'], {env: {KUBECONFIG: kubeconfig}}).code, 0)
})

test.run()
