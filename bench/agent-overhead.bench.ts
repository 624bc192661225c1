// Agent overhead on the local cluster (issue 5): the time from the last member's app container running
// to the cluster's `configured` state, at 3, 20 and 100 members of the shelldemo app (busybox pods with
// tiny resource requests) running examples/packages/tiny (a startscript that returns at once, so the
// figure is the agent and the member protocol, not an application's start; KD_BENCH_AGENT_PACKAGE=shelldemo
// keeps the app's own package), and the agent's memory at the largest size. Both instants are seen by one watch client here
// (pods and the root ConfigMap), so watch latency cancels out. Targets: ≤ 1 s at 20, ≤ 5 s at 100, agent
// RSS ≤ 64 MiB. KubeDirector's reconcile loop runs every 30 s, so each of its steps can take up to 30 s.
//   node --import tsx bench/agent-overhead.bench.ts [SIZES…]   (default 3 20 100; KD_BENCH_AGENT_SIZES too;
//   uses the built dist/: npm run build first)
import {spawnSync} from 'node:child_process'
import {cpus, loadavg} from 'node:os'
import {createNamespace, deleteNamespace, env, kubectl, kubectlJson} from '../test/lib/cluster.ts'
import {join} from 'node:path'
import {kd, repoRoot} from '../test/lib/kd.ts'
import {ANNOTATION, APP_CONTAINER, LABEL} from '../src/cluster/names.ts'
import {httpClient} from '../src/kube/http-client.ts'
import {R} from '../src/kube/client.ts'
import {leanCredentials} from '../src/kube/simple-kubeconfig.ts'
import {startInformer} from '../src/kube/informer.ts'

const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : (process.env.KD_BENCH_AGENT_SIZES ?? '3 20 100').split(/\s+/)).map(Number).filter((n) => n >= 2)
const TARGETS: Record<number, number> = {20: 1000, 100: 5000}
const RSS_TARGET_MIB = 64

interface Pod {
  metadata?: {name?: string; resourceVersion?: string; annotations?: Record<string, string>; labels?: Record<string, string>}
  status?: {containerStatuses?: Array<{name: string; state?: {running?: unknown}}>}
}

interface Result {
  members: number
  createToRunningMs: number
  overheadMs: number
  createToConfiguredMs: number
  memory?: {vmRssMiB: number; rssAnonMiB: number; rssFileMiB: number; workingSetMiB?: number}
}

const mib = (kb: number) => Math.round(kb / 102.4) / 10

async function measure(members: number): Promise<Result> {
  const ns = createNamespace(`kd-bench-agent-${members}`)
  const api = httpClient(leanCredentials(env.KUBECONFIG!, {namespace: ns}))
  const running = new Map<string, number>()
  let configuredAt = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((r) => (done = r))
  const check = () => {
    if (configuredAt && running.size === members) done()
  }
  const pods = startInformer<Pod>(api, {resource: R.pods(ns), labelSelector: `${LABEL.cluster}=b,${LABEL.role}`}, {
    onChange: () => {
      const now = performance.now()
      for (const p of pods.cache.values()) {
        const name = p.metadata?.name ?? ''
        if (!running.has(name) && p.status?.containerStatuses?.find((c) => c.name === APP_CONTAINER)?.state?.running) running.set(name, now)
      }
      check()
    },
  })
  const root = startInformer<Pod>(api, {resource: R.configMaps(ns), fieldSelector: 'metadata.name=b-kd'}, {
    onChange: () => {
      const state = root.cache.get(`${ns}/b-kd`)?.metadata?.annotations?.[ANNOTATION.state]
      if (state === 'configured' && !configuredAt && running.size === members) configuredAt = performance.now()
      check()
    },
  })
  await Promise.all([pods.synced, root.synced])
  const small = '{requests: {cpu: 5m, memory: 16Mi}, limits: {cpu: "1", memory: 64Mi}}'
  const spec = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: b}
spec:
  app: shelldemo
  roles:
  - {id: controller, members: 1, resources: ${small}}
  - {id: worker, members: ${members - 1}, resources: ${small}}
`
  const t0 = performance.now()
  const pkg = process.env.KD_BENCH_AGENT_PACKAGE === 'shelldemo' ? [] : ['controller', 'worker'].flatMap((role) => ['--package', `${role}=${join(repoRoot, 'examples/packages/tiny')}`])
  const r = kd(['create', '-f', '-', '-n', ns, ...pkg], {input: spec, env: {KUBECONFIG: env.KUBECONFIG!}})
  if (r.code !== 0) throw new Error(`create failed: ${r.stderr}`)
  const timeout = setTimeout(() => done(), 15 * 60_000)
  await finished
  clearTimeout(timeout)
  pods.stop()
  root.stop()
  api.close()
  if (!configuredAt) throw new Error(`${members} members: not configured within 15 min (${running.size} running)`)
  const lastRunning = Math.max(...running.values())
  const result: Result = {members, createToRunningMs: lastRunning - t0, overheadMs: configuredAt - lastRunning, createToConfiguredMs: configuredAt - t0}
  if (members === Math.max(...sizes)) result.memory = agentMemory(ns)
  const agentLog = kubectl(['-n', ns, 'logs', 'deploy/b-kd-agent'], {allowFail: true}).trim().split('\n').filter((l) => /cluster configured/.test(l)).pop()
  if (agentLog) process.stdout.write(`  agent: ${agentLog.replace(/^\S+ /, '')}\n`)
  deleteNamespace(ns)
  return result
}

function agentMemory(ns: string): Result['memory'] {
  const pod = kubectlJson(['-n', ns, 'get', 'pods', '-l', `${LABEL.cluster}=b,${LABEL.component}=agent`]).items[0]
  const status = kubectl(['-n', ns, 'exec', pod.metadata.name, '--', 'cat', '/proc/1/status'])
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  // what the kubelet (and kubectl top, metrics-server) report and what the memory limit applies to
  let workingSetMiB: number | undefined
  const summary = spawnSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, 'get', '--raw', `/api/v1/nodes/${env.KD_NODE_NAME}/proxy/stats/summary`], {encoding: 'utf8', maxBuffer: 64 << 20})
  try {
    const s = JSON.parse(summary.stdout) as {pods: Array<{podRef: {name: string; namespace: string}; containers?: Array<{name: string; memory?: {workingSetBytes?: number}}>}>}
    const ws = s.pods.find((p) => p.podRef.namespace === ns && p.podRef.name === pod.metadata.name)?.containers?.find((c) => c.name === 'agent')?.memory?.workingSetBytes
    if (ws) workingSetMiB = Math.round(ws / 104857.6) / 10
  } catch {}
  return {vmRssMiB: mib(kb('VmRSS')), rssAnonMiB: mib(kb('RssAnon')), rssFileMiB: mib(kb('RssFile')), workingSetMiB}
}

const results: Result[] = []
let failed = false
for (const n of sizes) {
  try {
    const r = await measure(n)
    results.push(r)
    const target = TARGETS[n]
    const verdict = target === undefined ? '' : r.overheadMs <= target ? `  (target ≤ ${target / 1000} s: ok)` : `  (target ≤ ${target / 1000} s: MISSED)`
    if (target !== undefined && r.overheadMs > target) failed = true
    process.stdout.write(
      `${String(n).padStart(4)} members (load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs): last member running → configured ${(r.overheadMs / 1000).toFixed(2)} s${verdict}; create → all running ${(r.createToRunningMs / 1000).toFixed(1)} s, → configured ${(r.createToConfiguredMs / 1000).toFixed(1)} s\n`,
    )
    if (r.memory) {
      const m = r.memory
      process.stdout.write(
        `      agent memory at ${n} members: working set ${m.workingSetMiB ?? '?'} MiB (target ≤ ${RSS_TARGET_MIB} MiB: ${(m.workingSetMiB ?? Infinity) <= RSS_TARGET_MIB ? 'ok' : 'MISSED'}); ` +
          `VmRSS ${m.vmRssMiB} MiB = anon ${m.rssAnonMiB} + file ${m.rssFileMiB} (shared, clean pages of the node binary; a bare \`node -e 0\` has ~34)\n`,
      )
    }
  } catch (err) {
    failed = true
    process.stdout.write(`${n} members: ${(err as Error).message}\n`)
  }
}
process.stdout.write(`${JSON.stringify({bench: 'agent-overhead', results})}\n`)
process.exit(failed ? 1 : 0)
