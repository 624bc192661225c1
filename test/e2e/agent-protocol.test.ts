// The agent's member protocol on the local cluster (issue 5, "Must show"): real pods, real exec, the
// real plugin binary. The shelldemo package records every startscript call in the member
// (/var/tmp/kd-record: calls.log, configmeta.N.json), so the files in the members prove what the agent did.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
import {ANNOTATION, memberFqdn} from '../../src/cluster/names.ts'
import {calls, eventually, recordedConfigmeta as recordedMeta} from './agent-members.ts'

const ns = createNamespace('kd-e2e-agent')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const fqdn = (pod: string, cluster = 'demo') => memberFqdn(pod, cluster, ns)

const recordedConfigmeta = (pod: string, n: number) => recordedMeta(ns, pod, n)
const pod = (name: string) => kubectlJson(['-n', ns, 'get', 'pod', name])
const containerId = (p: any) => p.status.containerStatuses.find((c: any) => c.name === 'app').containerID as string

const protocol = suite('agent protocol: configure, addnodes, delnodes, eventList')

const members = ['demo-controller-0', 'demo-worker-0', 'demo-worker-1', 'demo-edge-0']

protocol('configure runs once per member with the right configmeta', () => {
  const r = run(['create', 'shelldemo', 'demo', '--members', 'edge=1', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const workers = [fqdn('demo-worker-0'), fqdn('demo-worker-1')]
  for (const m of members) {
    assert.equal(calls(ns, m), ['--configure'], m)
    const meta = recordedConfigmeta(m, 1)
    const role = m.split('-')[1]!
    assert.is(meta.node.role_id, role)
    assert.is(meta.node.fqdn, fqdn(m))
    assert.equal(meta.nodegroups['1'].roles.worker.fqdns, workers)
    assert.equal(meta.nodegroups['1'].roles.controller.fqdns, [fqdn('demo-controller-0')])
    assert.equal(meta.nodegroups['1'].roles.edge.fqdns, [fqdn('demo-edge-0')])
    assert.is(meta.nodegroups['1'].config_metadata.greeting, 'hello from kubectl-kd')
    const p = pod(m)
    assert.is(p.metadata.annotations[ANNOTATION.state], 'configured')
    assert.is(p.metadata.annotations[ANNOTATION.configuredContainer], containerId(p))
    assert.is(p.status.conditions.find((c: any) => c.type === 'kubectl-kd.io/configured')?.status, 'True')
  }
  // configcli answered from the same data (the record's view file)
  const view = kubectl(['-n', ns, 'exec', 'demo-worker-1', '-c', 'app', '--', 'cat', '/var/tmp/kd-record/view.1'])
  assert.match(view, /^role=worker$/m)
  assert.match(view, /^self_index=1$/m)
  assert.match(view, new RegExp(`^fqdns\\.worker=${workers.join(',').replace(/\./g, '\\.')}$`, 'm'))
})

protocol('kubectl wait --for=condition=Ready works on the members', () => {
  const out = kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod', '-l', 'kubectl-kd.io/cluster=demo,kubectl-kd.io/role', '--timeout=60s'])
  assert.is(out.trim().split('\n').length, members.length)
})

protocol('scale up: --addnodes with exactly the new FQDN to the others; edge (eventList configure) gets nothing', () => {
  const r = run(['scale', 'demo', 'worker=3', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const add = `--addnodes --nodegroup 1 --role worker --fqdns ${fqdn('demo-worker-2')}`
  for (const m of ['demo-controller-0', 'demo-worker-0', 'demo-worker-1']) assert.equal(calls(ns, m), ['--configure', add], m)
  assert.equal(calls(ns, 'demo-edge-0'), ['--configure'])
  assert.equal(calls(ns, 'demo-worker-2'), ['--configure'])
  const meta = recordedConfigmeta('demo-worker-2', 1)
  assert.equal(meta.nodegroups['1'].roles.worker.fqdns, [0, 1, 2].map((i) => fqdn(`demo-worker-${i}`)))
  // the others saw fresh configmeta (with the new member) when --addnodes ran
  assert.equal(recordedConfigmeta('demo-controller-0', 2).nodegroups['1'].roles.worker.fqdns, [0, 1, 2].map((i) => fqdn(`demo-worker-${i}`)))
})

protocol('scale down: --delnodes with exactly the removed FQDN', () => {
  const r = run(['scale', 'demo', 'worker=2', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const add = `--addnodes --nodegroup 1 --role worker --fqdns ${fqdn('demo-worker-2')}`
  const del = `--delnodes --nodegroup 1 --role worker --fqdns ${fqdn('demo-worker-2')}`
  for (const m of ['demo-controller-0', 'demo-worker-0', 'demo-worker-1']) assert.equal(calls(ns, m), ['--configure', add, del], m)
  assert.equal(calls(ns, 'demo-edge-0'), ['--configure'])
  assert.equal(recordedConfigmeta('demo-controller-0', 3).nodegroups['1'].roles.worker.fqdns, [fqdn('demo-worker-0'), fqdn('demo-worker-1')])
})

protocol('scale up by two: each new FQDN announced exactly once', () => {
  const r = run(['scale', 'demo', 'worker=4', '--wait', '--timeout', '5m'])
  assert.is(r.code, 0, r.stderr)
  const c = calls(ns, 'demo-controller-0').slice(3)
  const announced = c.flatMap((l) => {
    const m = /^--addnodes --nodegroup 1 --role worker --fqdns (\S+)$/.exec(l)
    assert.ok(m, l)
    return m![1]!.split(',')
  })
  assert.equal(announced.sort(), [fqdn('demo-worker-2'), fqdn('demo-worker-3')])
  assert.equal(calls(ns, 'demo-edge-0'), ['--configure'])
})

protocol('delete a member pod: recreated and configured again, the others not notified', async () => {
  const before = containerId(pod('demo-worker-0'))
  const controllerCalls = calls(ns, 'demo-controller-0')
  kubectl(['-n', ns, 'delete', 'pod', 'demo-worker-0', '--wait=true'])
  await eventually('demo-worker-0 configured again', () => {
    const p = pod('demo-worker-0')
    return p.metadata.annotations?.[ANNOTATION.state] === 'configured' && p.metadata.annotations[ANNOTATION.configuredContainer] === containerId(p)
  })
  assert.is.not(containerId(pod('demo-worker-0')), before)
  assert.equal(calls(ns, 'demo-worker-0'), ['--configure'])
  kubectl(['-n', ns, 'wait', '--for=condition=Ready', 'pod', '-l', 'kubectl-kd.io/cluster=demo,kubectl-kd.io/role', '--timeout=60s'])
  assert.equal(calls(ns, 'demo-controller-0'), controllerCalls)
  await eventually('cluster configured', () => /State:\s+configured/.test(run(['status', 'demo']).stdout))
})

protocol('a restarted container (same pod) goes back through setup', async () => {
  const before = containerId(pod('demo-worker-1'))
  // kill the container's main process: the kubelet starts a new container in the same pod
  kubectl(['-n', ns, 'exec', 'demo-worker-1', '-c', 'app', '--', 'sh', '-c', 'kill 1'], {allowFail: true})
  await eventually('demo-worker-1 configured for its new container', () => {
    const p = pod('demo-worker-1')
    const cid = containerId(p)
    return cid && cid !== before && p.status.containerStatuses[0].state.running && p.metadata.annotations[ANNOTATION.configuredContainer] === cid && p.metadata.annotations[ANNOTATION.state] === 'configured'
  })
})

protocol.run()

const failing = suite('agent: a failing startscript gives config error with its output; fix + delete pod recovers')
// the last suite of the file removes the namespace
failing.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

failing('config error with the output in status', async () => {
  const spec = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: bad}
spec:
  app: shelldemo
  roles:
  - id: controller
    members: 1
  - id: worker
    members: 2
    env: [{name: KD_DEMO_FAIL, value: bad-worker-1}]
`
  const r = kd(['create', '-f', '-', '-n', ns], {input: spec, env: clusterEnv()})
  assert.is(r.code, 0, r.stderr)
  await eventually('bad-worker-1 in config error', () => pod('bad-worker-1').metadata.annotations?.[ANNOTATION.state] === 'config error')
  await eventually('the other members configured', () => ['bad-controller-0', 'bad-worker-0'].every((m) => pod(m).metadata.annotations?.[ANNOTATION.state] === 'configured'))
  const status = run(['status', 'bad'])
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stdout, /LAST-ERROR/)
  assert.match(status.stdout, /bad-worker-1\s+config error.*configure failed with exit status 7/)
  assert.match(status.stdout, /Last output of bad-worker-1:/)
  assert.match(status.stdout, /cannot configure bad-worker-1: failure requested/)
  assert.match(status.stdout, /shelldemo: configuring bad-worker-1 as worker/)
  const p = pod('bad-worker-1')
  assert.is(p.status.conditions.find((c: any) => c.type === 'kubectl-kd.io/configured')?.status, 'False')
  assert.not.ok(p.status.conditions.find((c: any) => c.type === 'Ready')?.status === 'True')
  // the failing configure ran once, not in a loop
  assert.equal(calls(ns, 'bad-worker-1'), ['--configure'])
  const events = kubectl(['-n', ns, 'get', 'events', '--field-selector', 'involvedObject.name=bad-kd,reason=MemberConfigError', '-o', 'name'])
  assert.ok(events.trim(), 'a MemberConfigError event on the root ConfigMap')
})

failing('removing the cause and deleting the pod recovers to configured', async () => {
  // the cause: the role's env; the user fixes it (here on the StatefulSet) and deletes the pod
  kubectl(['-n', ns, 'patch', 'statefulset', 'bad-worker', '--type=json', '-p', '[{"op":"remove","path":"/spec/template/spec/containers/0/env"}]'])
  kubectl(['-n', ns, 'delete', 'pod', 'bad-worker-1', '--wait=true'])
  await eventually('cluster bad configured', () => /State:\s+configured/.test(run(['status', 'bad']).stdout), 180_000)
  assert.equal(calls(ns, 'bad-worker-1'), ['--configure'])
  assert.not.match(run(['status', 'bad']).stdout, /Last output/)
})

failing.run()
