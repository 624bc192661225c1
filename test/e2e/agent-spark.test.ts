// The spark35 config package on the local Spark image (uid 185: /etc/guestconfig is not writable, so
// setup falls back to /tmp/kd and configcli must still find configmeta there), for the spark35 app and
// for spark221e2 with its service ids (spark, spark-master, spark-worker) and the package swapped in.
// The Spark master UI must list every worker as ALIVE.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
const ns = createNamespace('kd-e2e-agent-spark')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv(), timeoutMs: 900_000})
const test = suite('agent: spark35 package on the Spark image')
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

interface MasterState {
  aliveworkers: number
  workers: Array<{host: string; state: string}>
}

async function masterState(cluster: string): Promise<MasterState> {
  const status = JSON.parse(run(['status', cluster, '-o', 'json']).stdout)
  const ui = status.endpoints.find((e: any) => e.member === `${cluster}-controller-0` && e.name === 'spark')
  assert.ok(ui?.nodePort, `no NodePort for the master UI: ${JSON.stringify(status.endpoints)}`)
  // the master's JSON view of the UI (same port as the page)
  const r = await fetch(new URL('/json/', ui.url), {signal: AbortSignal.timeout(10_000)})
  return (await r.json()) as MasterState
}

async function checkCluster(cluster: string, workers: number) {
  // the controller runs a worker too (as in spark221e2), so workers + 1 register
  const deadline = Date.now() + 120_000
  let state: MasterState | undefined
  while (Date.now() < deadline) {
    try {
      state = await masterState(cluster)
      if (state.aliveworkers === workers + 1) break
    } catch {}
    await new Promise((r) => setTimeout(r, 2000))
  }
  assert.is(state?.aliveworkers, workers + 1, JSON.stringify(state?.workers))
  const hosts = state!.workers.filter((w) => w.state === 'ALIVE').map((w) => w.host).sort()
  assert.equal(hosts, [`${cluster}-controller-0`, ...Array.from({length: workers}, (_, i) => `${cluster}-worker-${i}`)].map((p) => `${p}.${cluster}.${ns}.svc.cluster.local`).sort())
  // setup fell back to /tmp/kd (uid 185) and configcli finds configmeta there without any environment
  const out = kubectl(['-n', ns, 'exec', `${cluster}-worker-1`, '-c', 'app', '--', 'sh', '-c', 'id -u; ls -d /tmp/kd/etc-guestconfig; /tmp/kd/guestconfig/bin/configcli --get node.role_id; /tmp/kd/guestconfig/bin/configcli --get_self_index'])
  assert.equal(out.trim().split('\n'), ['185', '/tmp/kd/etc-guestconfig', 'worker', '1'])
}

test('spark35: create --wait reaches configured and the master lists the workers', async () => {
  const r = run(['create', 'spark35', 'sp', '--members', 'worker=2', '--wait', '--timeout', '10m'])
  assert.is(r.code, 0, r.stderr)
  await checkCluster('sp', 2)
  const d = run(['delete', 'sp', '--wait'])
  assert.is(d.code, 0, d.stderr)
})

test('spark221e2 with the spark35 package and the Spark image reaches configured', async () => {
  const image = env.KD_SPARK_IMAGE!
  const r = run([
    'create', 'spark221e2', 's2',
    '--image', `controller=${image}`, '--image', `worker=${image}`,
    '--package', 'controller=bundled://spark35', '--package', 'worker=bundled://spark35',
    '--members', 'worker=2', '--wait', '--timeout', '10m',
  ])
  assert.is(r.code, 0, r.stderr)
  await checkCluster('s2', 2)
})

test.run()
