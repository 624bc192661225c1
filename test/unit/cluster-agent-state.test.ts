// The agent's health in `kubectl kd status`, from its pod: running, restarting with why it last ended,
// or not running at all.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {agentState} from '../../src/cluster/agent-state.ts'

const labels = {'app.kubernetes.io/component': 'agent', 'kubectl-kd.io/cluster': 'c'}
const agentPod = (status: object, name = 'c-kd-agent-1') => ({metadata: {name, labels}, status: {phase: 'Running', ...status}})
const member = {metadata: {name: 'c-worker-0', labels: {'kubectl-kd.io/cluster': 'c', 'kubectl-kd.io/role': 'worker'}}, status: {phase: 'Running'}}

test('no agent pod, a running one, one that restarts after OOMKilled, one that cannot start', () => {
  assert.equal(agentState([member]), {state: 'not running', restarts: 0, message: 'not running: no agent pod (members are not configured until it runs)'})
  assert.is(agentState([member, agentPod({containerStatuses: [{restartCount: 0, state: {running: {}}}]})]).message, 'running')
  const oom = agentState([agentPod({containerStatuses: [{restartCount: 4, state: {waiting: {reason: 'CrashLoopBackOff'}}, lastState: {terminated: {reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T00:00:00Z'}}}]})])
  assert.equal(oom, {
    state: 'restarting',
    pod: 'c-kd-agent-1',
    restarts: 4,
    lastTermination: {reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T00:00:00.000Z'},
    message: 'restarting: CrashLoopBackOff (4 restarts, last ended: OOMKilled (exit 137))',
  })
  const back = agentState([agentPod({containerStatuses: [{restartCount: 1, state: {running: {}}, lastState: {terminated: {reason: 'OOMKilled', exitCode: 137}}}]})])
  assert.is(back.state, 'running')
  assert.is(back.message, 'running (1 restart, last ended: OOMKilled (exit 137))')
  assert.is(agentState([agentPod({phase: 'Pending', containerStatuses: [{restartCount: 0, state: {waiting: {reason: 'ImagePullBackOff'}}}]})]).message, 'not running: ImagePullBackOff')
  assert.is(agentState([agentPod({phase: 'Pending'})]).message, 'not running: Pending')
})

test.run()
