// Spark job submission throughput: N `kubectl kd submit` processes back to back (one shell loop, as a user
// would script it) against `kubectl create -f` of the same driver Pod + Service + ConfigMap (taken from
// `kubectl kd submit --dry-run=client -o json`, prepared before the clock starts), N processes as well,
// in the same run on the same loaded machine. The drivers request 100 CPUs so no node runs them.
//   node --import tsx bench/jobs-throughput.bench.ts     (KD_BENCH_JOBS=N, default 50; needs the local cluster)
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const root = join(import.meta.dirname, '..')
const kubectl = process.env.KD_KUBECTL!
if (!kubectl || spawnSync(kubectl, ['get', '--raw', '/readyz'], {stdio: 'ignore'}).status !== 0) {
  console.error('the local cluster is not up (npm run cluster:up; source test/cluster/env.sh)')
  process.exit(1)
}
const N = Number(process.env.KD_BENCH_JOBS ?? 50)
const kd = join(root, 'bin', 'kubectl-kd')
const ns = `kd-bench-jobs-${Date.now() % 100000}`
spawnSync(kubectl, ['create', 'namespace', ns], {stdio: 'ignore'})
spawnSync(kubectl, ['-n', ns, 'create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${ns}:default`], {stdio: 'ignore'})
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

try {
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
} finally {
  spawnSync(kubectl, ['delete', 'namespace', ns, '--wait=false'], {stdio: 'ignore'})
}
