// spark-submit's command line end to end on the local cluster: the Spark article's command (seed 002)
// with only the command name, image and jar path changed; --status/--kill; Spark 3.5.9 and 4.3.0 side by
// side (JVM and PySpark); pod templates compared with the real spark-submit of each version; dynamic
// allocation observed from the pods; the refusals (one line, exit 1, nothing created).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl, kubectlJson} from '../lib/cluster.ts'
import {isOneLineError, kd, kdAsync} from '../lib/kd.ts'
import {driverObjects, realSparkSubmit} from '../lib/spark-submit.ts'
import {eventually} from './agent-members.ts'
import {normalize, sparkContainer} from '../unit/spark-compare.ts'

const ns = createNamespace('kd-e2e-spark-cli')
const dir = mkdtempSync(join(tmpdir(), 'kd-spark-cli-'))
// the article's setup step: "RBAC rules needed for the default namespace and service account"
kubectl(['create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${ns}:default`, '-n', ns])
// a kubeconfig whose context's namespace is the test's: the article's command names no namespace
const kubeconfig = join(dir, 'kubeconfig')
writeFileSync(kubeconfig, kubectl(['config', 'view', '--raw', '--minify']))
kubectl(['config', 'set-context', '--current', `--namespace=${ns}`], {kubeconfig})
const userEnv = () => ({...clusterEnv(), KUBECONFIG: kubeconfig})

const V3 = {version: env.KD_SPARK_VERSION!, image: env.KD_SPARK_IMAGE!, home: env.KD_SPARK_HOME!, scala: '2.12'}
const V4 = {version: env.KD_SPARK4_VERSION!, image: env.KD_SPARK4_IMAGE!, home: env.KD_SPARK4_HOME!, scala: '2.13'}
const jarOf = (v: typeof V3) => `local:///opt/spark/examples/jars/spark-examples_${v.scala}-${v.version}.jar`
const master = `k8s://${env.KD_API_SERVER}`
const small = ['--conf', 'spark.kubernetes.driver.request.cores=100m', '--conf', 'spark.kubernetes.executor.request.cores=100m', '--driver-memory', '512m', '--executor-memory', '512m']
const executorPods = (selector = '') => kubectl(['get', 'pods', '-n', ns, '-l', `spark-role=executor${selector}`, '-o', 'name']).trim().split('\n').filter(Boolean)
const allPods = () => kubectl(['get', 'pods', '-n', ns, '-o', 'name']).trim().split('\n').filter(Boolean)

/** Runs kd in the background, sampling the number of executor pods of the job every second. */
async function runCounting(args: string[], selector: string): Promise<{code: number; stdout: string; stderr: string; counts: number[]}> {
  const p = kdAsync(args, {env: userEnv()})
  const counts: number[] = []
  let done = false
  void p.finally(() => (done = true))
  while (!done) {
    counts.push(executorPods(selector).length)
    await new Promise((r) => setTimeout(r, 1000))
  }
  return {...(await p), counts}
}

const seed = suite("the Spark article's spark-submit command")

seed('runs verbatim (image, jar path and command name changed) to COMPLETED with 5 executors; --status and --kill as spark-submit', async () => {
  // Added, and why: the node has 2 CPUs, and Spark requests 1 CPU per pod by default (6 pods), so the
  // driver and executors ask for 100m. Nothing else: the rest is the article's command line.
  const started = Date.now()
  const r = await runCounting(['submit',
    '--master', master,
    '--deploy-mode', 'cluster',
    '--name', 'spark-pi',
    '--class', 'org.apache.spark.examples.SparkPi',
    '--conf', 'spark.executor.instances=5',
    '--conf', `spark.kubernetes.container.image=${V4.image}`,
    '--conf', 'spark.kubernetes.driver.pod.name=spark-pi-driver',
    '--conf', 'spark.kubernetes.driver.request.cores=100m', '--conf', 'spark.kubernetes.executor.request.cores=100m',
    jarOf(V4)], ',spark-app-name=spark-pi')
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^job\/spark-pi created$/m)
  assert.match(r.stderr, /submission ID [^:]+:spark-pi-driver/)
  assert.match(r.stderr, /job\/spark-pi COMPLETED/)
  assert.is(Math.max(...r.counts), 5, `executor pods seen: ${r.counts.join(',')}`)
  console.log(`  article's command: COMPLETED in ${((Date.now() - started) / 1000).toFixed(0)}s, executor pods seen at most ${Math.max(...r.counts)}`)
  const logs = kd(['logs', 'spark-pi', '-n', ns], {env: clusterEnv()})
  assert.match(logs.stdout, /Pi is roughly 3\.1/)

  const status = kd(['submit', '--master', master, '--status', `${ns}:spark-pi-driver`], {env: userEnv()})
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stderr, new RegExp(`Submitting a request for the status of submission ${ns}:spark-pi-driver in ${master}\\.`))
  assert.match(status.stdout, /Application status \(driver\): \n\t pod name: spark-pi-driver\n/)
  assert.match(status.stdout, /\t phase: Succeeded\n/)
  assert.match(status.stdout, /exit code: 0/)
  const glob = kd(['submit', '--master', master, '--status', 'spark-pi*', '-o', 'json'], {env: userEnv()})
  assert.is(JSON.parse(glob.stdout).state, 'COMPLETED', glob.stderr)
  const kill = kd(['submit', '--master', master, '--kill', `${ns}:spark-pi*`], {env: userEnv()})
  assert.is(kill.code, 0, kill.stderr)
  assert.match(kill.stderr, /Submitting a request to kill submission .*spark-pi\* in .*\. Grace period in secs: not set\./)
  assert.match(kill.stdout, /^pod\/spark-pi-driver deleted/m)
  await eventually('driver pod gone', () => !allPods().includes('pod/spark-pi-driver'), 60_000)
})

seed.run()

const versions = suite('Spark 3.5.9 and 4.3.0 side by side: SparkPi (JVM) and PySpark')

versions('all four COMPLETED (the version taken from the image tag)', async () => {
  const started = Date.now()
  const jobs = [V3, V4].flatMap((v) => [
    ['submit', '-n', ns, '--image', v.image, '--name', `pi-jvm-${v.version.replace(/\./g, '')}`, '--class', 'org.apache.spark.examples.SparkPi', '--num-executors', '1', ...small, '--wait', '--timeout', '8m', jarOf(v), '4'],
    ['submit', '-n', ns, '--image', v.image, '--name', `pi-py-${v.version.replace(/\./g, '')}`, '--num-executors', '1', ...small, '--wait', '--timeout', '8m', 'examples/spark/pi.py', '4'],
  ])
  const results = await Promise.all(jobs.map((args) => kdAsync(args, {env: clusterEnv()})))
  for (const [i, r] of results.entries()) {
    assert.is(r.code, 0, `${jobs[i]!.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /COMPLETED/)
  }
  for (const v of [V3, V4]) {
    const pods = kubectlJson(['get', 'pods', '-n', ns, '-l', `spark-role=driver,spark-version=${v.version}`]).items
    assert.is(pods.length, 2, `${v.version}: ${pods.map((p: any) => p.metadata.name)}`)
    const ports = pods.map((p: any) => sparkContainer(p).ports.map((x: any) => x.name).join(','))
    assert.equal(ports, Array(2).fill(v === V4 ? 'driver-rpc-port,blockmanager,spark-ui,spark-connect' : 'driver-rpc-port,blockmanager,spark-ui'))
  }
  console.log(`  4 jobs (2 versions x JVM/PySpark) in parallel: ${((Date.now() - started) / 1000).toFixed(0)}s`)
  kubectl(['delete', 'pods', '-n', ns, '-l', 'spark-role=driver', '--wait=false'])
})

versions.run()

// ——— pod templates, side by side with the real spark-submit of each version ———
const templates = suite('pod templates: kubectl kd submit and the real spark-submit build the same pods')

const template = (role: string) => `apiVersion: v1
kind: Pod
metadata:
  labels:
    template: ${role}
spec:
  volumes:
    - name: scratch
      emptyDir: {}
  containers:
    - name: spark
      volumeMounts:
        - name: scratch
          mountPath: /scratch
    - name: sidecar
      image: ${env.KD_SHELL_IMAGE}
      volumeMounts:
        - name: scratch
          mountPath: /scratch
`
writeFileSync(join(dir, 'driver.yaml'), template('driver'))
writeFileSync(join(dir, 'executor.yaml'), template('executor'))
writeFileSync(join(dir, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n')


/** An executor pod reduced to what the template decides (names of containers, volumes, mounts; labels). */
function executorShape(appId: string) {
  const e = kubectlJson(['get', 'pods', '-n', ns, '-l', `spark-app-selector=${appId},spark-role=executor`]).items[0]
  if (!e) return undefined
  return {
    containers: e.spec.containers.map((c: any) => c.name),
    volumes: e.spec.volumes.map((v: any) => v.name).filter((n: string) => !n.startsWith('kube-api-access')),
    mounts: e.spec.containers.map((c: any) => (c.volumeMounts ?? []).map((m: any) => `${m.name}:${m.mountPath.replace(/spark-[0-9a-f-]{36}$/, 'spark-<UUID>')}`).filter((m: string) => !m.startsWith('kube-api-access'))),
    template: e.metadata.labels.template,
  }
}

for (const v of [V3, V4]) {
  templates(`Spark ${v.version}: a volume, a label and a sidecar in the driver and the executors, as spark-submit makes them`, async () => {
    const common = ['--name', 'tpl', '--class', 'org.apache.spark.examples.SparkPi', '--conf', 'spark.executor.instances=1', ...small,
      '--conf', 'spark.kubernetes.executor.deleteOnTermination=false',
      '--conf', `spark.kubernetes.driver.podTemplateFile=${join(dir, 'driver.yaml')}`, '--conf', 'spark.kubernetes.driver.podTemplateContainerName=spark',
      '--conf', `spark.kubernetes.executor.podTemplateFile=${join(dir, 'executor.yaml')}`, '--conf', 'spark.kubernetes.executor.podTemplateContainerName=spark',
      '--conf', 'spark.kubernetes.submission.waitAppCompletion=false',
      '--conf', `spark.kubernetes.container.image=${v.image}`, '--conf', `spark.kubernetes.namespace=${ns}`, jarOf(v), '1000']
    const started = Date.now()
    const real = realSparkSubmit(v.home, ['--master', master, '--deploy-mode', 'cluster', ...common], 240_000)
    assert.is(real.code, 0, real.out)
    const realMs = Date.now() - started
    const realPod = /submission ID [^:]+:(\S+) into Kubernetes/.exec(real.out)?.[1]
    assert.ok(realPod, real.out)
    const ours = kd(['submit', '--master', master, '--deploy-mode', 'cluster', ...common], {env: clusterEnv()})
    assert.is(ours.code, 0, ours.stderr)
    const ourPod = /submission ID [^:]+:(\S+)/.exec(ours.stderr)![1]!
    const a = driverObjects(ns, ourPod)
    const b = driverObjects(ns, realPod!)
    const na = normalize(a, {user: true})
    const nb = normalize(b, {user: true})
    assert.equal(na.pod.metadata, nb.pod.metadata)
    assert.equal(na.pod.spec, nb.pod.spec)
    assert.equal(na.service, nb.service)
    assert.equal(na.properties, nb.properties)
    assert.equal(a.pod.spec.containers.map((c: any) => c.name), ['sidecar', 'spark'])
    assert.is(a.pod.metadata.labels.template, 'driver')
    // the executor template travelled in <prefix>-driver-podspec-conf-map, as with spark-submit
    const tplCms = (pod: any) => pod.spec.volumes.filter((x: any) => x.name === 'pod-template-volume').map((x: any) => x.configMap.name.replace(/-[0-9a-f]{14,18}-/, '-<ID>-'))
    assert.equal(tplCms(a.pod), tplCms(b.pod))
    // the executors the two drivers made
    const shapes = await eventually('an executor of each job', () => {
      const s = [executorShape(a.pod.metadata.labels['spark-app-selector']), executorShape(b.pod.metadata.labels['spark-app-selector'])]
      return s[0] && s[1] ? s : undefined
    }, 240_000)
    assert.equal(shapes[0], shapes[1])
    assert.equal(shapes[0]!.containers, ['sidecar', 'spark'])
    assert.is(shapes[0]!.template, 'executor')
    assert.ok(shapes[0]!.volumes.includes('scratch'), JSON.stringify(shapes[0]))
    console.log(`  Spark ${v.version}: real spark-submit took ${(realMs / 1000).toFixed(1)}s to submit`)
    kubectl(['delete', 'pod', '-n', ns, ourPod, realPod!, '--wait=false'])
  })
}

templates.run()

// ——— dynamic allocation ———
const dynamic = suite('dynamic allocation with shuffle tracking')

dynamic('executors scale up under load (max 3) and back to 0 when idle', async () => {
  const job = join(dir, 'load_then_idle.py')
  writeFileSync(job, `import time
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("da").getOrCreate()
sc = spark.sparkContext
# load: 24 tasks of 3 s, more than one executor can run
print("busy", sc.parallelize(range(24), 24).map(lambda x: (time.sleep(3), x)[1]).sum(), flush=True)
# idle: no tasks, executors are released after spark.dynamicAllocation.executorIdleTimeout
time.sleep(30)
spark.stop()
`)
  const r = await runCounting(['submit', '-n', ns, '--image', V4.image, '--name', 'da', ...small,
    '--conf', 'spark.dynamicAllocation.enabled=true', '--conf', 'spark.dynamicAllocation.shuffleTracking.enabled=true',
    '--conf', 'spark.dynamicAllocation.minExecutors=0', '--conf', 'spark.dynamicAllocation.maxExecutors=3', '--conf', 'spark.dynamicAllocation.initialExecutors=0',
    '--conf', 'spark.dynamicAllocation.executorIdleTimeout=5s', '--conf', 'spark.dynamicAllocation.schedulerBacklogTimeout=1s',
    '--wait', '--timeout', '8m', job], ',spark-app-name=da')
  assert.is(r.code, 0, r.stderr)
  const peak = Math.max(...r.counts)
  const peakAt = r.counts.indexOf(peak)
  const afterPeak = r.counts.slice(peakAt)
  console.log(`  executor pods over time (1 s samples): ${r.counts.join(' ')}`)
  assert.ok(peak >= 2 && peak <= 3, `peak ${peak}`)
  // back to zero while the driver was still running (the idle half minute)
  assert.ok(afterPeak.includes(0), `never back to 0 after the peak: ${afterPeak.join(' ')}`)
})

dynamic.run()

// ——— refusals ———
const errors = suite('errors: one line, exit 1, nothing created')
errors.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

errors('client mode, an unknown master scheme, a master matching no context, --kill of nothing, a template that is not a Pod', () => {
  const before = new Set(allPods())
  const app = ['--class', 'org.apache.spark.examples.SparkPi', '--conf', `spark.kubernetes.container.image=${V4.image}`, jarOf(V4)]
  const cases: [string[], RegExp][] = [
    [['submit', '--master', master, '--deploy-mode', 'client', ...app], /--deploy-mode client runs the driver on this machine.*--cluster NAME.*spark-submit/],
    [['submit', '--master', 'mesosx://h:5050', ...app], /Master must either be yarn or start with spark, mesos, k8s, or local/],
    [['submit', '--master', 'spark://h:7077', ...app], /use --cluster NAME/],
    [['submit', '--master', 'k8s://https://10.255.0.1:6443', ...app], /no context in the kubeconfig has the API server https:\/\/10.255.0.1:6443/],
    [['submit', '--master', master, '--kill', `${ns}:nothing-here*`], /No applications found/],
    [['submit', '--master', master, '--kill', 'nothing-here-driver'], /Application not found/],
    [['submit', '--master', master, '--conf', `spark.kubernetes.driver.podTemplateFile=${join(dir, 'deployment.yaml')}`, ...app], /Could not load pod from template file: kind is "Deployment", not Pod/],
    [['submit', '--master', master, '--supervise', ...app], /--supervise restarts a driver in Spark standalone or Mesos cluster mode only/],
  ]
  for (const [args, re] of cases) {
    const r = kd(args, {env: userEnv()})
    assert.ok(isOneLineError(r), `${args.join(' ')}: ${r.code} ${r.stderr}`)
    assert.match(r.stderr, re)
  }
  assert.equal(allPods().filter((p) => !before.has(p)), [])
})

errors.run()
