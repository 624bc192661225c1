// Managed jobs, the pure parts: lifecycle fields from flags and (Scheduled)SparkApplications (defaults,
// errors naming the flag or field), the runner's next step, deterministic attempt ids, the next cron
// time, and the runner's Job/CronJob objects (golden).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {dump} from 'js-yaml'
import {FLAG_NAMES, attemptSubmissionIds, attemptsText, attemptsToClean, backoffStreak, foldAttempts, lifecycleOf, nextStep, parseLifecycle, retryDelaySeconds, type Attempt, type AttemptPod, type RestartPolicy} from '../../src/spark/lifecycle.ts'
import {manifestFieldNames, sparkAppToSubmitArgs} from '../../src/spark/sparkapp.ts'
import {nextCronTime} from '../../src/spark/cron.ts'
import {renderRunnerObjects, renderRunnerRoot, runnerRules} from '../../src/spark/render-runner.ts'
import {matchGolden} from '../fixtures/golden.ts'
import {throwsUser} from '../lib/user-errors.ts'

const parse = suite('lifecycle: flags and manifest fields')

parse('defaults: the Job controller\'s first backoff (10 s intervals), the operator\'s history limits (1); Never alone is no lifecycle', () => {
  const l = parseLifecycle({restartPolicy: 'OnFailure', onFailureRetries: '3'}, FLAG_NAMES)
  assert.equal(l.restartPolicy, {type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 10, onSubmissionFailureRetries: 0, onSubmissionFailureRetryInterval: 10})
  assert.is(l.startTimeoutSeconds, 0)
  assert.is(l.schedule, undefined)
  assert.is(lifecycleOf(undefined, undefined, {restartPolicy: 'Never'}), undefined)
  assert.is(lifecycleOf({}, undefined, {}), undefined)
  const s = parseLifecycle({schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid'}, FLAG_NAMES).schedule!
  assert.equal(s, {schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', suspend: false, successfulRunHistoryLimit: 1, failedRunHistoryLimit: 1})
  assert.is(parseLifecycle({timeToLiveSeconds: '1h30m', startTimeoutSeconds: '90s'}, FLAG_NAMES).timeToLiveSeconds, 5400)
})

parse('errors name the flag', () => {
  throwsUser(() => parseLifecycle({restartPolicy: 'Sometimes'}, FLAG_NAMES), /^--restart-policy: "Sometimes" must be Never, OnFailure or Always$/)
  throwsUser(() => parseLifecycle({onFailureRetries: '2'}, FLAG_NAMES), /^--on-failure-retries needs --restart-policy OnFailure or Always/)
  throwsUser(() => parseLifecycle({restartPolicy: 'OnFailure', onFailureRetries: '-1'}, FLAG_NAMES), /^--on-failure-retries: "-1" must be a whole number/)
  throwsUser(() => parseLifecycle({restartPolicy: 'OnFailure', onFailureRetryInterval: 'soon'}, FLAG_NAMES), /^--on-failure-retry-interval: "soon" is not a duration/)
  throwsUser(() => parseLifecycle({schedule: '* * *'}, FLAG_NAMES), /^--schedule: "\* \* \*" is not a cron schedule/)
  throwsUser(() => parseLifecycle({schedule: 'CRON_TZ=UTC * * * * *'}, FLAG_NAMES), /give it as timeZone \(--time-zone\)/)
  throwsUser(() => parseLifecycle({concurrencyPolicy: 'Forbid'}, FLAG_NAMES), /^--concurrency-policy needs --schedule$/)
  throwsUser(() => parseLifecycle({schedule: '@hourly', concurrencyPolicy: 'Sometimes'}, FLAG_NAMES), /^--concurrency-policy: "Sometimes" must be Allow, Forbid or Replace$/)
  throwsUser(() => parseLifecycle({schedule: '@hourly', timeZone: 'Mars/Base'}, FLAG_NAMES), /^--time-zone: "Mars\/Base" is not a time zone name/)
  throwsUser(() => parseLifecycle({schedule: '@hourly', restartPolicy: 'Always'}, FLAG_NAMES), /Always reruns the application forever: it cannot be combined with --schedule/)
  throwsUser(() => parseLifecycle({startTimeoutSeconds: '0'}, FLAG_NAMES), /^--start-timeout: "0" must be at least 1s$/)
})

const sparkApp = (spec: Record<string, unknown>, kind = 'SparkApplication') => ({
  apiVersion: 'sparkoperator.k8s.io/v1beta2',
  kind,
  metadata: {name: 'nightly'},
  spec,
})
const pyApp = {type: 'Python', mainApplicationFile: 'local:///opt/spark/examples/src/main/python/pi.py', image: 'img:3.5.9'}

parse('SparkApplication: restartPolicy and timeToLiveSeconds are read; errors name the field', () => {
  const input = sparkAppToSubmitArgs(sparkApp({...pyApp, restartPolicy: {type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 10}, timeToLiveSeconds: 600}), 'app.yaml')
  assert.equal(input.lifecycle, {restartPolicy: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 10, timeToLiveSeconds: 600})
  const l = lifecycleOf(input.lifecycle, manifestFieldNames('app.yaml', false), {onFailureRetries: '1'})!
  assert.is(l.restartPolicy.onFailureRetries, 1, 'a flag overrides the manifest')
  assert.is(l.restartPolicy.onFailureRetryInterval, 10)
  throwsUser(() => lifecycleOf({restartPolicy: 'Rarely'}, manifestFieldNames('app.yaml', false), {}), /^app\.yaml: spec\.restartPolicy\.type: "Rarely" must be Never, OnFailure or Always$/)
  throwsUser(() => sparkAppToSubmitArgs(sparkApp({...pyApp, restartPolicy: {type: 'OnFailure', retries: 3}}), 'app.yaml'), /^app\.yaml: spec\.restartPolicy\.retries is not a SparkApplication \(v1beta2\) field/)
  // fields still not honoured stay refused by name
  throwsUser(() => sparkAppToSubmitArgs(sparkApp({...pyApp, suspend: true}), 'app.yaml'), /^app\.yaml: spec\.suspend is an operator feature kubectl kd submit does not have; remove it$/)
  throwsUser(() => sparkAppToSubmitArgs(sparkApp({...pyApp, failureRetries: 3}), 'app.yaml'), /spec\.failureRetries is an operator feature/)
})

parse('ScheduledSparkApplication: the template runs on the schedule; unknown fields refused by name', () => {
  const input = sparkAppToSubmitArgs(sparkApp({schedule: '@every 1h', concurrencyPolicy: 'Replace', successfulRunHistoryLimit: 3, template: {...pyApp, restartPolicy: {type: 'OnFailure'}}}, 'ScheduledSparkApplication'), 's.yaml')
  assert.is(input.name, 'nightly')
  assert.equal(input.lifecycle, {schedule: '@every 1h', concurrencyPolicy: 'Replace', successfulRunHistoryLimit: 3, restartPolicy: 'OnFailure'})
  const l = lifecycleOf(input.lifecycle, manifestFieldNames('s.yaml', true), {})!
  assert.is(l.schedule!.concurrencyPolicy, 'Replace')
  throwsUser(() => lifecycleOf({schedule: 'never'}, manifestFieldNames('s.yaml', true), {}), /^s\.yaml: spec\.schedule: "never" is not a cron schedule/)
  throwsUser(() => sparkAppToSubmitArgs(sparkApp({schedule: '@hourly', template: pyApp, startingDeadlineSeconds: 10}, 'ScheduledSparkApplication'), 's.yaml'), /^s\.yaml: spec\.startingDeadlineSeconds is not a ScheduledSparkApplication \(v1beta2\) field/)
  throwsUser(() => sparkAppToSubmitArgs(sparkApp({schedule: '@hourly'}, 'ScheduledSparkApplication'), 's.yaml'), /spec\.template .* is required/)
})

const next = suite('lifecycle: the runner\'s next step')
const policy = (o: Partial<RestartPolicy> = {}): RestartPolicy => ({type: 'OnFailure', onFailureRetries: 3, onFailureRetryInterval: 10, onSubmissionFailureRetries: 1, onSubmissionFailureRetryInterval: 20, ...o})
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString()
const attempt = (n: number, state: Attempt['state'], endS?: number, reason?: string): Attempt => ({n, driver: `j-${n}-driver`, appId: `spark-${n}`, planned: at(0), state, ...(endS !== undefined ? {ended: at(endS)} : {}), ...(reason ? {reason} : {})})

next('first attempt now; an unfinished attempt is watched; a failure is retried after the interval', () => {
  assert.equal(nextStep(policy(), []), {action: 'submit', n: 1, atMs: 0})
  const running = attempt(1, 'RUNNING')
  assert.equal(nextStep(policy(), [running]), {action: 'watch', attempt: running})
  assert.equal(nextStep(policy(), [attempt(1, 'FAILED', 30)]), {action: 'submit', n: 2, atMs: Date.parse(at(30)) + 10_000})
  assert.equal(nextStep(policy(), [attempt(1, 'FAILED', 30), attempt(2, 'COMPLETED', 90)]), {action: 'done', state: 'COMPLETED', reason: 'attempt 2 completed'})
})

next('retries run out: FAILED after 1 + onFailureRetries driver failures; Never retries nothing; Always reruns', () => {
  const four = [1, 2, 3, 4].map((n) => attempt(n, 'FAILED', n * 10, 'Error: exit code 1'))
  assert.equal(nextStep(policy(), four.slice(0, 3)).action, 'submit')
  assert.equal(nextStep(policy(), four), {action: 'done', state: 'FAILED', reason: 'attempt 4 failed, 3 retries used: Error: exit code 1'})
  assert.equal(nextStep(policy({type: 'Never'}), four.slice(0, 1)), {action: 'done', state: 'FAILED', reason: 'attempt 1 failed: Error: exit code 1'})
  assert.equal(nextStep(policy({type: 'Always'}), [attempt(1, 'COMPLETED', 5)]), {action: 'submit', n: 2, atMs: Date.parse(at(5)) + 10_000})
  assert.is(attemptsText(policy(), four.slice(0, 2)), '2/4')
  assert.is(attemptsText(policy({type: 'Always'}), four.slice(0, 2)), '2/∞')
})

next('submission failures count separately, with their own interval and limit', () => {
  const refused = attempt(1, 'SUBMISSION_FAILED', 10, 'forbidden')
  assert.equal(nextStep(policy(), [refused]), {action: 'submit', n: 2, atMs: Date.parse(at(10)) + 20_000})
  const twice = [refused, attempt(2, 'SUBMISSION_FAILED', 40, 'forbidden')]
  assert.equal(nextStep(policy(), twice), {action: 'done', state: 'FAILED', reason: 'submission failed 2 time(s), 1 retries allowed: forbidden'})
  // a driver failure after a submission failure still has its own retries
  assert.equal(nextStep(policy({onFailureRetries: 1}), [refused, attempt(2, 'FAILED', 60)]).action, 'submit')
})

next('backoff: the interval doubles per quick attempt in a row up to 6 min (the Job controller\'s 10 s → 6 min by default); 0s still backs off from 1 s', () => {
  const schedule = (interval: number) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => retryDelaySeconds(interval, k))
  assert.equal(schedule(10), [10, 20, 40, 80, 160, 320, 360, 360, 360])
  assert.equal(schedule(0), [1, 2, 4, 8, 16, 32, 64, 128, 256])
  assert.equal(schedule(2), [2, 4, 8, 16, 32, 64, 128, 256, 360])
  // an interval longer than the cap is the interval, every time (it is what the user asked for)
  assert.equal(schedule(600), Array(9).fill(600))
  assert.is(retryDelaySeconds(10, 10_000), 360)
  assert.is(retryDelaySeconds(10, 0), 10)
})

next('backoff in nextStep: the k-th quick failure in a row waits interval × 2^(k−1); an attempt that ran 10 minutes starts over; Always with 0s never hot-loops', () => {
  const quick = (n: number, state: Attempt['state'] = 'FAILED'): Attempt => ({n, driver: `j-${n}-driver`, appId: `spark-${n}`, planned: at(n * 60), created: at(n * 60 + 1), ended: at(n * 60 + 5), state})
  const always = policy({type: 'Always', onFailureRetryInterval: 0})
  const five = [1, 2, 3, 4, 5].map((n) => quick(n))
  assert.is(backoffStreak(five), 5)
  assert.equal(nextStep(always, five), {action: 'submit', n: 6, atMs: Date.parse(at(5 * 60 + 5)) + 16_000})
  // Always reruns a job that completes at once with the same backoff (as the kubelet restarts a container)
  assert.equal(nextStep(always, [quick(1, 'COMPLETED'), quick(2, 'COMPLETED')]), {action: 'submit', n: 3, atMs: Date.parse(at(2 * 60 + 5)) + 2000})
  const long: Attempt = {n: 3, driver: 'j-3-driver', appId: 'spark-3', planned: at(0), created: at(0), ended: new Date(Date.parse(at(0)) + 700_000).toISOString(), state: 'FAILED'}
  assert.is(backoffStreak([quick(1), quick(2), long]), 0)
  assert.equal(nextStep(policy({type: 'Always'}), [quick(1), quick(2), long]), {action: 'submit', n: 4, atMs: Date.parse(long.ended!) + 10_000})
  assert.is(backoffStreak([quick(1), quick(2), long, quick(4)]), 1)
  // OnFailure with the default interval: 10 s, 20 s, 40 s
  const onFailure = policy({onFailureRetries: 5, onFailureRetryInterval: 10})
  assert.equal([1, 2, 3].map((k) => (nextStep(onFailure, five.slice(0, k)) as {atMs: number}).atMs - Date.parse(five[k - 1]!.ended!)), [10_000, 20_000, 40_000])
  // submission failures back off from their own interval
  const refused = [1, 2].map((n) => quick(n, 'SUBMISSION_FAILED'))
  assert.equal(nextStep(policy({onSubmissionFailureRetries: 5, onSubmissionFailureRetryInterval: 3}), refused), {action: 'submit', n: 3, atMs: Date.parse(refused[1]!.ended!) + 6000})
})

next('clean-up: before attempt n, only this run\'s driver pods of attempts ≤ n − 3 are deleted; a pod with the labels but another owner, name or run is left alone', () => {
  const pod = (name: string, attempt: string, owner = 'uid-run', extra: Partial<AttemptPod['metadata']> = {}): AttemptPod => ({metadata: {name, uid: `uid-${name}`, labels: {'kubectl-kd.io/run': 'nightly', 'kubectl-kd.io/attempt': attempt}, ownerReferences: [{uid: owner}], ...extra}})
  const pods = [1, 2, 3, 4, 5, 6].map((n) => pod(`nightly-${n}-driver`, String(n)))
  assert.equal(attemptsToClean(pods, {run: 'nightly', runUid: 'uid-run', n: 7}).map((p) => p.name), ['nightly-1-driver', 'nightly-2-driver', 'nightly-3-driver', 'nightly-4-driver'])
  assert.equal(attemptsToClean(pods, {run: 'nightly', runUid: 'uid-run', n: 4}), [{name: 'nightly-1-driver', uid: 'uid-nightly-1-driver'}])
  assert.equal(attemptsToClean(pods, {run: 'nightly', runUid: 'uid-run', n: 3}), [])
  const foreign = [
    pod('nightly-1-driver', '1', 'uid-someone-else'), // another owner (a user's pod with the run's labels)
    {metadata: {...pod('nightly-2-driver', '2').metadata, ownerReferences: undefined}}, // no owner at all
    pod('users-pod', '1'), // not named as an attempt of this run
    pod('nightly-3-driver', 'x'), // no attempt number
    pod('nightly-4-driver', '4', 'uid-run', {deletionTimestamp: '2026-01-01T00:00:00Z'}), // going already
  ]
  assert.equal(attemptsToClean(foreign, {run: 'nightly', runUid: 'uid-run', n: 20}), [])
  assert.equal(attemptsToClean(pods, {run: 'nightly', runUid: 'uid-run', n: 7, keep: 6}).map((p) => p.name), ['nightly-1-driver'])
})

next('records beyond the last 50 are folded into counts, which still count against the retries and in the attempts shown', () => {
  const many = Array.from({length: 53}, (_, i) => attempt(i + 1, i === 1 ? 'SUBMISSION_FAILED' : 'FAILED', i + 1, 'Error: exit code 1'))
  const {attempts, folded} = foldAttempts(many, {attempts: 0, failed: 0, submissionFailed: 0, completed: 0})
  assert.is(attempts.length, 50)
  assert.equal(attempts.map((a) => a.n).slice(0, 2), [4, 5])
  assert.equal(folded, {attempts: 3, failed: 2, submissionFailed: 1, completed: 0})
  assert.equal(foldAttempts(many.slice(0, 50), folded), {attempts: many.slice(0, 50), folded})
  // 52 driver failures with 51 retries: done, though only 50 attempts are recorded
  assert.equal(nextStep(policy({onFailureRetries: 51}), attempts, folded), {action: 'done', state: 'FAILED', reason: 'attempt 53 failed, 51 retries used: Error: exit code 1'})
  assert.is(nextStep(policy({onFailureRetries: 52}), attempts, folded).action, 'submit')
  assert.is(attemptsText(policy({type: 'Always'}), attempts, folded), '53/∞')
  assert.equal(nextStep(policy(), [], {attempts: 7, failed: 7, submissionFailed: 0, completed: 0}), {action: 'submit', n: 8, atMs: 0})
})

next('attempt ids are derived from the run and the attempt: the same after a restart, different per attempt', () => {
  const a = attemptSubmissionIds('uid-1', 1, 1_767_225_600_000)
  assert.equal(attemptSubmissionIds('uid-1', 1, 1_767_225_600_000), a)
  assert.not.equal(attemptSubmissionIds('uid-1', 2, 1_767_225_600_000).appId, a.appId)
  assert.not.equal(attemptSubmissionIds('uid-2', 1, 1_767_225_600_000).appId, a.appId)
  assert.match(a.appId, /^spark-[0-9a-f]{32}$/)
  assert.match(a.localDirUuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/)
})

next('next cron time: minutes, steps, macros, weekday/day OR, time zones', () => {
  const t0 = Date.parse('2026-12-03T08:15:30Z') // a Thursday
  assert.is(new Date(nextCronTime('* * * * *', t0)!).toISOString(), '2026-12-03T08:16:00.000Z')
  assert.is(new Date(nextCronTime('*/10 * * * *', t0)!).toISOString(), '2026-12-03T08:20:00.000Z')
  assert.is(new Date(nextCronTime('@daily', t0)!).toISOString(), '2026-12-04T00:00:00.000Z')
  assert.is(new Date(nextCronTime('0 2 * * MON', t0)!).toISOString(), '2026-12-07T02:00:00.000Z')
  assert.is(new Date(nextCronTime('0 0 1 * 5', t0)!).toISOString(), '2026-12-04T00:00:00.000Z', 'day-of-month OR day-of-week')
  assert.is(new Date(nextCronTime('0 9 * * *', t0, 'Europe/Berlin')!).toISOString(), '2026-12-04T08:00:00.000Z')
  assert.is(nextCronTime('@every 1h', t0), undefined)
})

const render = suite('lifecycle: the runner\'s objects')
const lifecycle = parseLifecycle({restartPolicy: 'OnFailure', onFailureRetries: '3', startTimeoutSeconds: '2m', timeToLiveSeconds: '600'}, FLAG_NAMES)
const opts = {name: 'nightly', namespace: 'spark', bundle: new TextEncoder().encode('export const main = () => {}\n')}
const stored = {args: {appResource: 'local:///opt/job.py', image: 'img:3.5.9', serviceAccount: 'spark'}, shippedData: {}, templates: {}, namespace: 'spark', user: 'ada', userFromEnv: false, lifecycle}
const yaml = (objs: object[]) => objs.map((o) => `---\n${dump(o, {sortKeys: true, lineWidth: -1})}`).join('')

render('golden: a one-run Job (suspended until what it owns exists) and its runner objects', () => {
  const root = renderRunnerRoot(opts, lifecycle)
  matchGolden('runner-job.yaml', yaml([root, ...renderRunnerObjects(opts, stored, {kind: 'Job', uid: 'uid-root'})]))
})

render('golden: a CronJob maps the schedule fields', () => {
  const scheduled = parseLifecycle({restartPolicy: 'OnFailure', schedule: '*/5 * * * *', timeZone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', suspend: 'true', successfulRunHistoryLimit: '3', failedRunHistoryLimit: '2'}, FLAG_NAMES)
  const root = renderRunnerRoot(opts, scheduled) as any
  assert.equal(
    [root.spec.schedule, root.spec.timeZone, root.spec.concurrencyPolicy, root.spec.successfulJobsHistoryLimit, root.spec.failedJobsHistoryLimit, root.spec.suspend],
    ['*/5 * * * *', 'Europe/Berlin', 'Forbid', 3, 2, true],
  )
  matchGolden('runner-cronjob.yaml', yaml([root]))
})

render('restricted pod security, no cluster-scoped object, every object owned by the root', () => {
  const root = renderRunnerRoot(opts, lifecycle) as any
  const pod = root.spec.template.spec
  assert.equal(pod.securityContext, {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: 'RuntimeDefault'}})
  assert.equal(pod.containers[0].securityContext, {allowPrivilegeEscalation: false, capabilities: {drop: ['ALL']}, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: {type: 'RuntimeDefault'}})
  assert.is(pod.containers[0].image, 'docker.io/library/node:24-slim')
  const owned = renderRunnerObjects(opts, stored, {kind: 'Job', uid: 'uid-root'})
  assert.ok(owned.every((o) => o.metadata.namespace === 'spark' && (o.metadata as any).ownerReferences[0].uid === 'uid-root'))
  assert.equal(owned.map((o) => o.kind), ['ConfigMap', 'ConfigMap', 'ServiceAccount', 'Role', 'RoleBinding'])
  assert.ok(runnerRules().every((r: any) => r.apiGroups.length === 1 && r.apiGroups[0] === ''), 'core resources only')
})

parse.run()
next.run()
render.run()
