// A large create survives its agent being killed: a cluster of M members (default 1000) of the
// `tiny` app on KWOK fake nodes is created with `create --wait`, and the agent pod is force-deleted (no
// grace) twice midway: when a third and when two thirds of the members are configured. The replacement
// agent must carry on from the pods' own state: `create --wait` ends configured, every member is
// configured, and no member was configured twice.
// "Configured once" is read from a watch on the member pods kept for the whole run: each member's state
// annotation enters `configured` once and never leaves it, and its Configured condition is set True once
// (one lastTransitionTime). A member configured again by the new agent would show a second write.
//   node --import tsx bench/agent-kill.bench.ts [M]     (KD_BENCH_KILL_MEMBERS too; npm run build first)
import {mkdtempSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawn} from 'node:child_process'
import {createInterface} from 'node:readline'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl} from '../test/lib/cluster.ts'
import {kd, kdAsync} from '../test/lib/kd.ts'
import {clusterFile, startKwok, stopKwok, tinyApp} from '../test/e2e/scale-kwok-lib.ts'

const M = Number(process.argv[2] ?? process.env.KD_BENCH_KILL_MEMBERS ?? 1000)
if (!Number.isInteger(M) || M < 3) throw new Error(`members: want a number ≥ 3, not ${M}`)
const NAME = 'big'
const out = (s: string) => process.stdout.write(`${s}\n`)
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`
const s1 = (ms: number) => (ms / 1000).toFixed(1)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What the watch saw of one member. */
interface Seen {
  state: string
  /** times its state annotation became `configured` */
  entered: number
  /** times it left `configured` */
  left: number
  /** distinct lastTransitionTime values of its Configured condition while True */
  trueAt: Set<string>
}

const ns = createNamespace('kd-bench-kill')
const seen = new Map<string, Seen>()
const configured = () => [...seen.values()].filter((s) => s.state === 'configured').length
let failed = false
let watcher: ReturnType<typeof spawn> | undefined
try {
  startKwok(Math.max(2, Math.ceil(M / 1000)))
  if (kd(['app', 'add', tinyApp, '-n', ns], {env: clusterEnv()}).code !== 0) throw new Error('app add failed')
  const file = join(mkdtempSync(join(tmpdir(), 'kd-bench-kill-')), 'big.yaml')
  writeFileSync(file, clusterFile(NAME, M))

  // every change of every member pod, from before the create until the end
  const path = `{.metadata.name}{" "}{.metadata.annotations.kubectl-kd\\.io/state}{" "}{.status.conditions[?(@.type=="kubectl-kd.io/configured")].status}{" "}{.status.conditions[?(@.type=="kubectl-kd.io/configured")].lastTransitionTime}{"\\n"}`
  watcher = spawn(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, '-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${NAME},kubectl-kd.io/role`, '-w', '-o', `jsonpath=${path}`], {stdio: ['ignore', 'pipe', 'inherit']})
  createInterface({input: watcher.stdout!}).on('line', (line) => {
    const [name, state = '', cond = '', at = ''] = line.trim().split(' ')
    if (!name) return
    const s = seen.get(name) ?? {state: '', entered: 0, left: 0, trueAt: new Set<string>()}
    if (state === 'configured' && s.state !== 'configured') s.entered++
    if (state !== 'configured' && s.state === 'configured') s.left++
    s.state = state
    if (cond === 'True' && at) s.trueAt.add(at)
    seen.set(name, s)
  })
  await sleep(2000)

  out(`${M} members of app tiny on KWOK fake nodes, the agent killed twice during create --wait; start: ${load()}`)
  const t0 = performance.now()
  const create = kdAsync(['create', '-f', file, '--wait', '--timeout', '25m', '-n', ns], {env: clusterEnv()})
  let exited = false
  void create.then(() => (exited = true))
  const kills: string[] = []
  for (const fraction of [1 / 3, 2 / 3]) {
    while (!exited && configured() < M * fraction) await sleep(200)
    if (exited) break
    const before = kubectl(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${NAME},app.kubernetes.io/component=agent`, '-o', 'name']).trim()
    kubectl(['-n', ns, 'delete', 'pods', '-l', `kubectl-kd.io/cluster=${NAME},app.kubernetes.io/component=agent`, '--grace-period=0', '--force', '--wait=false'], {allowFail: true})
    kills.push(`${s1(performance.now() - t0)} s with ${configured()}/${M} configured (${before})`)
  }
  const r = await create
  const ms = performance.now() - t0
  out(`  create --wait: exit ${r.code} after ${s1(ms)} s; agent killed at ${kills.join('; ') || 'never (create ended first)'}; ${load()}`)
  if (r.code !== 0) throw new Error(`create --wait failed: ${r.stderr.slice(-1500)}`)
  if (kills.length < 2) throw new Error(`the agent was killed ${kills.length} times, not 2: create ended first`)

  // the watch may trail the API server by a moment
  const settle = performance.now()
  while (configured() < M && performance.now() - settle < 60_000) await sleep(500)
  await sleep(3000)
  const status = JSON.parse(kd(['status', NAME, '-o', 'json', '-n', ns], {env: clusterEnv()}).stdout) as {members: Array<{name: string; state: string}>}
  const notConfigured = status.members.filter((m) => m.state !== 'configured').map((m) => `${m.name} ${m.state}`)
  const twice = [...seen].filter(([, s]) => s.entered !== 1 || s.left !== 0 || s.trueAt.size !== 1).map(([n, s]) => `${n} (configured ${s.entered}×, left ${s.left}×, condition set True ${s.trueAt.size}×)`)
  const agents = kubectl(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${NAME},app.kubernetes.io/component=agent`, '-o', 'name']).trim()
  out(`  members in status: ${status.members.length}, configured ${status.members.length - notConfigured.length}; seen by the watch: ${seen.size}, configured exactly once: ${seen.size - twice.length}; agent now ${agents}`)
  if (status.members.length !== M || notConfigured.length) {
    failed = true
    out(`  not configured: ${notConfigured.slice(0, 10).join(', ')}${notConfigured.length > 10 ? ', …' : ''}`)
  }
  if (seen.size !== M || twice.length) {
    failed = true
    out(`  not configured exactly once: ${twice.slice(0, 10).join(', ')}${twice.length > 10 ? ', …' : ''}`)
  }
  out(JSON.stringify({bench: 'agent-kill', members: M, createMs: Math.round(ms), kills, configuredOnce: seen.size - twice.length, notConfigured: notConfigured.length}))
} catch (err) {
  failed = true
  out(`agent-kill bench failed: ${(err as Error).message}`)
} finally {
  watcher?.kill()
  if (!process.env.KD_KEEP) {
    kd(['delete', NAME, '--wait', '--timeout', '10m', '-n', ns], {env: clusterEnv()})
    deleteNamespace(ns)
    stopKwok()
  }
}
process.exit(failed ? 1 : 0)
