// Faults (issue 8): the member's node agent and the agent's network. (1) The kubelet stopped for 20 s
// and started again while a cluster is being created (containers keep running under containerd, but
// exec, probes and status updates stop): the agent retries and the cluster converges, each configure
// once. (2) A network cut between the agent pod and the API server — iptables on this machine drops
// the agent pod's packets to the API server (the kubernetes Service is DNATed by kube-proxy to
// NODE_IP:6443, so dropping in INPUT by source pod IP and port 6443 catches both the ClusterIP and the
// node address) — healed after 20 s while a scale is pending: the scale converges.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {clusterEnv, createNamespace, deleteNamespace, kubectl} from '../lib/cluster.ts'
import {kd, kdAsync} from '../lib/kd.ts'
import {memberFqdn} from '../../src/cluster/names.ts'
import {calls} from './agent-members.ts'
import {agentPods, assertConverged, assertHonestFailure, clusterState, kubeletDown, memberPods, sleep, until, untilConverged} from './faults-lib.ts'

const ns = createNamespace('kd-e2e-faults-node')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const faults = suite('faults: kubelet down, agent network cut')
faults.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

faults('kubelet stopped 20 s and restarted during a create: converges, each configure once', async () => {
  if (process.env.KD_SKIP_KUBELET_RESTART) return
  const r = run(['create', 'shelldemo', 'kl', '--members', 'worker=3'])
  assert.is(r.code, 0, r.stderr)
  await until('member pods created', () => memberPods(ns, 'kl').length >= 4, 120_000)
  const t0 = Date.now()
  await kubeletDown(20)
  console.log(`  kubelet down and back (node Ready) in ${((Date.now() - t0) / 1000).toFixed(0)} s; cluster state then: ${clusterState(ns, 'kl')}`)
  await untilConverged(ns, 'kl')
  assertConverged(ns, 'kl', {controller: 1, worker: 3})
  assert.is(run(['delete', 'kl', '--wait']).code, 0)
})

const rules = new Set<string>()
function iptables(op: '-I' | '-D', rule: string): void {
  const r = spawnSync('iptables', ['-w', op === '-I' ? '-I' : '-D', ...rule.split(' ')], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`iptables ${op} ${rule}: ${r.stderr}`)
  if (op === '-I') rules.add(rule)
  else rules.delete(rule)
}
function healAll(): void {
  for (const rule of [...rules]) {
    try {
      iptables('-D', rule)
    } catch {
      rules.delete(rule)
    }
  }
}
process.on('exit', healAll)

faults('network cut between agent and API server, healed after 20 s while a scale is pending: converges', async () => {
  let r = run(['create', 'shelldemo', 'net', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const [agent] = agentPods(ns, 'net')
  const ip = agent.status.podIP as string
  assert.ok(ip, 'agent pod IP')
  const t0 = Date.now()
  try {
    iptables('-I', `INPUT -s ${ip}/32 -p tcp --dport 6443 -j DROP`)
    iptables('-I', `FORWARD -s ${ip}/32 -p tcp --dport 6443 -j DROP`)
    // the cut is real: from inside the agent pod the API server does not answer
    const probe = kubectl(['-n', ns, 'exec', agent.metadata.name, '--', 'node', '-e',
      `fetch('https://'+process.env.KUBERNETES_SERVICE_HOST+':'+process.env.KUBERNETES_SERVICE_PORT+'/healthz',{signal:AbortSignal.timeout(3000)}).then(()=>console.log('reachable'),(e)=>console.log('cut',e.name))`], {allowFail: true})
    assert.match(probe, /cut/, probe)
    const p = kdAsync(['scale', 'net', 'worker=3', '--wait', '--timeout', '4m', '-n', ns], {env: clusterEnv()})
    await sleep(20_000)
    healAll()
    r = await p
  } finally {
    healAll()
  }
  console.log(`  scale --wait with a 20 s agent network cut: exit ${r.code} after ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  if (r.code !== 0) assertHonestFailure(r)
  await untilConverged(ns, 'net')
  assertConverged(ns, 'net', {controller: 1, worker: 3})
  const addnodes = calls(ns, 'net-controller-0').filter((l) => l.startsWith('--addnodes'))
  assert.equal(addnodes, [`--addnodes --nodegroup 1 --role worker --fqdns ${memberFqdn('net-worker-2', 'net', ns)}`])
  assert.is(run(['delete', 'net', '--wait']).code, 0)
})

faults.run()
