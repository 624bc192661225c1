// Spark jobs end to end: the real plugin against the local cluster and the real Spark image; and,
// side by side, the real spark-submit from the same Spark distribution (KD_SPARK_HOME) creating the
// same job, its objects compared field by field (test/unit/spark-compare.ts; differences documented
// in docs/spark-differences.md).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl} from '../lib/cluster.ts'
import {isOneLineError, kd, kdAsync} from '../lib/kd.ts'
import {driverObjects, realSparkSubmit} from '../lib/spark-submit.ts'
import {eventually} from './agent-members.ts'
import {normalize} from '../unit/spark-compare.ts'

const ns = createNamespace('kd-e2e-spark')
const image = env.KD_SPARK_IMAGE!
const version = env.KD_SPARK_VERSION!
const examplesJar = `local:///opt/spark/examples/jars/spark-examples_2.12-${version}.jar`
const hasExamplesJar = existsSync(join(env.KD_SPARK_HOME!, 'examples', 'jars', `spark-examples_2.12-${version}.jar`))
// -n right after the command: for submit, everything after APP_FILE belongs to the application
const run = (args: string[], timeoutMs = 600_000) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: clusterEnv(), timeoutMs})
// the node has 2 CPUs: small requests so a driver and two executors fit
const small = ['--conf', 'spark.kubernetes.driver.request.cores=200m', '--conf', 'spark.kubernetes.executor.request.cores=200m', '--driver-memory', '512m', '--executor-memory', '512m']
const jobOf = (stdout: string) => /^job\/(\S+) created$/m.exec(stdout)?.[1] ?? ''
const podsIn = () => kubectl(['get', 'pods', '-n', ns, '-o', 'name']).trim().split('\n').filter(Boolean)

const jobs = suite('spark jobs: submit, status, logs, get, delete')

jobs('PySpark pi from a local file: COMPLETED with executors, Pi in the logs', () => {
  const r = run(['submit', '--image', image, '--service-account', 'spark', '--create-service-account', '--num-executors', '2', ...small,
    '--conf', 'spark.kubernetes.executor.deleteOnTermination=false', '--wait', '--timeout', '6m', 'examples/spark/pi.py', '10'])
  assert.is(r.code, 0, r.stderr)
  const job = jobOf(r.stdout)
  assert.match(r.stderr, new RegExp(`job/${job} COMPLETED`))
  const st = JSON.parse(run(['status', `job/${job}`, '-o', 'json']).stdout)
  assert.is(st.state, 'COMPLETED')
  assert.is(st.executors.succeeded, 2, JSON.stringify(st.executors))
  const logs = run(['logs', job])
  assert.match(logs.stdout, /Pi is roughly 3\.1/)
  const exec1 = run(['logs', job, '--executor', '1'])
  assert.is(exec1.code, 0, exec1.stderr)
  const list = run(['get', 'jobs'])
  assert.match(list.stdout, new RegExp(`^${job}\\s+COMPLETED\\s+0\\s+\\S+\\s+\\d+s$`, 'm'))
})

jobs('SparkPi (JVM) from the examples jar: COMPLETED with executors', () => {
  if (!hasExamplesJar) {
    console.warn(`  (skipped: no spark-examples_2.12-${version}.jar in KD_SPARK_HOME/image yet, see test/cluster/NEEDS-spark.md)`)
    return
  }
  const r = run(['submit', '--image', image, '--service-account', 'spark', '--class', 'org.apache.spark.examples.SparkPi', '--name', 'spark-pi', '--num-executors', '2', ...small,
    '--conf', 'spark.kubernetes.executor.deleteOnTermination=false', '--wait', '--timeout', '6m', examplesJar, '20'])
  assert.is(r.code, 0, r.stderr)
  const job = jobOf(r.stdout)
  assert.match(run(['logs', job]).stdout, /Pi is roughly 3\.1/)
  const e = JSON.parse(run(['status', job, '-o', 'json']).stdout).executors
  // executors the driver stops at its end may finish as Failed (SIGTERM): count every executor that ran
  assert.ok(e.succeeded + e.failed >= 2, JSON.stringify(e))
})

jobs('a job that throws ends FAILED, with the reason in status, and --wait exits 1', () => {
  const r = run(['submit', '--image', image, '--service-account', 'spark', ...small, '--wait', '--timeout', '6m', 'examples/spark/fail.py'])
  assert.is(r.code, 1, r.stderr)
  const job = jobOf(r.stdout)
  assert.match(r.stderr, /FAILED: .*RuntimeError: deliberate failure/)
  const st = run(['status', `job/${job}`])
  assert.match(st.stdout, /State: +FAILED/)
  assert.match(st.stdout, /Reason: +Error: exit code 1: RuntimeError: deliberate failure after counting 10 rows/)
})

jobs('SparkApplication -f: runs, and a second submit is a name clash', () => {
  const r = run(['submit', '-f', 'examples/spark/pyspark-pi.yaml', '--image', image, '--wait', '--timeout', '6m'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^job\/pyspark-pi created$/m)
  const again = run(['submit', '-f', 'examples/spark/pyspark-pi.yaml', '--image', image])
  assert.ok(isOneLineError(again), again.stderr)
  assert.match(again.stderr, /job "pyspark-pi" already exists/)
  const del = run(['delete', 'job/pyspark-pi'])
  assert.is(del.code, 0, del.stderr)
})

jobs('user errors: one line, exit 1, nothing created', () => {
  const before = new Set(podsIn())
  const dir = mkdtempSync(join(tmpdir(), 'kd-spark-'))
  writeFileSync(join(dir, 'big.jar'), Buffer.alloc(2 * 1024 * 1024))
  const cases: [string[], RegExp][] = [
    [['submit', 'examples/spark/pi.py'], /Must specify the driver container image/],
    [['submit', '--image', image, '--driver-memory', '2x', 'examples/spark/pi.py'], /Driver memory must be a positive number/],
    [['submit', '--image', image, '--executor-cores', '0', 'examples/spark/pi.py'], /Executor cores must be a positive number/],
    [['submit', '--image', image, '--conf', 'spark.kubernetes.container.image.pullPolicy=Sometimes', 'examples/spark/pi.py'], /pullPolicy should be one of/],
    [['submit', '--image', image, 'nope/missing.py'], /nope\/missing.py: no such file/],
    [['submit', '--image', image, '--class', 'X', join(dir, 'big.jar')], /too big to ship .*local:\/\//],
    [['submit', '--image', image, '--service-account', 'nobody', 'examples/spark/pi.py'], /serviceaccount "nobody" not found/],
    [['submit', '--image', image, '--service-account', 'default', 'examples/spark/pi.py'], /serviceaccount "default" .* may not create pods/],
  ]
  for (const [args, re] of cases) {
    const r = run(args)
    assert.ok(isOneLineError(r), `${args.join(' ')}: ${r.code} ${r.stderr}`)
    assert.match(r.stderr, re)
  }
  assert.equal(podsIn().filter((p) => !before.has(p)), [])
})

jobs('--dry-run=client -o yaml prints the objects and creates nothing', () => {
  const r = run(['submit', '--image', image, '--dry-run=client', '-o', 'yaml', 'examples/spark/pi.py'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /kind: Pod[\s\S]*kind: Service[\s\S]*kind: ConfigMap/)
})

jobs('--dry-run=server --create-service-account with a missing account: checked by the server, nothing created', () => {
  const before = new Set(podsIn())
  const r = run(['submit', '--image', image, '--service-account', 'not-yet', '--create-service-account', '--dry-run=server', '--class', 'org.apache.spark.examples.SparkPi', examplesJar])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^job\/\S+ created \(server dry run\)$/m)
  assert.match(r.stderr, /checked with serviceaccount "default", since "not-yet" is only created by the real submission/)
  assert.equal(podsIn().filter((p) => !before.has(p)), [])
  assert.is(kubectl(['get', 'serviceaccount', 'not-yet', '-n', ns], {allowFail: true}), '')
})

jobs.run()

// ——— side by side with the real spark-submit ———
const compare = suite('objects match the real spark-submit (same Spark distribution)')


compare('kubectl kd submit creates what spark-submit --deploy-mode cluster creates', () => {
  const common = ['--name', 'cmp', '--conf', 'spark.kubernetes.authenticate.driver.serviceAccountName=spark', '--conf', 'spark.executor.instances=1',
    '--conf', 'spark.kubernetes.driver.label.team=data', '--conf', 'spark.kubernetes.driver.annotation.note=app-{{APP_ID}}', '--conf', 'spark.kubernetes.driverEnv.FOO=bar',
    '--conf', 'spark.kubernetes.driver.request.cores=100m', '--conf', 'spark.kubernetes.driver.limit.cores=1', '--driver-memory', '600m',
    '--py-files', 'local:///opt/spark/examples/src/main/python/kmeans.py', 'local:///opt/spark/examples/src/main/python/pi.py', '3']
  const real = realSparkSubmit(env.KD_SPARK_HOME!, ['--master', `k8s://${env.KD_API_SERVER}`, '--deploy-mode', 'cluster', '--conf', `spark.kubernetes.container.image=${image}`,
    '--conf', `spark.kubernetes.namespace=${ns}`, '--conf', 'spark.kubernetes.submission.waitAppCompletion=false', ...common], 180_000)
  assert.is(real.code, 0, real.out)
  const realPod = /submission ID [^:]+:(\S+) into Kubernetes/.exec(real.out)?.[1]
  assert.ok(realPod, real.out)
  const ours = run(['submit', '--image', image, ...common])
  assert.is(ours.code, 0, ours.stderr)
  const ourPod = `${jobOf(ours.stdout)}-driver`
  const a = normalize(driverObjects(ns, ourPod), {user: true})
  const b = normalize(driverObjects(ns, realPod!), {user: true})
  kubectl(['delete', 'pod', '-n', ns, ourPod, realPod!, '--wait=false'])
  assert.equal(a.pod.metadata, b.pod.metadata)
  assert.equal(a.pod.spec, b.pod.spec)
  assert.equal(a.service, b.service)
  assert.equal(a.configMap.metadata, b.configMap.metadata)
  assert.equal(a.configMap.data, b.configMap.data)
  assert.equal(a.properties, b.properties)
})

compare.run()

// ——— --cluster: a Spark app cluster made by `kubectl kd create` ———
const standalone = suite('submit --cluster runs on the standalone master of a spark35 app cluster')
// the last suite of this file removes the namespace all use
standalone.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

standalone('SparkPi on the standalone master: app id, master UI, Pi', () => {
  if (!hasExamplesJar) return
  const c = run(['create', 'spark35', 'sp', '--members', 'worker=1', '--memory', 'worker=2Gi', '--memory', 'controller=2Gi', '--wait', '--timeout', '6m'])
  assert.is(c.code, 0, c.stderr)
  const r = run(['submit', '--cluster', 'sp', '--timeout', '5m', '--class', 'org.apache.spark.examples.SparkPi', '--driver-memory', '512m', '--executor-memory', '512m', examplesJar, '20'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /Pi is roughly 3\.1/)
  assert.match(r.stderr, /application app-\d{14}-\d{4} on spark:\/\/sp-controller-0\.sp\.[^:]+:7077, master UI http:\/\/sp-controller-0\.sp\.\S+:8080/)
  // a local PySpark file is streamed to the controller and run there
  const local = run(['submit', '--cluster', 'sp', '--timeout', '5m', '--driver-memory', '512m', '--executor-memory', '512m', 'examples/spark/pi.py', '4'])
  assert.is(local.code, 0, local.stderr)
  assert.match(local.stdout, /Pi is roughly 3\.1/)
  // executors no worker can hold: said at once (from the master's own account), instead of a job that waits forever
  const big = run(['submit', '--cluster', 'sp', '--executor-memory', '64g', 'examples/spark/pi.py', '4'])
  assert.ok(isOneLineError(big), big.stderr)
  assert.match(big.stderr, /--executor-memory 64g is more than any worker of cluster "sp" offers \(at most \d+ MiB\), so the job would wait forever/)
  assert.equal(leftInController(), {jvms: 0, dirs: 0})
  const missing = run(['submit', '--cluster', 'sp', 'examples/spark/no-such.py'])
  assert.ok(isOneLineError(missing), missing.stderr)
  assert.match(missing.stderr, /examples\/spark\/no-such.py: no such file/)
})

/** SparkSubmit JVMs and kd-submit directories left in the controller. */
function leftInController(): {jvms: number; dirs: number} {
  const out = kubectl(['-n', ns, 'exec', 'sp-controller-0', '-c', 'app', '--', 'sh', '-c',
    'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " <"$f" 2>/dev/null; echo; done | grep -c "[o]rg.apache.spark.deploy.SparkSubmit"; ls -d /tmp/kd-submit-* 2>/dev/null | wc -l'], {allowFail: true})
  const [jvms, dirs] = out.trim().split('\n').map(Number)
  return {jvms: jvms ?? -1, dirs: dirs ?? -1}
}

standalone('--timeout, Ctrl-C and a killed CLI stop spark-submit in the controller (nothing left running)', async () => {
  if (!hasExamplesJar) return
  const long = ['submit', '--cluster', 'sp', '--driver-memory', '512m', '--executor-memory', '512m', '--class', 'org.apache.spark.examples.SparkPi', examplesJar, '100000']
  const t = run([...long.slice(0, 3), '--timeout', '8s', ...long.slice(3)])
  assert.ok(isOneLineError(t), t.stderr)
  assert.match(t.stderr, /spark-submit in pod\/sp-controller-0 did not finish within --timeout 8s; it was stopped/)
  await eventually('spark-submit stopped after --timeout', () => {
    const left = leftInController()
    return left.jvms === 0 && left.dirs === 0
  }, 60_000)
  const p = kdAsync([long[0]!, '-n', ns, ...long.slice(1)], {env: clusterEnv()}) // after APP_FILE everything is the app's
  await eventually('spark-submit running in the controller', () => leftInController().jvms === 1, 60_000)
  p.kill()
  const r = await p
  assert.is(r.code, 130, r.stderr)
  assert.match(r.stderr, /interrupted: stopping spark-submit in pod\/sp-controller-0/)
  await eventually('spark-submit stopped after Ctrl-C', () => {
    const left = leftInController()
    return left.jvms === 0 && left.dirs === 0
  }, 60_000)
  // killed outright: the watcher in the controller reads EOF on the exec's stdin and stops spark-submit
  const killed = kdAsync([long[0]!, '-n', ns, ...long.slice(1)], {env: clusterEnv()})
  await eventually('spark-submit running in the controller', () => leftInController().jvms === 1, 60_000)
  killed.kill('SIGKILL')
  assert.is((await killed).code, -1)
  await eventually('spark-submit stopped after the CLI was killed', () => {
    const left = leftInController()
    return left.jvms === 0 && left.dirs === 0
  }, 60_000)
})

standalone.run()
