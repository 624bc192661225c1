// Submit latency of `kubectl kd submit` vs the real spark-submit (cluster mode) of Spark 3.5 and Spark 4,
// measured in the same run against the local cluster: command start → driver pod created (seen by a watch
// opened beforehand), and command start → process exit. Then one full Spark 4 job each: time to driver
// Running and to COMPLETED. Fails when kubectl kd is not at least 10× faster than spark-submit 4.x to the
// driver pod (the target).
//   node --import tsx bench/spark-submit.bench.ts [runs=5]
// Needs the local cluster (npm run cluster:up), KD_SPARK_HOME and KD_SPARK4_HOME (test/cluster/env.sh).
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
const sparks = [
  {version: env.KD_SPARK_VERSION!, image: env.KD_SPARK_IMAGE!, home: env.KD_SPARK_HOME!, scala: '2.12'},
  {version: env.KD_SPARK4_VERSION!, image: env.KD_SPARK4_IMAGE!, home: env.KD_SPARK4_HOME!, scala: '2.13'},
].filter((v) => v.version && existsSync(join(v.home, 'bin', 'spark-submit')))
const spark4 = sparks.find((v) => v.version.startsWith('4'))
if (!spark4) throw new Error('no Spark 4 distribution (KD_SPARK4_HOME): bash test/cluster/build-images.sh spark4-home')
const kubectl = (args: string[]) => execFileSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, ...args], {encoding: 'utf8'})
const jar = `spark-examples_${spark4.scala}-${spark4.version}.jar`
const haveJar = existsSync(join(spark4.home, 'examples', 'jars', jar))
const app = haveJar
  ? {label: 'SparkPi (JVM)', args: ['--class', 'org.apache.spark.examples.SparkPi', `local:///opt/spark/examples/jars/${jar}`, '100']}
  : {label: 'PySpark pi (examples jar missing from the image)', args: ['local:///opt/spark/examples/src/main/python/pi.py', '10']}
const small = ['--conf', 'spark.kubernetes.driver.request.cores=200m', '--conf', 'spark.kubernetes.executor.request.cores=200m', '--driver-memory', '512m', '--executor-memory', '512m', '--num-executors', '2']

if (!kubectl(['get', 'namespaces', '-o', 'name']).includes(`namespace/${ns}\n`)) kubectl(['create', 'namespace', ns])
type Spark = (typeof sparks)[number]
const procEnv = (v: Spark) => ({...process.env, KUBECONFIG: env.KUBECONFIG!, SPARK_HOME: v.home, CI: '1'})
const kdCmd = (v: Spark, name: string, extra: string[]) => [join(root, 'bin', 'kubectl-kd'), ['submit', '-n', ns, '--image', v.image, '--service-account', 'spark', '--name', name, ...small, ...extra], v] as const
const sparkCmd = (v: Spark, name: string, extra: string[]) =>
  [join(v.home, 'bin', 'spark-submit'), ['--master', `k8s://${env.KD_API_SERVER}`, '--deploy-mode', 'cluster', '--conf', `spark.kubernetes.namespace=${ns}`, '--conf', `spark.kubernetes.container.image=${v.image}`,
    '--conf', 'spark.kubernetes.authenticate.driver.serviceAccountName=spark', '--conf', 'spark.kubernetes.submission.waitAppCompletion=false', '--name', name, ...small, ...extra], v] as const

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
const {driverRbacObjects} = await import('../src/actions/job/spark-rbac.ts')
execFileSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: driverRbacObjects(ns, 'spark')}), stdio: ['pipe', 'ignore', 'inherit']})

async function timed(cmd: readonly [string, readonly string[], Spark], name: string, waitFor: 'created' | 'done'): Promise<{created: number; exit: number; running?: number; done?: number}> {
  const t0 = performance.now()
  const child = spawn(cmd[0], cmd[1] as string[], {env: procEnv(cmd[2]), stdio: ['ignore', 'ignore', 'pipe']})
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
let ratio4 = 0
for (const v of sparks) {
  const lat: Record<'kd' | 'spark', {created: number[]; exit: number[]}> = {kd: {created: [], exit: []}, spark: {created: [], exit: []}}
  const tag = v.version.replace(/\./g, '')
  for (let i = 0; i < runs; i++) {
    for (const who of ['kd', 'spark'] as const) {
      const name = `lat-${tag}-${who}-${i}`
      const r = await timed(who === 'kd' ? kdCmd(v, name, ['examples/spark/pi.py']) : sparkCmd(v, name, ['local:///opt/spark/examples/src/main/python/pi.py']), name, 'created')
      lat[who].created.push(r.created)
      lat[who].exit.push(r.exit)
      kubectl(['delete', 'pods', '-n', ns, '-l', `spark-app-name=${name}`, '--wait=false'])
    }
  }
  const ratio = median(lat.spark.created) / median(lat.kd.created)
  if (v === spark4) ratio4 = ratio
  console.log(`Spark ${v.version}: submit latency, ${runs} runs each (median; local single-node cluster, 2 CPUs)`)
  console.log(`  command start → driver pod created:  kubectl kd ${ms(median(lat.kd.created))}   spark-submit ${ms(median(lat.spark.created))}   ratio ${ratio.toFixed(1)}x`)
  console.log(`  command start → command exit:        kubectl kd ${ms(median(lat.kd.exit))}   spark-submit ${ms(median(lat.spark.exit))}   ratio ${(median(lat.spark.exit) / median(lat.kd.exit)).toFixed(1)}x`)
}

console.log(`full job on Spark ${spark4.version}: ${app.label}, 2 executors, one run each`)
for (const who of ['kd', 'spark'] as const) {
  const name = `full-${who}`
  kubectl(['delete', 'pods', '-n', ns, '-l', `spark-app-name=${name}`, '--wait=true'])
  seen.delete(name)
  const r = await timed(who === 'kd' ? kdCmd(spark4, name, app.args) : sparkCmd(spark4, name, app.args), name, 'done')
  console.log(`  ${who === 'kd' ? 'kubectl kd  ' : 'spark-submit'}  pod created ${ms(r.created)}   driver Running ${ms(r.running)}   ${seen.get(name)?.phase === 'Succeeded' ? 'COMPLETED' : 'FAILED'} ${ms(r.done)}`)
}
abort.abort()
console.log(`target: kubectl kd ≥ 10x faster than spark-submit ${spark4.version} to the driver pod: ${ratio4 >= 10 ? 'met' : 'NOT met'} (${ratio4.toFixed(1)}x)`)
process.exit(ratio4 >= 10 ? 0 : 1)
