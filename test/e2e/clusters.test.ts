// App clusters end to end: the real plugin binary against the local cluster, real pods, real agent.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, env, kubeconfigFor, kubeconfigWithToken, kubectl, kubectlJson, objectsWithLabel} from '../lib/cluster.ts'
import {isOneLineError, kd} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-clusters')
const run = (args: string[], extra: Record<string, string> = {}) => kd([...args, '-n', ns], {env: {...clusterEnv(), ...extra}})

/** Re-checks a condition that an asynchronous controller makes true (RBAC aggregation), for at most 30 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 60 && !cond(); i++) await new Promise((r) => setTimeout(r, 500))
  assert.ok(cond(), 'condition not reached within 30 s')
}

/** GET with retries for a minute: kube-proxy programs a new NodePort a moment after the Service exists (longer on a loaded node) */
async function httpGet(url: string): Promise<string> {
  const end = Date.now() + 60_000
  for (;;) {
    try {
      return await (await fetch(url, {signal: AbortSignal.timeout(10_000)})).text()
    } catch (e) {
      if (Date.now() > end) throw e
      await new Promise((r) => setTimeout(r, 1000))
    }
  }
}

const demo = suite('shelldemo: create, get, status, scale, delete')

demo('create --wait reaches configured', () => {
  const r = run(['create', 'shelldemo', 'demo', '--members', 'edge=1', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^cluster\/demo created$/m)
  assert.match(r.stdout, /^cluster\/demo: members configured 4\/4 \(\d+\.\ds\)$/m)
  assert.match(r.stderr, /controller: members configured 1\/1/)
})

demo('kubectl wait --for=condition=Ready works on the members', () => {
  const out = kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod', '-l', 'kubectl-kd.io/cluster=demo', '--timeout=60s'])
  // four members and the agent
  assert.is(out.trim().split('\n').length, 5, out)
  assert.match(out, /pod\/demo-edge-0 condition met/)
})

demo('get shows the cluster as kubectl would', () => {
  const r = run(['get'])
  assert.is(r.code, 0, r.stderr)
  const [header, row] = r.stdout.trim().split('\n')
  assert.match(header!, /^NAME\s+APP\s+STATE\s+MEMBERS\s+AGE$/)
  assert.match(row!, /^demo\s+shelldemo\s+configured\s+4\/4\s+\d+[sm]/)
  const wide = run(['get', 'cluster', 'demo', '-o', 'wide'])
  assert.match(wide.stdout, /controller=1,worker=2,edge=1\s+NodePort/)
  const json = JSON.parse(run(['get', 'clusters', '-o', 'json']).stdout)
  assert.is(json.kind, 'List')
  assert.is(json.items[0].kind, 'KubeDirectorCluster')
  assert.is(json.items[0].metadata.name, 'demo')
  assert.is(run(['get', '-o', 'name']).stdout, 'cluster.kubectl-kd.io/demo\n')
})

demo('status lists members and reachable endpoints', async () => {
  const r = run(['status', 'demo'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /State:\s+configured/)
  for (const pod of ['demo-controller-0', 'demo-worker-0', 'demo-worker-1', 'demo-edge-0']) assert.match(r.stdout, new RegExp(`${pod}\\s+configured`))
  const status = JSON.parse(run(['status', 'demo', '-o', 'json']).stdout)
  const web = status.endpoints.find((e: any) => e.member === 'demo-controller-0' && e.name === 'web')
  assert.ok(web?.nodePort, JSON.stringify(status.endpoints))
  assert.is(web.dashboard, true)
  const page = await httpGet(web.url)
  assert.match(page, /demo-controller-0/)
})

demo('scale up and down within the cardinality', () => {
  let r = run(['scale', 'demo', 'worker=3', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /cluster\/demo scaled: worker 2 -> 3/)
  assert.match(run(['get']).stdout, /demo\s+shelldemo\s+configured\s+5\/5/)
  r = run(['scale', 'demo', '--role', 'worker', '--members', '2', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  assert.match(run(['get']).stdout, /demo\s+shelldemo\s+configured\s+4\/4/)
  assert.is(kubectl(['-n', ns, 'get', 'svc', 'demo-worker-2', '--ignore-not-found', '-o', 'name']).trim(), '')
})

demo('errors: cardinality, existing cluster, unknown cluster', () => {
  let r = run(['scale', 'demo', 'worker=1'])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /cannot scale role "worker" of cluster demo to 1: its cardinality is 2\+/)
  r = run(['create', 'shelldemo', 'demo'])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /cluster "demo" already exists in namespace "kd-e2e-clusters[^"]*": choose another name/)
  r = run(['status', 'cluster/nosuch'])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /cluster "nosuch" not found/)
  r = run(['status', 'nosuch'])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /cluster or job "nosuch" not found in namespace/)
})

demo('delete --wait leaves nothing with the cluster label', () => {
  const r = run(['delete', 'demo', '--wait', '--timeout', '3m'])
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'cluster/demo deleted\n')
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=demo'), [])
})
demo.run()

const files = suite('from a KubeDirectorCluster file and from an added app')
files('create -f reaches configured; apply -f changes it', () => {
  let r = run(['create', '-f', 'examples/clusters/shelldemo.yaml', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const name = /^cluster\/(\S+) created$/m.exec(r.stdout)?.[1]
  assert.ok(name, r.stdout)
  r = run(['delete', name!, '--wait'])
  assert.is(r.code, 0, r.stderr)
})
files('app add, create from it, app remove', async () => {
  let r = run(['app', 'add', 'examples/apps/greeter'])
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'app/greeter created\n')
  assert.match(run(['app', 'list']).stdout, /^greeter\s+example\/greeter\s+1.0\s+greeter\(2\+\)\s+namespace\//m)
  r = run(['create', 'greeter', 'hi', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  // the member FQDN from configmeta; a new pod's DNS record can lag its readiness by a moment
  const url = `http://hi-greeter-1.hi.${ns}.svc.cluster.local:8080/`
  let page = ''
  await until(() => (page = kubectl(['-n', ns, 'exec', 'hi-greeter-0', '--', 'wget', '-qO-', url], {allowFail: true})) !== '')
  assert.match(page, /hello, hi-greeter-0\.hi\./)
  r = run(['app', 'remove', 'greeter'])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /used by cluster\(s\) hi/)
  assert.is(run(['delete', 'hi', '--wait']).code, 0)
  assert.is(run(['app', 'remove', 'greeter']).stdout, 'app/greeter deleted\n')
})
files.run()

const access = suite('access: namespace admin is enough, edit is not')
access('namespace admin: a clear error until the aggregated role is installed, then create and delete work', async () => {
  kubectl(['delete', 'clusterrole', 'kubectl-kd-aggregate-to-admin', '--ignore-not-found'])
  const kc = kubeconfigFor(ns, 'alice', 'admin')
  const as = ['--as', `system:serviceaccount:${ns}:alice`, '-n', ns]
  await until(() => kubectl(['auth', 'can-i', 'patch', 'pods', '--subresource=status', ...as], {allowFail: true}).trim() === 'no')
  let r = kd(['create', 'shelldemo', 'by-admin'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /you cannot patch pods\/status .*plugin-manifest\/aggregate-to-admin.yaml/)
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=by-admin'), [])

  kubectl(['apply', '-f', 'plugin-manifest/aggregate-to-admin.yaml'])
  await until(() => kubectl(['auth', 'can-i', 'patch', 'pods', '--subresource=status', ...as], {allowFail: true}).trim() === 'yes')
  r = kd(['create', 'shelldemo', 'by-admin', '--wait', '--timeout', '5m'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.is(r.code, 0, r.stderr)
  r = kd(['delete', 'by-admin', '--wait'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.is(r.code, 0, r.stderr)
})
access('with edit: one line naming the missing permission, nothing created', () => {
  const kc = kubeconfigFor(ns, 'bob', 'edit')
  const r = kd(['create', 'shelldemo', 'by-edit'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /forbidden: you cannot .*create roles\.rbac\.authorization\.k8s\.io/)
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=by-edit'), [])
})
access('with view: get works, create does not', () => {
  const kc = kubeconfigFor(ns, 'carol', 'view')
  assert.is(kd(['get'], {env: {...clusterEnv(), KUBECONFIG: kc}}).code, 0)
  const r = kd(['create', 'shelldemo', 'by-view'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /forbidden/)
})
access.run()

const failures = suite('connection errors')
failures('no reachable cluster', () => {
  const kc = kubeconfigWithToken(ns, 'x', 'https://127.0.0.1:59999')
  const r = kd(['get'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /the cluster at https:\/\/127.0.0.1:59999 is not reachable \(ECONNREFUSED\)/)
})
failures('rejected credentials', () => {
  const kc = kubeconfigWithToken(ns, 'not-a-valid-token')
  const r = kd(['get'], {env: {...clusterEnv(), KUBECONFIG: kc}})
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /rejected the credentials \(401 Unauthorized\)/)
})
failures('missing namespace', () => {
  const r = kd(['create', 'shelldemo', 'x', '-n', 'no-such-namespace-kd'], {env: clusterEnv()})
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /namespaces "no-such-namespace-kd" not found/)
})
failures('a kubeconfig without a CA trusts NODE_EXTRA_CA_CERTS, on the lean and the client-node path', () => {
  // the launcher hands NODE_EXTRA_CA_CERTS to the CLI, which adds the certificates itself (kube/extra-ca.ts)
  const admin = kubectlJson<{clusters: {cluster: Record<string, string>}[]}>(['config', 'view', '--raw', '--minify', '--flatten'])
  const dir = mkdtempSync(join(tmpdir(), 'kd-extra-ca-'))
  const caFile = join(dir, 'ca.crt')
  writeFileSync(caFile, Buffer.from(admin.clusters[0]!.cluster['certificate-authority-data']!, 'base64'))
  for (const c of admin.clusters) delete c.cluster['certificate-authority-data']
  const kc = join(dir, 'kubeconfig')
  writeFileSync(kc, JSON.stringify(admin))
  const get = (extra: string | undefined) => kd(['get', '-n', ns], {env: {...clusterEnv(), KUBECONFIG: kc, NODE_EXTRA_CA_CERTS: extra}})
  const serverDryRun = (extra: string | undefined) =>
    kd(['create', 'shelldemo', 'ca-check', '-n', ns, '--dry-run=server', '-o', 'name'], {env: {...clusterEnv(), KUBECONFIG: kc, NODE_EXTRA_CA_CERTS: extra}})
  for (const r of [get(caFile), serverDryRun(caFile)]) assert.is(r.code, 0, r.stderr)
  for (const r of [get(undefined), serverDryRun(undefined)]) {
    assert.ok(isOneLineError(r), r.stderr)
    assert.match(r.stderr, /unable to verify the first certificate/)
  }
  rmSync(dir, {recursive: true, force: true})
})
failures.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})
failures.run()

export {env, kubectlJson}
