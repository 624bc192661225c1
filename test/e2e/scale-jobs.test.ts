// 100 Spark jobs submitted back to back from one shell, then 200 from one `submit -f DIR`: every job's
// objects (driver Pod, driver Service, spark.properties ConfigMap) are created, none lost or duplicated,
// and `get jobs` lists all of them; a bad document is reported by file and index with nothing of it
// created; --atomic creates none (or undoes its own); `delete jobs --all --wait` leaves nothing behind.
// To keep this 2-core machine alive the drivers request 100 CPUs, so no node runs them (they stay
// Pending: real objects, no JVMs). Throughput figures: bench/jobs-throughput.bench.ts.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
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

const BATCH = Number(process.env.KD_SCALE_BATCH ?? 200)
const bns = createNamespace('kd-e2e-batch')
kubectl(['-n', bns, 'create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${bns}:default`])
/** A parked SparkApplication (its driver asks for 100 CPUs: no node runs it). */
const parkedApp = (name: string, extra: Record<string, unknown> = {}) =>
  `apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: ${name}
spec:
  type: Scala
  image: ${env.KD_SPARK_IMAGE}
  mainClass: ${'mainClass' in extra ? extra.mainClass : 'org.apache.spark.examples.SparkPi'}
  mainApplicationFile: ${jar}
  arguments: ["1"]
  sparkConf:
    spark.kubernetes.driver.request.cores: "100"
  executor:
    instances: 1
`
const batchNames = Array.from({length: BATCH}, (_, i) => `b-${String(i).padStart(3, '0')}`)
/** The job names of a namespace's driver pods, the Services and spark.properties ConfigMaps counted by owner. */
function jobObjects(namespace: string) {
  const lines = (kind: string, template: string) => kubectl(['-n', namespace, 'get', kind, '-o', `jsonpath={range .items[*]}${template}{"\\n"}{end}`]).split('\n').filter(Boolean)
  const pods = lines('pods', '{.metadata.labels.spark-role} {.metadata.name} {.metadata.uid}').filter((l) => l.startsWith('driver ')).map((l) => l.split(' '))
  const owner = new Map(pods.map(([, name, uid]) => [uid!, name!.replace(/-driver$/, '')]))
  const owned = (kind: string, pattern: RegExp) => lines(kind, '{.metadata.name} {.metadata.ownerReferences[0].uid}').filter((l) => pattern.test(l.split(' ')[0]!)).map((l) => owner.get(l.split(' ')[1]!) ?? `unowned:${l}`).sort()
  return {drivers: pods.map(([, name]) => name!.replace(/-driver$/, '')).sort(), services: owned('services', /-driver-svc$/), configMaps: owned('configmaps', /^spark-drv-.*-conf-map$/)}
}

const batch = suite(`${BATCH} Spark jobs from one submit -f DIR`)
batch.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(bns)
})

batch(`submit -f DIR: ${BATCH} jobs, every object exactly once; a bad document alone fails, by file and index`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-e2e-batch-'))
  // one file per job, but the last three jobs in one file with a bad document between them
  for (const n of batchNames.slice(0, -2)) writeFileSync(join(dir, `${n}.yaml`), parkedApp(n))
  writeFileSync(join(dir, 'zz-several.yaml'), [parkedApp(batchNames.at(-2)!), parkedApp('b-bad', {mainClass: ''}), parkedApp(batchNames.at(-1)!)].join('---\n'))
  const t0 = Date.now()
  const r = kd(['submit', '-n', bns, '-f', dir], {env: clusterEnv(), timeoutMs: 150_000})
  const secs = (Date.now() - t0) / 1000
  console.log(`  submit -f DIR: ${BATCH} jobs in ${secs.toFixed(1)} s (${(BATCH / secs).toFixed(1)}/s)`)
  assert.is(r.code, 1, 'a bad document fails the command')
  assert.match(r.stderr, new RegExp(`error: ${join(dir, 'zz-several.yaml').replace(/[.]/g, '\\.')}\\[1\\]: spec\\.mainClass is required`))
  assert.equal(r.stdout.trim().split('\n'), batchNames.map((n) => `job/${n} created`))
  const o = jobObjects(bns)
  assert.equal(o.drivers, batchNames, 'one driver pod per job, none for the bad document')
  assert.equal(o.services, batchNames, 'one driver Service per job, owned by its pod')
  assert.equal(o.configMaps, batchNames, 'one spark.properties ConfigMap per job, owned by its pod')
  const listed = JSON.parse(kd(['get', 'jobs', '-n', bns, '-o', 'json'], {env: clusterEnv()}).stdout).items.map((j: {name: string}) => j.name).sort()
  assert.equal(listed, batchNames)
})

batch('--atomic: a bad document creates none; a name taken midway deletes what the run created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-e2e-atomic-'))
  const fresh = Array.from({length: 20}, (_, i) => `a-${String(i).padStart(2, '0')}`)
  for (const n of fresh) writeFileSync(join(dir, `${n}.yaml`), parkedApp(n))
  writeFileSync(join(dir, 'bad.yaml'), parkedApp('a-bad', {mainClass: ''}))
  const bad = kd(['submit', '-n', bns, '-f', dir, '--atomic'], {env: clusterEnv()})
  assert.is(bad.code, 1)
  assert.match(bad.stderr, /bad\.yaml: spec\.mainClass is required/)
  assert.match(bad.stderr, /error: --atomic: none of the 21 jobs was created/)
  assert.is(bad.stdout, '')
  assert.equal(jobObjects(bns).drivers, batchNames, 'nothing of the refused batch')
  // now the bad file names a job that exists: its create fails after others were made
  writeFileSync(join(dir, 'bad.yaml'), parkedApp(batchNames[0]!))
  const midway = kd(['submit', '-n', bns, '-f', dir, '--atomic'], {env: clusterEnv()})
  assert.is(midway.code, 1)
  assert.match(midway.stderr, /bad\.yaml: job "b-000" already exists in namespace/)
  const after = jobObjects(bns)
  assert.equal(after.drivers, batchNames, "the run's own jobs are deleted again, the existing one is not")
  assert.equal(after.services, batchNames)
  assert.equal(after.configMaps, batchNames)
})

batch(`delete jobs --all --wait: ${BATCH} jobs gone, nothing of theirs left`, () => {
  const dry = kd(['delete', 'jobs', '--all', '-n', bns, '--dry-run=client'], {env: clusterEnv()})
  assert.is(dry.code, 0, dry.stderr)
  assert.is(dry.stdout.trim().split('\n').length, BATCH)
  assert.is(jobObjects(bns).drivers.length, BATCH, 'a dry run deletes nothing')
  // two deleted without --wait: their Services and ConfigMaps are the garbage collector's (checked last)
  const earlyUids = kubectl(['-n', bns, 'get', 'pods', '-l', 'spark-role=driver,spark-app-name in (b-000,b-001)', '-o', 'jsonpath={.items[*].metadata.uid}']).split(' ').filter(Boolean)
  assert.is(earlyUids.length, 2)
  const some = kd(['delete', 'jobs', '-l', 'spark-app-name in (b-000,b-001)', '-n', bns], {env: clusterEnv()})
  assert.equal(some.stdout.trim().split('\n'), ['job/b-000 deleted', 'job/b-001 deleted'])
  const t0 = Date.now()
  const r = kd(['delete', 'jobs', '--all', '--wait', '-n', bns], {env: clusterEnv(), timeoutMs: 150_000})
  console.log(`  delete jobs --all --wait: ${BATCH - 2} jobs in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout.trim().split('\n').length, BATCH - 2)
  // what --wait waited for is gone now; all that may be left is the first two's, until the collector gets to them
  const left = () =>
    kubectl(['-n', bns, 'get', 'pods,services,configmaps', '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.ownerReferences[0].uid}{"\\n"}{end}'])
      .split('\n')
      .filter((l) => /^(Pod\/.*-driver|Service\/.*-driver-svc|ConfigMap\/spark-drv-.*-conf-map) /.test(l))
  const others = left().filter((l) => !earlyUids.includes(l.split(' ')[1]!))
  assert.equal(others, [], 'objects of the jobs deleted with --wait')
  assert.equal(jobObjects(bns).drivers, [])
  const deadline = Date.now() + 120_000
  while (left().length > 0 && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000)
  assert.equal(left(), [], 'the garbage collector removed the Services and ConfigMaps of the jobs deleted without --wait')
  assert.equal(jobObjects(bns), {drivers: [], services: [], configMaps: []})
  assert.equal(kubectl(['-n', bns, 'get', 'pods,services,configmaps', '-l', 'spark-app-selector', '-o', 'name']).trim(), '')
})

batch.run()
