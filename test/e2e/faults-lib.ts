// Support for the fault suites (test/e2e/faults-*.test.ts; not a test file): restarting/stopping a
// cluster component without blocking the event loop (a kdAsync command keeps running meanwhile), the
// cluster's converged state, and "each member's configure ran exactly once" from the shelldemo records.
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import * as assert from 'uvu/assert'
import {kubectl, kubectlJson} from '../lib/cluster.ts'
import {repoRoot} from '../lib/kd.ts'
import {ANNOTATION} from '../../src/cluster/names.ts'
import {calls, eventually} from './agent-members.ts'

/** Runs a bash script (stdout+stderr captured); resolves with its exit code and output. */
export function bash(script: string, timeoutMs = 300_000): Promise<{code: number; out: string}> {
  return new Promise((resolve) => {
    const c = spawn('bash', ['-c', script], {cwd: repoRoot})
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (out += d))
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs)
    c.on('close', (code) => {
      clearTimeout(t)
      resolve({code: code ?? -1, out})
    })
  })
}

/** test/cluster/restart.sh COMPONENT (stop by pid, start, wait healthy). */
export async function restart(component: string): Promise<void> {
  const r = await bash(`bash ${join(repoRoot, 'test/cluster/restart.sh')} ${component}`)
  if (r.code !== 0) throw new Error(`restart ${component} failed: ${r.out}`)
}

/** Stops the kubelet, keeps it down `downSeconds`, starts it again and waits until the node is Ready. */
export async function kubeletDown(downSeconds: number): Promise<void> {
  const r = await bash(`set -euo pipefail
. test/cluster/lib.sh; . "$KD_CLUSTER_DIR/components.sh"; need_root
exec 9>"$KD_LOCAL/.lock"; flock -w 600 9
stop_proc kubelet; sleep ${downSeconds}; start_kubelet; wait_kubelet`)
  if (r.code !== 0) throw new Error(`kubelet stop/start failed: ${r.out}`)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function clusterState(ns: string, cluster: string): string | undefined {
  return kubectlJson(['-n', ns, 'get', 'configmap', `${cluster}-kd`]).metadata.annotations?.[ANNOTATION.state]
}

export function memberPods(ns: string, cluster: string): any[] {
  return kubectlJson(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${cluster},kubectl-kd.io/role`]).items
}

export function agentPods(ns: string, cluster: string): any[] {
  return kubectlJson(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${cluster},app.kubernetes.io/component=agent`]).items.filter(
    (p: any) => !p.metadata.deletionTimestamp,
  )
}

/**
 * Converged and nothing duplicated: `expected` member pods (role → count), all `configured`, one
 * StatefulSet per role, one Service per member, one agent Deployment; every member recorded exactly one
 * `--configure` and no startscript call twice.
 */
export function assertConverged(ns: string, cluster: string, expected: Record<string, number>): void {
  assert.is(clusterState(ns, cluster), 'configured', `cluster ${cluster}`)
  const pods = memberPods(ns, cluster)
  const want = Object.entries(expected).flatMap(([role, n]) => Array.from({length: n}, (_, i) => `${cluster}-${role}-${i}`)).sort()
  assert.equal(pods.map((p) => p.metadata.name).sort(), want, 'member pods')
  for (const p of pods) assert.is(p.metadata.annotations?.[ANNOTATION.state], 'configured', p.metadata.name)
  const sts = kubectlJson(['-n', ns, 'get', 'statefulsets', '-l', `kubectl-kd.io/cluster=${cluster}`]).items.map((s: any) => s.metadata.name).sort()
  for (const r of Object.keys(expected)) assert.is(sts.filter((n: string) => n === `${cluster}-${r}`).length, expected[r]! > 0 ? 1 : sts.includes(`${cluster}-${r}`) ? 1 : 0, `statefulset of ${r}`)
  assert.is(new Set(sts).size, sts.length, 'statefulsets')
  const svcs = kubectlJson(['-n', ns, 'get', 'services', '-l', `kubectl-kd.io/cluster=${cluster},kubectl-kd.io/role`]).items.map((s: any) => s.metadata.name).sort()
  assert.equal(svcs, want, 'member services')
  const deps = kubectlJson(['-n', ns, 'get', 'deployments', '-l', `kubectl-kd.io/cluster=${cluster}`]).items
  assert.is(deps.length, 1, 'one agent deployment')
  for (const m of want) {
    const c = calls(ns, m)
    assert.is(c.filter((l) => l === '--configure').length, 1, `${m}: ${JSON.stringify(c)}`)
    assert.is(new Set(c).size, c.length, `${m} ran a startscript call twice: ${JSON.stringify(c)}`)
  }
}

/** Waits for a condition, checking once a second (the fault tests restart components meanwhile). */
export const until = <T>(what: string, fn: () => T | undefined | false, timeoutMs = 180_000): Promise<T> => eventually(what, fn, timeoutMs, 1000)

/** Like until(), and when it times out the error carries the cluster's status and the agent's last log lines. */
export async function untilConverged(ns: string, cluster: string, timeoutMs = 240_000): Promise<void> {
  try {
    await until(`cluster ${cluster} configured`, () => clusterState(ns, cluster) === 'configured', timeoutMs)
  } catch (err) {
    const status = kubectl(['-n', ns, 'get', 'pods,configmap', '-l', `kubectl-kd.io/cluster=${cluster}`, '-o', 'wide'], {allowFail: true})
    const annotations = kubectl(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${cluster}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.annotations}{"\\n"}{end}'], {allowFail: true})
    const log = kubectl(['-n', ns, 'logs', `deploy/${cluster}-kd-agent`, '--tail', '60'], {allowFail: true})
    throw new Error(`${(err as Error).message}\n--- objects\n${status}\n--- member annotations\n${annotations}\n--- agent log (last 60 lines)\n${log}`)
  }
}

/** A failed --wait must be honest: one `error: …` line at the end, no stack trace. */
export function assertHonestFailure(r: {code: number; stderr: string}): void {
  assert.is(r.code, 1, r.stderr)
  const last = r.stderr.trim().split('\n').pop() ?? ''
  assert.ok(last.startsWith('error: '), `last stderr line: ${last}`)
  assert.not.match(r.stderr, /\bat .*\(.*:\d+:\d+\)/, 'stack trace')
}
