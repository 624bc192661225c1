// The decisions of kubectl's verbs on a fake client: scale's role (named, mistyped, left out), delete -f
// with and without --ignore-not-found, and edit (unchanged, empty, applied, refused with the file kept).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FakeKube} from '../lib/fake-kube.ts'
import {converge} from '../lib/agent-keeper.ts'
import {repoRoot} from '../lib/kd.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {scaleCluster} from '../../src/actions/cluster/scale.ts'
import {deleteClustersInFiles} from '../../src/actions/cluster/cluster-delete.ts'
import {editCluster} from '../../src/actions/cluster/cluster-edit.ts'
import {readCluster} from '../../src/actions/cluster/clusters.ts'
import {dumpYaml} from '../../src/output/yaml.ts'
import {R} from '../../src/kube/client.ts'
import {rejects} from '../lib/user-errors.ts'

const NS = 'team'
const request = (over: Partial<ClusterChangeRequest> = {}): ClusterChangeRequest => ({app: 'shelldemo', name: 'demo', members: [], images: [], packages: [], dryRun: 'none', allowExisting: false, ...over})
const members = async (kube: FakeKube, role: string) => (await readCluster(kube, 'demo')).cluster.roles.find((r) => r.id === role)?.members

const scale = suite('scale: the role')
scale('a mistyped role: did you mean, naming the role as typed; nothing written', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const before = kube.requests.length
  await rejects(scaleCluster(kube, {name: 'demo', role: 'wroker', members: 3, dryRun: 'none'}), /^cluster "demo" has no role "wroker"; did you mean "worker"\? \(roles: controller, worker, edge\)$/)
  await rejects(scaleCluster(kube, {name: 'demo', role: 'zzz', members: 3, dryRun: 'none'}), /^cluster "demo" has no role "zzz" \(roles: controller, worker, edge\)$/)
  assert.ok(kube.requests.slice(before).every((r) => r.verb === 'get' || r.verb === 'list'))
})
scale('no role: the one scalable role that has members (worker beside an empty edge); several with members: refused', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const r = await scaleCluster(kube, {name: 'demo', members: 3, dryRun: 'none'})
  assert.equal([r.role, r.from, r.to], ['worker', 2, 3])
  assert.is(await members(kube, 'worker'), 3)
  await scaleCluster(kube, {name: 'demo', role: 'edge', members: 1, dryRun: 'none'})
  await rejects(scaleCluster(kube, {name: 'demo', members: 4, dryRun: 'none'}), /^cluster "demo" has 2 roles that can be scaled \(worker, edge\): name one with --role ROLE, or give ROLE=N$/)
})
scale('--dry-run=client: every check, nothing written', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const before = kube.requests.length
  const r = await scaleCluster(kube, {name: 'demo', role: 'worker', members: 5, dryRun: 'client'})
  assert.equal([r.from, r.to, r.unchanged], [2, 5, false])
  assert.ok(kube.requests.slice(before).every((x) => x.verb === 'get' || x.verb === 'list'))
  assert.is(await members(kube, 'worker'), 2)
  await rejects(scaleCluster(kube, {name: 'demo', role: 'worker', members: 1, dryRun: 'client'}), /its cardinality is 2\+/)
})
scale.run()

const cluster = (name: string, namespace?: string) =>
  `apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}\nspec: {app: shelldemo, roles: [{id: controller}, {id: worker, members: 2}]}\n`

const del = suite('delete -f')
del('deletes every cluster the files define; the missing ones are reported after, or passed over with ignoreNotFound', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-delete-f-'))
  writeFileSync(join(dir, 'a.yaml'), cluster('demo') + '---\n' + cluster('gone'))
  writeFileSync(join(dir, 'b.yaml'), cluster('demo'))
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const r = await deleteClustersInFiles(kube, {files: [dir]})
  assert.equal(r.deleted, [{name: 'demo', namespace: NS, deleted: true}])
  assert.equal(r.notFound.map((e) => e.message), [`cluster "gone" not found in namespace "${NS}" (kubectl kd get clusters lists them)`])
  assert.not.ok(kube.find(R.configMaps(NS), 'demo-kd'))
  const again = await deleteClustersInFiles(kube, {files: [join(dir, 'a.yaml')], ignoreNotFound: true})
  assert.equal(again, {deleted: [{name: 'demo', namespace: NS, deleted: false}, {name: 'gone', namespace: NS, deleted: false}], notFound: []})
})
del("a file's namespace is used, and must agree with -n; a file without clusters is refused before anything is deleted", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-delete-f-'))
  writeFileSync(join(dir, 'other.yaml'), cluster('demo', 'other'))
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  await rejects(deleteClustersInFiles(kube, {files: [join(dir, 'other.yaml')], namespace: NS}), /other\.yaml: metadata\.namespace: "other" does not match --namespace "team"/)
  const r = await deleteClustersInFiles(kube, {files: [join(dir, 'other.yaml')], ignoreNotFound: true})
  assert.equal(r.deleted, [{name: 'demo', namespace: 'other', deleted: false}])
  assert.ok(kube.find(R.configMaps(NS), 'demo-kd'), 'the cluster of the same name in another namespace is left')
  await rejects(deleteClustersInFiles(kube, {files: [join(repoRoot, 'examples/apps/hello.yaml')]}), /hello\.yaml: no KubeDirectorCluster found/)
  await rejects(deleteClustersInFiles(kube, {files: [join(dir, 'nope.yaml')]}), /nope\.yaml: no such file or directory/)
})
del.run()

const edit = suite('edit')
const editWith = (change: (text: string) => string) => (path: string) => writeFileSync(path, change(readFileSync(path, 'utf8')))
edit('saved unchanged (comments aside) or empty: cancelled, nothing written, the file removed', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const before = kube.requests.length
  let file = ''
  const seen: string[] = []
  const r = await editCluster(kube, {name: 'demo', render: dumpYaml, edit: editWith((t) => (seen.push(t), (file = ''), `# a comment\n${t}`))})
  assert.equal(r, {outcome: 'unchanged'})
  assert.match(seen[0]!, /^# Please edit the object below/)
  assert.match(seen[0]!, /^kind: KubeDirectorCluster$/m)
  assert.equal(await editCluster(kube, {name: 'demo', render: dumpYaml, edit: (p) => ((file = p), writeFileSync(p, '# only comments\n\n'))}), {outcome: 'empty'})
  assert.not.ok(existsSync(file))
  assert.ok(kube.requests.slice(before).every((x) => x.verb === 'get' || x.verb === 'list'))
})
edit('a change is applied as apply -f applies it', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const r = await editCluster(kube, {name: 'demo', render: dumpYaml, edit: editWith((t) => t.replace(/members: 2/, 'members: 3'))})
  assert.is(r.outcome, 'applied')
  assert.is(await members(kube, 'worker'), 3)
  await converge(kube, 'demo')
  assert.ok(kube.find(R.services(NS), 'demo-worker-2'))
})
edit('a change that cannot be applied (bad value, renamed cluster): refused, nothing written, the file kept and named', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  const before = kube.requests.filter((x) => !['get', 'list'].includes(x.verb)).length
  for (const [change, pattern] of [
    [(t: string) => t.replace(/members: 2/, 'members: x'), /spec\.roles\[1\]\.members: must be an integer/],
    [(t: string) => t.replace(/name: demo$/m, 'name: demo2'), /the name of the cluster cannot be changed/],
    [(t: string) => t.replace(/members: 2/, 'members: 1'), /1 is below the cardinality 2\+ of role "worker"/],
  ] as const) {
    const err = await rejects(editCluster(kube, {name: 'demo', render: dumpYaml, edit: editWith(change)}), pattern)
    const kept = /"(\/[^"]+\.yaml)"|(\/\S+\.yaml)/.exec(err.message)
    assert.ok(kept, err.message)
    const path = kept[1] ?? kept[2]!
    assert.ok(existsSync(path), `${path} kept`)
    assert.match(readFileSync(path, 'utf8'), /KubeDirectorCluster/)
  }
  assert.is(kube.requests.filter((x) => !['get', 'list'].includes(x.verb)).length, before)
  assert.is(await members(kube, 'worker'), 2)
})
edit('a cluster that is not there: not found, no editor started', async () => {
  const kube = new FakeKube(NS)
  let started = false
  await rejects(editCluster(kube, {name: 'nope', render: dumpYaml, edit: () => void (started = true)}), /cluster "nope" not found in namespace "team"/)
  assert.not.ok(started)
})
edit.run()
