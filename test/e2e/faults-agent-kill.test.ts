// Faults (issue 8): the agent pod killed (force-deleted, no grace) at random moments during a 20-member
// create, several times in a row. The moments are drawn from a seeded generator (mulberry32); the seed
// is printed, re-run one with KD_FAULT_SEED=N (KD_FAULT_KILLS sets the number of kills, default 4).
// All progress lives in annotations and the members' configure.status files, so the cluster converges
// and every member's configure runs exactly once. (A single kill mid-configure is in agent-faults.)
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
import {ANNOTATION} from '../../src/cluster/names.ts'
import {agentPods, assertConverged, clusterState, memberPods, sleep, until, untilConverged} from './faults-lib.ts'

const ns = createNamespace('kd-e2e-faults-kill')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const faults = suite('faults: agent killed at random moments')
faults.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

faults('20-member create, the agent killed 3-5 times at random moments: converges, each configure once', async () => {
  const seed = Number(process.env.KD_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31))
  const rnd = mulberry32(seed)
  const kills = Number(process.env.KD_FAULT_KILLS ?? 3 + Math.floor(rnd() * 3))
  console.log(`  seed ${seed} (re-run with KD_FAULT_SEED=${seed}), ${kills} kills`)
  const t0 = Date.now()
  // 1 controller + 19 workers whose configure takes 30 s (KD_DEMO_SLOW), so kills land mid-configure;
  // small requests so 20 members fit the 2-core node next to other suites
  const spec = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: k20}
spec:
  app: shelldemo
  serviceType: ClusterIP
  roles:
  - {id: controller, members: 1, resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 200m, memory: 64Mi}}}
  - id: worker
    members: 19
    env: [{name: KD_DEMO_SLOW, value: "30"}]
    resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 200m, memory: 64Mi}}
`
  const r = kd(['create', '-f', '-', '-n', ns], {env: clusterEnv(), input: spec})
  assert.is(r.code, 0, r.stderr)
  const killedAt: string[] = []
  for (let k = 0; k < kills; k++) {
    // 1-8 s after the previous agent pod is Running (its start-up, list, first execs and the members' running configures are in that window)
    await until('an agent pod running', () => agentPods(ns, 'k20').some((p: any) => p.status.phase === 'Running'), 180_000)
    await sleep(1000 + rnd() * 7000)
    const configured = memberPods(ns, 'k20').filter((p) => p.metadata.annotations?.[ANNOTATION.state] === 'configured').length
    if (clusterState(ns, 'k20') === 'configured') {
      killedAt.push(`(cluster configured before kill ${k + 1})`)
      break
    }
    for (const p of agentPods(ns, 'k20')) kubectl(['-n', ns, 'delete', 'pod', p.metadata.name, '--grace-period=0', '--force', '--wait=false'], {allowFail: true})
    killedAt.push(`${((Date.now() - t0) / 1000).toFixed(0)}s (${configured}/20 configured)`)
  }
  console.log(`  kills at: ${killedAt.join(', ')}`)
  await untilConverged(ns, 'k20', 300_000)
  console.log(`  converged ${((Date.now() - t0) / 1000).toFixed(0)} s after create`)
  assertConverged(ns, 'k20', {controller: 1, worker: 19})
  assert.is(run(['delete', 'k20', '--wait']).code, 0)
})

faults.run()
