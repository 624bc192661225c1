// A killed CLI's cluster converges (issue 26): `create` of M members (default 1000) of the `tiny` app on
// KWOK fake nodes, SIGKILLed as soon as its root and agent Deployment exist (nothing of the members is
// written by then: the agent makes them), against an uninterrupted `create --wait` of the same cluster in
// the same run. Prints the time from the kill, and from the agent's pod running ("the agent noticing"), to
// the cluster configured with every member, and the ratio to the uninterrupted create.
//   node --import tsx bench/converge-kill.bench.ts [M]     (KD_BENCH_SCALE_MEMBERS too; npm run build first)
import {mkdtempSync, writeFileSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../test/lib/cluster.ts'
import {kd, kdAsync} from '../test/lib/kd.ts'
import {clusterFile, startKwok, stopKwok, tinyApp} from '../test/e2e/scale-kwok-lib.ts'

const M = Number(process.argv[2] ?? process.env.KD_BENCH_SCALE_MEMBERS ?? 1000)
const out = (s: string) => process.stdout.write(`${s}\n`)
const s1 = (ms: number) => (ms / 1000).toFixed(1)
const load = () => `load ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`
const ns = createNamespace('kd-bench-kill')
const env = clusterEnv()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function configured(name: string): boolean {
  const root = kubectlJson(['-n', ns, 'get', 'configmap', `${name}-kd`]).metadata.annotations ?? {}
  return root['kubectl-kd.io/state'] === 'configured' && root['kubectl-kd.io/observed-generation'] === root['kubectl-kd.io/generation']
}

async function until(what: string, fn: () => boolean, limitMs = 20 * 60_000): Promise<number> {
  const t0 = performance.now()
  while (performance.now() - t0 < limitMs) {
    try {
      if (fn()) return performance.now()
    } catch {}
    await sleep(250)
  }
  throw new Error(`timed out waiting for ${what}`)
}

try {
  startKwok(Math.max(2, Math.ceil(M / 1000)))
  if (kd(['app', 'add', tinyApp, '-n', ns], {env}).code !== 0) throw new Error('app add failed')
  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-kill-'))
  const file = (name: string) => {
    const f = join(dir, `${name}.yaml`)
    writeFileSync(f, clusterFile(name, M))
    return f
  }
  out(`${M} members of app tiny on KWOK fake nodes; start: ${load()}`)

  const t0 = performance.now()
  const whole = kd(['create', '-f', file('ref'), '--wait', '--timeout', '30m', '-n', ns], {env, timeoutMs: 31 * 60_000})
  if (whole.code !== 0) throw new Error(`create --wait failed: ${whole.stderr.slice(-500)}`)
  const refMs = performance.now() - t0
  out(`uninterrupted create --wait: ${s1(refMs)} s (${load()})`)
  kd(['delete', 'ref', '--wait', '--timeout', '10m', '-n', ns], {env, timeoutMs: 11 * 60_000})

  const start = performance.now()
  const cmd = kdAsync(['create', '-f', file('cut'), '-n', ns], {env})
  const killedAt = await until('the agent Deployment', () => kubectl(['-n', ns, 'get', 'deployment', 'cut-kd-agent', '--ignore-not-found', '-o', 'name'], {allowFail: true}).trim() !== '', 5 * 60_000)
  cmd.kill('SIGKILL')
  await cmd
  const members = kubectlJson(['-n', ns, 'get', 'statefulsets,services', '-l', 'kubectl-kd.io/cluster=cut']).items.length
  out(`create killed ${s1(killedAt - start)} s after it started, when the agent Deployment existed (StatefulSets and Services of the cluster then: ${members})`)
  const agentRunning = await until('the agent pod running', () =>
    kubectlJson(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=cut,app.kubernetes.io/component=agent']).items.some((p: any) => p.status?.containerStatuses?.[0]?.state?.running),
  )
  const done = await until('the killed create configured', () => configured('cut'))
  const members2 = kubectlJson(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=cut,kubectl-kd.io/role']).items.length
  out(`converged: ${members2}/${M} members configured ${s1(done - killedAt)} s after the kill, ${s1(done - agentRunning)} s after the agent ran (${load()})`)
  out(`ratio to the uninterrupted create --wait: ${((done - start) / refMs).toFixed(2)}×`)
  process.stdout.write(`${JSON.stringify({bench: 'converge-kill', members: M, refCreateS: +s1(refMs), killAfterS: +s1(killedAt - start), convergedAfterKillS: +s1(done - killedAt), convergedAfterAgentS: +s1(done - agentRunning)})}\n`)
  kd(['delete', 'cut', '--wait', '--timeout', '10m', '-n', ns], {env, timeoutMs: 11 * 60_000})
} finally {
  stopKwok()
  deleteNamespace(ns)
}
