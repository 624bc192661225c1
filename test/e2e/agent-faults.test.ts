// The agent under faults on the local cluster (issue 5, "Must show"): killed in the middle of a long
// configure, and the API server restarted under it. All progress lives in annotations and in the
// members' configure.status files, so neither loses nor repeats work. Set KD_SKIP_APISERVER_RESTART=1 to
// leave the API server alone (it interrupts everyone using the cluster for a few seconds).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../lib/cluster.ts'
import {kd, repoRoot} from '../lib/kd.ts'
import {ANNOTATION, memberFqdn} from '../../src/cluster/names.ts'
import {calls, eventually} from './agent-members.ts'

const ns = createNamespace('kd-e2e-agent-faults')
const run = (args: string[], input?: string) => kd([...args, '-n', ns], {env: clusterEnv(), input})
const state = (pod: string) => kubectlJson(['-n', ns, 'get', 'pod', pod]).metadata.annotations?.[ANNOTATION.state] as string | undefined
const agentPods = (cluster: string) =>
  kubectlJson(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${cluster},app.kubernetes.io/component=agent`]).items.filter((p: any) => !p.metadata.deletionTimestamp)
const clusterState = (cluster: string) => kubectlJson(['-n', ns, 'get', 'configmap', `${cluster}-kd`]).metadata.annotations?.[ANNOTATION.state] as string | undefined

const faults = suite('agent faults')
faults.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

faults('agent killed mid-configure: finished configures are not re-run, the running one is not lost', async () => {
  // workers configure for 20 s; the controller and the edge are quick
  const spec = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: slow}
spec:
  app: shelldemo
  roles:
  - {id: controller, members: 1}
  - id: worker
    members: 2
    env: [{name: KD_DEMO_SLOW, value: "20"}]
  - {id: edge, members: 1}
`
  const r = run(['create', '-f', '-'], spec)
  assert.is(r.code, 0, r.stderr)
  await eventually('controller and edge configured, workers configuring', () =>
    state('slow-controller-0') === 'configured' && state('slow-edge-0') === 'configured' && ['slow-worker-0', 'slow-worker-1'].every((w) => calls(ns, w).length === 1),
  )
  // (a new member's `creating` is read from its running, not yet configured container: no annotation says it)
  const members = JSON.parse(run(['status', 'slow', '-o', 'json']).stdout).members as Array<{pod: string; state: string}>
  assert.is(members.find((m) => m.pod === 'slow-worker-0')?.state, 'creating', JSON.stringify(members))
  const [old] = agentPods('slow')
  // a crash, not a graceful stop
  kubectl(['-n', ns, 'delete', 'pod', old.metadata.name, '--grace-period=0', '--force', '--wait=true'], {allowFail: true})
  await eventually('a new agent pod', () => agentPods('slow').some((p: any) => p.metadata.name !== old.metadata.name && p.status.phase === 'Running'))
  await eventually('cluster slow configured', () => clusterState('slow') === 'configured', 120_000)
  for (const m of ['slow-controller-0', 'slow-edge-0', 'slow-worker-0', 'slow-worker-1']) assert.equal(calls(ns, m), ['--configure'], m)
  // the new agent picked up the workers' configure from configure.status
  const log = kubectl(['-n', ns, 'logs', agentPods('slow')[0].metadata.name])
  assert.match(log, /slow-worker-0: configured/)
  assert.not.match(log, /slow-controller-0: configured/)
  const r2 = run(['delete', 'slow', '--wait'])
  assert.is(r2.code, 0, r2.stderr)
})

faults('API server restart: the agent resumes from its watches and the cluster converges', async () => {
  if (process.env.KD_SKIP_APISERVER_RESTART) return
  let r = run(['create', 'shelldemo', 'demo', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const [agent] = agentPods('demo')
  const restart = spawnSync('bash', [join(repoRoot, 'test/cluster/restart.sh'), 'apiserver'], {encoding: 'utf8', timeout: 180_000})
  assert.is(restart.status, 0, restart.stderr)
  // scale right after the restart: only a resumed agent configures the new member and notifies the others
  r = run(['scale', 'demo', 'worker=3', '--wait', '--timeout', '3m'])
  assert.is(r.code, 0, r.stderr)
  const fqdn = (pod: string) => memberFqdn(pod, 'demo', ns)
  assert.equal(calls(ns, 'demo-controller-0'), ['--configure', `--addnodes --nodegroup 1 --role worker --fqdns ${fqdn('demo-worker-2')}`])
  // a second restart, then scale down
  const again = spawnSync('bash', [join(repoRoot, 'test/cluster/restart.sh'), 'apiserver'], {encoding: 'utf8', timeout: 180_000})
  assert.is(again.status, 0, again.stderr)
  r = run(['scale', 'demo', 'worker=2', '--wait', '--timeout', '3m'])
  assert.is(r.code, 0, r.stderr)
  assert.equal(calls(ns, 'demo-worker-0').slice(-1), [`--delnodes --nodegroup 1 --role worker --fqdns ${fqdn('demo-worker-2')}`])
  // the same agent process all along (it resumed, it was not restarted)
  const [now] = agentPods('demo')
  assert.is(now.metadata.name, agent.metadata.name)
  assert.is(now.status.containerStatuses[0].restartCount, 0)
  const log = kubectl(['-n', ns, 'logs', now.metadata.name])
  assert.match(log, /watch interrupted/)
})

faults.run()
