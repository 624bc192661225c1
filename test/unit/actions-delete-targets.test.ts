// Several targets in one command (delete, status, describe take kubectl's TYPE/NAME … and TYPE NAME …):
// the words parsed into every target, what each NAME is (resolve-target.ts), and delete trying each,
// reporting each one that failed.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {FakeKube} from '../lib/fake-kube.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {deleteTargets} from '../../src/actions/delete-targets.ts'
import {resolveTarget} from '../../src/actions/resolve-target.ts'
import {R} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {parseTargetList} from '../../src/target.ts'

const NS = 'team'
const cluster = (name: string): ClusterChangeRequest => ({app: 'shelldemo', name, members: [], images: [], packages: [], dryRun: 'none', allowExisting: false})

/** A Spark job's driver pod as spark-submit leaves it. */
const driver = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: `${name}-driver`, labels: {'spark-role': 'driver', 'spark-app-selector': `spark-${name}`, 'spark-app-name': name}},
  spec: {volumes: []},
  status: {phase: 'Running'},
})

const words = suite('targets')

words('TYPE/NAME …, TYPE NAME …, one bare NAME; each target once', () => {
  assert.equal(parseTargetList(['demo']), [{name: 'demo'}])
  assert.equal(parseTargetList(['job/a', 'job/b']), [{kind: 'job', name: 'a'}, {kind: 'job', name: 'b'}])
  assert.equal(parseTargetList(['cluster/x', 'job/a', 'clusters/x']), [{kind: 'cluster', name: 'x'}, {kind: 'job', name: 'a'}])
  assert.equal(parseTargetList(['job', 'a', 'b']), [{kind: 'job', name: 'a'}, {kind: 'job', name: 'b'}])
  assert.equal(parseTargetList(['cluster', 'x']), [{kind: 'cluster', name: 'x'}])
  assert.throws(() => parseTargetList(['cluster/x', 'y']), /no need to specify a resource type as a separate argument/)
  assert.throws(() => parseTargetList(['x', 'y']), /unknown resource type "x"/)
  assert.throws(() => parseTargetList(['job', 'cluster/x']), /cannot contain "\/"/)
})

words.run()

const del = suite('delete several')

del('delete job/a job/b deletes both', async () => {
  const kube = new FakeKube(NS)
  kube.seed(R.pods(NS), driver('a'), driver('b'), driver('c'))
  const r = await deleteTargets(kube, {targets: parseTargetList(['job/a', 'job/b'])})
  assert.equal(r.deleted, [{kind: 'job', name: 'a'}, {kind: 'job', name: 'b'}])
  assert.equal(r.failed, [])
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name), ['c-driver'])
})

del('delete cluster/x cluster/missing job/gone: x is deleted, each missing one is reported; --ignore-not-found passes over them', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, cluster('x'))
  await changeClusters(kube, cluster('y'))
  const r = await deleteTargets(kube, {targets: parseTargetList(['cluster/missing', 'cluster/x', 'job/gone'])})
  assert.equal(r.deleted, [{kind: 'cluster', name: 'x'}])
  assert.equal(
    r.failed.map((f) => `${f.kind}/${f.name}: ${f.error.message}`),
    ['cluster/missing: cluster "missing" not found in namespace "team" (kubectl kd get clusters lists them)', 'job/gone: job "gone" not found in namespace "team" (kubectl kd get jobs lists them)'],
  )
  assert.not.ok(kube.find(R.configMaps(NS), 'x-kd'))
  assert.ok(kube.find(R.configMaps(NS), 'y-kd'))

  const quiet = await deleteTargets(kube, {targets: parseTargetList(['cluster', 'x', 'y']), ignoreNotFound: true})
  assert.equal(quiet.deleted, [{kind: 'cluster', name: 'y'}])
  assert.equal(quiet.notFound, [{kind: 'cluster', name: 'x'}])
  assert.equal(quiet.failed, [])
})

del('a target that fails for another reason does not stop the others; --ignore-not-found does not hide it', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, cluster('x'))
  kube.seed(R.pods(NS), driver('a'))
  kube.fail = (r) => (r.verb === 'delete' && r.name === 'a-driver' ? new ApiError('Forbidden', 403, 'pods "a-driver" is forbidden') : undefined)
  const r = await deleteTargets(kube, {targets: parseTargetList(['job/a', 'cluster/x']), ignoreNotFound: true})
  assert.equal(r.deleted, [{kind: 'cluster', name: 'x'}])
  assert.equal(r.failed.map((f) => `${f.kind}/${f.name}: ${f.error.message}`), ['job/a: pods "a-driver" is forbidden'])
})

del.run()

const resolve = suite('what NAME is')

/** A managed job's root as createManagedJob leaves it: a batch/v1 Job with the job's label. */
const managedRoot = (name: string) => ({apiVersion: 'batch/v1', kind: 'Job', metadata: {name, labels: {'kubectl-kd.io/job': name}}, spec: {}})

resolve('cluster/NAME and a bare NAME (delete) are clusters unread; job/NAME a managed job by its root, else a job; a bare NAME (status) a cluster when there is one', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, cluster('x'))
  kube.seed(R.jobs(NS), managedRoot('nightly'))
  kube.seed(R.pods(NS), driver('a'))
  const reads = kube.requests.length
  assert.equal(await resolveTarget(kube, {kind: 'cluster', name: 'nope'}, {bareName: 'cluster-else-job'}), {kind: 'cluster', name: 'nope'})
  assert.equal(await resolveTarget(kube, {name: 'nope'}, {bareName: 'cluster'}), {kind: 'cluster', name: 'nope'})
  assert.is(kube.requests.length, reads, 'nothing is read for those')
  const managed = await resolveTarget(kube, {kind: 'job', name: 'nightly'}, {bareName: 'cluster'})
  assert.is(managed.kind, 'managed-job')
  assert.equal(await resolveTarget(kube, {kind: 'job', name: 'a'}, {bareName: 'cluster'}), {kind: 'job', name: 'a', guessed: false})
  const x = await resolveTarget(kube, {name: 'x'}, {bareName: 'cluster-else-job'})
  assert.is(x.kind, 'cluster')
  assert.is(x.kind === 'cluster' && x.stored?.cluster.name, 'x', 'the cluster as read is handed on')
  assert.is((await resolveTarget(kube, {name: 'nightly'}, {bareName: 'cluster-else-job'})).kind, 'managed-job')
  assert.equal(await resolveTarget(kube, {name: 'a'}, {bareName: 'cluster-else-job'}), {kind: 'job', name: 'a', guessed: true})
})

resolve.run()
