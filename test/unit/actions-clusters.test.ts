// The cluster actions' decisions on a fake client (test/lib/fake-kube.ts): what create, apply, scale and
// delete write and in which order, what they refuse before the first write, and what a failure midway
// leaves behind (only what that run created is removed). End to end on a real cluster: test/e2e.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FakeKube} from '../lib/fake-kube.ts'
import {converge} from '../lib/agent-keeper.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {scaleCluster} from '../../src/actions/cluster/scale.ts'
import {clusterStatus, listClusters, readCluster} from '../../src/actions/cluster/clusters.ts'
import {deleteCluster} from '../../src/actions/cluster/cluster-delete.ts'
import {waitForCluster} from '../../src/actions/cluster/wait.ts'
import {R, resourceFor} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL, MANAGED_BY} from '../../src/cluster/names.ts'
import {rejects} from '../lib/user-errors.ts'

const NS = 'team'
const request = (over: Partial<ClusterChangeRequest> = {}): ClusterChangeRequest => ({
  app: 'shelldemo',
  name: 'demo',
  members: [],
  images: [],
  packages: [],
  dryRun: 'none',
  allowExisting: false,
  ...over,
})

/** A fake client holding the cluster `request()` made, its objects made by the agent's keeper. */
async function withCluster(): Promise<FakeKube> {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  await converge(kube, 'demo')
  return kube
}

const kinds = (kube: FakeKube) =>
  [R.configMaps(NS), R.secrets(NS), R.services(NS), R.statefulSets(NS), R.deployments(NS), R.serviceAccounts(NS), R.roles(NS), R.roleBindings(NS)].flatMap((r) => kube.all(r).map((o) => `${o.kind ?? r.resource}/${o.metadata.name}`)).sort()

const create = suite('create')

create('writes the root first with a plain create, then the agent and what it needs, owned by it; the agent makes the members\' objects; state creating, generation 1', async () => {
  const kube = new FakeKube(NS)
  const change = await changeClusters(kube, request())
  const writes = kube.requests.filter((r) => r.verb === 'create' && !r.dryRun && !r.resource.endsWith('accessreviews'))
  assert.not.ok(writes.some((w) => w.resource === 'statefulsets' || w.resource === 'services'), 'the members\' objects are the agent\'s to write')
  await converge(kube, 'demo')
  assert.equal(writes[0], {...writes[0]!, resource: 'configmaps', name: 'demo-kd'})
  assert.is(kube.made('apply').length, 0, 'a new cluster is never applied over')
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  assert.is(root.metadata.annotations[ANNOTATION.state], 'creating')
  assert.is(root.metadata.annotations[ANNOTATION.generation], '1')
  const owned = kinds(kube).filter((k) => k !== 'ConfigMap/demo-kd')
  assert.ok(owned.length >= 10, owned.join(' '))
  for (const r of [R.configMaps(NS), R.services(NS), R.statefulSets(NS), R.deployments(NS), R.roles(NS)]) {
    for (const o of kube.all(r).filter((x) => x.metadata.name !== 'demo-kd')) {
      assert.equal(o.metadata.ownerReferences, [{apiVersion: 'v1', kind: 'ConfigMap', name: 'demo-kd', uid: root.metadata.uid, controller: true, blockOwnerDeletion: true}], o.metadata.name)
    }
  }
  assert.equal(change.applied[0]!.map((a) => a.action).filter((a) => a !== 'created'), [])
  // a RoleBinding only after its Role, the agent Deployment after both; the agent's member Services after its StatefulSets
  const order = writes.map((w) => w.resource)
  assert.ok(order.indexOf('rolebindings') > order.indexOf('roles'))
  assert.ok(order.indexOf('deployments') > order.indexOf('rolebindings'))
  const byAgent = kube.requests.filter((r) => r.verb === 'create' && (r.resource === 'statefulsets' || r.resource === 'services')).map((r) => r.resource)
  const memberServices = kube.all(R.services(NS)).filter((o) => o.metadata.labels?.[LABEL.role] !== undefined).length
  assert.ok(memberServices > 0)
  assert.ok(byAgent.slice(-memberServices).every((r) => r === 'services'), byAgent.join(' '))
})

create('a missing permission is refused before the first write, naming it', async () => {
  const kube = new FakeKube(NS)
  kube.allow = (a) => !(a.verb === 'create' && a.resource === 'statefulsets')
  await rejects(changeClusters(kube, request()), /forbidden: you cannot create statefulsets\.apps in namespace "team".*nothing was created/)
  assert.equal(kinds(kube), [])
})

create('a Role granting more than the user holds is refused before the first write', async () => {
  const kube = new FakeKube(NS)
  kube.allow = (a) => a.verb !== 'escalate' && !(a.resource === 'pods' && a.subresource === 'exec')
  await rejects(changeClusters(kube, request()), /you cannot create pods\/exec.*aggregate-to-admin\.yaml/)
  assert.equal(kinds(kube), [])
})

create('a failure midway removes the root it created (by uid), and so everything it owns', async () => {
  const kube = new FakeKube(NS)
  kube.fail = (r) => (r.verb === 'create' && r.resource === 'deployments' ? new ApiError('Forbidden', 403, 'exceeded quota: deployments') : undefined)
  await rejects(changeClusters(kube, request()), /exceeded quota/)
  assert.equal(kinds(kube), [])
  const del = kube.made('delete', 'configmaps')
  assert.is(del.length, 1)
  assert.is(del[0]!.name, 'demo-kd')
})

create('two racing creates: the loser gets "already exists" and removes nothing of the winner', async () => {
  const kube = new FakeKube(NS)
  // the winner's root lands between the loser's "no cluster yet" read and its own create
  let winnerUid = ''
  kube.fail = (r) => {
    if (!winnerUid && r.verb === 'create' && r.resource === 'configmaps' && r.name === 'demo-kd') {
      winnerUid = kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'demo-kd', labels: {[LABEL.cluster]: 'demo'}}})[0]!.metadata.uid
    }
    return undefined
  }
  await rejects(changeClusters(kube, request({members: ['worker=3']})), /^cluster "demo" already exists in namespace "team"/)
  assert.is(kube.made('delete').length, 0, 'the loser deletes nothing')
  assert.is(kube.find(R.configMaps(NS), 'demo-kd')!.metadata.uid, winnerUid)
  assert.equal(kinds(kube), ['ConfigMap/demo-kd'])
})

create('a racing create whose objects appear before the loser checks its names: still "already exists"', async () => {
  const winner = await withCluster()
  const kube = new FakeKube(NS)
  let seeded = false
  kube.fail = (r) => {
    // the winner writes everything right after the loser found no root
    if (!seeded && r.resource === 'selfsubjectaccessreviews') {
      seeded = true
      for (const res of [R.configMaps(NS), R.services(NS), R.statefulSets(NS), R.deployments(NS), R.serviceAccounts(NS), R.roles(NS), R.roleBindings(NS)]) kube.seed(res, ...winner.all(res))
    }
    return undefined
  }
  await rejects(changeClusters(kube, request({members: ['worker=3']})), /^cluster "demo" already exists in namespace "team"/)
  assert.equal(kube.requests.filter((r) => ['create', 'apply', 'delete', 'patch'].includes(r.verb) && !r.resource.endsWith('accessreviews')), [])
})

create('leftovers of a deleted cluster of the same name: refused until they are gone, nothing written', async () => {
  const kube = await withCluster()
  // the root is gone but the garbage collector has not yet removed what it owned
  const all = [R.services(NS), R.statefulSets(NS)].flatMap((res) => kube.all(res).map((o) => [res, o] as const))
  await deleteCluster(kube, 'demo', {})
  for (const [res, o] of all) kube.seed(res, o)
  await rejects(changeClusters(kube, request()), /cluster "demo" cannot be created in namespace "team" yet: \d+ of an earlier cluster of that name are still being deleted/)
})

create('a cluster that exists is refused by create, and left alone', async () => {
  const kube = await withCluster()
  const before = kube.requests.length
  await rejects(changeClusters(kube, request()), /cluster "demo" already exists/)
  assert.equal(kube.requests.slice(before).filter((r) => !['get', 'list', 'create'].includes(r.verb) || (r.verb === 'create' && !r.resource.endsWith('accessreviews'))), [])
})

create('a name another cluster uses is refused before the first write, naming both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-clash-'))
  const app = (roles: string, role = roles.includes('b-c') ? 'b-c' : 'c') => `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorApp
metadata: {name: clash}
spec:
  label: {name: clash}
  distroID: test/clash
  version: "1"
  configSchemaVersion: 7
  defaultImageRepoTag: localhost/kubectl-kd/shell:1
  services: [{id: web, label: {name: Web}, endpoint: {port: 8080, urlScheme: http}}]
  roles:
${roles}
  config: {selectedRoles: [${role}], roleServices: [{roleID: ${role}, serviceIDs: [web]}]}
`
  writeFileSync(join(dir, 'a.yaml'), `${app('  - {id: b-c, cardinality: "1"}')}---
apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: a}
spec: {app: clash, roles: [{id: b-c, members: 1}]}
`)
  writeFileSync(join(dir, 'ab.yaml'), `${app('  - {id: c, cardinality: "1"}').replace('name: clash', 'name: clash2').replace('distroID: test/clash', 'distroID: test/clash2')}---
apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: a-b}
spec: {app: clash2, roles: [{id: c, members: 1}]}
`)
  const kube = new FakeKube(NS)
  await changeClusters(kube, request({app: undefined, name: undefined, files: [join(dir, 'a.yaml')]}))
  await converge(kube, 'a')
  const svc = kube.find(R.services(NS), 'a-b-c-0')!
  assert.is(svc.metadata.labels[LABEL.cluster], 'a')
  const writes = () => kube.requests.filter((r) => !r.dryRun && !['get', 'list', 'watch'].includes(r.verb) && !r.resource.endsWith('accessreviews')).length
  const before = writes()
  await rejects(changeClusters(kube, request({app: undefined, name: undefined, files: [join(dir, 'ab.yaml')]})), /cluster "a-b" cannot use the names it needs.*service\/a-b-c-0 belongs to cluster "a"/)
  assert.is(writes(), before, 'no write')
  assert.equal(kube.find(R.services(NS), 'a-b-c-0')!.metadata.uid, svc.metadata.uid)
  assert.not.ok(kube.find(R.configMaps(NS), 'a-b-kd'))
})

create('--dry-run=client needs no cluster: every object, the agent code and packages included', async () => {
  const change = await changeClusters(undefined, request({dryRun: 'client'}))
  const names = change.plans[0]!.objects.map((o) => `${o.kind}/${o.metadata.name}`)
  assert.is(names[0], 'ConfigMap/demo-kd')
  assert.ok(names.includes('ConfigMap/demo-kd-agent'), names.join(' '))
  assert.ok(names.some((n) => n.startsWith('ConfigMap/kd-pkg-')), names.join(' '))
  assert.equal(change.applied, [])
})

create('--dry-run=client prints what create writes (the root as written first), and kubectl apply of it is a cluster delete removes whole', async () => {
  const change = await changeClusters(undefined, request({dryRun: 'client', namespace: NS}))
  const objects = change.plans[0]!.objects
  const created = await withCluster()
  const root = created.find(R.configMaps(NS), 'demo-kd')!
  const unsigned = (a: Record<string, string>) => ({...a, [ANNOTATION.specSignature]: a[ANNOTATION.specSignature]?.replace(/:.*/, ':')})
  assert.equal(unsigned(objects[0]!.metadata.annotations!), unsigned(root.metadata.annotations), 'the root carries the generation and state create writes, signed with its own key')
  const strip = (o: {kind: string; metadata: {name: string}}) => `${o.kind}/${o.metadata.name}`
  assert.equal(objects.map(strip).sort(), kinds(created).sort(), 'the same objects create writes')
  assert.ok(objects.every((o) => !o.metadata.ownerReferences))
  // `| kubectl apply -f -`: the objects exactly as printed, none owned by the root; the agent takes the
  // members' objects (its exact render) as the root's
  const kube = new FakeKube(NS)
  for (const o of objects) await kube.apply(resourceFor(o, NS), o)
  assert.equal(await converge(kube, 'demo'), {converged: false}, 'adopted')
  assert.equal(await converge(kube, 'demo'), {converged: true}, 'at the spec')
  const applied = kube.find(R.configMaps(NS), 'demo-kd')!
  assert.equal(kube.find(R.statefulSets(NS), 'demo-worker')!.metadata.ownerReferences?.map((r: {uid: string}) => r.uid), [applied.metadata.uid])
  // an object of someone else with the cluster's label is left alone: owned by another, or unowned with a name the cluster's render does not give
  const foreign = kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'other', labels: {[LABEL.cluster]: 'demo', [LABEL.managedBy]: 'kubectl-kd'}, ownerReferences: [{apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u-x'}]}})
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'unowned', labels: {[LABEL.cluster]: 'demo', [LABEL.managedBy]: 'kubectl-kd'}}})
  // the applied StatefulSets' pods are the cluster's (their controller's uid), a bare pod with the labels is not
  kube.collectGarbage = false
  kube.seed(R.pods(NS), ownedBy(kube, 'demo-worker', memberPod('demo-worker-0', 'worker', 'configured')), memberPod('demo-worker-1', 'worker', 'configured'))
  const status = await clusterStatus(kube, 'demo')
  assert.is(status.name, 'demo')
  await deleteCluster(kube, 'demo', {wait: true, timeoutMs: 5000})
  assert.equal(kinds(kube), ['ConfigMap/other', 'ConfigMap/unowned'])
  assert.is(kube.find(R.configMaps(NS), 'other')!.metadata.uid, foreign[0]!.metadata.uid)
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name), ['demo-worker-1'])
})

create('a namespace whose Pod Security refuses the members\' pods: refused before the first write, naming the role and the fields', async () => {
  const kube = new FakeKube(NS)
  const refusal = 'pods "demo-worker-abcde" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "app" must not include "IPC_LOCK" in securityContext.capabilities.add)'
  kube.fail = (r) => (r.verb === 'create' && r.resource === 'pods' && r.dryRun ? new ApiError('Forbidden', 403, `forbidden: ${refusal} (needed for: create pod)`, {message: refusal}) : undefined)
  await rejects(changeClusters(kube, request()), /^cluster "demo": role "(controller|worker)": namespace "team" refuses its members' pods: violates PodSecurity "baseline:latest": non-default capabilities \(container "app" must not include "IPC_LOCK".*; nothing was changed$/)
  assert.is(kube.requests.filter((r) => !r.dryRun && !['get', 'list', 'watch'].includes(r.verb) && !r.resource.endsWith('accessreviews')).length, 0, 'no write')
  // a user who may not create pods (or any other answer): the check is left to the StatefulSets
  kube.fail = (r) => (r.verb === 'create' && r.resource === 'pods' && r.dryRun ? new ApiError('Forbidden', 403, 'forbidden: pods is forbidden: User "u" cannot create resource "pods"') : undefined)
  await changeClusters(kube, request())
  assert.ok(kube.find(R.configMaps(NS), 'demo-kd'))
})

create('--dry-run=server sends every write as a dry run and stores nothing', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request({dryRun: 'server'}))
  const writes = kube.requests.filter((r) => ['create', 'apply', 'patch', 'delete'].includes(r.verb) && !r.resource.endsWith('accessreviews'))
  assert.ok(writes.length > 5)
  assert.ok(writes.every((w) => w.dryRun), JSON.stringify(writes.filter((w) => !w.dryRun)))
  assert.equal(kinds(kube), [])
})

create('bad flags are refused before any request', async () => {
  const kube = new FakeKube(NS)
  await rejects(changeClusters(kube, request({members: ['controller=2']})), /--members controller=2: role "controller" of app shelldemo has cardinality 1 \(exactly 1 member\)/)
  await rejects(changeClusters(kube, request({images: ['worker= x']})), /--image worker= x: " x" is not an image reference/)
  await rejects(changeClusters(kube, request({members: ['nosuch=1']})), /app shelldemo has no role "nosuch"/)
  await rejects(changeClusters(kube, request({app: 'nosuchapp'})), /unknown app "nosuchapp"/)
  assert.equal(kube.requests.filter((r) => r.verb !== 'get' && r.verb !== 'list'), [])
})

create.run()

const apply = suite('apply and scale')

apply('apply updates an existing cluster by server-side apply: state updating, generation 2, nothing deleted', async () => {
  const kube = await withCluster()
  const uid = kube.find(R.configMaps(NS), 'demo-kd')!.metadata.uid
  const change = await changeClusters(kube, request({allowExisting: true, members: ['worker=3']}))
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  assert.is(root.metadata.uid, uid)
  assert.is(root.metadata.annotations[ANNOTATION.state], 'updating')
  assert.is(root.metadata.annotations[ANNOTATION.generation], '2')
  assert.not.ok(kube.find(R.services(NS), 'demo-worker-2'), 'the agent, not apply, adds the member')
  assert.equal(await converge(kube, 'demo'), {converged: false})
  assert.ok(kube.find(R.services(NS), 'demo-worker-2'))
  assert.is(kube.find(R.statefulSets(NS), 'demo-worker')!.spec.replicas, 3)
  assert.ok(change.applied[0]!.every((a) => a.action === 'configured'))
})

apply("a change of a role's storage or blockStorage is refused before any write, naming the role", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-claims-'))
  const file = (storage: string) => {
    writeFileSync(join(dir, 'c.yaml'), `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: demo}
spec:
  app: shelldemo
  roles:
  - {id: controller, members: 1}
  - {id: worker, members: 2, ${storage}}
`)
    return request({app: undefined, name: undefined, files: [join(dir, 'c.yaml')], allowExisting: true})
  }
  const kube = new FakeKube(NS)
  await changeClusters(kube, file('storage: {size: 1Gi}'))
  const writes = () => kube.requests.filter((r) => !r.dryRun && !['get', 'list', 'watch'].includes(r.verb) && !r.resource.endsWith('accessreviews')).length
  const before = writes()
  await rejects(changeClusters(kube, file('storage: {size: 2Gi}')), /^cluster "demo": the storage or blockStorage of role "worker" cannot change once the cluster exists/)
  await rejects(changeClusters(kube, file('storage: {size: 1Gi}, blockStorage: {storageClassName: b, pathPrefix: /dev/xdb, numDevices: 1}')), /role "worker" cannot change/)
  assert.is(writes(), before, 'no write')
})

apply('scale: within the cardinality only; writes only the root (edit rights suffice); the agent prunes removed members', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request({members: ['worker=3']}))
  await converge(kube, 'demo')
  await rejects(scaleCluster(kube, {name: 'demo', role: 'controller', members: 2, dryRun: 'none'}), /cannot scale role "controller" of cluster demo to 2: its cardinality is 1/)
  await rejects(scaleCluster(kube, {name: 'demo', role: 'worker', members: 1, dryRun: 'none'}), /its cardinality is 2\+ \(at least 2 members\)/)
  await rejects(scaleCluster(kube, {name: 'nope', role: 'worker', members: 2, dryRun: 'none'}), /cluster "nope" not found in namespace "team"/)
  // an `edit` user: no rights on roles or rolebindings
  kube.allow = (a) => a.resource !== 'roles' && a.resource !== 'rolebindings' && a.resource !== 'deployments'
  const before = kube.requests.length
  const r = await scaleCluster(kube, {name: 'demo', role: 'worker', members: 2, dryRun: 'none'})
  assert.equal({from: r.from, to: r.to, unchanged: r.unchanged}, {from: 3, to: 2, unchanged: false})
  const written = new Set(kube.requests.slice(before).filter((x) => !x.dryRun && ['apply', 'create', 'delete', 'patch'].includes(x.verb) && !x.resource.endsWith('accessreviews')).map((x) => x.resource))
  assert.equal([...written].sort(), ['configmaps'])
  await converge(kube, 'demo')
  assert.not.ok(kube.find(R.services(NS), 'demo-worker-2'), 'the removed member Service is pruned')
  assert.is(kube.find(R.statefulSets(NS), 'demo-worker')!.spec.replicas, 2)
  assert.ok(kube.find(R.services(NS), 'demo-worker-1'))
  assert.is((await readCluster(kube, 'demo')).cluster.roles.find((x) => x.id === 'worker')!.members, 2)
  const same = await scaleCluster(kube, {name: 'demo', role: 'worker', members: 2, dryRun: 'none'})
  assert.ok(same.unchanged)
})

apply('apply of the same spec again: unchanged, nothing written; a scale in between makes it a change again', async () => {
  const kube = await withCluster()
  const before = kube.requests.length
  const again = await changeClusters(kube, request({allowExisting: true}))
  assert.equal(again.applied[0], [{kind: 'ConfigMap', name: 'demo-kd', action: 'unchanged'}])
  assert.equal(kube.requests.slice(before).filter((r) => ['create', 'apply', 'patch', 'delete'].includes(r.verb)), [])
  assert.is(kube.find(R.configMaps(NS), 'demo-kd')!.metadata.annotations[ANNOTATION.generation], '1')
  await scaleCluster(kube, {name: 'demo', role: 'worker', members: 3, dryRun: 'none'})
  const back = await changeClusters(kube, request({allowExisting: true}))
  assert.is(back.applied[0]![0]!.action, 'configured')
  assert.is((await readCluster(kube, 'demo')).cluster.roles.find((x) => x.id === 'worker')!.members, 2)
  assert.is((await changeClusters(kube, request({allowExisting: true}))).applied[0]![0]!.action, 'unchanged')
})

apply('get -o yaml of a cluster, applied again: unchanged (every field of the file survives the round trip)', async () => {
  const kube = new FakeKube(NS)
  const dir = mkdtempSync(join(tmpdir(), 'kd-roundtrip-'))
  const file = join(dir, 'c.yaml')
  writeFileSync(
    file,
    `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata:
  name: full
  labels: {team: a}
  annotations: {kubectl-kd.io/script-timeout: 90s}
spec:
  app: shelldemo
  serviceType: ClusterIP
  roles:
    - id: controller
      resources: {limits: {cpu: "1", memory: 256Mi}}
      env: [{name: GREETING, value: hi}]
      storage: {size: 1Gi}
      podLabels: {tier: ctl}
      nodeSelector: {disk: ssd}
      tolerations: [{key: k, operator: Exists, effect: NoSchedule}]
    - id: worker
      members: 3
    - id: edge
      members: 0
`,
  )
  await changeClusters(kube, request({app: undefined, name: undefined, files: [file]}))
  const {clusterManifest} = await import('../../src/cluster/cluster-status.ts')
  const {dump} = await import('js-yaml')
  const listed = await listClusters(kube, {})
  const manifest = clusterManifest(listed.stored[0]!, listed.pods)
  assert.is(manifest.kind, 'KubeDirectorCluster')
  assert.equal(manifest.metadata.labels, {team: 'a', [LABEL.cluster]: 'full', [LABEL.app]: 'shelldemo', [LABEL.managedBy]: 'kubectl-kd'})
  assert.equal((manifest.metadata as {annotations?: unknown}).annotations, {'kubectl-kd.io/script-timeout': '1m30s'})
  assert.is(typeof manifest.metadata.uid, 'string')
  assert.equal((manifest.status as {roles: {id: string}[]}).roles.map((r) => r.id), ['controller', 'worker'])
  const out = join(dir, 'out.yaml')
  writeFileSync(out, dump(manifest))
  const before = kube.requests.length
  const again = await changeClusters(kube, request({app: undefined, name: undefined, files: [out], allowExisting: true}))
  assert.equal(again.applied[0], [{kind: 'ConfigMap', name: 'demo-kd'.replace('demo', 'full'), action: 'unchanged'}])
  assert.equal(kube.requests.slice(before).filter((r) => ['create', 'apply', 'patch', 'delete'].includes(r.verb)), [])
})

apply.run()

const read = suite('get, status, wait, delete')

/** A member pod as the StatefulSet controller and the agent leave it. */
function memberPod(name: string, role: string, state: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: {[LABEL.cluster]: 'demo', [LABEL.role]: role, [LABEL.app]: 'shelldemo', [LABEL.managedBy]: 'kubectl-kd'},
      annotations: {[ANNOTATION.state]: state, [ANNOTATION.configuredContainer]: state === 'configured' ? 'containerd://c1' : ''},
      ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: `demo-${role}`, uid: `uid-demo-${role}`, controller: true}],
    },
    spec: {nodeName: 'n1'},
    status: {
      phase: 'Running',
      hostIP: '192.0.2.9',
      containerStatuses: [{name: 'app', ready: true, restartCount: 0, containerID: 'containerd://c1', state: {running: {}}}],
      conditions: state === 'configured' ? [{type: 'Ready', status: 'True'}, {type: CONFIGURED_CONDITION, status: 'True'}] : [{type: 'Ready', status: 'False'}],
    },
    ...extra,
  }
}

read('list and status derive from the root and the member pods', async () => {
  const kube = await withCluster()
  kube.seed(R.pods(NS), memberPod('demo-controller-0', 'controller', 'configured'), memberPod('demo-worker-0', 'worker', 'configured'), memberPod('demo-worker-1', 'worker', 'creating'))
  const {summaries} = await listClusters(kube, {})
  assert.is(summaries.length, 1)
  assert.equal({name: summaries[0]!.name, app: summaries[0]!.app, ready: summaries[0]!.ready, total: summaries[0]!.total, state: summaries[0]!.state}, {name: 'demo', app: 'shelldemo', ready: 2, total: 3, state: 'creating'})
  const status = await clusterStatus(kube, 'demo')
  assert.equal(status.members.map((m) => `${m.pod}:${m.state}`), ['demo-controller-0:configured', 'demo-worker-0:configured', 'demo-worker-1:creating'])
  await rejects(clusterStatus(kube, 'other'), /cluster "other" not found in namespace "team"/)
})

read('wait: resolves when every member is configured, from watch events alone', async () => {
  const kube = await withCluster()
  const states: string[] = []
  const waiting = waitForCluster(kube, 'demo', {timeoutMs: 5000, onUpdate: (s) => states.push(`${s.state}:${s.members.filter((m) => m.state === 'configured').length}`)})
  await new Promise((r) => setTimeout(r, 20))
  kube.seed(R.pods(NS), memberPod('demo-controller-0', 'controller', 'configured'), memberPod('demo-worker-0', 'worker', 'configured'), memberPod('demo-worker-1', 'worker', 'configured'))
  await kube.patch(R.configMaps(NS), 'demo-kd', 'merge', {metadata: {annotations: {[ANNOTATION.state]: 'configured'}}})
  const done = await waiting
  assert.is(done.state, 'configured')
  assert.is(states.at(-1), 'configured:3')
})

read('wait: a timeout says how far it got', async () => {
  const kube = await withCluster()
  await rejects(waitForCluster(kube, 'demo', {timeoutMs: 50}), /timed out waiting for cluster\/demo to be configured: 0\/3 members configured, cluster state creating/)
})

/** A member pod that cannot start: waiting in `reason`, no container running. */
const stuckPod = (name: string, role: string, reason: string) =>
  memberPod(name, role, '', {
    metadata: {name, labels: {[LABEL.cluster]: 'demo', [LABEL.role]: role, [LABEL.app]: 'shelldemo', [LABEL.managedBy]: 'kubectl-kd'}, ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: `demo-${role}`, uid: `uid-demo-${role}`, controller: true}]},
    status: {phase: 'Pending', containerStatuses: [{name: 'app', image: 'localhost/nosuch:1', ready: false, restartCount: 0, state: {waiting: {reason, message: 'failed to pull'}}}], conditions: [{type: 'PodScheduled', status: 'True'}]},
  })

read('status says why a member cannot start; wait stops early, naming the member, its role and the reason', async () => {
  const kube = await withCluster()
  kube.seed(R.pods(NS), memberPod('demo-controller-0', 'controller', 'configured'), stuckPod('demo-worker-0', 'worker', 'ImagePullBackOff'), stuckPod('demo-worker-1', 'worker', 'ErrImagePull'))
  const status = await clusterStatus(kube, 'demo')
  assert.equal(status.members.map((m) => m.problem?.reason), [undefined, 'ImagePullBackOff', 'ErrImagePull'])
  const {clusterStatusText} = await import('../../src/output/clusters.ts')
  const table = clusterStatusText(status, Date.now())
  assert.match(table, /demo-worker-0\s+create pending .*ImagePullBackOff: image localhost\/nosuch:1 of container app cannot be pulled/)
  const started = Date.now()
  const err = await rejects(
    waitForCluster(kube, 'demo', {timeoutMs: 10_000, failAfterMs: 100}),
    /^cluster\/demo will not be configured: worker member demo-worker-0: ImagePullBackOff: image localhost\/nosuch:1 of container app cannot be pulled \(for 0s\) \(also demo-worker-1\); the cluster is left as it is/,
  )
  assert.ok(Date.now() - started < 5000, 'early, not at the timeout')
  assert.not.match(err.message, /\n/)
  // a member in config error (the agent's setup failed) ends the wait the same way
  const kube2 = await withCluster()
  const bad = memberPod('demo-worker-0', 'worker', 'config error')
  Object.assign(bad.metadata, {annotations: {[ANNOTATION.state]: 'config error', [ANNOTATION.configuredContainer]: 'containerd://c1', [ANNOTATION.lastError]: 'startscript exited 3'}})
  kube2.seed(R.pods(NS), bad)
  await rejects(waitForCluster(kube2, 'demo', {timeoutMs: 10_000, failAfterMs: 100}), /worker member demo-worker-0: config error: startscript exited 3/)
  // a member that recovers within the grace does not end the wait
  const kube3 = await withCluster()
  kube3.seed(R.pods(NS), stuckPod('demo-worker-0', 'worker', 'ErrImagePull'))
  setTimeout(() => void kube3.patch(R.pods(NS), 'demo-worker-0', 'merge', {status: {containerStatuses: [{name: 'app', ready: false, restartCount: 0, state: {waiting: {reason: 'ContainerCreating'}}}]}}), 30)
  await rejects(waitForCluster(kube3, 'demo', {timeoutMs: 400, failAfterMs: 200}), /^timed out waiting for cluster\/demo/)
})

/** `pod` as its StatefulSet `set` made it: controlled by it (its uid), as the API server has it; the StatefulSet as the root's (made here if nobody wrote it yet). */
function ownedBy(kube: FakeKube, set: string, pod: ReturnType<typeof memberPod>) {
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  const labels = {[LABEL.cluster]: 'demo', [LABEL.role]: pod.metadata.labels[LABEL.role], [LABEL.managedBy]: MANAGED_BY}
  const sts =
    kube.find(R.statefulSets(NS), set) ??
    kube.seed(R.statefulSets(NS), {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name: set, labels, ownerReferences: [{apiVersion: 'v1', kind: 'ConfigMap', name: 'demo-kd', uid: root.metadata.uid, controller: true}]}})[0]!
  return {...pod, metadata: {...pod.metadata, ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: set, uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true}]}}
}

read('delete: the agent, then members and their objects, then the root; --wait until everything is gone', async () => {
  const kube = await withCluster()
  // the garbage collector is behind: what the command deletes itself shows
  kube.collectGarbage = false
  for (const i of [0, 1]) kube.seed(R.pods(NS), ownedBy(kube, 'demo-worker', memberPod(`demo-worker-${i}`, 'worker', 'configured')))
  // another cluster's member is not touched
  kube.seed(R.pods(NS), {...memberPod('demo2-worker-0', 'worker', 'configured'), metadata: {name: 'demo2-worker-0', labels: {[LABEL.cluster]: 'demo2', [LABEL.role]: 'worker'}}})
  await deleteCluster(kube, 'demo', {wait: true, timeoutMs: 5000})
  assert.equal(kinds(kube), [])
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name), ['demo2-worker-0'])
  // the agent first (it would write the state of every member going away), then the StatefulSets; no collection deletes (they select by label alone)
  const deletes = kube.made('delete')
  assert.is(deletes[0]!.resource, 'deployments')
  assert.is(kube.made('deletecollection').length, 0)
  assert.ok(deletes.findIndex((r) => r.resource === 'statefulsets') < deletes.findIndex((r) => r.resource === 'pods'))
  // member pods and Services one by one, by name and uid (a collection delete is one at a time on the server)
  assert.ok(kube.made('delete', 'services').length >= 2)
  assert.equal(kube.made('delete', 'pods').map((r) => r.name).sort(), ['demo-worker-0', 'demo-worker-1'])
  await rejects(deleteCluster(kube, 'demo', {}), /cluster "demo" not found/)
})

read('delete removes only what the cluster owns: a StatefulSet, Deployment and pods that only carry its labels survive, and --wait does not wait for them', async () => {
  const kube = await withCluster()
  kube.collectGarbage = false
  kube.seed(R.pods(NS), ownedBy(kube, 'demo-worker', memberPod('demo-worker-0', 'worker', 'configured')))
  const labels = (extra: Record<string, string>) => ({[LABEL.cluster]: 'demo', ...extra})
  const other = {apiVersion: 'v1', kind: 'ConfigMap', name: 'someone-else', uid: 'u-someone-else'}
  const foreign = [
    // the probe's: a user's StatefulSet with the cluster's and a role's labels, a Deployment labelled like an agent, a bare pod
    [R.statefulSets(NS), {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name: 'db', labels: labels({[LABEL.role]: 'db'})}, spec: {}}],
    [R.deployments(NS), {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'lookalike', labels: labels({[LABEL.component]: 'agent', [LABEL.managedBy]: MANAGED_BY})}, spec: {}}],
    [R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'bare', labels: labels({[LABEL.role]: 'worker', [LABEL.managedBy]: MANAGED_BY})}}],
    // every label kubectl-kd writes and one of the cluster's names, but owned by someone else
    [R.statefulSets(NS), {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name: 'demo-edge', labels: labels({[LABEL.role]: 'edge', [LABEL.managedBy]: MANAGED_BY}), ownerReferences: [other]}, spec: {}}],
    // unowned with every label, but a name the cluster's render never gives
    [R.services(NS), {apiVersion: 'v1', kind: 'Service', metadata: {name: 'demo-worker-x', labels: labels({[LABEL.role]: 'worker', [LABEL.managedBy]: MANAGED_BY})}}],
  ] as const
  for (const [res, o] of foreign) kube.seed(res, o)
  // the foreign StatefulSet's pod: its controller is not one of the cluster's StatefulSets
  const db = kube.find(R.statefulSets(NS), 'db')!
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'db-0', labels: labels({[LABEL.role]: 'db', [LABEL.managedBy]: MANAGED_BY}), ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: db.metadata.uid, controller: true}]}})
  await deleteCluster(kube, 'demo', {wait: true, timeoutMs: 3000})
  const left = [R.statefulSets(NS), R.deployments(NS), R.pods(NS), R.services(NS), R.configMaps(NS)].flatMap((r) => kube.all(r).map((o) => `${r.resource}/${o.metadata.name}`)).sort()
  assert.equal(left, ['deployments/lookalike', 'pods/bare', 'pods/db-0', 'services/demo-worker-x', 'statefulsets/db', 'statefulsets/demo-edge'])
  assert.is(kube.made('deletecollection').length, 0)
})

/** A `fail` that refuses `verb` on `resource` as the API server does when RBAC says no. */
const forbid = (verb: string, resource: string) => (r: {verb: string; resource: string}) =>
  r.verb === verb && r.resource === resource ? new ApiError('Forbidden', 403, `${resource} is forbidden`) : undefined

read('delete: the root\'s own objects are deleted by name and uid, not left to the garbage collector; others\' are kept', async () => {
  const kube = await withCluster()
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  // labelled with the cluster, owned by something else: not ours to delete
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'theirs', labels: {[LABEL.cluster]: 'demo'}, ownerReferences: [{apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'other'}]}})
  const owned = [R.configMaps(NS), R.serviceAccounts(NS), R.roles(NS), R.roleBindings(NS)].flatMap((r) => kube.all(r).filter((o) => o.metadata.ownerReferences?.some((x: {uid: string}) => x.uid === root.metadata.uid)).map((o) => `${r.resource}/${o.metadata.name}`))
  assert.ok(owned.length >= 4, owned.join(' '))
  await deleteCluster(kube, 'demo', {wait: true, timeoutMs: 5000})
  const deletedByName = kube.made('delete').map((r) => `${r.resource}/${r.name}`)
  for (const o of owned) assert.ok(deletedByName.includes(o), `${o} deleted by the command (${deletedByName.join(' ')})`)
  // everything of the root's is gone already: the root goes in the background, nothing waits on the collector
  assert.is(kube.made('delete').find((r) => r.name === 'demo-kd')?.propagationPolicy, 'Background')
  assert.ok(kube.find(R.configMaps(NS), 'theirs'))

  // a collection the user may not list (Secrets) is the collector's: the root goes in the foreground with --wait
  const kube2 = await withCluster()
  kube2.fail = forbid('list', 'secrets')
  await deleteCluster(kube2, 'demo', {wait: true, timeoutMs: 5000})
  assert.is(kube2.made('delete').find((r) => r.name === 'demo-kd')?.propagationPolicy, 'Foreground')
  assert.equal(kinds(kube2), [])

  // one of the root's objects the user may not delete (a Role) is the collector's too, not an error midway
  const kube4 = await withCluster()
  kube4.fail = forbid('delete', 'roles')
  await deleteCluster(kube4, 'demo', {wait: true, timeoutMs: 5000})
  assert.is(kube4.made('delete').find((r) => r.name === 'demo-kd')?.propagationPolicy, 'Foreground')
  assert.equal(kinds(kube4), [])
  // an unowned object (printed by --dry-run=client and applied) has no owner to take it: that is an error
  const kube5 = new FakeKube(NS)
  for (const o of (await changeClusters(undefined, request({dryRun: 'client', namespace: NS}))).plans[0]!.objects) await kube5.apply(resourceFor(o, NS), o)
  kube5.fail = forbid('delete', 'roles')
  await rejects(deleteCluster(kube5, 'demo', {wait: true, timeoutMs: 5000}), /roles is forbidden/)

  // a missing permission is found before the first write: nothing is deleted
  const kube3 = await withCluster()
  const before = kinds(kube3)
  kube3.allow = (a) => !(a.verb === 'delete' && a.resource === 'pods')
  await rejects(deleteCluster(kube3, 'demo', {wait: true, timeoutMs: 5000}), /^forbidden: you cannot delete pods in namespace "team".*; nothing was deleted$/)
  assert.equal(kinds(kube3), before)
})

read('watch (get -w, status -w): a callback per burst of changes, none for the first sync, ends with its signal', async () => {
  const kube = await withCluster()
  const {watchClusters} = await import('../../src/actions/cluster/watch-clusters.ts')
  const controller = new AbortController()
  let calls = 0
  const watching = watchClusters(kube, {name: 'demo'}, async () => void calls++, controller.signal)
  await new Promise((r) => setTimeout(r, 50))
  assert.is(calls, 0)
  kube.seed(R.pods(NS), memberPod('demo-worker-0', 'worker', 'creating'), memberPod('demo-worker-1', 'worker', 'creating'))
  await kube.patch(R.configMaps(NS), 'demo-kd', 'merge', {metadata: {annotations: {[ANNOTATION.state]: 'updating'}}})
  await new Promise((r) => setTimeout(r, 300))
  assert.is(calls, 1, 'three changes within 200 ms are one refresh')
  controller.abort()
  await watching
})

read.run()

const damaged = suite('damaged roots')

damaged('a root whose content is not a cluster: lists skip and name it, status explains, scale refuses, delete removes it', async () => {
  const kube = await withCluster()
  await changeClusters(kube, request({name: 'bad'}))
  for (const [data, problem] of [
    [{'cluster.json': 'garbage', 'app.json': '{}'}, /cluster\.json is not JSON/],
    [{'cluster.json': '{"name": "bad"}', 'app.json': '{}'}, /cluster\.json is not a cluster/],
    [{'cluster.json': '{"name":"bad","app":"shelldemo","roles":[{"id":"w","members":"x"}]}', 'app.json': '{}'}, /roles\[0\] needs an id and a whole number of members/],
  ] as const) {
    await kube.patch(R.configMaps(NS), 'bad-kd', 'merge', {data})
    const listed = await listClusters(kube, {})
    assert.equal(listed.summaries.map((s) => s.name), ['demo'])
    assert.is(listed.unreadable[0]!.name, 'bad')
    assert.match(listed.unreadable[0]!.problem, problem)
    await rejects(clusterStatus(kube, 'bad'), /cluster "bad" in namespace "team" cannot be read: its root configmap\/bad-kd is damaged .*kubectl kd delete bad/)
    await rejects(scaleCluster(kube, {name: 'bad', role: 'worker', members: 3, dryRun: 'none'}), /cannot be read/)
    await rejects(listClusters(kube, {name: 'bad'}), /cannot be read/)
  }
  await deleteCluster(kube, 'bad', {})
  assert.not.ok(kube.find(R.configMaps(NS), 'bad-kd'))
  assert.ok(kube.find(R.configMaps(NS), 'demo-kd'))
  assert.ok(kube.all(R.services(NS)).every((s) => s.metadata.labels[LABEL.cluster] === 'demo'))
})

damaged.run()
