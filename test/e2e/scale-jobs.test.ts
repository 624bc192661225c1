// 100 Spark jobs submitted back to back from one shell: every job's objects (driver Pod, driver Service,
// spark.properties ConfigMap) are created, none lost or duplicated, and `get jobs` lists all of them.
// To keep this 2-core machine alive the drivers request 100 CPUs, so no node runs them (they stay
// Pending: real objects, no JVMs). Throughput figures: bench/jobs-throughput.bench.ts.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'

const JOBS = Number(process.env.KD_SCALE_JOBS ?? 100)
const ns = createNamespace('kd-e2e-jobs')
kubectl(['-n', ns, 'create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${ns}:default`])
const jar = `local:///opt/spark/examples/jars/spark-examples_2.12-${env.KD_SPARK_VERSION}.jar`
export const parkedJobArgs = (name: string) => [
  'submit', '--name', name, '--class', 'org.apache.spark.examples.SparkPi', '--image', env.KD_SPARK_IMAGE!,
  '--conf', 'spark.kubernetes.driver.request.cores=100', '--num-executors', '1', jar, '1',
]

const test = suite(`${JOBS} Spark jobs back to back`)
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

test(`submit ${JOBS} jobs; every object is there once; get jobs lists all`, () => {
  const t0 = Date.now()
  const failed: string[] = []
  for (let i = 0; i < JOBS; i++) {
    const name = `job-${String(i).padStart(3, '0')}`
    const r = kd([...parkedJobArgs(name).slice(0, 1), '-n', ns, ...parkedJobArgs(name).slice(1)], {env: clusterEnv()})
    if (r.code !== 0) failed.push(`${name}: ${r.stderr}`)
  }
  const secs = (Date.now() - t0) / 1000
  console.log(`  ${JOBS} submissions in ${secs.toFixed(1)} s (${(JOBS / secs).toFixed(1)}/s)`)
  assert.equal(failed, [])
  const names = (kind: string) => kubectl(['-n', ns, 'get', kind, '-l', 'spark-role=driver', '-o', 'jsonpath={range .items[*]}{.metadata.labels.spark-app-name}{"\\n"}{end}']).split('\n').filter(Boolean).sort()
  const expected = Array.from({length: JOBS}, (_, i) => `job-${String(i).padStart(3, '0')}`)
  assert.equal(names('pods'), expected, 'one driver pod per job')
  const cms = kubectl(['-n', ns, 'get', 'configmaps', '-o', 'name']).split('\n').filter((n) => /spark-drv-.*-conf-map$/.test(n))
  assert.is(cms.length, JOBS, 'one spark.properties ConfigMap per job')
  const svcs = kubectl(['-n', ns, 'get', 'services', '-o', 'name']).split('\n').filter((n) => /-driver-svc$/.test(n))
  assert.is(svcs.length, JOBS, 'one driver Service per job')
  const t1 = Date.now()
  const r = kd(['get', 'jobs', '-n', ns, '-o', 'json'], {env: clusterEnv()})
  console.log(`  get jobs with ${JOBS} jobs: ${Date.now() - t1} ms`)
  assert.is(r.code, 0, r.stderr)
  // a job is listed by its driver name prefix: NAME-<16 hex>
  const listed = (JSON.parse(r.stdout).items as {name: string}[]).map((j) => j.name.replace(/-[0-9a-f]{16}$/, '')).sort()
  assert.equal(listed, expected)
  const table = kd(['get', 'jobs', '-n', ns], {env: clusterEnv()}).stdout.trim().split('\n')
  assert.is(table.length, JOBS + 1)
})

test('delete them all', () => {
  for (const name of ['job-000', 'job-001']) assert.is(kd(['delete', `job/${name}`, '-n', ns], {env: clusterEnv()}).code, 0)
  kubectl(['-n', ns, 'delete', 'pods,services,configmaps', '-l', 'spark-role=driver', '--wait=false'])
  kubectl(['-n', ns, 'delete', 'configmaps', '-l', 'spark-app-selector', '--wait=false'], {allowFail: true})
})

test.run()
