// A kubeconfig whose user is an exec credential plugin (as EKS, GKE and OIDC logins are): a small script
// that prints an ExecCredential with a ServiceAccount token the local cluster accepts. Every command that
// talks to the cluster works through it, and the plugin really is what authenticates them (it counts its
// runs; a token it no longer hands out is refused).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {spawnSync} from 'node:child_process'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createNamespace, deleteNamespace, env, kubectl, kubectlJson} from '../lib/cluster.ts'
import {isOneLineError, kd, kdBin} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-execcred')
const dir = mkdtempSync(join(tmpdir(), 'kd-execcred-'))
const tokenFile = join(dir, 'token')
const runs = join(dir, 'runs')
const test = suite('exec credential plugin')

kubectl(['-n', ns, 'create', 'serviceaccount', 'kd-exec'])
kubectl(['create', 'clusterrolebinding', `${ns}-exec`, '--clusterrole=cluster-admin', `--serviceaccount=${ns}:kd-exec`])
writeFileSync(tokenFile, kubectl(['-n', ns, 'create', 'token', 'kd-exec', '--duration=2h']).trim())
const plugin = join(dir, 'kd-credential-plugin')
writeFileSync(
  plugin,
  `#!/bin/sh
echo run >> '${runs}'
[ -s '${tokenFile}' ] || { echo "no token: log in first" >&2; exit 1; }
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\\n' "$(cat '${tokenFile}')"
`,
)
chmodSync(plugin, 0o755)
const admin = kubectlJson<any>(['config', 'view', '--raw', '--minify'])
const ca = admin.clusters[0].cluster['certificate-authority-data'] ?? Buffer.from(readFileSync(admin.clusters[0].cluster['certificate-authority'])).toString('base64')
const kubeconfig = join(dir, 'kubeconfig')
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: ${env.KD_API_SERVER}, certificate-authority-data: ${ca}}
users:
- name: plugin-user
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, interactiveMode: Never}
contexts:
- name: plugin
  context: {cluster: local, user: plugin-user, namespace: ${ns}}
current-context: plugin
`,
)
const pluginEnv = {KUBECONFIG: kubeconfig, PATH: `${env.KD_CACHE}/bin:${process.env.PATH}`}
const run = (args: string[], timeoutMs = 600_000) => kd(args, {env: pluginEnv, timeoutMs})
const pluginRuns = () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0)

test.after(() => {
  kubectl(['delete', 'clusterrolebinding', `${ns}-exec`, '--ignore-not-found'])
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

test('get, create --wait, status, scale --wait and completion through the plugin', () => {
  const before = pluginRuns()
  const empty = run(['get'])
  assert.is(empty.code, 0, empty.stderr)
  assert.match(empty.stderr, new RegExp(`No resources found in ${ns} namespace`))
  assert.ok(pluginRuns() > before, 'the plugin ran')
  const created = run(['create', 'shelldemo', 'ex', '--wait', '--timeout', '5m'])
  assert.is(created.code, 0, created.stderr)
  assert.match(created.stdout, /^cluster\/ex: members configured 3\/3 \(/m)
  const status = run(['status', 'ex'])
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stdout, /configured/)
  const scaled = run(['scale', 'ex', 'worker=3', '--wait', '--timeout', '5m'])
  assert.is(scaled.code, 0, scaled.stderr)
  const got = JSON.parse(run(['get', 'cluster', 'ex', '-o', 'json']).stdout) as {status: {roles: {members: {state: string}[]}[]}}
  assert.is(got.status.roles.flatMap((r) => r.members).filter((m) => m.state === 'configured').length, 4)
  const completion = spawnSync(kdBin, ['__complete', 'status', ''], {env: {...process.env, ...pluginEnv}, encoding: 'utf8'})
  assert.match(completion.stdout, /^ex$/m)
})

test('submit --wait and logs of a Spark job through the plugin', () => {
  const r = run(['submit', '--image', env.KD_SPARK_IMAGE!, '--service-account', 'spark', '--create-service-account', '--num-executors', '1',
    '--conf', 'spark.kubernetes.driver.request.cores=200m', '--conf', 'spark.kubernetes.executor.request.cores=200m', '--driver-memory', '512m', '--executor-memory', '512m',
    '--wait', '--timeout', '6m', 'examples/spark/pi.py', '4'])
  assert.is(r.code, 0, r.stderr)
  const job = /^job\/(\S+) created$/m.exec(r.stdout)?.[1] ?? ''
  const logs = run(['logs', job])
  assert.is(logs.code, 0, logs.stderr)
  assert.match(logs.stdout, /Pi is roughly 3\.1/)
})

test('submit --cluster through the plugin (exec into the controller)', () => {
  const created = run(['create', 'spark35', 'sc', '--members', 'worker=1', '--memory', 'worker=2Gi', '--memory', 'controller=2Gi', '--wait', '--timeout', '8m'])
  assert.is(created.code, 0, created.stderr)
  const r = run(['submit', '--cluster', 'sc', '--timeout', '5m', '--driver-memory', '512m', '--executor-memory', '512m', 'local:///opt/spark/examples/src/main/python/pi.py', '4'], 600_000)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /Pi is roughly 3\.1/)
})

test('a plugin that fails: one line naming the plugin and what it said', () => {
  writeFileSync(tokenFile, '')
  const r = run(['get'])
  assert.is(r.code, 1)
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /^error: kubeconfig user "plugin-user": the exec credential plugin ".*kd-credential-plugin" failed: no token: log in first$/m)
})

test.run()
