import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {jobStatusFromPods} from '../../src/spark/status.ts'
import {jobsTable, jobStatusText, managedJobStatusText} from '../../src/output/jobs.ts'
import {renderTable} from '../../src/output/table.ts'

const driver = (phase: string, containerState: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  metadata: {name: 'spark-pi-0123-driver', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z', labels: {'spark-app-selector': 'spark-abc', 'spark-app-name': 'spark-pi', 'spark-version': '3.5.3', 'spark-role': 'driver'}},
  spec: {nodeName: 'node1'},
  status: {phase, startTime: '2026-01-01T00:00:01Z', containerStatuses: [{name: 'spark-kubernetes-driver', state: containerState}], ...extra},
})
const exec = (phase: string) => ({metadata: {name: 'e'}, status: {phase}})

test('driver phases map to the operator states', () => {
  assert.is(jobStatusFromPods(driver('Pending', {waiting: {reason: 'ContainerCreating'}}), []).state, 'SUBMITTED')
  const running = jobStatusFromPods(driver('Running', {running: {}}), [exec('Running'), exec('Pending')], {requested: 2, now: Date.parse('2026-01-01T00:01:01Z'), serviceName: 'svc'})
  assert.is(running.state, 'RUNNING')
  assert.equal(running.executors, {requested: 2, pending: 1, running: 1, succeeded: 0, failed: 0})
  assert.is(running.durationMs, 60_000)
  assert.is(running.uiAddress, 'http://svc.ns.svc:4040')
  const done = jobStatusFromPods(driver('Succeeded', {terminated: {exitCode: 0, reason: 'Completed', finishedAt: '2026-01-01T00:00:31Z'}}), [])
  assert.is(done.state, 'COMPLETED')
  assert.is(done.durationMs, 30_000)
  assert.is(done.name, 'spark-pi-0123')
})

test('failure reasons: exit code, OOMKilled, image pull (stuck), unschedulable', () => {
  const failed = jobStatusFromPods(driver('Failed', {terminated: {exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:00:31Z'}}), [])
  assert.is(failed.state, 'FAILED')
  assert.is(failed.reason, 'Error: exit code 1')
  assert.is(jobStatusFromPods(driver('Failed', {terminated: {exitCode: 137, reason: 'OOMKilled'}}), []).reason, 'OOMKilled: exit code 137')
  const pull = jobStatusFromPods(driver('Pending', {waiting: {reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"'}}), [])
  assert.is(pull.state, 'SUBMITTED')
  assert.ok(pull.stuck)
  assert.is(pull.reason, 'driver container waiting: ImagePullBackOff: Back-off pulling image "nope"')
  const unsched = jobStatusFromPods(driver('Pending', {}, {containerStatuses: undefined, conditions: [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.'}]}), [])
  assert.match(unsched.reason!, /Insufficient memory/)
})

test('table and status text', () => {
  const now = Date.parse('2026-01-01T00:05:00Z')
  const s = jobStatusFromPods(driver('Succeeded', {terminated: {exitCode: 0, finishedAt: '2026-01-01T00:00:31Z'}}), [], {requested: 2})
  const out = renderTable(jobsTable([s], {now}))
  assert.is(out, 'NAME            STATE       EXECUTORS   AGE   DURATION\nspark-pi-0123   COMPLETED   0/2         5m    30s\n')
  assert.match(renderTable(jobsTable([s], {now, allNamespaces: true, wide: true})), /^NAMESPACE   NAME .* APP-ID .* SPARK\nns /)
  const text = jobStatusText({...s, lastLogLines: ['boom']}, {now})
  assert.match(text, /State: +COMPLETED/)
  assert.match(text, /Executors: +2 requested, 0 running/)
  assert.match(text, /Last driver log lines:\n  boom/)
})


test('a managed job\'s restart line: the interval is the first wait, doubled up to 6 min (from 1 s for 0s; an interval past the cap stays)', () => {
  const restart = (type: 'Never' | 'OnFailure' | 'Always', onFailureRetryInterval: number, onSubmissionFailureRetryInterval = 10) =>
    managedJobStatusText({
      name: 'fail-once', namespace: 'ns', kind: 'Job', state: 'RUNNING', attemptsText: '1/4', attempts: [], runs: [], created: '2026-01-01T00:00:00Z',
      lifecycle: {restartPolicy: {type, onFailureRetries: 3, onFailureRetryInterval, onSubmissionFailureRetries: 0, onSubmissionFailureRetryInterval}, startTimeoutSeconds: 0},
    }, {now: Date.parse('2026-01-01T00:01:00Z')}).match(/^Restart: +(.*)$/m)![1]
  assert.is(restart('OnFailure', 2), 'OnFailure, 3 retries after 2s, doubling to 6m; submission failures: 0 retries after 10s, doubling to 6m')
  assert.is(restart('Always', 0, 600), 'Always, always rerun after 1s, doubling to 6m; submission failures: 0 retries after 600s')
  assert.is(restart('Never', 10), 'Never')
})

test('failureFromLog: Python traceback and JVM exceptions', async () => {
  const {failureFromLog} = await import('../../src/spark/status.ts')
  assert.is(failureFromLog("26/12/03 12:25:31 WARN NativeCodeLoader: x\npython3: can't open file '/opt/x.py': [Errno 2] No such file or directory\n26/12/03 12:25:32 INFO ShutdownHookManager: y\n"), "python3: can't open file '/opt/x.py': [Errno 2] No such file or directory")
  assert.is(failureFromLog('a\nTraceback (most recent call last):\n  File "x.py", line 7, in <module>\n    raise RuntimeError(f"x")\nRuntimeError: deliberate failure\n26/11/22 INFO x: y\n'), 'RuntimeError: deliberate failure')
  assert.is(failureFromLog('Exception in thread "main" java.lang.ClassNotFoundException: Nope\n\tat x'), 'java.lang.ClassNotFoundException: Nope')
  assert.is(failureFromLog('all good\n'), undefined)
})
test.run()
