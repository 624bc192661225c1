// Who may do what, and what never leaks. A user with `view` in a namespace can read clusters and jobs
// (get, status, logs) but every mutation fails before anything is written, with one line naming the
// permission that is missing. Secret values (the agent's ServiceAccount token, the value of a Secret
// a job references through spark.kubernetes.driver.secretKeyRef.*, a kubeconfig bearer token) never
// appear in annotations, Events, the agent's log, -o yaml of get/status, or -v output.
// (The agent Role being exactly the verbs it uses is test/e2e/agent-rbac.test.ts.)
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, env, kubeconfigFor, kubectl, objectsWithLabel} from '../lib/cluster.ts'
import {isOneLineError, kd, type Run} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-security')
const admin = (args: string[]) => kd([...args.slice(0, args[0] === 'app' ? 2 : 1), '-n', ns, ...args.slice(args[0] === 'app' ? 2 : 1)], {env: clusterEnv()})
const viewerConfig = kubeconfigFor(ns, 'viewer', 'view')
const viewer = (args: string[]) => kd([...args.slice(0, 1), '-n', ns, ...args.slice(1)], {env: {...clusterEnv(), KUBECONFIG: viewerConfig}})
const secretValue = `kd-secret-${randomBytes(12).toString('hex')}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, cond: () => boolean, seconds: number): Promise<void> {
  for (let i = 0; i < seconds && !cond(); i++) await sleep(1000)
  assert.ok(cond(), `${what} not reached within ${seconds} s`)
}

const test = suite('security: view user, no secret values anywhere')
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

const t0 = Date.now()
test.after.each(() => console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s`))
test('setup (admin): an app cluster and a Spark job that references a Secret', async () => {
  let r = admin(['app', 'add', 'examples/apps/hello.yaml'])
  assert.is(r.code, 0, r.stderr)
  r = admin(['create', 'hello', 'h', '--members', 'node=2', '--wait', '--timeout', '4m'])
  assert.is(r.code, 0, r.stderr)
  kubectl(['-n', ns, 'create', 'secret', 'generic', 'dbpass', `--from-literal=password=${secretValue}`])
  r = admin([
    'submit', '--name', 'sec', '--class', 'org.apache.spark.examples.SparkPi', '--image', env.KD_SPARK_IMAGE!, '--create-service-account',
    '--num-executors', '1', '--driver-memory', '512m', '--executor-memory', '512m',
    '--conf', 'spark.kubernetes.driver.request.cores=100m', '--conf', 'spark.kubernetes.executor.request.cores=100m',
    '--conf', 'spark.kubernetes.driver.secretKeyRef.DB_PASS=dbpass:password', '--conf', 'spark.kubernetes.executor.secretKeyRef.DB_PASS=dbpass:password',
    '--conf', 'spark.kubernetes.driver.secrets.dbpass=/etc/dbpass',
    `local:///opt/spark/examples/jars/spark-examples_2.12-${env.KD_SPARK_VERSION}.jar`, '2',
  ])
  assert.is(r.code, 0, r.stderr)
  // the driver reads the Secret through a reference, never a copied value
  const pod = JSON.parse(kubectl(['-n', ns, 'get', 'pod', '-l', 'spark-role=driver,spark-app-name=sec', '-o', 'json'])).items[0]
  // spark-submit turns secretKeyRef.DB_PASS into an env var with valueFrom; whether or not it is rendered,
  // the value itself must never be copied into the pod
  const dbEnv = (pod.spec.containers[0].env ?? []).find((e: {name: string}) => e.name === 'DB_PASS')
  if (dbEnv) assert.equal(dbEnv, {name: 'DB_PASS', valueFrom: {secretKeyRef: {name: 'dbpass', key: 'password'}}})
  else console.log('  note: spark.kubernetes.driver.secretKeyRef.* is not rendered into the driver env (spark-submit does)')
  assert.not.match(JSON.stringify(pod), secretValue)
  await until('driver log', () => kubectl(['-n', ns, 'logs', pod.metadata.name], {allowFail: true}).length > 0, 150)
})

test('view: get, status and logs work', () => {
  let r = viewer(['get'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^h\s+hello\s+configured\s+2\/2/m)
  r = viewer(['status', 'h'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /State:\s+configured/)
  r = viewer(['get', 'jobs'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /\bsec\b/, r.stdout)
  r = viewer(['status', 'job/sec'])
  assert.is(r.code, 0, r.stderr)
  r = viewer(['logs', 'sec'])
  assert.is(r.code, 0, r.stderr)
  assert.ok(r.stdout.length > 0)
})

test('view: create, apply, scale, delete, submit, app add fail with one line naming the permission; nothing written', () => {
  const before = objectsWithLabel(ns, 'app.kubernetes.io/managed-by=kubectl-kd').sort()
  const attempts: [string, string[]][] = [
    ['create', ['create', 'hello', 'h2']],
    ['apply', ['apply', '-f', 'examples/clusters/shelldemo.yaml']],
    ['scale', ['scale', 'h', 'node=3']],
    ['delete', ['delete', 'h']],
    ['submit', ['submit', '--name', 'nope', '--class', 'x', '--image', env.KD_SPARK_IMAGE!, 'local:///x.jar']],
  ]
  for (const [what, args] of attempts) {
    const r: Run = viewer(args)
    assert.ok(isOneLineError(r), `${what}: exit ${r.code}: ${r.stderr}`)
    // kubectl's wording: cannot VERB RESOURCE / may not … / forbidden (create reads the cluster's key Secret first)
    assert.match(r.stderr, /(cannot|may not|forbidden|not allowed to)\b.*\b(create|patch|update|delete|list|get)\b.*\b(configmaps|secrets|statefulsets|pods|services|deployments|roles|serviceaccounts|rolebindings)/i, `${what}: ${r.stderr}`)
  }
  const appAdd = kd(['app', 'add', '-n', ns, 'examples/apps/greeter'], {env: {...clusterEnv(), KUBECONFIG: viewerConfig}})
  assert.ok(isOneLineError(appAdd), appAdd.stderr)
  assert.equal(objectsWithLabel(ns, 'app.kubernetes.io/managed-by=kubectl-kd').sort(), before)
  assert.match(viewer(['get']).stdout, /^h\s+hello\s+configured\s+2\/2/m)
  assert.is(kubectl(['-n', ns, 'get', 'pods', '-l', 'spark-app-name=nope', '-o', 'name']).trim(), '')
})

test('no secret value in annotations, Events, the agent log, get/status -o yaml, logs or -v output', () => {
  const agentPod = kubectl(['-n', ns, 'get', 'pod', '-l', 'kubectl-kd.io/cluster=h,app.kubernetes.io/component=agent', '-o', 'name']).trim().split('\n')[0]!
  const agentToken = kubectl(['-n', ns, 'exec', agentPod, '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']).trim()
  const viewerToken = /token: (\S+)/.exec(readFileSync(viewerConfig, 'utf8'))![1]!
  assert.ok(agentToken.length > 100 && viewerToken.length > 100)
  const secrets = {secretValue, agentToken, viewerToken, agentTokenSignature: agentToken.split('.')[2]!, viewerTokenSignature: viewerToken.split('.')[2]!}

  const places: Record<string, string> = {
    'annotations of every object': kubectl(['-n', ns, 'get', 'configmaps,services,statefulsets,deployments,pods,serviceaccounts,roles,rolebindings', '-o', 'jsonpath={range .items[*]}{.metadata.annotations}{"\\n"}{end}']),
    'configmap data (root, spark.properties)': kubectl(['-n', ns, 'get', 'configmaps', '-o', 'yaml']),
    events: kubectl(['-n', ns, 'get', 'events', '-o', 'yaml']),
    'agent log': kubectl(['-n', ns, 'logs', agentPod, '--all-containers']),
    'get -o yaml': admin(['get', '-o', 'yaml']).stdout,
    'get jobs -o yaml': admin(['get', 'jobs', '-o', 'yaml']).stdout,
    'status -o yaml': admin(['status', 'h', '-o', 'yaml']).stdout,
    'status job -o yaml': admin(['status', 'job/sec', '-o', 'yaml']).stdout,
    'kd logs': admin(['logs', 'sec']).stdout,
  }
  const verbose = kd(['status', 'h', '-n', ns, '-v'], {env: {...clusterEnv(), KUBECONFIG: viewerConfig}})
  assert.is(verbose.code, 0, verbose.stderr)
  places['status -v (viewer) stdout+stderr'] = verbose.stdout + verbose.stderr
  const failedVerbose = kd(['create', 'hello', 'h3', '-n', ns, '-v'], {env: {...clusterEnv(), KUBECONFIG: viewerConfig}})
  places['failed create -v (viewer) stdout+stderr'] = failedVerbose.stdout + failedVerbose.stderr
  const leaks: string[] = []
  for (const [place, text] of Object.entries(places)) {
    for (const [name, value] of Object.entries(secrets)) if (text.includes(value)) leaks.push(`${name} in ${place}`)
    if (/Bearer [A-Za-z0-9._-]{20,}/.test(text)) leaks.push(`a bearer token in ${place}`)
  }
  assert.equal(leaks, [])
  // the spark.properties ConfigMap carries the reference, not the value
  assert.match(places['configmap data (root, spark.properties)']!, /spark\.kubernetes\.driver\.secretKeyRef\.DB_PASS=dbpass\\?:password/)
})

test('cleanup: the job and cluster are deleted by the admin', () => {
  assert.is(admin(['delete', 'job/sec']).code, 0)
  assert.is(admin(['delete', 'h']).code, 0)
})

test.run()
