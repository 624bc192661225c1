// The cluster kept at its spec (DESIGN §4.3): the pure decisions of member-objects.ts and spec-signature.ts,
// and on a fake client the agent's keeper together with the CLI's writes: interrupted and refused writes
// end converged, deleted objects come back, two writers never lose an update, and a principal with
// ConfigMap rights alone cannot change what runs. End to end on the local cluster: test/e2e/converge.test.ts.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, writeFileSync} from 'node:fs'
import {FakeKube} from '../lib/fake-kube.ts'
import {converge} from '../lib/agent-keeper.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {scaleCluster} from '../../src/actions/cluster/scale.ts'
import {editCluster} from '../../src/actions/cluster/cluster-edit.ts'
import {clusterStatus, readCluster} from '../../src/actions/cluster/clusters.ts'
import {dumpYaml} from '../../src/output/yaml.ts'
import {waitForCluster} from '../../src/actions/cluster/wait.ts'
import {R} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL, MANAGED_BY, ROOT_KEYS} from '../../src/cluster/names.ts'
import {planConvergence, specHash, withSpecHash, type ObservedObject} from '../../src/cluster/member-objects.ts'
import {rootSignatureProblem, signRoot} from '../../src/cluster/spec-signature.ts'
import type {KubeObject} from '../../src/kube-object.ts'
import {rejects} from '../lib/user-errors.ts'

const NS = 'team'
const request = (over: Partial<ClusterChangeRequest> = {}): ClusterChangeRequest => ({app: 'shelldemo', name: 'demo', members: [], images: [], packages: [], dryRun: 'none', allowExisting: false, ...over})

/** A cluster made by create and brought to its spec by the agent (two passes: write, then see). */
async function cluster(over: Partial<ClusterChangeRequest> = {}): Promise<FakeKube> {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request(over))
  await converge(kube, 'demo')
  return kube
}

const workers = (kube: FakeKube) => kube.find(R.statefulSets(NS), 'demo-worker')?.spec.replicas
const image = (kube: FakeKube) => kube.find(R.statefulSets(NS), 'demo-worker')?.spec.template.spec.containers[0].image

// --- the pure decisions ---------------------------------------------------------------------------

const plan = suite('planConvergence')
const sts = (name: string, replicas: number): KubeObject =>
  withSpecHash({apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name, labels: {[LABEL.cluster]: 'c', [LABEL.managedBy]: MANAGED_BY, [LABEL.role]: 'w'}, ownerReferences: [{apiVersion: 'v1', kind: 'ConfigMap', name: 'c-kd', uid: 'root'}]}, spec: {replicas}})
const seen = (o: KubeObject, over: Partial<ObservedObject> = {}): ObservedObject => ({
  kind: o.kind as ObservedObject['kind'],
  name: o.metadata.name,
  uid: `uid-${o.metadata.name}`,
  ownerUids: ['root'],
  labels: o.metadata.labels ?? {},
  specHash: o.metadata.annotations?.[ANNOTATION.specHash],
  replicas: (o.spec as {replicas: number}).replicas,
  ...over,
})

plan('missing: created; at the spec: nothing; another render or replica count: applied; what the root owns and the spec drops: deleted', () => {
  const a = sts('c-a', 2)
  const b = sts('c-b', 3)
  assert.equal(planConvergence([a, b], [], 'root', 'c').actions.map((x) => x.op), ['create', 'create'])
  assert.equal(planConvergence([a], [seen(a)], 'root', 'c'), {actions: [], foreign: [], rollingOut: []})
  assert.equal(planConvergence([a], [seen(a, {specHash: 'other'})], 'root', 'c').actions.map((x) => x.op), ['apply'])
  assert.equal(planConvergence([a], [seen(a, {replicas: 5})], 'root', 'c').actions.map((x) => x.op), ['apply'], 'a replica count changed by hand is put back')
  assert.equal(planConvergence([a], [seen(a), seen(b)], 'root', 'c').actions, [{op: 'delete', kind: 'StatefulSet', name: 'c-b', uid: 'uid-c-b'}])
})

plan('an object of a needed name the root does not own is reported and left alone; the exact render applied by hand is adopted', () => {
  const a = sts('c-a', 2)
  const labelsOnly = seen(a, {ownerUids: [], specHash: undefined, labels: {[LABEL.cluster]: 'c', [LABEL.role]: 'w'}})
  assert.equal(planConvergence([a], [labelsOnly], 'root', 'c'), {actions: [], foreign: ['statefulset/c-a'], rollingOut: []})
  assert.equal(planConvergence([a], [seen(a, {ownerUids: ['someone-else']})], 'root', 'c').foreign, ['statefulset/c-a'])
  // nothing the root does not own is ever deleted, whatever its labels
  assert.equal(planConvergence([], [labelsOnly], 'root', 'c').actions, [])
  const adopted = planConvergence([a], [seen(a, {ownerUids: []})], 'root', 'c').actions
  assert.equal(adopted.map((x) => [x.op, x.op === 'apply' && x.adopt]), [['apply', true]])
})

plan('a StatefulSet the controller has not rolled out yet keeps the cluster from being converged', () => {
  const a = sts('c-a', 2)
  assert.equal(planConvergence([a], [seen(a, {generation: 3, observedGeneration: 2})], 'root', 'c').rollingOut, ['c-a'])
  assert.equal(planConvergence([a], [seen(a, {generation: 3, observedGeneration: 3, currentRevision: 'r1', updateRevision: 'r2', updatedReplicas: 1})], 'root', 'c').rollingOut, ['c-a'])
  assert.equal(planConvergence([a], [seen(a, {generation: 3, observedGeneration: 3, currentRevision: 'r2', updateRevision: 'r2'})], 'root', 'c').rollingOut, [])
})

plan('the spec hash leaves out the owner (the dry-run render and the owned one are the same spec)', () => {
  const a = sts('c-a', 2)
  const {ownerReferences: _o, ...meta} = a.metadata
  assert.is(specHash({...a, metadata: meta}), a.metadata.annotations![ANNOTATION.specHash])
  assert.is.not(specHash(sts('c-a', 3)), a.metadata.annotations![ANNOTATION.specHash])
})

plan.run()

const signature = suite('spec signature')

signature('a root signed with the key checks; any change of its spec or generation, or another key, does not', () => {
  const key = Buffer.alloc(32, 7)
  const root = signRoot(key, {metadata: {annotations: {[ANNOTATION.generation]: '3'}}, data: {[ROOT_KEYS.app]: '{"a":1}', [ROOT_KEYS.cluster]: '{"c":1}', 'options.json': '{}'}})
  assert.is(rootSignatureProblem(key, root), undefined)
  assert.match(rootSignatureProblem(key, {...root, data: {...root.data, [ROOT_KEYS.app]: '{"a":2}'}})!, /changed by someone who cannot read the cluster's key/)
  assert.match(rootSignatureProblem(key, {...root, metadata: {annotations: {...root.metadata.annotations, [ANNOTATION.generation]: '2'}}})!, /signature does not match/)
  assert.match(rootSignatureProblem(Buffer.alloc(32, 8), root)!, /signature does not match/)
  assert.match(rootSignatureProblem(undefined, root)!, /no key/)
  assert.match(rootSignatureProblem(key, {data: root.data})!, /not signed/)
})

signature.run()

// --- the agent's keeper with the CLI, on a fake client ---------------------------------------------

const keep = suite('the agent keeps the cluster at its spec')

keep('create writes the root and the agent; the agent makes the members\' objects, owned by the root', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  assert.is(kube.all(R.statefulSets(NS)).length, 0)
  assert.equal(await converge(kube, 'demo'), {converged: false})
  assert.equal(await converge(kube, 'demo'), {converged: true})
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  for (const o of [...kube.all(R.statefulSets(NS)), ...kube.all(R.services(NS))]) assert.equal(o.metadata.ownerReferences.map((r: {uid: string}) => r.uid), [root.metadata.uid], o.metadata.name)
  assert.is(workers(kube), 2)
})

keep('a deleted StatefulSet or member Service comes back; one changed by hand is put back', async () => {
  const kube = await cluster()
  await kube.delete(R.statefulSets(NS), 'demo-worker')
  await kube.delete(R.services(NS), 'demo-worker-1')
  await kube.patch(R.statefulSets(NS), 'demo-controller', 'merge', {spec: {replicas: 4}})
  await converge(kube, 'demo')
  assert.is(workers(kube), 2)
  assert.ok(kube.find(R.services(NS), 'demo-worker-1'))
  assert.is(kube.find(R.statefulSets(NS), 'demo-controller')!.spec.replicas, 1)
})

keep('a refused StatefulSet write is said in status and retried; scale again is not "unchanged" while objects differ', async () => {
  const kube = await cluster()
  kube.fail = (r) => (r.verb === 'apply' && r.resource === 'statefulsets' ? new ApiError('Forbidden', 403, 'statefulsets "demo-worker" is forbidden: exceeded quota') : undefined)
  await scaleCluster(kube, {name: 'demo', role: 'worker', members: 5, dryRun: 'none'})
  const refused = await converge(kube, 'demo')
  assert.is(refused.converged, false)
  assert.match(refused.problem!, /update statefulset\/demo-worker: statefulsets "demo-worker" is forbidden: exceeded quota/)
  assert.is(workers(kube), 2)
  kube.fail = () => undefined
  await converge(kube, 'demo')
  assert.is(workers(kube), 5, 'converged once the write is allowed, with no command run again')
})

keep('create cut short after the root (and unable to remove it): the same create finishes it; a complete cluster is refused', async () => {
  const kube = new FakeKube(NS)
  kube.fail = (r) => (r.verb === 'create' && r.resource === 'deployments' ? new ApiError('ServerError', 500, 'connection reset') : r.verb === 'delete' ? new ApiError('Forbidden', 403, 'configmaps "demo-kd" is forbidden') : undefined)
  const err = await rejects(changeClusters(kube, request()), /connection reset; the half-made cluster could not be removed \(configmaps "demo-kd" is forbidden\): kubectl kd create again finishes it/)
  assert.ok(err)
  assert.not.ok(kube.find(R.deployments(NS), 'demo-kd-agent'))
  kube.fail = () => undefined
  const again = await changeClusters(kube, request())
  assert.is(again.applied[0]![0]!.action, 'configured')
  assert.ok(kube.find(R.deployments(NS), 'demo-kd-agent'))
  await converge(kube, 'demo')
  assert.is(workers(kube), 2)
  await rejects(changeClusters(kube, request()), /cluster "demo" already exists/)
})

keep('apply of the same spec puts back a deleted agent Deployment or Role (not "unchanged")', async () => {
  const kube = await cluster()
  await kube.delete(R.deployments(NS), 'demo-kd-agent')
  await kube.delete(R.roles(NS), 'demo-kd-agent')
  const change = await changeClusters(kube, request({allowExisting: true}))
  assert.is(change.applied[0]![0]!.action, 'configured')
  assert.ok(kube.find(R.deployments(NS), 'demo-kd-agent'))
  assert.ok(kube.find(R.roles(NS), 'demo-kd-agent'))
  assert.is((await changeClusters(kube, request({allowExisting: true}))).applied[0]![0]!.action, 'unchanged')
})

keep('ConfigMap rights alone cannot change what runs: an unsigned root is not acted on, scale refuses to sign it, apply -f of the owner\'s spec restores it', async () => {
  const kube = await cluster()
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  // the probe's attack: the app (image, package hash) in the root changed, the signature left as it was
  const app = JSON.parse(root.data[ROOT_KEYS.app])
  for (const r of app.roles) r.imageRepoTag = 'evil/image:1'
  await kube.patch(R.configMaps(NS), 'demo-kd', 'merge', {data: {[ROOT_KEYS.app]: JSON.stringify(app)}})
  const refused = await converge(kube, 'demo')
  assert.match(refused.specProblem!, /configmap\/demo-kd: its spec was changed by someone who cannot read the cluster's key/)
  assert.is.not(image(kube), 'evil/image:1')
  // the signature cannot be made without the key: a re-signed root under another key is refused too
  await kube.patch(R.configMaps(NS), 'demo-kd', 'merge', signRoot(Buffer.alloc(32, 1), {metadata: {annotations: {[ANNOTATION.generation]: root.metadata.annotations[ANNOTATION.generation]}}, data: {...root.data, [ROOT_KEYS.app]: JSON.stringify(app)}}))
  assert.ok((await converge(kube, 'demo')).specProblem)
  assert.is.not(image(kube), 'evil/image:1')
  await rejects(scaleCluster(kube, {name: 'demo', role: 'worker', members: 3, dryRun: 'none'}), /cluster "demo" is not scaled: configmap\/demo-kd: its spec was changed/)
  // the owner applies the spec they want: signed again, the agent acts on it
  await changeClusters(kube, request({allowExisting: true, members: ['worker=3']}))
  const back = await converge(kube, 'demo')
  assert.is(back.specProblem, undefined)
  assert.is(workers(kube), 3)
  assert.is.not(image(kube), 'evil/image:1')
})

keep('a foreign pod with the cluster\'s labels neither counts as a member nor pins the state', async () => {
  const kube = await cluster({members: ['worker=2']})
  kube.seed(R.pods(NS), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'demo-worker-7', labels: {[LABEL.cluster]: 'demo', [LABEL.role]: 'worker', [LABEL.app]: 'shelldemo', [LABEL.managedBy]: MANAGED_BY}},
    status: {phase: 'Running', conditions: [{type: CONFIGURED_CONDITION, status: 'False'}]},
  })
  const status = await clusterStatus(kube, 'demo')
  assert.not.ok(status.members.some((m) => m.pod === 'demo-worker-7'))
})

keep('--wait ends early when a StatefulSet cannot create its pods (a quota), naming the reason', async () => {
  const kube = await cluster()
  kube.seed(R.events(NS), {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {name: 'demo-worker.1', creationTimestamp: new Date().toISOString()},
    involvedObject: {kind: 'StatefulSet', name: 'demo-worker'},
    reason: 'FailedCreate',
    lastTimestamp: new Date().toISOString(),
    message: 'create Pod demo-worker-0 in StatefulSet demo-worker failed error: pods "demo-worker-0" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2',
  })
  const started = Date.now()
  await rejects(waitForCluster(kube, 'demo', {timeoutMs: 20_000, failAfterMs: 300}), /^cluster\/demo will not be configured: role worker: statefulset demo-worker cannot create its pods: .*exceeded quota: pods/)
  assert.ok(Date.now() - started < 10_000, 'early, not at the timeout')
})

keep.run()

const writers = suite('two writers')

/** Another writer's root (what `replace` makes of the current one) landing between this command's read and its root write. */
function rootLandsMeanwhile(kube: FakeKube, replace: (root: any) => any) {
  let done = false
  kube.fail = (r) => {
    if (!done && r.verb === 'apply' && r.resource === 'configmaps' && r.name === 'demo-kd' && !r.dryRun) {
      done = true
      kube.seed(R.configMaps(NS), replace(kube.find(R.configMaps(NS), 'demo-kd')!))
    }
    return undefined
  }
}

/** Another user's change of the spec: a new generation, signed with the cluster's key. */
function landsMeanwhile(kube: FakeKube, change: (data: Record<string, string>) => void) {
  rootLandsMeanwhile(kube, (root) => {
    change(root.data)
    root.metadata.annotations[ANNOTATION.generation] = String(Number(root.metadata.annotations[ANNOTATION.generation]) + 1)
    const key = Buffer.from(kube.find(R.secrets(NS), 'demo-kd-keys')!.data.key, 'base64')
    return signRoot(key, root)
  })
}

writers('scale beside scale of another role: both counts land (the later re-reads and scales again)', async () => {
  const kube = await cluster()
  landsMeanwhile(kube, (data) => {
    const c = JSON.parse(data[ROOT_KEYS.cluster]!)
    c.roles.find((r: {id: string}) => r.id === 'edge').members = 1
    data[ROOT_KEYS.cluster] = JSON.stringify(c)
  })
  await scaleCluster(kube, {name: 'demo', role: 'worker', members: 4, dryRun: 'none'})
  const roles = (await readCluster(kube, 'demo')).cluster.roles
  assert.equal(roles.map((r) => [r.id, r.members]), [['controller', 1], ['worker', 4], ['edge', 1]])
})

writers('apply over a spec changed since it was read: refused in one line, nothing written; a change of status annotations alone is not a conflict', async () => {
  const kube = await cluster()
  landsMeanwhile(kube, (data) => {
    data[ROOT_KEYS.cluster] = data[ROOT_KEYS.cluster]!.replace('"members": 2', '"members": 3')
  })
  await rejects(changeClusters(kube, request({allowExisting: true, members: ['worker=4']})), /^cluster "demo" was changed by someone else since it was read .*nothing was written/)
  // the agent's state annotations land meanwhile: written over the newer root
  const kube2 = await cluster()
  rootLandsMeanwhile(kube2, (root) => {
    root.metadata.annotations[ANNOTATION.rollup] = '{"membersConfigured":2}'
    return root
  })
  await changeClusters(kube2, request({allowExisting: true, members: ['worker=4']}))
  assert.is((await readCluster(kube2, 'demo')).cluster.roles.find((r) => r.id === 'worker')!.members, 4)
})

writers('edit refuses a stale save (a scale landed while the editor was open), keeping the file', async () => {
  const kube = await cluster()
  let file = ''
  const err = await rejects(
    editCluster(kube, {
      name: 'demo',
      render: dumpYaml,
      edit: async (path) => {
        file = path
        await scaleCluster(kube, {name: 'demo', role: 'worker', members: 3, dryRun: 'none'})
        writeFileSync(path, readFileSync(path, 'utf8').replace(/members: 2/, 'members: 5'))
      },
    }),
    /cluster "demo" was changed by someone else since it was read/,
  )
  assert.ok(err.message.includes(file), 'the file with the changes is named')
  assert.is((await readCluster(kube, 'demo')).cluster.roles.find((r) => r.id === 'worker')!.members, 3, 'the scale is not lost')
})

writers('apply beside delete: an apply that read the cluster before it was deleted does not bring it back', async () => {
  const kube = await cluster()
  // deleted and made again by someone else: another uid
  rootLandsMeanwhile(kube, (root) => ({...root, metadata: {...root.metadata, resourceVersion: 'gone', uid: 'another-uid'}}))
  await rejects(changeClusters(kube, request({allowExisting: true, members: ['worker=4']})), /cluster "demo" was deleted while this command ran; nothing was written/)
})

writers.run()
