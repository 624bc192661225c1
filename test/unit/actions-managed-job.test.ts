// submit with a lifecycle field on the fake client: the runner's objects made in order with nothing
// half-made, no driver made by the CLI; reading managed jobs back (attempts, runs, next run); run,
// suspend, resume and delete. Needs dist/runner.mjs (test/run.sh builds first).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {FakeKube} from '../lib/fake-kube.ts'
import {submitJob} from '../../src/actions/job/submit.ts'
import {prepareSubmission} from '../../src/actions/job/prepared-submission.ts'
import {deleteManagedJob, listManagedJobs, managedJobStatus, runScheduledJob, setScheduleSuspended, waitForManagedJob} from '../../src/actions/job/managed-job.ts'
import {R} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {FLAG_NAMES, parseLifecycle} from '../../src/spark/lifecycle.ts'
import {UserError} from '../../src/errors.ts'

const NS = 'spark'
const args = {appResource: 'local:///opt/spark/examples/src/main/python/pi.py', name: 'nightly', image: 'localhost/kubectl-kd/spark:3.5.9', serviceAccount: 'spark'}
const withAccount = () => {
  const kube = new FakeKube(NS)
  kube.seed(R.serviceAccounts(NS), {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'spark'}})
  return kube
}
const retries = parseLifecycle({restartPolicy: 'OnFailure', onFailureRetries: '3'}, FLAG_NAMES)
const scheduled = parseLifecycle({schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid'}, FLAG_NAMES)

const t = suite('submit with a lifecycle: the runner is made, not the driver')

t('a Job NAME created suspended, then what it owns, then resumed; no driver pod', async () => {
  const kube = withAccount()
  const r = await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries})
  assert.equal(r.managed, {kind: 'Job', name: 'nightly'})
  const writes = kube.requests.filter((x) => ['create', 'patch', 'apply'].includes(x.verb) && !x.resource.endsWith('accessreviews')).map((w) => `${w.verb} ${w.resource}/${w.name}`)
  assert.equal(writes, ['create jobs/nightly', 'create configmaps/nightly-kd-job', 'create configmaps/nightly-kd-runner', 'create serviceaccounts/nightly-kd-runner', 'create roles/nightly-kd-runner', 'create rolebindings/nightly-kd-runner', 'patch jobs/nightly'])
  assert.is((kube.requests.find((x) => x.verb === 'create' && x.resource === 'jobs')!.body as any).spec.suspend, true)
  assert.is(kube.find(R.jobs(NS), 'nightly')!.spec.suspend, false)
  assert.equal(kube.all(R.pods(NS)), [])
  const uid = kube.find(R.jobs(NS), 'nightly')!.metadata.uid
  for (const o of [...kube.all(R.configMaps(NS)), ...kube.all(R.roles(NS))]) assert.is(o.metadata.ownerReferences[0].uid, uid)
  const stored = JSON.parse(kube.find(R.configMaps(NS), 'nightly-kd-job')!.data['submission.json'])
  assert.ok(stored.args.conf.includes('spark.kubernetes.authenticate.driver.serviceAccountName=spark'))
})

t("submit --wait of a managed job: each attempt's end told once, then the runner's recorded end; a timeout leaves the job to its runner", async () => {
  const kube = withAccount()
  await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries})
  const job = kube.find(R.jobs(NS), 'nightly')!
  const record = (attempts: object[], end?: {state: string; reason?: string}) => {
    const annotations: Record<string, string> = {'kubectl-kd.io/attempts': JSON.stringify(attempts), ...(end ? {'kubectl-kd.io/state': end.state, ...(end.reason ? {'kubectl-kd.io/reason': end.reason} : {})} : {})}
    const existing = kube.find(R.configMaps(NS), 'nightly-kd-run')
    const body = {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-kd-run', namespace: NS, labels: {'kubectl-kd.io/job': 'nightly', 'kubectl-kd.io/run': 'nightly', 'app.kubernetes.io/managed-by': 'kubectl-kd'}, annotations, ownerReferences: [{apiVersion: 'batch/v1', kind: 'Job', name: 'nightly', uid: job.metadata.uid}]}}
    if (existing) kube.seed(R.configMaps(NS), {...body, metadata: {...body.metadata, uid: existing.metadata.uid}})
    else kube.seed(R.configMaps(NS), body)
  }
  const a1 = {n: 1, driver: 'nightly-1-driver', planned: '2026-12-03T10:00:00Z', created: '2026-12-03T10:00:00Z'}
  const a2 = {n: 2, driver: 'nightly-2-driver', planned: '2026-12-03T10:01:00Z', created: '2026-12-03T10:01:00Z'}
  const steps = [
    () => record([{...a1, state: 'RUNNING'}]),
    () => record([{...a1, state: 'FAILED', ended: '2026-12-03T10:00:30Z', reason: 'Error: exit code 1: RuntimeError: boom'}, {...a2, state: 'SUBMITTED'}]),
    () => record([{...a1, state: 'FAILED', ended: '2026-12-03T10:00:30Z', reason: 'Error: exit code 1: RuntimeError: boom'}, {...a2, state: 'COMPLETED', ended: '2026-12-03T10:02:00Z'}], {state: 'COMPLETED'}),
  ]
  steps.shift()!()
  const lines: string[] = []
  const s = await waitForManagedJob(kube, 'nightly', {timeoutMs: 0, onProgress: (l) => lines.push(l), sleep: async () => void steps.shift()?.()})
  assert.is(s.state, 'COMPLETED')
  assert.is(s.attemptsText, '2/4')
  assert.equal(lines, ['attempt 1 RUNNING', 'attempt 1 FAILED: Error: exit code 1: RuntimeError: boom', 'attempt 2 COMPLETED'])
  // a job that does not end within the timeout: one line, the job left to its runner
  record([{...a1, state: 'RUNNING'}])
  let clock = 0
  try {
    await waitForManagedJob(kube, 'nightly', {timeoutMs: 5000, now: () => clock, sleep: async () => void (clock += 2000)})
    assert.unreachable('no timeout')
  } catch (err) {
    assert.ok(err instanceof UserError)
    assert.match((err as Error).message, /^timed out after 5s waiting for job\/nightly \(RUNNING, attempts 1\/4\); its runner goes on in the cluster/)
  }
  assert.ok(kube.find(R.jobs(NS), 'nightly'), 'the job is left alone')
})

t('nothing half-made: a refused object deletes the root (its dependents go with it); a name in use is refused first', async () => {
  const kube = withAccount()
  kube.fail = (r) => (r.verb === 'create' && r.resource === 'roles' ? new ApiError('Forbidden', 403, 'roles is forbidden: you cannot create roles') : undefined)
  try {
    await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries})
    assert.unreachable('refused')
  } catch (err) {
    assert.match((err as Error).message, /cannot create roles/)
  }
  assert.equal([...kube.all(R.jobs(NS)), ...kube.all(R.configMaps(NS)), ...kube.all(R.serviceAccounts(NS)).filter((s) => s.metadata.name !== 'spark')], [])
  const again = withAccount()
  again.seed(R.cronJobs(NS), {apiVersion: 'batch/v1', kind: 'CronJob', metadata: {name: 'nightly', labels: {'kubectl-kd.io/job': 'nightly'}}, spec: {}})
  try {
    await submitJob(again, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries})
    assert.unreachable('refused')
  } catch (err) {
    assert.ok(err instanceof UserError)
    assert.match((err as Error).message, /^job "nightly" already exists in namespace "spark" \(cronjob\.batch\/nightly\); delete it first/)
  }
})

/** A managed submit killed after its root: the next create and the rollback never reach the API server. */
async function interrupted(kube: FakeKube, at: (r: {verb: string; resource: string; name?: string}) => boolean, lifecycle = retries): Promise<void> {
  kube.fail = (r) => (at(r) || (r.verb === 'delete' && (r.resource === 'jobs' || r.resource === 'cronjobs')) ? new ApiError('Unreachable', 0, 'connection refused (the CLI was killed)') : undefined)
  await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle}).then(() => assert.unreachable('cut short'), () => undefined)
  kube.fail = () => undefined
}

t('a managed submit killed after its root: status says it is half-made; re-running the same submit completes and resumes it; a third is refused', async () => {
  const kube = withAccount()
  await interrupted(kube, (r) => r.verb === 'create' && r.resource === 'configmaps' && r.name === 'nightly-kd-runner')
  const root = kube.find(R.jobs(NS), 'nightly')!
  assert.is(root.spec.suspend, true)
  const stuck = (await managedJobStatus(kube, 'nightly'))!
  assert.is(stuck.state, 'PENDING')
  assert.match(stuck.reason!, /^half-made: its submit was interrupted before the job was whole \(the runner never started\); re-run the same kubectl kd submit to complete it, or delete it: kubectl kd delete job\/nightly$/)
  const progress: string[] = []
  const r = await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries, onProgress: (l) => progress.push(l)})
  assert.equal(r.managed, {kind: 'Job', name: 'nightly'})
  assert.equal(r.completed, ['configmap/nightly-kd-runner', 'serviceaccount/nightly-kd-runner', 'role/nightly-kd-runner', 'rolebinding/nightly-kd-runner'])
  assert.match(progress.join('\n'), /job\.batch\/nightly completed \(half-made by an interrupted submit; configmap\/nightly-kd-runner, /)
  const after = kube.find(R.jobs(NS), 'nightly')!
  assert.is(after.metadata.uid, root.metadata.uid)
  assert.is(after.spec.suspend, false)
  assert.is(after.metadata.annotations['kubectl-kd.io/incomplete'], undefined)
  assert.is(kube.made('create', 'jobs').length, 1, 'one root, ever')
  for (const o of [...kube.all(R.configMaps(NS)), ...kube.all(R.roles(NS)), ...kube.all(R.roleBindings(NS))]) assert.is(o.metadata.ownerReferences[0].uid, root.metadata.uid)
  assert.is((await managedJobStatus(kube, 'nightly'))!.reason, undefined)
  await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries}).then(
    () => assert.unreachable('a whole job is not made again'),
    (err) => assert.match((err as Error).message, /^job "nightly" already exists in namespace "spark" \(job\.batch\/nightly\)/),
  )
})

t('a schedule killed before its resume is completed by the re-run (the user\'s suspend set then); another spec, or an owned object that is not the root\'s, is refused and the half-made job removed', async () => {
  const kube = withAccount()
  await interrupted(kube, (r) => r.verb === 'patch' && r.resource === 'cronjobs', scheduled)
  assert.is(kube.find(R.cronJobs(NS), 'nightly')!.metadata.annotations['kubectl-kd.io/incomplete'], 'true')
  assert.is((await managedJobStatus(kube, 'nightly'))!.state, 'PENDING')
  const r = await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: scheduled})
  assert.equal(r.completed, [])
  assert.is(kube.find(R.cronJobs(NS), 'nightly')!.spec.suspend, false)
  assert.is((await managedJobStatus(kube, 'nightly'))!.state, 'SCHEDULED')

  const other = withAccount()
  await interrupted(other, (r) => r.verb === 'create' && r.resource === 'roles')
  const otherSpec = parseLifecycle({restartPolicy: 'OnFailure', onFailureRetries: '5'}, FLAG_NAMES)
  await submitJob(other, await prepareSubmission({args}), {dryRun: 'none', lifecycle: otherSpec}).then(
    () => assert.unreachable('another spec'),
    (err) => assert.match((err as Error).message, /^job "nightly" in namespace "spark" was half-made by an interrupted submit of another specification; delete it first/),
  )
  assert.ok(other.find(R.jobs(NS), 'nightly'), 'left for its owner to delete')
  // a Role of the runner's name that the root does not own: not taken over
  other.seed(R.roles(NS), {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: {name: 'nightly-kd-runner', namespace: NS}, rules: []})
  await submitJob(other, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries}).then(
    () => assert.unreachable('a foreign Role'),
    (err) => assert.match((err as Error).message, /^role\/nightly-kd-runner in namespace "spark" exists but is not owned by job\.batch\/nightly/),
  )
  assert.equal(other.find(R.roles(NS), 'nightly-kd-runner')!.rules, [])
  assert.equal(other.all(R.jobs(NS)), [], 'the half-made job is removed (by uid): a re-run leaves it whole or gone')
})

t('a schedule: a CronJob with the user\'s suspend; read back with its runs, attempts and next run; run, suspend, resume, delete', async () => {
  const kube = withAccount()
  await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: scheduled})
  const cron = kube.find(R.cronJobs(NS), 'nightly')!
  assert.equal([cron.spec.schedule, cron.spec.concurrencyPolicy, cron.spec.suspend], ['*/5 * * * *', 'Forbid', false])
  // a run the CronJob made, its record and its driver
  const runJob = kube.seed(R.jobs(NS), {apiVersion: 'batch/v1', kind: 'Job', metadata: {name: 'nightly-29938140', labels: {'kubectl-kd.io/job': 'nightly'}, ownerReferences: [{kind: 'CronJob', name: 'nightly', uid: cron.metadata.uid}]}, spec: {}, status: {startTime: '2026-12-03T09:00:05Z', active: 1}})[0]!
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-29938140-kd-run', labels: {'kubectl-kd.io/job': 'nightly', 'kubectl-kd.io/run': 'nightly-29938140'}, ownerReferences: [{kind: 'Job', name: 'nightly-29938140', uid: runJob.metadata.uid}], annotations: {'kubectl-kd.io/attempts': JSON.stringify([{n: 1, driver: 'nightly-29938140-1-driver', appId: 'spark-1', planned: '2026-12-03T09:00:06Z', state: 'RUNNING', created: '2026-12-03T09:00:06Z'}])}}})
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'nightly-29938140-1-driver', labels: {'kubectl-kd.io/job': 'nightly', 'spark-role': 'driver', 'spark-app-selector': 'spark-1'}, ownerReferences: [{kind: 'Job', name: 'nightly-29938140', uid: runJob.metadata.uid}]}, spec: {}, status: {phase: 'Running', startTime: '2026-12-03T09:00:07Z'}})
  const now = Date.parse('2026-12-03T09:01:00Z')
  const s = (await managedJobStatus(kube, 'nightly', {now}))!
  assert.is(s.state, 'SCHEDULED')
  assert.is(s.schedule!.nextRun, '2026-12-03T09:05:00Z')
  assert.equal(s.runs.map((r) => [r.name, r.state, r.attemptsText]), [['nightly-29938140', 'RUNNING', '1/1']])
  assert.is(s.driver!.state, 'RUNNING')
  assert.equal((await listManagedJobs(kube, NS, {now})).map((j) => j.name), ['nightly'])

  const {run} = await runScheduledJob(kube, 'nightly', {now})
  const manual = kube.find(R.jobs(NS), run)!
  assert.is(manual.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual')
  assert.is(manual.metadata.ownerReferences[0].uid, cron.metadata.uid)
  assert.equal(manual.spec, cron.spec.jobTemplate.spec)
  assert.is(await setScheduleSuspended(kube, 'nightly', true), true)
  assert.is(await setScheduleSuspended(kube, 'nightly', true), false, 'unchanged')
  assert.is((await managedJobStatus(kube, 'nightly', {now}))!.state, 'SUSPENDED')
  assert.is(await setScheduleSuspended(kube, 'nightly', false), true)
  assert.equal(await deleteManagedJob(kube, 'nightly'), {kind: 'CronJob'})
  // the garbage collector's cascade (the fake's): runs, records, drivers and the runner's objects go
  assert.equal([...kube.all(R.cronJobs(NS)), ...kube.all(R.jobs(NS)), ...kube.all(R.configMaps(NS)), ...kube.all(R.roles(NS)), ...kube.all(R.pods(NS))], [])
  assert.is(await deleteManagedJob(kube, 'nightly'), undefined)
})

t('run/suspend refuse a job without a schedule, by name', async () => {
  const kube = withAccount()
  await submitJob(kube, await prepareSubmission({args}), {dryRun: 'none', lifecycle: retries})
  for (const p of [runScheduledJob(kube, 'nightly'), setScheduleSuspended(kube, 'nightly', true)]) {
    try {
      await p
      assert.unreachable('refused')
    } catch (err) {
      assert.match((err as Error).message, /^job "nightly" has no schedule: only a job submitted with --schedule \(or a ScheduledSparkApplication\) can be/)
    }
  }
})

t.run()
