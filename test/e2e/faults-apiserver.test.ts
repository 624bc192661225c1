// Faults (issue 8): the API server restarted while the plugin itself waits — during `create --wait` and
// during `submit --wait`. The wait either succeeds or ends with one honest `error: …` line; either way
// the cluster converges with nothing duplicated (each member's configure ran exactly once) and the Spark
// job ends COMPLETED. Restarting the API server interrupts everyone on the cluster for ~10 s, so
// KD_SKIP_APISERVER_RESTART=1 skips this file.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl, kubectlJson} from '../lib/cluster.ts'
import {kd, kdAsync} from '../lib/kd.ts'
import {assertConverged, assertHonestFailure, memberPods, restart, until, untilConverged} from './faults-lib.ts'

const skip = !!process.env.KD_SKIP_APISERVER_RESTART
const ns = createNamespace('kd-e2e-faults-api')
const faults = suite('faults: API server restart during --wait')
faults.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

faults('create --wait: the wait reports honestly or succeeds; the cluster converges, each configure once', async () => {
  if (skip) return
  const t0 = Date.now()
  const p = kdAsync(['create', 'shelldemo', 'api', '--members', 'worker=3', '--members', 'edge=1', '--wait', '--timeout', '5m', '-n', ns], {env: clusterEnv()})
  // the objects exist and the command is in its wait; restart while members are still coming up
  await until('member pods created', () => memberPods(ns, 'api').length >= 5, 120_000)
  await restart('apiserver')
  const r = await p
  console.log(`  create --wait across an API server restart: exit ${r.code} after ${((Date.now() - t0) / 1000).toFixed(0)} s${r.code ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`)
  if (r.code === 0) assert.match(r.stdout + r.stderr, /configured/)
  else assertHonestFailure(r)
  await untilConverged(ns, 'api', 180_000)
  assertConverged(ns, 'api', {controller: 1, worker: 3, edge: 1})
  // status agrees with the annotations
  const st = JSON.parse(kd(['status', 'api', '-o', 'json', '-n', ns], {env: clusterEnv()}).stdout)
  assert.is(st.state, 'configured', JSON.stringify(st).slice(0, 300))
  const d = kd(['delete', 'api', '--wait', '-n', ns], {env: clusterEnv()})
  assert.is(d.code, 0, d.stderr)
})

faults('submit --wait: the job still ends COMPLETED and the wait reports it', async () => {
  if (skip) return
  const small = ['--conf', 'spark.kubernetes.driver.request.cores=200m', '--conf', 'spark.kubernetes.executor.request.cores=200m', '--driver-memory', '512m', '--executor-memory', '512m']
  const t0 = Date.now()
  const p = kdAsync(['submit', '-n', ns, '--image', env.KD_SPARK_IMAGE!, '--service-account', 'spark', '--create-service-account', '--num-executors', '1', ...small,
    '--wait', '--timeout', '8m', 'examples/spark/pi.py', '200'], {env: clusterEnv()})
  // restart once an executor runs: the job is under way and the plugin is watching it. (Restarting while
  // the driver's SparkContext starts makes Spark itself fail the job — the wait then reports FAILED
  // honestly, which is not what this test is about.)
  await until('a running executor', () =>
    kubectlJson(['-n', ns, 'get', 'pods', '-l', 'spark-role=executor']).items.some((x: any) => x.status.phase === 'Running'), 240_000)
  const driver = kubectl(['-n', ns, 'get', 'pods', '-l', 'spark-role=driver', '-o', 'jsonpath={.items[0].metadata.name}'])
  await restart('apiserver')
  const r = await p
  console.log(`  submit --wait across an API server restart: exit ${r.code} after ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  assert.is(r.code, 0, r.stderr)
  const job = /^job\/(\S+) created$/m.exec(r.stdout)?.[1] ?? ''
  assert.match(r.stderr, new RegExp(`job/${job} COMPLETED`))
  const st = JSON.parse(kd(['status', `job/${job}`, '-o', 'json', '-n', ns], {env: clusterEnv()}).stdout)
  assert.is(st.state, 'COMPLETED')
  // one driver, not resubmitted
  assert.equal(kubectl(['-n', ns, 'get', 'pods', '-l', 'spark-role=driver', '-o', 'name']).trim().split('\n'), [`pod/${driver}`])
})

faults.run()
