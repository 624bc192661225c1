// Submit latency of `kubectl kd submit` vs the real spark-submit (cluster mode), measured in the same run
// against the local cluster: command start → driver pod created (seen by a watch opened beforehand),
// and command start → process exit. Then one full job each: time to driver Running and to COMPLETED.
//   node --import tsx bench/spark-submit.bench.ts [runs=5]
// Needs the local cluster (npm run cluster:up) and KD_SPARK_HOME (test/cluster/env.sh).
import {execFileSync, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {connect} from '../src/kube/connection.ts'
import {R} from '../src/kube/client.ts'
import {startInformer} from '../src/kube/informer.ts'

const root = join(import.meta.dirname, '..')
const env: Record<string, string> = Object.fromEntries(
  execFileSync('bash', ['-c', `source ${root}/test/cluster/env.sh && env -0`], {encoding: 'utf8'}).split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
)
const runs = Number(process.argv[2] ?? 5)
const ns = 'kd-bench-spark'
const image = env.KD_SPARK_IMAGE!
const version = env.KD_SPARK_VERSION!
const kubectl = (args: string[]) => execFileSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, ...args], {encoding: 'utf8'})
const jar = `spark-examples_2.12-${version}.jar`
const haveJar = existsSync(join(env.KD_SPARK_HOME!, 'examples', 'jars', jar))
const app = haveJar
  ? {label: 'SparkPi (JVM)', args: ['--class', 'org.apache.spark.examples.SparkPi', `local:///opt/spark/examples/jars/${jar}`, '100']}
  : {label: 'PySpark pi (examples jar missing from the image)', args: ['local:///opt/spark/examples/src/main/python/pi.py', '10']}
const small = ['--conf', 'spark.kubernetes.driver.request.cores=200m', '--conf', 'spark.kubernetes.executor.request.cores=200m', '--driver-memory', '512m', '--executor-memory', '512m', '--num-executors', '2']

if (!kubectl(['get', 'namespaces', '-o', 'name']).includes(`namespace/${ns}\n`)) kubectl(['create', 'namespace', ns])
const procEnv = {...process.env, KUBECONFIG: env.KUBECONFIG!, SPARK_HOME: env.KD_SPARK_HOME!, CI: '1'}
const kdCmd = (name: string, extra: string[]) => [join(root, 'bin', 'kubectl-kd'), ['submit', '-n', ns, '--image', image, '--service-account', 'spark', '--name', name, ...small, ...extra]] as const
const sparkCmd = (name: string, extra: string[]) =>
  [join(env.KD_SPARK_HOME!, 'bin', 'spark-submit'), ['--master', `k8s://${env.KD_API_SERVER}`, '--deploy-mode', 'cluster', '--conf', `spark.kubernetes.namespace=${ns}`, '--conf', `spark.kubernetes.container.image=${image}`,
    '--conf', 'spark.kubernetes.authenticate.driver.serviceAccountName=spark', '--conf', 'spark.kubernetes.submission.waitAppCompletion=false', '--name', name, ...small, ...extra]] as const

// one watch on driver pods for the whole run: first-seen, Running and Succeeded/Failed times per app name
const kube = await connect({kubeconfig: env.KUBECONFIG, namespace: ns})
const seen = new Map<string, {created?: number; running?: number; done?: number; phase?: string}>()
const abort = new AbortController()
type Pod = {metadata?: {name?: string; labels?: Record<string, string>}; status?: {phase?: string}}
const drivers = startInformer<Pod>(kube, {resource: R.pods(ns), labelSelector: 'spark-role=driver'}, {onChange: () => {
  const now = performance.now()
  for (const p of drivers.cache.values()) {
    const name = p.metadata?.labels?.['spark-app-name'] ?? ''
    const s = seen.get(name) ?? {}
    s.created ??= now
    if (p.status?.phase === 'Running') s.running ??= now
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') (s.done ??= now), (s.phase = p.status.phase)
    seen.set(name, s)
  }
}}, abort.signal)
await new Promise((r) => setTimeout(r, 1500))
// the driver's service account with the rights to run executors (what --create-service-account makes)
const {driverRbacObjects} = await import('../src/actions/spark-rbac.ts')
execFileSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: driverRbacObjects(ns, 'spark')}), stdio: ['pipe', 'ignore', 'inherit']})

async function timed(cmd: readonly [string, readonly string[]], name: string, waitFor: 'created' | 'done'): Promise<{created: number; exit: number; running?: number; done?: number}> {
  const t0 = performance.now()
  const child = spawn(cmd[0], cmd[1] as string[], {env: procEnv, stdio: ['ignore', 'ignore', 'pipe']})
  let err = ''
  child.stderr.on('data', (d) => (err += d))
  const code: number = await new Promise((r) => child.on('close', (c) => r(c ?? -1)))
  const exit = performance.now() - t0
  if (code !== 0) throw new Error(`${cmd[0]} exited ${code}: ${err.slice(-2000)}`)
  for (let i = 0; i < 6000; i++) {
    const s = seen.get(name)
    if (s?.created && (waitFor === 'created' || s.done)) return {created: s.created - t0, exit, running: s.running && s.running - t0, done: s.done && s.done - t0}
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no driver pod for ${name}`)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number | undefined) => (x === undefined ? '-' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`)
const lat: Record<'kd' | 'spark', {created: number[]; exit: number[]}> = {kd: {created: [], exit: []}, spark: {created: [], exit: []}}
for (let i = 0; i < runs; i++) {
  for (const who of ['kd', 'spark'] as const) {
    const name = `lat-${who}-${i}`
    const r = await timed(who === 'kd' ? kdCmd(name, ['examples/spark/pi.py']) : sparkCmd(name, ['local:///opt/spark/examples/src/main/python/pi.py']), name, 'created')
    lat[who].created.push(r.created)
    lat[who].exit.push(r.exit)
    kubectl(['delete', 'pods', '-n', ns, '-l', `spark-app-name=${name}`, '--wait=false'])
  }
}
console.log(`submit latency, ${runs} runs each (median; local single-node cluster, 2 CPUs)`)
console.log(`  command start → driver pod created:  kubectl kd ${ms(median(lat.kd.created))}   spark-submit ${ms(median(lat.spark.created))}   ratio ${(median(lat.spark.created) / median(lat.kd.created)).toFixed(1)}x`)
console.log(`  command start → command exit:        kubectl kd ${ms(median(lat.kd.exit))}   spark-submit ${ms(median(lat.spark.exit))}   ratio ${(median(lat.spark.exit) / median(lat.kd.exit)).toFixed(1)}x`)

console.log(`full job: ${app.label}, 2 executors, one run each`)
for (const who of ['kd', 'spark'] as const) {
  const name = `full-${who}`
  kubectl(['delete', 'pods', '-n', ns, '-l', `spark-app-name=${name}`, '--wait=true'])
  seen.delete(name)
  const r = await timed(who === 'kd' ? kdCmd(name, app.args) : sparkCmd(name, app.args), name, 'done')
  console.log(`  ${who === 'kd' ? 'kubectl kd  ' : 'spark-submit'}  pod created ${ms(r.created)}   driver Running ${ms(r.running)}   ${seen.get(name)?.phase === 'Succeeded' ? 'COMPLETED' : 'FAILED'} ${ms(r.done)}`)
}
abort.abort()
process.exit(0)
