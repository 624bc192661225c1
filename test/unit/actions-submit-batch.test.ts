// submit -f with many SparkApplications and delete jobs -l/--all on the fake client: reading a directory
// and multi-document files with each document's place, the refusals (a bad document alone, duplicates
// before anything), --atomic (nothing created, or undone by uid), the checks done once per namespace
// and account, and bulk deletion touching only the driver pods kubectl kd made.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {dump} from 'js-yaml'
import {FakeKube} from '../lib/fake-kube.ts'
import {readSparkApplications} from '../../src/actions/job/spark-input.ts'
import {planJobs, submitJobs} from '../../src/actions/job/submit-batch.ts'
import {deleteJobs} from '../../src/actions/job/jobs.ts'
import {R} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {UserError} from '../../src/errors.ts'

const NS = 'batch'
const app = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'sparkoperator.k8s.io/v1beta2',
  kind: 'SparkApplication',
  metadata: {name},
  spec: {type: 'Scala', image: 'localhost/kubectl-kd/spark:3.5.9', mainClass: 'org.apache.spark.examples.SparkPi', mainApplicationFile: 'local:///opt/spark/examples/jars/spark-examples.jar', ...spec},
})
const withAccount = () => {
  const kube = new FakeKube(NS)
  kube.seed(R.serviceAccounts(NS), {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'default'}})
  return kube
}
/** A directory: a.yaml (one job), many.yaml (three documents, the middle one as given), c.json. */
function jobsDir(middle: unknown = app('m1')): string {
  const dir = mkdtempSync(join(tmpdir(), 'kd-batch-'))
  writeFileSync(join(dir, 'a.yaml'), dump(app('a')))
  writeFileSync(join(dir, 'many.yaml'), [app('m0'), middle, app('m2')].map((d) => dump(d)).join('---\n'))
  writeFileSync(join(dir, 'c.json'), JSON.stringify(app('c')))
  writeFileSync(join(dir, 'notes.txt'), 'not a manifest')
  return dir
}
const drivers = (kube: FakeKube) => kube.all(R.pods(NS)).map((p) => p.metadata.name).sort()

const read = suite('submit -f: reading many documents')

read('a directory: its .yaml/.yml/.json files in name order; a file of several documents gives each its index', () => {
  const dir = jobsDir()
  const docs = readSparkApplications(dir)
  assert.equal(docs.map((d) => d.source), [join(dir, 'a.yaml'), join(dir, 'c.json'), join(dir, 'many.yaml[0]'), join(dir, 'many.yaml[1]'), join(dir, 'many.yaml[2]')])
  // one document: the file's name alone; empty documents are skipped but keep the others' places
  const f = join(dir, 'sparse.yaml')
  writeFileSync(f, `---\n${dump(app('x'))}---\n---\n${dump(app('y'))}`)
  assert.equal(readSparkApplications(f).map((d) => d.source), [`${f}[0]`, `${f}[2]`])
  assert.equal(readSparkApplications(join(dir, 'a.yaml')).map((d) => d.source), [join(dir, 'a.yaml')])
  const broken = join(dir, 'broken.yaml')
  writeFileSync(broken, 'kind: [')
  assert.match(readSparkApplications(broken)[0]!.error!, /^not valid YAML\/JSON/)
  assert.throws(() => readSparkApplications(join(dir, 'none')), /-f .*none: no such file or directory/)
  assert.throws(() => readSparkApplications(mkdtempSync(join(tmpdir(), 'kd-empty-'))), /holds no \.yaml, \.yml or \.json file/)
})

read('a bad document is reported by file and index; a duplicate name refuses the batch naming both places', async () => {
  const dir = jobsDir({...app('m1'), spec: {...app('m1').spec, mainClass: undefined}})
  const planned = await planJobs(undefined, readSparkApplications(dir), {})
  assert.equal(planned.filter((p) => p.error).map((p) => p.error), [`${join(dir, 'many.yaml[1]')}: spec.mainClass is required for a Java/Scala application`])
  const dup = jobsDir(app('a'))
  try {
    await planJobs(undefined, readSparkApplications(dup), {})
    assert.unreachable('a duplicate is refused')
  } catch (err) {
    assert.ok(err instanceof UserError)
    assert.match((err as Error).message, new RegExp(`job "a" \\(namespace "default"\\) is in ${join(dup, 'a.yaml')} and ${join(dup, 'many.yaml\\[1\\]')}.*nothing was created`))
  }
})

read.run()

const batch = suite('submit -f: one batch')

batch('every job created once, in input order; the checks run once per namespace and account, not per job', async () => {
  const kube = withAccount()
  const docs = Array.from({length: 40}, (_, i) => ({source: `jobs.yaml[${i}]`, doc: app(`j${String(i).padStart(2, '0')}`)}))
  const seen: number[] = []
  const r = await submitJobs(kube, docs, {concurrency: 8, onProgress: (p) => seen.push(p.done)})
  assert.equal(r.jobs.map((j) => j.result?.jobName), docs.map((d) => (d.doc as {metadata: {name: string}}).metadata.name))
  assert.equal(drivers(kube), docs.map((d) => `${(d.doc as {metadata: {name: string}}).metadata.name}-driver`))
  assert.is(kube.all(R.services(NS)).length, 40)
  assert.is(kube.all(R.configMaps(NS)).length, 40)
  assert.is(seen.at(-1), 40)
  // 5 SelfSubjectAccessReviews + 6 LocalSubjectAccessReviews + the account's GET, once; then 3 writes a job
  assert.is(kube.made('create', 'selfsubjectaccessreviews').length, 5)
  assert.is(kube.made('create', 'localsubjectaccessreviews').length, 6)
  assert.is(kube.made('get').length, 1)
  assert.is(kube.made('create', 'pods').length + kube.made('apply').length, 120)
})

batch('a bad document and a name taken in the cluster fail alone; the others are created', async () => {
  const kube = withAccount()
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'm2-driver'}})
  const dir = jobsDir({...app('m1'), spec: {...app('m1').spec, mainClass: undefined}})
  const r = await submitJobs(kube, readSparkApplications(dir), {namespace: NS})
  assert.equal(r.jobs.filter((j) => j.error).map((j) => j.error), [
    `${join(dir, 'many.yaml[1]')}: spec.mainClass is required for a Java/Scala application`,
    `${join(dir, 'many.yaml[2]')}: job "m2" already exists in namespace "batch" (pod/m2-driver); delete it first: kubectl kd delete job/m2 -n batch`,
  ])
  assert.equal(drivers(kube), ['a-driver', 'c-driver', 'm0-driver', 'm2-driver'])
  assert.not.ok(kube.made('create', 'pods').some((x) => x.name === 'm1-driver'), 'nothing of the bad document is sent')
})

batch('--atomic: a bad document creates none; a create failing midway deletes what this run made (by uid), nothing else', async () => {
  const kube = withAccount()
  const dir = jobsDir({...app('m1'), spec: {...app('m1').spec, mainClass: undefined}})
  const refused = await submitJobs(kube, readSparkApplications(dir), {namespace: NS, atomic: true})
  assert.ok(refused.nothingCreated)
  assert.equal(refused.jobs.filter((j) => j.skipped).length, 4)
  assert.equal(kube.made('create', 'pods'), [])
  assert.equal(kube.made('create', 'selfsubjectaccessreviews'), [], 'not even a check is sent')

  const other = {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'someone-elses'}}
  kube.seed(R.configMaps(NS), other)
  kube.fail = (x) => (x.verb === 'apply' && x.resource === 'services' && x.name?.startsWith('j07-') ? new ApiError('Invalid', 422, 'apply service: bad port') : undefined)
  const docs = Array.from({length: 20}, (_, i) => ({source: `jobs.yaml[${i}]`, doc: app(`j${String(i).padStart(2, '0')}`)}))
  const r = await submitJobs(kube, docs, {atomic: true, concurrency: 4})
  assert.ok(r.nothingCreated)
  assert.equal(r.jobs.filter((j) => j.error).map((j) => j.error), ['jobs.yaml[7]: apply service: bad port'])
  assert.ok(r.undone! >= 7, `${r.undone} undone`)
  assert.equal(drivers(kube), [])
  assert.equal(kube.all(R.services(NS)), [])
  assert.equal(kube.all(R.configMaps(NS)).map((c) => c.metadata.name), ['someone-elses'])
  assert.ok(kube.made('delete').every((d) => d.name?.startsWith('j') || d.name?.startsWith('spark-drv-')), 'only objects of this run are deleted')
  assert.ok(kube.made('create', 'pods').length < 20, 'no job starts after the failure')
})

batch('a missing service account fails the jobs that use it; --dry-run=client needs no cluster', async () => {
  const kube = new FakeKube(NS)
  kube.seed(R.serviceAccounts(NS), {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'spark'}})
  const docs = [
    {source: 'a.yaml', doc: app('a', {driver: {serviceAccount: 'spark'}})},
    {source: 'b.yaml', doc: app('b', {driver: {serviceAccount: 'missing'}})},
  ]
  const r = await submitJobs(kube, docs, {})
  assert.equal(r.jobs.map((j) => j.error?.replace(/:.*/s, ': …') ?? 'ok'), ['ok', 'b.yaml: …'])
  assert.match(r.jobs[1]!.error!, /serviceaccount "missing" not found in namespace "batch"/)
  const dry = await submitJobs(undefined, docs, {dryRun: 'client'})
  assert.equal(dry.jobs.flatMap((j) => j.result!.objects.map((o) => o.kind)), ['Pod', 'Service', 'ConfigMap', 'Pod', 'Service', 'ConfigMap'])
})

batch('submit -f killed midway: re-running it completes the half-made jobs (no second pod) and says already exists of the whole ones', async () => {
  const kube = withAccount()
  const docs = ['a', 'b', 'c', 'd'].map((n) => ({source: `${n}.yaml`, doc: app(n)}))
  // the CLI dies after the pods of b and d: their Services/ConfigMaps and the undo never reach the server
  const cut = (x: {verb: string; resource: string; name?: string; body?: unknown}) =>
    (x.verb === 'apply' && ['b-driver', 'd-driver'].includes((x.body as any)?.metadata?.ownerReferences?.[0]?.name)) || (x.verb === 'delete' && ['b-driver', 'd-driver'].includes(x.name!))
  kube.fail = (x) => (cut(x) ? new ApiError('Unreachable', 0, 'connection refused (the CLI was killed)') : undefined)
  await submitJobs(kube, docs, {})
  kube.fail = () => undefined
  const owners = () => [...kube.all(R.services(NS)), ...kube.all(R.configMaps(NS))].map((o) => o.metadata.ownerReferences[0].name).sort()
  assert.equal(owners(), ['a-driver', 'a-driver', 'c-driver', 'c-driver'])
  const pods = kube.made('create', 'pods').length
  const r = await submitJobs(kube, docs, {})
  assert.equal(r.jobs.map((j) => j.result?.completed?.map((c) => c.replace(/\/.*/, '')) ?? j.error!.replace(/ \(pod.*/, '')), [
    'a.yaml: job "a" already exists in namespace "batch"',
    ['service', 'configmap'],
    'c.yaml: job "c" already exists in namespace "batch"',
    ['service', 'configmap'],
  ])
  assert.is(kube.made('create', 'pods').length, pods + 4, 'each create of the re-run answered AlreadyExists; no pod made twice')
  assert.equal(drivers(kube), ['a-driver', 'b-driver', 'c-driver', 'd-driver'])
  assert.equal(owners(), ['a-driver', 'a-driver', 'b-driver', 'b-driver', 'c-driver', 'c-driver', 'd-driver', 'd-driver'])
  for (const o of [...kube.all(R.services(NS)), ...kube.all(R.configMaps(NS))]) assert.is(o.metadata.ownerReferences[0].uid, kube.find(R.pods(NS), o.metadata.ownerReferences[0].name)!.metadata.uid)
})

batch.run()

const del = suite('delete jobs -l/--all')

del('deletes the driver pods kubectl kd made that match (their objects follow); others are left alone', async () => {
  const kube = withAccount()
  await submitJobs(kube, Array.from({length: 12}, (_, i) => ({source: `j${i}`, doc: app(`j${i}`, {driver: {labels: {batch: i < 8 ? 'one' : 'two'}}})})), {})
  // a driver pod spark-submit made (no kubectl-kd field manager), and a pod that is no driver
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'theirs-driver', labels: {'spark-role': 'driver', batch: 'one'}}}, {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'web', labels: {batch: 'one'}}})
  const dry = await deleteJobs(kube, {selector: 'batch=one', dryRun: 'client'})
  assert.is(dry.deleted.length, 8)
  assert.is(kube.made('delete').length, 0)
  const before = kube.requests.length
  const r = await deleteJobs(kube, {selector: 'batch=one', concurrency: 3})
  assert.equal(r.deleted.map((d) => d.name), ['j0', 'j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7'])
  assert.equal(r.leftAlone, ['theirs'])
  assert.equal(kube.requests.slice(before).map((x) => x.verb), ['list', ...Array(8).fill('delete')], 'one list, no request per job besides its delete')
  assert.equal(drivers(kube), ['j10-driver', 'j11-driver', 'j8-driver', 'j9-driver', 'theirs-driver', 'web'])
  assert.is(kube.all(R.services(NS)).length, 4)
  const rest = await deleteJobs(kube, {wait: true, timeoutMs: 5000})
  assert.is(rest.deleted.length, 4)
  assert.equal(drivers(kube), ['theirs-driver', 'web'])
  assert.equal(kube.all(R.configMaps(NS)), [])
})

del('a deletion that fails is reported; a pod gone or replaced meanwhile is skipped', async () => {
  const kube = withAccount()
  await submitJobs(kube, ['a', 'b', 'c'].map((n) => ({source: n, doc: app(n)})), {})
  kube.fail = (x) => (x.verb === 'delete' && x.name === 'a-driver' ? new ApiError('Forbidden', 403, 'delete pod/a-driver: forbidden') : x.verb === 'delete' && x.name === 'b-driver' ? new ApiError('NotFound', 404, 'gone') : undefined)
  const r = await deleteJobs(kube, {})
  assert.equal(r.failed, [{name: 'a', error: 'delete pod/a-driver: forbidden'}])
  assert.equal(r.deleted.map((d) => d.name), ['c'])
})

del.run()
