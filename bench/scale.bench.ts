// Scale on KWOK fake nodes (issue 8): a cluster of M members (default 1000) of the `tiny` app (one role, no
// config package: the agent configures members without exec) on fake nodes started by
// test/cluster/kwok/start.sh, against the local API server with its real scheduler and controllers.
// Measures, all with the built plugin as a user runs it, against the reference Kubernetes itself sets (the
// same StatefulSets and Services applied and deleted by kubectl, no agent, in the same run):
//  - `create --wait` → configured, `scale --wait` M → M/2 → M, `delete --wait` (and until no object is left)
//  - the agent's CPU (utime+stime of its PID 1) and memory (VmRSS, VmHWM; working set from the kubelet)
//  - API requests made by the agent: a FlowSchema matching only the agent's ServiceAccount is created for
//    the run, so apiserver_flowcontrol_dispatched_requests_total{flow_schema=…} counts exactly its requests
//    (watches count once); the API server's apiserver_request_total over the whole run is printed too
//    (everyone: KWOK, controllers, scheduler, the plugin, other tests)
//  - `kubectl kd status NAME` and `kubectl kd get` at M members against `kubectl get pods -l
//    kubectl-kd.io/cluster=NAME` (median of 5 runs each, same run), with ratios.
//   node --import tsx bench/scale.bench.ts [M]     (KD_BENCH_SCALE_MEMBERS too; npm run build first)
import {mkdtempSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl, kubectlJson, objectsWithLabel} from '../test/lib/cluster.ts'
import {kd} from '../test/lib/kd.ts'
import {clusterFile, startKwok, stopKwok, tinyApp} from '../test/e2e/scale-kwok-lib.ts'

const M = Number(process.argv[2] ?? process.env.KD_BENCH_SCALE_MEMBERS ?? 1000)
if (!Number.isInteger(M) || M < 4 || M % 2) throw new Error(`members: want an even number ≥ 4, not ${M}`)
const NAME = 'big'
const FLOW = 'kd-bench-scale-agent'
const out = (s: string) => process.stdout.write(`${s}\n`)
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`
const s1 = (ms: number) => (ms / 1000).toFixed(1)

const args = (a: string[]) => [...a, '-n', ns]

/** The API server answers /readyz (other suites on this machine restart it: faults-apiserver). */
async function waitApi(limitMs = 180_000): Promise<void> {
  const t0 = performance.now()
  while (performance.now() - t0 < limitMs) {
    if (spawnSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, 'get', '--raw', '/readyz'], {encoding: 'utf8'}).stdout?.trim() === 'ok') return
    await new Promise((r) => setTimeout(r, 1000))
  }
}
const retried: string[] = []
await waitApi()
const ns = createNamespace('kd-bench-scale')
/** Runs the plugin; a command that could not reach the API server (restarted by someone else) is run again once. */
async function timed(a: string[], timeoutMs = 30 * 60_000): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const t0 = performance.now()
    const r = kd(args(a), {env: clusterEnv(), timeoutMs})
    const ms = performance.now() - t0
    if (r.code === 0) return ms
    if (attempt === 0 && a[0] !== 'create' && /not reachable|ECONNREFUSED|ECONNRESET/.test(r.stderr)) {
      retried.push(a.join(' '))
      out(`  (kubectl kd ${a.join(' ')}: API server unreachable after ${s1(ms)} s, run again)`)
      await waitApi()
      continue
    }
    throw new Error(`kubectl kd ${a.join(' ')} failed (exit ${r.code}) after ${s1(ms)} s: ${r.stderr.slice(-1500)}`)
  }
}

// --- API server metrics ------------------------------------------------------------------------------
function metrics(): string {
  const r = spawnSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, 'get', '--raw', '/metrics'], {encoding: 'utf8', maxBuffer: 256 << 20})
  return r.stdout ?? ''
}
function sum(text: string, metric: string, filter: (labels: string) => boolean = () => true): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue
    const close = line.lastIndexOf('}')
    if (filter(line.slice(metric.length + 1, close))) total += Number(line.slice(close + 1).trim().split(' ')[0])
  }
  return total
}
const agentRequests = (text: string) => sum(text, 'apiserver_flowcontrol_dispatched_requests_total', (l) => l.includes(`flow_schema="${FLOW}"`))
const allRequests = (text: string) => sum(text, 'apiserver_request_total')
/** per verb+resource of apiserver_request_total (to show what the whole run consisted of) */
function byVerbResource(text: string): Map<string, number> {
  const m = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue
    const lab = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(line)?.[1] ?? ''
    const key = `${lab('verb')} ${lab('resource')}${lab('subresource') ? '/' + lab('subresource') : ''}`
    m.set(key, (m.get(key) ?? 0) + Number(line.slice(line.lastIndexOf('}') + 1).trim().split(' ')[0]))
  }
  return m
}

// --- the agent's CPU and memory ------------------------------------------------------------------------
interface AgentSample {
  cpuSeconds: number
  vmRssMiB: number
  vmHwmMiB: number
  workingSetMiB?: number
  restarts: number
}
const mib = (kb: number) => Math.round(kb / 102.4) / 10
function agentPod(): {name: string; node: string; restarts: number} {
  const pod = kubectlJson<any>(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${NAME},app.kubernetes.io/component=agent`]).items.find((p: any) => !p.metadata.deletionTimestamp)
  if (!pod) throw new Error('no agent pod')
  return {name: pod.metadata.name, node: pod.spec.nodeName, restarts: pod.status?.containerStatuses?.[0]?.restartCount ?? 0}
}
function agentSample(): AgentSample {
  const pod = agentPod()
  const text = kubectl(['-n', ns, 'exec', pod.name, '-c', 'agent', '--', 'cat', '/proc/1/stat', '/proc/1/status'])
  // /proc/PID/stat: fields after the ")" of comm; utime and stime are fields 14 and 15 (clock ticks, 100/s)
  const after = text.slice(text.indexOf(')') + 2).split(' ')
  const cpuSeconds = (Number(after[11]) + Number(after[12])) / 100
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0)
  let workingSetMiB: number | undefined
  const summary = spawnSync(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, 'get', '--raw', `/api/v1/nodes/${pod.node}/proxy/stats/summary`], {encoding: 'utf8', maxBuffer: 64 << 20})
  try {
    const s = JSON.parse(summary.stdout) as {pods: Array<{podRef: {name: string; namespace: string}; containers?: Array<{name: string; memory?: {workingSetBytes?: number}}>}>}
    const ws = s.pods.find((p) => p.podRef.namespace === ns && p.podRef.name === pod.name)?.containers?.find((c) => c.name === 'agent')?.memory?.workingSetBytes
    if (ws) workingSetMiB = Math.round(ws / 104857.6) / 10
  } catch {}
  return {cpuSeconds, vmRssMiB: mib(kb('VmRSS')), vmHwmMiB: mib(kb('VmHWM')), workingSetMiB, restarts: pod.restarts}
}

function median(fn: () => void, n = 5): number {
  const t: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    fn()
    t.push(performance.now() - t0)
  }
  return t.sort((a, b) => a - b)[Math.floor(n / 2)]!
}

// --- the reference: kubectl, no agent ------------------------------------------------------------------
function referenceRun(file: string): {applyMs: number; deleteMs: number} {
  const refNs = createNamespace('kd-bench-scale-ref')
  try {
    const rendered = kd(args(['create', '-f', file, '--dry-run=client', '-o', 'json']), {env: clusterEnv()})
    if (rendered.code !== 0) throw new Error(`create --dry-run=client failed: ${rendered.stderr}`)
    const items = (JSON.parse(rendered.stdout) as {items: any[]}).items
      .filter((o) => (o.kind === 'StatefulSet' || o.kind === 'Service') && o.metadata.labels?.['app.kubernetes.io/component'] !== 'agent')
      .map((o) => ({...o, metadata: {...o.metadata, namespace: refNs}}))
    const list = JSON.stringify({apiVersion: 'v1', kind: 'List', items})
    const running = () => Number(spawnSync('sh', ['-c', `"${env.KD_KUBECTL}" --kubeconfig "${env.KUBECONFIG}" get pods -n ${refNs} --field-selector=status.phase=Running -o name | wc -l`], {encoding: 'utf8'}).stdout.trim())
    const t0 = performance.now()
    kubectl(['apply', '-f', '-'], {input: list})
    while (running() < M) {
      if (performance.now() - t0 > 30 * 60_000) throw new Error('reference: pods not Running after 30 min')
      spawnSync('sleep', ['0.5'])
    }
    const applyMs = performance.now() - t0
    const t1 = performance.now()
    kubectl(['delete', '-f', '-', '--wait', '--timeout=30m'], {input: list})
    while (Number(spawnSync('sh', ['-c', `"${env.KD_KUBECTL}" --kubeconfig "${env.KUBECONFIG}" get pods -n ${refNs} -o name | wc -l`], {encoding: 'utf8'}).stdout.trim()) > 0) spawnSync('sleep', ['0.5'])
    const deleteMs = performance.now() - t1
    out(`  reference, kubectl and no agent (${items.length} StatefulSets and Services): apply until ${M} pods Running ${s1(applyMs)} s; delete --wait until no pod ${s1(deleteMs)} s; ${load()}`)
    return {applyMs, deleteMs}
  } finally {
    deleteNamespace(refNs)
  }
}

// --- the run -------------------------------------------------------------------------------------------
let failed = false
const result: Record<string, unknown> = {bench: 'scale', members: M}
try {
  startKwok(Math.max(2, Math.ceil(M / 1000)))
  kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: {name: FLOW},
      spec: {
        priorityLevelConfiguration: {name: 'workload-low'},
        matchingPrecedence: 8000,
        distinguisherMethod: {type: 'ByUser'},
        rules: [
          {
            subjects: [{kind: 'ServiceAccount', serviceAccount: {name: `${NAME}-kd-agent`, namespace: ns}}],
            resourceRules: [{verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true}],
            nonResourceRules: [{verbs: ['*'], nonResourceURLs: ['*']}],
          },
        ],
      },
    }),
  })
  if (kd(args(['app', 'add', tinyApp]), {env: clusterEnv()}).code !== 0) throw new Error('app add failed')
  const file = join(mkdtempSync(join(tmpdir(), 'kd-bench-scale-')), 'big.yaml')
  writeFileSync(file, clusterFile(NAME, M))
  out(`${M} members of app tiny (no config package) on KWOK fake nodes; start: ${load()}`)

  // the reference Kubernetes itself sets: the same StatefulSets and Services (as create --dry-run=client
  // renders them), applied by kubectl with no agent in another namespace, timed until every pod is Running;
  // then kubectl delete --wait of them
  const reference = referenceRun(file)
  Object.assign(result, {reference})

  const m0 = metrics()
  const phases: Array<{phase: string; ms: number; members: number; agentRequests: number; agent?: AgentSample; load: string}> = []
  let prev = m0
  let prevCpu = 0
  const phase = async (name: string, members: number, a: string[]) => {
    const ms = await timed(a)
    const m = metrics()
    const agent = name.startsWith('delete') ? undefined : agentSample()
    const req = agentRequests(m) - agentRequests(prev)
    phases.push({phase: name, ms, members, agentRequests: req, agent, load: load()})
    const cpu = agent ? ` agent CPU +${(agent.cpuSeconds - prevCpu).toFixed(1)} s, VmRSS ${agent.vmRssMiB} MiB (peak ${agent.vmHwmMiB}), working set ${agent.workingSetMiB ?? '?'} MiB, restarts ${agent.restarts};` : ''
    out(`  ${name}: ${s1(ms)} s;${cpu} agent API requests ${req} (${(req / members).toFixed(2)} per member); ${load()}`)
    if (agent) prevCpu = agent.cpuSeconds
    prev = m
  }
  await phase(`create --wait → configured (${M})`, M, ['create', '-f', file, '--wait', '--timeout', '25m'])
  const created = phases.at(-1)!.ms
  out(`  create --wait vs kubectl apply of the same objects until every pod Running: ${s1(created)} s vs ${s1(reference.applyMs)} s (${(created / reference.applyMs).toFixed(2)}×, ${s1(created - reference.applyMs)} s more)`)

  // status/get at M members against kubectl get pods on the same pods, same moment
  const env_ = clusterEnv()
  const ref = median(() => kubectl(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${NAME}`]))
  const status = median(() => {
    if (kd(args(['status', NAME]), {env: env_}).code !== 0) throw new Error('status failed')
  })
  const get = median(() => {
    if (kd(args(['get']), {env: env_}).code !== 0) throw new Error('get failed')
  })
  const getLine = kd(args(['get']), {env: env_}).stdout.split('\n').find((l) => l.startsWith(`${NAME} `))?.trim()
  out(`  at ${M} members (median of 5): kubectl kd status ${NAME} ${Math.round(status)} ms (${(status / ref).toFixed(2)}× kubectl get pods -l kubectl-kd.io/cluster=${NAME}: ${Math.round(ref)} ms), kubectl kd get ${Math.round(get)} ms (${(get / ref).toFixed(2)}×) → "${getLine}"`)
  Object.assign(result, {statusMs: Math.round(status), getMs: Math.round(get), kubectlGetPodsMs: Math.round(ref)})
  prev = metrics()

  await phase(`scale --wait ${M} → ${M / 2}`, M / 2, ['scale', NAME, `node=${M / 2}`, '--wait', '--timeout', '25m'])
  await phase(`scale --wait ${M / 2} → ${M}`, M / 2, ['scale', NAME, `node=${M}`, '--wait', '--timeout', '25m'])
  const cpuTotal = phases.at(-1)!.agent!.cpuSeconds
  await phase(`delete --wait (${M})`, M, ['delete', NAME, '--wait', '--timeout', '25m'])
  const deleted = phases.at(-1)!.ms
  out(`  delete --wait vs kubectl delete --wait of the same objects: ${s1(deleted)} s vs ${s1(reference.deleteMs)} s (${(deleted / reference.deleteMs).toFixed(2)}×)`)
  const t0 = performance.now()
  while (objectsWithLabel(ns, `kubectl-kd.io/cluster=${NAME}`).length && performance.now() - t0 < 10 * 60_000) await new Promise((r) => setTimeout(r, 1000))
  const left = objectsWithLabel(ns, `kubectl-kd.io/cluster=${NAME}`)
  out(`  after delete --wait: ${left.length ? `${left.length} objects still there after ${s1(performance.now() - t0)} s more` : `nothing left ${s1(performance.now() - t0)} s later`}`)
  if (left.length) failed = true

  const m1 = metrics()
  const agentTotal = phases.reduce((a, p) => a + p.agentRequests, 0)
  const memberEvents = M + M / 2 + M / 2 + M
  out(`  agent, create → before delete: CPU ${cpuTotal.toFixed(1)} s in total, peak VmRSS ${Math.max(...phases.filter((p) => p.agent).map((p) => p.agent!.vmHwmMiB))} MiB`)
  out(`  agent API requests, whole run: ${agentTotal} for ${memberEvents} member additions/removals (${(agentTotal / memberEvents).toFixed(2)} each)`)
  const all = allRequests(m1) - allRequests(m0)
  if (all >= 0) {
    const a = byVerbResource(m0)
    const b = byVerbResource(m1)
    const top = [...b].map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const).sort((x, y) => y[1] - x[1]).slice(0, 6)
    out(`  API server, all clients (KWOK, controllers, scheduler, plugin, anything else running): ${all} requests (${(all / memberEvents).toFixed(1)} per member addition/removal); most: ${top.map(([k, v]) => `${k} ${v}`).join(', ')}`)
  } else out('  API server counters went back during the run (restarted?): no whole-run total')
  if (retried.length) out(`  retried after an API server restart: ${retried.join('; ')} (their times include the outage)`)
  Object.assign(result, {retried, phases, agentRequests: agentTotal, allRequests: all, agentCpuSeconds: cpuTotal})
} catch (err) {
  failed = true
  out(`scale bench failed: ${(err as Error).message}`)
  kubectl(['-n', ns, 'logs', `deploy/${NAME}-kd-agent`, '--tail=20'], {allowFail: true})
    .split('\n')
    .forEach((l) => l && out(`    agent: ${l}`))
} finally {
  if (!process.env.KD_KEEP) {
    await waitApi()
    kd(args(['delete', NAME, '--wait', '--timeout', '10m']), {env: clusterEnv()})
    deleteNamespace(ns)
    stopKwok()
    kubectl(['delete', 'flowschema', FLOW, '--ignore-not-found'], {allowFail: true})
  }
}
out(JSON.stringify(result))
process.exit(failed ? 1 : 0)
