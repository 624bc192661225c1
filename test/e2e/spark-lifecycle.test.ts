// Managed Spark jobs end to end (docs/job-lifecycle.md) on the local cluster with the real Spark image:
// retries with the CLI killed right after submit, retries exhausted with the runner pod deleted mid-retry,
// a start timeout on an image that does not exist, time to live, schedules (every minute, Forbid, history
// limits, suspend/resume, run now, Replace), delete, and what a `view` user sees. The jobs are started together
// in the first test and checked by the later ones (the node has 2 CPUs: one executor at most, 100m requests).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, env, kubeconfigFor, kubectl, kubectlJson} from '../lib/cluster.ts'
import {isOneLineError, kd, kdAsync} from '../lib/kd.ts'
import {eventually} from './agent-members.ts'

const ns = createNamespace('kd-e2e-lifecycle')
const image = env.KD_SPARK_IMAGE!
const run = (args: string[], timeoutMs = 120_000) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: clusterEnv(), timeoutMs})
const small = ['--conf', 'spark.kubernetes.driver.request.cores=100m', '--conf', 'spark.kubernetes.executor.request.cores=100m', '--driver-memory', '512m', '--executor-memory', '512m', '--num-executors', '1']
const base = ['--service-account', 'spark', ...small]
const withImage = ['--image', image, ...base]
const dir = mkdtempSync(join(tmpdir(), 'kd-lifecycle-'))
const script = (name: string, text: string) => {
  writeFileSync(join(dir, name), text)
  return join(dir, name)
}
const alwaysFails = script('always-fails.py', "raise RuntimeError('always fails')\n")
const quick = script('quick.py', "print('quick run done')\n")
const sleeper = script('sleeper.py', 'import sys, time\ntime.sleep(int(sys.argv[1]))\nprint("slept")\n')
const status = (job: string) => JSON.parse(run(['status', `job/${job}`, '-o', 'json']).stdout || '{}')
const runJobsOf = (job: string) => kubectlJson<any>(['get', 'jobs', '-n', ns, '-l', `kubectl-kd.io/job=${job}`]).items.filter((j: any) => j.metadata.name !== job)
const driversOf = (job: string) => kubectl(['get', 'pods', '-n', ns, '-l', `kubectl-kd.io/job=${job},spark-role=driver`, '-o', 'name']).trim().split('\n').filter(Boolean).sort()
const created = (r: {code: number; stdout: string; stderr: string}, job: string) => {
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^job/${job} created$`, 'm'))
}

const t = suite('spark lifecycle: retries, start timeout, TTL, schedules, no operator')
let viewerConfig = ''
/** Deletes exhaust's runner pod while it waits between attempt 1 and 2 (started with the jobs, checked later). */
let killedMidRetry: Promise<any> = Promise.resolve()
/** ttl seen COMPLETED, with its driver's ConfigMap (watched from the start: the TTL may pass before its test runs) */
let ttlCompleted: Promise<{conf: string}> = Promise.resolve({conf: ''})
/** `submit --wait` of ttl (a managed job: time to live) */
let ttlWait: Promise<{code: number; stdout: string; stderr: string}> = Promise.resolve({code: -1, stdout: '', stderr: ''})
/** a run of `replace` (schedule every 2 minutes, Replace) seen with its driver running */
let replaced: Promise<{driver: string; run: string}> = Promise.resolve({driver: '', run: ''})
/** a forbid run active for 75 s (past a minute boundary), with the runs that existed then */
let forbidLongRun: Promise<{active: any; runs: any[]}> = Promise.resolve({active: undefined, runs: []})

t('submit: six managed jobs start; the CLI of the first is killed as soon as submit returned', async () => {
  kubectl(['-n', ns, 'create', 'serviceaccount', 'spark'])
  kubectl(['-n', ns, 'create', 'rolebinding', 'spark-edit', '--clusterrole=edit', `--serviceaccount=${ns}:spark`])
  viewerConfig = kubeconfigFor(ns, 'viewer', 'view')
  // --wait follows a managed job through the runner's record to its end (exit 0: COMPLETED)
  ttlWait = kdAsync(['submit', '-n', ns, ...withImage, '--name', 'ttl', '--time-to-live', '30s', '--wait', quick], {env: clusterEnv()})
  const cli = kdAsync(['submit', '-n', ns, ...withImage, '--name', 'retry-ok', '--restart-policy', 'OnFailure', '--on-failure-retries', '3', '--on-failure-retry-interval', '2s',
    'examples/spark/fail-once.py', `marker-${ns}`], {env: clusterEnv()})
  const submits = [
    run(['submit', ...withImage, '--name', 'exhaust', '--restart-policy', 'OnFailure', '--on-failure-retries', '2', '--on-failure-retry-interval', '20s', alwaysFails]),
    run(['submit', ...base, '--name', 'no-image', '--image', 'localhost/kubectl-kd/spark:no-such-tag', '--start-timeout', '45s', alwaysFails]),
    run(['submit', ...withImage, '--name', 'forbid', '--schedule', '* * * * *', '--concurrency-policy', 'Forbid', sleeper, '100']),
    run(['submit', ...withImage, '--name', 'every-minute', '--schedule', '* * * * *', '--concurrency-policy', 'Forbid', '--successful-run-history-limit', '1', '--failed-run-history-limit', '1', quick]),
    // every 2 minutes: a loaded node may take most of a minute to start a driver; it sleeps past the next run
    run(['submit', ...withImage, '--name', 'replace', '--schedule', '*/2 * * * *', '--concurrency-policy', 'Replace', sleeper, '200']),
  ]
  for (const [r, job] of submits.map((r, i) => [r, ['exhaust', 'no-image', 'forbid', 'every-minute', 'replace'][i]!] as const)) created(r, job)
  replaced = eventually('a replace run with its driver running', () => {
    const running = kubectlJson<any>(['get', 'pods', '-n', ns, '-l', 'kubectl-kd.io/job=replace,spark-role=driver']).items.find((p: any) => p.status.phase === 'Running')
    return running && {driver: running.metadata.name as string, run: running.metadata.labels['kubectl-kd.io/run'] as string}
  }, 400_000, 2000)
  replaced.catch(() => undefined)
  killedMidRetry = eventually('exhaust between attempt 1 and 2', () => {
    const s = status('exhaust')
    return s.state === 'PENDING_RERUN' && s.attempts.length === 1 && s
  }, 400_000, 500).then((during) => {
    const runnerPod = kubectl(['get', 'pods', '-n', ns, '-l', 'batch.kubernetes.io/job-name=exhaust', '-o', 'name']).trim()
    kubectl(['delete', '-n', ns, runnerPod, '--wait=false'])
    return during
  })
  killedMidRetry.catch(() => undefined)
  ttlCompleted = eventually('ttl to complete', () => {
    if (status('ttl').state !== 'COMPLETED') return undefined
    const pod = kubectlJson<any>(['get', 'pods', '-n', ns, '-l', 'kubectl-kd.io/job=ttl,spark-role=driver']).items[0]
    return pod && {conf: `configmap/${pod.spec.volumes.find((v: any) => v.name === 'spark-conf-volume-driver').configMap.name}`}
  }, 400_000, 1000)
  ttlCompleted.catch(() => undefined)
  forbidLongRun = eventually('a forbid run active for 75 s', () => {
    const runs = runJobsOf('forbid')
    const active = runs.find((j: any) => j.status.active && Date.now() - Date.parse(j.status.startTime) > 75_000)
    return active && {active, runs}
  }, 400_000, 2000)
  forbidLongRun.catch(() => undefined)
  const first = await cli
  cli.kill('SIGKILL')
  created(first, 'retry-ok')
  // nothing of a driver is made by the CLI: the runner makes it
  assert.equal(driversOf('retry-ok').filter((p) => p.includes('-2-')), [])
})

t('OnFailure, 3 retries: attempt 1 fails, attempt 2 completes; COMPLETED 2/4 with each attempt\'s end and reason', async () => {
  const s = await eventually('retry-ok to end', () => {
    const st = status('retry-ok')
    return ['COMPLETED', 'FAILED'].includes(st.state) && st
  }, 600_000, 2000)
  assert.is(s.state, 'COMPLETED', JSON.stringify(s))
  assert.is(s.attemptsText, '2/4')
  assert.equal(s.attempts.map((a: any) => [a.n, a.state]), [[1, 'FAILED'], [2, 'COMPLETED']])
  assert.match(s.attempts[0].reason, /RuntimeError: first attempt fails on purpose/)
  assert.ok(s.attempts.every((a: any) => a.ended), 'every attempt has its end')
  assert.equal(driversOf('retry-ok'), ['pod/retry-ok-1-driver', 'pod/retry-ok-2-driver'])
  assert.match(run(['logs', 'retry-ok']).stdout, /counted 1000 rows/)
  const table = run(['get', 'jobs'])
  assert.match(table.stdout, /^NAME\s+STATE\s+ATTEMPTS\s+EXECUTORS\s+NEXT-RUN\s+AGE\s+DURATION$/m)
  assert.match(table.stdout, /^retry-ok\s+COMPLETED\s+2\/4\s+/m)
})

t('a start timeout fails the attempt of an image that does not exist, with the image-pull reason in status', async () => {
  const s = await eventually('no-image to fail', () => status('no-image').state === 'FAILED' && status('no-image'), 120_000, 2000)
  assert.match(s.attempts[0].reason, /^start timeout 45s: driver not Running: (ErrImagePull|ImagePullBackOff): image localhost\/kubectl-kd\/spark:no-such-tag/)
  const text = run(['status', 'job/no-image']).stdout
  assert.match(text, /State: +FAILED/)
  assert.match(text, /(ErrImagePull|ImagePullBackOff): image localhost\/kubectl-kd\/spark:no-such-tag/)
  // the stuck driver is deleted, so it cannot start later
  await eventually('the stuck driver gone', () => driversOf('no-image').length === 0, 60_000)
})

t('timeToLiveSeconds: a finished job and every object it made are removed (submitted with --wait: exit 0 once COMPLETED)', async () => {
  const waited = await ttlWait
  assert.is(waited.code, 0, waited.stderr)
  assert.match(waited.stdout, /^job\/ttl created$/m)
  assert.match(waited.stderr, /^attempt 1 COMPLETED$/m)
  assert.match(waited.stderr, /^job\/ttl COMPLETED \(attempts 1\/1\)$/m)
  const driverObjects = [(await ttlCompleted).conf]
  await eventually('ttl objects gone', () => {
    const left = kubectl(['get', 'jobs,pods,configmaps,serviceaccounts,roles,rolebindings,services', '-n', ns, '-l', 'kubectl-kd.io/job=ttl', '-o', 'name']).trim()
    const conf = kubectl(['get', ...driverObjects, '-n', ns, '--ignore-not-found', '-o', 'name']).trim()
    const svc = kubectl(['get', 'services', '-n', ns, '-o', 'name']).split('\n').filter((n) => n.startsWith('service/ttl-'))
    return left === '' && conf === '' && svc.length === 0
  }, 90_000, 1000)
  assert.ok(isOneLineError(run(['status', 'job/ttl'])))
})

t('retries exhausted with the runner pod deleted mid-retry: FAILED 3/3, every attempt once, each with its reason', async () => {
  const during = await killedMidRetry
  const s = await eventually('exhaust to end', () => {
    const st = status('exhaust')
    return st.state === 'FAILED' && st
  }, 600_000, 2000)
  assert.is(s.attemptsText, '3/3')
  assert.equal(s.attempts.map((a: any) => [a.n, a.state]), [[1, 'FAILED'], [2, 'FAILED'], [3, 'FAILED']])
  for (const a of s.attempts) assert.match(a.reason, /Error: exit code 1: RuntimeError: always fails/)
  assert.match(s.reason, /attempt 3 failed, 2 retries used/)
  // the retry interval held across the runner's replacement
  assert.ok(Date.parse(s.attempts[1].created) - Date.parse(during.attempts[0].ended) >= 19_000, JSON.stringify(s.attempts))
  assert.equal(driversOf('exhaust'), ['pod/exhaust-1-driver', 'pod/exhaust-2-driver', 'pod/exhaust-3-driver'])
  const logs = kubectl(['logs', '-n', ns, '-l', 'batch.kubernetes.io/job-name=exhaust', '--tail', '-1'])
  assert.match(logs, /1 attempt\(s\) recorded/)
  // the runner records FAILED, then exits; the Job controller marks the Job failed by its pod failure policy after
  await eventually('the runner Job Failed by its pod failure policy', () => {
    const job = kubectlJson<any>(['get', 'job', '-n', ns, 'exhaust'])
    return (job.status.conditions ?? []).some((c: any) => c.type === 'Failed' && c.reason === 'PodFailurePolicy')
  }, 120_000, 2000)
  const text = run(['status', 'job/exhaust']).stdout
  assert.match(text, /Attempts: +3\/3/)
  assert.is(text.match(/^ +Error: exit code 1: RuntimeError: always fails$/gm)?.length, 3, text)
})

t('Forbid: the minute\'s run is skipped while the previous one still runs', async () => {
  const {active, runs} = await forbidLongRun
  // no run was created while it ran, though the schedule is every minute
  const during = runs.filter((j: any) => j.metadata.name !== active.metadata.name && Date.parse(j.metadata.creationTimestamp) >= Date.parse(active.status.startTime))
  assert.equal(during.map((j: any) => j.metadata.name), [])
  const events = kubectl(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=CronJob,involvedObject.name=forbid,reason=SuccessfulCreate', '-o', 'json'])
  const created = JSON.parse(events).items.map((e: any) => Date.parse(e.lastTimestamp ?? e.eventTime)).filter((t: number) => t > Date.parse(active.status.startTime) + 5000 && t < Date.parse(active.status.startTime) + 75_000)
  assert.equal(created, [], 'the controller created no run while one was active')
  const s = status('forbid')
  assert.is(s.state, 'SCHEDULED')
  assert.is(s.schedule.concurrencyPolicy, 'Forbid')
})

t("Replace: the next scheduled run replaces the one still running, and the replaced run's driver goes with it", async () => {
  const first = await replaced
  await eventually('the running run replaced by a newer one', () => {
    const runs = runJobsOf('replace').map((j: any) => j.metadata.name as string)
    return !runs.includes(first.run) && runs.length >= 1
  }, 240_000, 2000)
  await eventually("the replaced run's driver gone", () => kubectl(['get', 'pod', '-n', ns, first.driver, '--ignore-not-found', '-o', 'name']).trim() === '', 120_000, 2000)
  const s = status('replace')
  assert.is(s.schedule.concurrencyPolicy, 'Replace')
  assert.ok(!s.runs.some((r: any) => r.name === first.run), JSON.stringify(s.runs))
  assert.match(run(['delete', 'job/replace']).stdout, /^job\/replace deleted$/m)
})

t('every minute: runs at least twice, history limit 1 keeps exactly 1 run; run starts one now; suspend stops runs, resume restarts them', async () => {
  const events = (reason: string) => kubectl(['get', 'events', '-n', ns, '--field-selector', `involvedObject.kind=CronJob,involvedObject.name=every-minute,reason=${reason}`, '-o', 'name']).trim().split('\n').filter(Boolean).length
  await eventually('two scheduled runs', () => events('SuccessfulCreate') >= 2, 300_000, 2000)
  // the history limit: once the controller pruned an older completed run, exactly one completed run is kept
  const kept = await eventually('a completed run pruned', () => {
    const done = runJobsOf('every-minute').filter((j: any) => j.status.succeeded === 1)
    return events('SuccessfulDelete') >= 1 && done.length === 1 && done
  }, 300_000, 1000)
  assert.is(kept.length, 1)
  const st = status('every-minute')
  assert.is(st.runs.filter((r: any) => r.state === 'COMPLETED').length, 1, JSON.stringify(st.runs))
  assert.match(st.schedule.nextRun, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/)
  assert.match(run(['get', 'jobs']).stdout, /^every-minute\s+SCHEDULED\s+[01]\/1\s+\S+\s+in \d+s\s+/m)

  // suspend: no new run across a minute boundary
  assert.match(run(['suspend', 'job/every-minute']).stdout, /^job\/every-minute suspended$/m)
  const before = kubectlJson<any>(['get', 'cronjob', '-n', ns, 'every-minute']).status.lastScheduleTime
  const suspendedAt = Date.now()
  assert.is(status('every-minute').state, 'SUSPENDED')
  // run now, while suspended: one manual run
  const now = run(['run', 'job/every-minute'])
  assert.is(now.code, 0, now.stderr)
  const manual = /run (\S+) created/.exec(now.stdout)![1]!
  await eventually('the manual run to complete', () => runJobsOf('every-minute').find((j: any) => j.metadata.name === manual && j.status.succeeded === 1), 150_000, 1000)
  await eventually('a minute boundary while suspended', () => Date.now() > suspendedAt + 65_000, 70_000, 1000)
  // Forbid skips a schedule while any run (the manual one too) is active: resume once none is
  await eventually('no run active', () => runJobsOf('every-minute').every((j: any) => !j.status.active), 300_000, 1000)
  assert.is(kubectlJson<any>(['get', 'cronjob', '-n', ns, 'every-minute']).status.lastScheduleTime, before, 'no scheduled run while suspended')
  assert.match(run(['resume', 'job/every-minute']).stdout, /^job\/every-minute resumed$/m)
  await eventually('a scheduled run after resume', () => kubectlJson<any>(['get', 'cronjob', '-n', ns, 'every-minute']).status.lastScheduleTime !== before, 90_000, 1000)
})

t('a view user sees managed jobs, attempts and schedules; it cannot run, suspend or delete them', () => {
  const viewer = (args: string[]) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: {...clusterEnv(), KUBECONFIG: viewerConfig}})
  const list = viewer(['get', 'jobs'])
  assert.is(list.code, 0, list.stderr)
  for (const j of ['retry-ok', 'exhaust', 'no-image', 'forbid', 'every-minute']) assert.match(list.stdout, new RegExp(`^${j}\\s`, 'm'))
  const s = JSON.parse(viewer(['status', 'job/exhaust', '-o', 'json']).stdout)
  assert.is(s.attempts.length, 3)
  assert.match(viewer(['status', 'job/every-minute']).stdout, /Next run: /)
  assert.match(viewer(['logs', 'retry-ok']).stdout, /counted 1000 rows/)
  for (const args of [['run', 'job/every-minute'], ['suspend', 'job/every-minute'], ['delete', 'job/forbid']]) {
    const r = viewer(args)
    assert.ok(isOneLineError(r), `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /forbidden/)
  }
})

t('delete job/NAME removes the schedule, its runs and every object they made', async () => {
  assert.match(run(['delete', 'job/forbid']).stdout, /^job\/forbid deleted$/m)
  assert.match(run(['delete', 'job/every-minute']).stdout, /^job\/every-minute deleted$/m)
  await eventually('nothing of the schedules left', () => {
    const left = kubectl(['get', 'cronjobs,jobs,pods,configmaps,serviceaccounts,roles,rolebindings', '-n', ns, '-l', 'kubectl-kd.io/job in (forbid,every-minute)', '-o', 'name']).trim()
    const svc = kubectl(['get', 'services', '-n', ns, '-o', 'name']).split('\n').filter((n) => /^service\/(forbid|every-minute)-/.test(n))
    return left === '' && svc.length === 0
  }, 120_000, 1000)
  assert.ok(isOneLineError(run(['status', 'job/forbid'])))
})

t.after(() => deleteNamespace(ns))
t.run()
