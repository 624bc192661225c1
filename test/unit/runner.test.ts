// The managed job's runner on the fake client: attempts made and recorded in order, a retry after the
// interval, a runner restarted mid-attempt that adopts the driver it made (never a second one), a start
// timeout with the pod's reason, submission failures, and its Role: every verb it holds is used (each
// removed in turn breaks the same scenario) and nothing else is called.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {FakeKube, type RecordedRequest} from '../lib/fake-kube.ts'
import {R} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {runManagedJob, type RunnerDeps} from '../../src/runner/runner.ts'
import {FLAG_NAMES, attemptsOf, parseLifecycle, type Attempt} from '../../src/spark/lifecycle.ts'
import {SUBMISSION_KEY, runnerRules, type StoredSubmission} from '../../src/spark/render-runner.ts'

const NS = 'spark'
const env = {job: 'nightly', namespace: NS, run: 'nightly', runUid: 'uid-run'}
type O = Record<string, any>

function setup(flags: Record<string, string>) {
  const kube = new FakeKube(NS)
  const lifecycle = parseLifecycle(flags, FLAG_NAMES)
  const stored: StoredSubmission = {args: {appResource: 'local:///opt/job.py', image: 'img:3.5.9', serviceAccount: 'spark'}, shippedData: {}, templates: {}, namespace: NS, user: 'ada', userFromEnv: false, lifecycle}
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-kd-job', namespace: NS}, data: {[SUBMISSION_KEY]: JSON.stringify(stored)}})
  return kube
}

/** A test clock: it runs with real time, and sleeping moves it on at once (the retry interval is checked on the records). */
function deps(signal?: AbortSignal): RunnerDeps & {slept: number[]} {
  const start = Date.now()
  let skipped = 0
  const slept: number[] = []
  const now = () => Date.parse('2026-12-03T08:00:00Z') + (Date.now() - start) + skipped
  return {now, sleep: async (ms) => void (slept.push(ms), (skipped += ms)), log: () => {}, signal, slept}
}

/** Plays the kubelet: each new driver pod ends as `fate(n)` says (n = its attempt). */
function kubelet(kube: FakeKube, fate: (n: number) => O | undefined): () => void {
  const done = new Set<string>()
  const timer = setInterval(() => {
    for (const p of kube.all(R.pods(NS))) {
      if (done.has(p.metadata.uid)) continue
      const status = fate(Number(p.metadata.labels?.['kubectl-kd.io/attempt']))
      done.add(p.metadata.uid)
      if (status) kube.seed(R.pods(NS), {...p, status})
    }
  }, 2)
  return () => clearInterval(timer)
}

const failed = (exitCode = 1) => ({phase: 'Failed', containerStatuses: [{name: 'spark-kubernetes-driver', state: {terminated: {exitCode, reason: 'Error', finishedAt: '2026-12-03T08:00:30Z'}}}]})
const succeeded = {phase: 'Succeeded', containerStatuses: [{name: 'spark-kubernetes-driver', state: {terminated: {exitCode: 0, reason: 'Completed', finishedAt: '2026-12-03T08:01:30Z'}}}]}
const imagePull = {phase: 'Pending', containerStatuses: [{name: 'spark-kubernetes-driver', image: 'img:nope', state: {waiting: {reason: 'ImagePullBackOff', message: 'Back-off pulling image'}}}]}
const attempts = (kube: FakeKube): Attempt[] => attemptsOf(kube.find(R.configMaps(NS), 'nightly-kd-run')!)
const logPath = (pod: string) => `/api/v1/namespaces/${NS}/pods/${pod}/log`

const t = suite('runner: attempts, retries, resume, timeouts')

t('attempt 1 fails, attempt 2 after the interval completes: COMPLETED, both recorded with end and reason', async () => {
  const kube = setup({restartPolicy: 'OnFailure', onFailureRetries: '3', onFailureRetryInterval: '10s'})
  kube.texts.set(logPath('nightly-1-driver'), 'Traceback (most recent call last):\n  File "job.py"\nRuntimeError: first attempt\n')
  const stop = kubelet(kube, (n) => (n === 1 ? failed() : succeeded))
  const d = deps()
  const state = await runManagedJob(kube, env, d).finally(stop)
  assert.is(state, 'COMPLETED')
  const a = attempts(kube)
  assert.equal(a.map((x) => [x.n, x.driver, x.state]), [[1, 'nightly-1-driver', 'FAILED'], [2, 'nightly-2-driver', 'COMPLETED']])
  assert.is(a[0]!.reason, 'Error: exit code 1: RuntimeError: first attempt')
  assert.is(a[0]!.ended, '2026-12-03T08:00:30Z')
  // attempt 1 ended at 08:00:30 (its container's finish); the retry waits until 08:00:40
  assert.ok(d.slept.length === 1 && d.slept[0]! > 39_000 && d.slept[0]! <= 40_000, `waited the interval: ${d.slept}`)
  assert.is(kube.find(R.configMaps(NS), 'nightly-kd-run')!.metadata.annotations['kubectl-kd.io/state'], 'COMPLETED')
  // each driver: owned by the run's Job, labelled with job, run and attempt, made once
  const pods = kube.all(R.pods(NS))
  assert.equal(pods.map((p) => [p.metadata.name, p.metadata.ownerReferences[0].uid, p.metadata.labels['kubectl-kd.io/attempt']]), [['nightly-1-driver', 'uid-run', '1'], ['nightly-2-driver', 'uid-run', '2']])
  assert.is(kube.made('create', 'pods').length, 2)
  // every record was written with the resourceVersion it was decided on
  assert.ok(kube.made('patch', 'configmaps').every((r) => (r.body as O).metadata.resourceVersion), 'preconditions')
})

t('a restarted runner finds the attempt its predecessor recorded and the driver it made: no second driver, no lost attempt', async () => {
  const kube = setup({restartPolicy: 'OnFailure', onFailureRetries: '1'})
  // the previous runner pod recorded attempt 1 and created its driver, then was deleted
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-kd-run', namespace: NS, labels: {'kubectl-kd.io/job': 'nightly', 'kubectl-kd.io/run': 'nightly'}, annotations: {'kubectl-kd.io/attempts': JSON.stringify([{n: 1, driver: 'nightly-1-driver', appId: 'spark-x', planned: '2026-12-03T07:59:00Z', state: 'SUBMITTING'}])}}})
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'nightly-1-driver', namespace: NS, labels: {'kubectl-kd.io/attempt': '1'}}, spec: {}, status: {phase: 'Running'}})
  const stop = kubelet(kube, () => succeeded)
  const state = await runManagedJob(kube, env, deps()).finally(stop)
  assert.is(state, 'COMPLETED')
  assert.equal(attempts(kube).map((x) => [x.n, x.state]), [[1, 'COMPLETED']])
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name), ['nightly-1-driver'])
  // the create was refused (AlreadyExists); the pod's Service and ConfigMap were applied again
  assert.is(kube.made('create', 'pods').length, 1)
  assert.ok(kube.made('apply', 'services').length === 1 && kube.made('apply', 'configmaps').length >= 1)
})

t('a runner that resumes after attempt 1 ended waits out the rest of the interval, then makes attempt 2', async () => {
  const kube = setup({restartPolicy: 'OnFailure', onFailureRetries: '1', onFailureRetryInterval: '60s'})
  const d = deps()
  const endedAgo = 45_000
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-kd-run', namespace: NS, annotations: {'kubectl-kd.io/attempts': JSON.stringify([{n: 1, driver: 'nightly-1-driver', appId: 'spark-x', planned: '2026-12-03T07:58:00Z', state: 'FAILED', ended: new Date(d.now() - endedAgo).toISOString(), reason: 'Error: exit code 1'}])}}})
  const stop = kubelet(kube, () => failed())
  const state = await runManagedJob(kube, env, d).finally(stop)
  assert.is(state, 'FAILED')
  assert.ok(d.slept[0]! > 14_000 && d.slept[0]! <= 15_000, String(d.slept))
  assert.equal(attempts(kube).map((x) => x.n), [1, 2])
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name), ['nightly-2-driver'])
})

t('start timeout: a driver stuck on the image pull fails its attempt with the reason, and is deleted', async () => {
  const kube = setup({startTimeoutSeconds: '1'})
  const stop = kubelet(kube, () => imagePull)
  const state = await runManagedJob(kube, env, deps()).finally(stop)
  assert.is(state, 'FAILED')
  const [a] = attempts(kube)
  assert.match(a!.reason!, /^start timeout 1s: driver not Running: ImagePullBackOff: image img:nope of container spark-kubernetes-driver cannot be pulled$/)
  assert.equal(kube.all(R.pods(NS)), [])
  assert.match(kube.find(R.configMaps(NS), 'nightly-kd-run')!.metadata.annotations['kubectl-kd.io/reason'], /attempt 1 failed: start timeout 1s/)
})

t('submission failures: a refused driver is retried onSubmissionFailureRetries times, then FAILED with the API\'s reason', async () => {
  const kube = setup({restartPolicy: 'OnFailure', onSubmissionFailureRetries: '1', onSubmissionFailureRetryInterval: '3s'})
  kube.fail = (r) => (r.verb === 'create' && r.resource === 'pods' ? new ApiError('Forbidden', 403, 'pods "x" is forbidden: exceeded quota') : undefined)
  const d = deps()
  const state = await runManagedJob(kube, env, d)
  assert.is(state, 'FAILED')
  assert.equal(attempts(kube).map((x) => [x.n, x.state, x.reason]), [[1, 'SUBMISSION_FAILED', 'pods "x" is forbidden: exceeded quota'], [2, 'SUBMISSION_FAILED', 'pods "x" is forbidden: exceeded quota']])
  assert.ok(d.slept.length === 1 && d.slept[0]! > 2000 && d.slept[0]! <= 3000, String(d.slept))
})

t('a conflicting write (another runner wrote first) is re-read and decided again, not overwritten', async () => {
  const kube = setup({restartPolicy: 'Never'})
  let conflicts = 1
  kube.fail = (r) => (r.verb === 'patch' && r.resource === 'configmaps' && conflicts-- > 0 ? new ApiError('Conflict', 409, 'the object has been modified') : undefined)
  const stop = kubelet(kube, () => succeeded)
  assert.is(await runManagedJob(kube, env, deps()).finally(stop), 'COMPLETED')
  assert.equal(attempts(kube).map((x) => x.n), [1])
})

t('Always with a 0s interval and a driver that fails at once: the waits double (1, 2, 4, 8, 16 s), and only the last 3 attempts keep their pod, Service and ConfigMap', async () => {
  const kube = setup({restartPolicy: 'Always', onFailureRetryInterval: '0s'})
  // a user's pod carrying the run's labels: not the runner's to delete
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'users-pod', namespace: NS, labels: {'kubectl-kd.io/run': 'nightly', 'kubectl-kd.io/attempt': '1'}}, spec: {}})
  const controller = new AbortController()
  const d = deps(controller.signal)
  const sleep = d.sleep
  // stop the runner (Always never ends) when it is about to wait before attempt 7
  d.sleep = async (ms, signal) => {
    await sleep(ms, signal)
    if (d.slept.length === 6) controller.abort()
  }
  // the kubelet: every driver fails as soon as it is made, at the runner's clock
  const done = new Set<string>()
  const timer = setInterval(() => {
    for (const p of kube.all(R.pods(NS))) {
      if (done.has(p.metadata.uid) || !p.metadata.labels?.['spark-role']) continue
      done.add(p.metadata.uid)
      kube.seed(R.pods(NS), {...p, status: {phase: 'Failed', containerStatuses: [{name: 'spark-kubernetes-driver', state: {terminated: {exitCode: 1, reason: 'Error', finishedAt: new Date(d.now()).toISOString()}}}]}})
    }
  }, 2)
  // a runner that never waits never reaches the 6th wait: stopped after 5 s instead
  const limit = setTimeout(() => controller.abort(), 5000)
  const state = await runManagedJob(kube, env, d).finally(() => (clearInterval(timer), clearTimeout(limit)))
  assert.is(state, undefined)
  assert.equal(attempts(kube).map((a) => [a.n, a.state]), [1, 2, 3, 4, 5, 6].map((n) => [n, 'FAILED']))
  const expected = [1000, 2000, 4000, 8000, 16_000, 32_000]
  assert.ok(d.slept.every((ms, i) => ms > expected[i]! - 500 && ms <= expected[i]!), `backed off: ${d.slept}`)
  const drivers = kube.all(R.pods(NS)).filter((p) => p.metadata.labels?.['spark-role'] === 'driver').map((p) => p.metadata.name).sort()
  assert.equal(drivers, ['nightly-4-driver', 'nightly-5-driver', 'nightly-6-driver'])
  assert.ok(kube.find(R.pods(NS), 'users-pod'), "the user's pod with the run's labels is left alone")
  // the Services and driver ConfigMaps were owned by the deleted pods: 3 of each left
  assert.is(kube.all(R.services(NS)).length, 3)
  assert.is(kube.all(R.configMaps(NS)).filter((c) => c.metadata.name.startsWith('spark-drv-')).length, 3)
  // each deleted by name with the uid of the pod it made (never by label)
  assert.equal(kube.made('delete', 'pods').map((r) => r.name), ['nightly-1-driver', 'nightly-2-driver', 'nightly-3-driver'])
  assert.equal(kube.made('deletecollection'), [])
})

t('a run retried past 50 attempts keeps the last 50 records and folds the older into counts: the retries still run out on time', async () => {
  const kube = setup({restartPolicy: 'OnFailure', onFailureRetries: '52', onFailureRetryInterval: '0s'})
  const d = deps()
  const old = Array.from({length: 50}, (_, i) => ({n: i + 1, driver: `nightly-${i + 1}-driver`, appId: `spark-${i}`, planned: '2026-12-03T07:00:00Z', created: '2026-12-03T07:00:00Z', ended: '2026-12-03T07:00:05Z', state: 'FAILED', reason: 'Error: exit code 1'}))
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-kd-run', namespace: NS, annotations: {'kubectl-kd.io/attempts': JSON.stringify(old)}}})
  const stop = kubelet(kube, () => failed())
  const state = await runManagedJob(kube, env, d).finally(stop)
  assert.is(state, 'FAILED')
  const cm = kube.find(R.configMaps(NS), 'nightly-kd-run')!
  assert.equal(attempts(kube).map((a) => a.n), Array.from({length: 50}, (_, i) => i + 4))
  assert.equal(JSON.parse(cm.metadata.annotations['kubectl-kd.io/attempts-folded']), {attempts: 3, failed: 3, submissionFailed: 0, completed: 0})
  assert.match(cm.metadata.annotations['kubectl-kd.io/reason'], /^attempt 53 failed, 52 retries used/)
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name).sort(), ['nightly-51-driver', 'nightly-52-driver', 'nightly-53-driver'])
})

const rbac = suite('runner: its Role is exactly what it uses')

/** RBAC on the fake: the request's verb and resource must be in the rules (a server-side apply that creates also needs create). */
function enforce(kube: FakeKube, rules: {resources: string[]; verbs: string[]}[]): void {
  const allowed = (verb: string, resource: string) => rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb))
  kube.fail = (r: RecordedRequest) => {
    const needs: [string, string][] = []
    if (r.verb === 'text') needs.push(['get', /\/pods\/[^/]+\/log$/.test(r.resource) ? 'pods/log' : r.resource])
    else if (r.verb === 'apply') {
      needs.push(['patch', r.resource])
      if (!kube.find({apiVersion: 'v1', resource: r.resource, namespace: r.namespace}, r.name!)) needs.push(['create', r.resource])
    } else needs.push([r.verb, r.resource])
    const denied = needs.find(([v, res]) => !allowed(v, res))
    return denied ? new ApiError('Forbidden', 403, `forbidden: ${denied[0]} ${denied[1]}`) : undefined
  }
}

/** One run that uses every call the runner makes: resume (AlreadyExists → get), log read, start timeout (get, delete), success. */
async function scenario(rules: {resources: string[]; verbs: string[]}[]): Promise<string> {
  const kube = setup({restartPolicy: 'OnFailure', onFailureRetries: '2', startTimeoutSeconds: '1'})
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'nightly-kd-run', namespace: NS, annotations: {'kubectl-kd.io/attempts': JSON.stringify([{n: 1, driver: 'nightly-1-driver', appId: 'spark-x', planned: '2026-12-03T07:59:00Z', state: 'SUBMITTING'}])}}})
  kube.seed(R.pods(NS), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'nightly-1-driver', namespace: NS, labels: {'kubectl-kd.io/attempt': '1'}}, spec: {}, status: {phase: 'Running'}})
  kube.texts.set(logPath('nightly-1-driver'), 'Traceback (most recent call last):\nRuntimeError: boom\n')
  const stop = kubelet(kube, (n) => (n === 1 ? failed() : n === 2 ? imagePull : succeeded))
  enforce(kube, rules)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 4000)
  try {
    const state = await runManagedJob(kube, env, deps(controller.signal))
    return `${state}: ${JSON.stringify(attempts(kube).map((a) => [a.n, a.state, a.reason]))}`
  } catch (err) {
    return `error: ${(err as Error).message}`
  } finally {
    clearTimeout(timer)
    stop()
  }
}

rbac('with the Role the scenario completes; without any one of its verbs it does not', async () => {
  const rules = runnerRules() as {resources: string[]; verbs: string[]}[]
  const full = await scenario(rules)
  assert.match(full, /^COMPLETED: /, full)
  assert.match(full, /Error: exit code 1: RuntimeError: boom/, full)
  assert.match(full, /start timeout 1s/)
  const broken: string[] = []
  for (const [i, rule] of rules.entries()) {
    for (const verb of rule.verbs) {
      const fewer = rules.map((r, j) => (j === i ? {...r, verbs: r.verbs.filter((v) => v !== verb)} : r))
      const out = await scenario(fewer)
      assert.is.not(out, full, `without ${verb} ${rule.resources.join(',')} nothing changed: the Role grants more than the runner uses`)
      broken.push(`${verb} ${rule.resources[0]}`)
    }
  }
  assert.is(broken.length, rules.reduce((n, r) => n + r.verbs.length, 0))
})

t.run()
rbac.run()
