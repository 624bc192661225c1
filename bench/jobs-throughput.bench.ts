// Spark job submission throughput, two ways, each against kubectl in the same run on the same machine:
// 1. N `kubectl kd submit` processes back to back (one shell loop, as a user would script it) against
//    `kubectl create -f` of the same driver Pod + Service + ConfigMap (taken from `kubectl kd submit
//    --dry-run=client -o json`, prepared before the clock starts), N processes as well.
// 2. B jobs from one `kubectl kd submit -f DIR` (B SparkApplications) against one `kubectl create -f` of
//    the same objects (rendered by `kubectl kd submit -f DIR --dry-run=client -o yaml` before the clock
//    starts); then `get jobs` against `kubectl get pods -l spark-role=driver` with B jobs, and the bulk
//    delete (`delete jobs --all --wait`) against `kubectl delete -f` of the reference objects (--wait).
// The drivers request 100 CPUs so no node runs them. The machine's load (uptime) is printed with the figures.
//   node --import tsx bench/jobs-throughput.bench.ts     (KD_BENCH_JOBS=N, default 50; KD_BENCH_BATCH=B,
//   default 1000, 0 to skip; needs the local cluster)
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'

const root = join(import.meta.dirname, '..')
const kubectl = process.env.KD_KUBECTL!
if (!kubectl || spawnSync(kubectl, ['get', '--raw', '/readyz'], {stdio: 'ignore'}).status !== 0) {
  console.error('the local cluster is not up (npm run cluster:up; source test/cluster/env.sh)')
  process.exit(1)
}
const N = Number(process.env.KD_BENCH_JOBS ?? 50)
const B = Number(process.env.KD_BENCH_BATCH ?? 1000)
const kd = join(root, 'bin', 'kubectl-kd')
const stamp = Date.now() % 100000
const ns = `kd-bench-jobs-${stamp}`
/** the batch's namespaces: kubectl kd's jobs, and kubectl create's copies of the same objects */
const bns = `kd-bench-batch-${stamp}`
const rns = `kd-bench-ref-${stamp}`
for (const n of [ns, ...(B ? [bns, rns] : [])]) {
  spawnSync(kubectl, ['create', 'namespace', n], {stdio: 'ignore'})
  spawnSync(kubectl, ['-n', n, 'create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${n}:default`], {stdio: 'ignore'})
}
const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')} (${process.env.KD_BENCH_CPUS ?? spawnSync('nproc', {encoding: 'utf8'}).stdout.trim()} CPUs)`
const jar = `local:///opt/spark/examples/jars/spark-examples_2.12-${process.env.KD_SPARK_VERSION ?? '3.5.9'}.jar`
const submitArgs = (name: string, extra: string[] = []) => [
  'submit', '-n', ns, ...extra, '--name', name, '--class', 'org.apache.spark.examples.SparkPi', '--image', process.env.KD_SPARK_IMAGE ?? 'spark:3.5.9',
  '--conf', 'spark.kubernetes.driver.request.cores=100', '--num-executors', '1', jar, '1',
]
let retries = 0
const run = (cmd: string, args: string[]): string => {
  for (;;) {
    const r = spawnSync(cmd, args, {encoding: 'utf8', env: {...process.env, CI: '1'}, maxBuffer: 64 << 20})
    if (r.status === 0) return r.stdout
    // other suites restart the API server and rebuild dist/ on this machine: wait (counted, printed) rather than fail
    if (/not reachable|connection refused|ECONNREFUSED|Cannot find module .*dist\/|ENOENT.*dist\//i.test(r.stderr) && retries++ < 60) {
      spawnSync('sleep', ['2'])
      continue
    }
    throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} …: ${r.stderr}`)
  }
}

/** seconds a command takes (it must succeed) */
const timed = (cmd: string, args: string[]): number => {
  const t0 = performance.now()
  run(cmd, args)
  return (performance.now() - t0) / 1000
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function batchBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-batch-'))
  const jobs = join(dir, 'jobs')
  mkdirSync(jobs)
  const names = Array.from({length: B}, (_, i) => `batch-${String(i).padStart(4, '0')}`)
  for (const name of names) {
    writeFileSync(join(jobs, `${name}.yaml`), `apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: ${name}
spec:
  type: Scala
  image: ${process.env.KD_SPARK_IMAGE ?? 'spark:3.5.9'}
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: ${jar}
  arguments: ["1"]
  sparkConf:
    spark.kubernetes.driver.request.cores: "100"
  executor:
    instances: 1
`)
  }
  // the reference: the same objects, rendered for its own namespace, in one file for one kubectl create -f
  const ref = join(dir, 'reference.yaml')
  writeFileSync(ref, run(kd, ['submit', '-n', rns, '-f', jobs, '--dry-run=client', '-o', 'yaml']))
  const objects = (readFileSync(ref, 'utf8').match(/^kind: /gm) ?? []).length
  if (objects !== 3 * B) throw new Error(`expected ${3 * B} objects in the reference, found ${objects}`)

  const loadBefore = load()
  const refCreate = timed(kubectl, ['create', '-f', ref, '-o', 'name'])
  const kdSubmit = timed(kd, ['submit', '-n', bns, '-f', jobs])
  const loadAfter = load()
  const count = (kind: string, pattern: RegExp) => run(kubectl, ['-n', bns, 'get', kind, '-o', 'name']).split('\n').filter((n) => pattern.test(n)).length
  const made = [count('pods', /-driver$/), count('services', /-driver-svc$/), count('configmaps', /spark-drv-.*-conf-map$/)]
  if (made.some((m) => m !== B)) throw new Error(`expected ${B} driver pods, services and configmaps, found ${made.join(', ')}`)

  // get jobs against kubectl get pods with B jobs: 5 interleaved runs each, medians
  const getKd: number[] = []
  const getRef: number[] = []
  for (let i = 0; i < 5; i++) {
    getRef.push(timed(kubectl, ['-n', bns, 'get', 'pods', '-l', 'spark-role=driver']))
    getKd.push(timed(kd, ['get', 'jobs', '-n', bns]))
  }
  const loadGet = load()
  const refDelete = timed(kubectl, ['delete', '-f', ref, '--wait'])
  const kdDelete = timed(kd, ['delete', 'jobs', '--all', '-n', bns, '--wait'])
  const left = run(kubectl, ['-n', bns, 'get', 'pods,services,configmaps', '-o', 'name']).split('\n').filter((n) => /-driver|spark-drv-/.test(n))
  if (left.length) throw new Error(`left after delete jobs --all --wait: ${left.slice(0, 5).join(' ')}`)
  const loadEnd = load()

  console.log(`\n${B} jobs from one command (${loadBefore} before, ${loadAfter} after)`)
  console.log(`kubectl kd submit -f DIR:  ${B} jobs in ${kdSubmit.toFixed(1)} s = ${(B / kdSubmit).toFixed(1)} jobs/s`)
  console.log(`kubectl create -f (same ${3 * B} objects): ${refCreate.toFixed(1)} s = ${(B / refCreate).toFixed(1)} jobs/s`)
  console.log(`ratio kd/kubectl time: ${(kdSubmit / refCreate).toFixed(2)}x`)
  console.log(`get jobs with ${B} jobs: median ${(median(getKd) * 1000).toFixed(0)} ms; kubectl get pods -l spark-role=driver: ${(median(getRef) * 1000).toFixed(0)} ms; ratio ${(median(getKd) / median(getRef)).toFixed(2)}x (${loadGet})`)
  console.log(`delete jobs --all --wait: ${kdDelete.toFixed(1)} s; kubectl delete -f (same objects) --wait: ${refDelete.toFixed(1)} s; ratio ${(kdDelete / refDelete).toFixed(2)}x (${loadEnd})`)
}

try {
  if (N > 0) {
    // the reference's input: the same objects, ownerReferences dropped (no driver UID before it exists)
    const dir = mkdtempSync(join(tmpdir(), 'kd-bench-jobs-'))
    const files: string[] = []
    for (let i = 0; i < N; i++) {
      const list = JSON.parse(run(kd, submitArgs(`ref-${String(i).padStart(3, '0')}`, ['--dry-run=client', '-o', 'json'])))
      for (const o of list.items ?? [list]) delete o.metadata.ownerReferences
      const f = join(dir, `ref-${i}.json`)
      writeFileSync(f, JSON.stringify(list))
      files.push(f)
    }
    const kinds = (JSON.parse(run(kd, submitArgs('x', ['--dry-run=client', '-o', 'json']))).items ?? []).map((o: {kind: string}) => o.kind).join('+')

    let t0 = performance.now()
    for (let i = 0; i < N; i++) run(kd, submitArgs(`job-${String(i).padStart(3, '0')}`))
    const kdSecs = (performance.now() - t0) / 1000

    t0 = performance.now()
    for (const f of files) run(kubectl, ['-n', ns, 'create', '-f', f])
    const refSecs = (performance.now() - t0) / 1000

    const drivers = run(kubectl, ['-n', ns, 'get', 'pods', '-o', 'name']).trim().split('\n').filter(Boolean).length
    if (drivers !== 2 * N) throw new Error(`expected ${2 * N} driver pods, found ${drivers}`)
    console.log(`objects per job: ${kinds}`)
    console.log(`kubectl kd submit:  ${N} jobs in ${kdSecs.toFixed(1)} s = ${(N / kdSecs).toFixed(2)} submissions/s (${((kdSecs / N) * 1000).toFixed(0)} ms each)`)
    console.log(`kubectl create -f:  ${N} jobs in ${refSecs.toFixed(1)} s = ${(N / refSecs).toFixed(2)} submissions/s (${((refSecs / N) * 1000).toFixed(0)} ms each)`)
    if (retries) console.log(`(${retries} command(s) retried while the API server was restarted by another suite)`)
    console.log(`ratio kd/kubectl time per submission: ${(kdSecs / refSecs).toFixed(2)}x`)
  }
  if (B > 0) batchBench()
} finally {
  for (const n of [ns, bns, rns]) spawnSync(kubectl, ['delete', 'namespace', n, '--wait=false'], {stdio: 'ignore'})
}
