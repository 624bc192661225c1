// observePod / memberState: a member's state from its pod, shared by the agent and `kubectl kd status`.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {leanPod, isMemberPod, memberState, observePod, type PodLike} from '../../src/cluster/member-state.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL} from '../../src/cluster/names.ts'
import {IMAGE_PULL_REASONS, podProblem} from '../../src/cluster/pod-problem.ts'

function pod(name: string, opts: {state?: string; configured?: string; container?: string; running?: boolean; deleting?: boolean; condition?: string} = {}): PodLike {
  const annotations: Record<string, string> = {}
  if (opts.state) annotations[ANNOTATION.state] = opts.state
  if (opts.configured) annotations[ANNOTATION.configuredContainer] = opts.configured
  return {
    metadata: {name, labels: {[LABEL.role]: name.split('-').slice(1, -1).join('-')}, annotations, ...(opts.deleting ? {deletionTimestamp: '2025-01-01T00:00:00Z'} : {})},
    status: {
      phase: opts.running ? 'Running' : 'Pending',
      conditions: opts.condition ? [{type: CONFIGURED_CONDITION, status: opts.condition}] : [],
      containerStatuses: opts.running ? [{name: 'app', containerID: opts.container ?? 'containerd://c1', state: {running: {}}}] : [],
    },
  }
}
const state = (p: PodLike, inDesired = true) => memberState(observePod(p)!, inDesired)

test('observePod: identity, running container, condition; not a member without role or index', () => {
  const o = observePod(pod('c-spark-worker-3', {running: true, condition: 'True'}))!
  assert.equal([o.name, o.role, o.index, o.runningContainer, o.condition, o.deleting], ['c-spark-worker-3', 'spark-worker', 3, 'containerd://c1', 'True', false])
  assert.is(observePod({metadata: {name: 'c-kd-agent-abc', labels: {}}}), undefined)
  assert.is(observePod({metadata: {name: 'c-w', labels: {[LABEL.role]: 'w'}}}), undefined)
})

test('memberState: derived from the pod without annotations', () => {
  assert.is(state(pod('c-w-0')), 'create pending')
  assert.is(state(pod('c-w-0', {running: true})), 'creating')
  assert.is(state(pod('c-w-0', {running: true, deleting: true, state: 'configured', configured: 'containerd://c1'})), 'deleting')
  assert.is(state(pod('c-w-3', {running: true, state: 'configured', configured: 'containerd://c1'}), false), 'delete pending')
})

test('memberState: the agent annotation counts only for the container it was written for', () => {
  assert.is(state(pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://c1'})), 'configured')
  assert.is(state(pod('c-w-0', {running: true, state: 'config error', configured: 'containerd://c1'})), 'config error')
  assert.is(state(pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://old'})), 'creating', 'restarted: set up again')
  assert.is(state(pod('c-w-0', {state: 'configured', configured: 'containerd://c1'})), 'create pending', 'container not running')
  assert.is(state(pod('c-w-0', {running: true, state: 'bogus'})), 'creating')
})

test('podProblem: why a member pod is not running, from its status', () => {
  const waiting = (reason: string, extra: object = {}) => ({status: {containerStatuses: [{name: 'app', image: 'localhost/nosuch:1', state: {waiting: {reason, message: 'back-off  pulling\n image'}}, ...extra}]}})
  assert.equal(podProblem(waiting('ErrImagePull')), {reason: 'ErrImagePull', text: 'ErrImagePull: image localhost/nosuch:1 of container app cannot be pulled'})
  assert.is(podProblem(waiting('ImagePullBackOff'))!.reason, 'ImagePullBackOff')
  assert.ok(IMAGE_PULL_REASONS.has('ImagePullBackOff') && !IMAGE_PULL_REASONS.has('CrashLoopBackOff'))
  assert.equal(podProblem(waiting('CrashLoopBackOff', {lastState: {terminated: {reason: 'Error', exitCode: 3}}})), {reason: 'CrashLoopBackOff', text: 'CrashLoopBackOff: container app keeps exiting (last: exit code 3)'})
  assert.equal(podProblem(waiting('CrashLoopBackOff', {lastState: {terminated: {reason: 'OOMKilled', exitCode: 137}}})), {reason: 'OOMKilled', text: 'CrashLoopBackOff: container app keeps exiting (last: OOMKilled)'})
  assert.equal(podProblem({status: {containerStatuses: [{name: 'app', state: {running: {}}, lastState: {terminated: {reason: 'OOMKilled', exitCode: 137}}}]}}), {reason: 'OOMKilled', text: 'OOMKilled: container app ran out of memory and was restarted'})
  assert.equal(podProblem({status: {conditions: [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.'}]}}), {reason: 'Unschedulable', text: 'Unschedulable: 0/1 nodes are available: 1 Insufficient memory.'})
  assert.equal(podProblem(waiting('CreateContainerConfigError')), {reason: 'CreateContainerConfigError', text: 'CreateContainerConfigError: container app: back-off pulling image'})
  assert.is(podProblem({status: {initContainerStatuses: [{name: 'setup', state: {terminated: {exitCode: 1, reason: 'Error'}}}]}})!.text, 'init container setup failed with exit code 1')
  // on the way to running: no problem
  assert.is(podProblem(waiting('ContainerCreating')), undefined)
  assert.is(podProblem({status: {conditions: [{type: 'PodScheduled', status: 'True'}], containerStatuses: [{name: 'app', state: {running: {}}}]}}), undefined)
  assert.is(podProblem({}), undefined)
})


test('leanPod: the agent keeps what observePod reads of a full pod, and nothing else', () => {
  const full = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'c-worker-2', namespace: 'ns', uid: 'u1', resourceVersion: '42', labels: {[LABEL.role]: 'worker'},
      annotations: {[ANNOTATION.state]: 'configured', [ANNOTATION.configuredContainer]: 'containerd://c9'},
      deletionTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{manager: 'kubelet', fieldsV1: {'f:status': {}}}],
      ownerReferences: [{kind: 'StatefulSet', name: 'c-worker', uid: 'u-sts', controller: true}],
    },
    spec: {containers: [{name: 'app', image: 'x', env: [{name: 'A', value: 'b'}]}], nodeName: 'n1'},
    status: {
      phase: 'Running', podIP: '10.0.0.9',
      conditions: [{type: 'Ready', status: 'False', lastTransitionTime: 't', reason: 'r'}, {type: CONFIGURED_CONDITION, status: 'True', message: 'm'}],
      containerStatuses: [{name: 'app', containerID: 'containerd://c9', image: 'x', ready: false, state: {running: {startedAt: 't'}}}],
    },
  }
  const lean = leanPod(full)
  assert.equal(observePod(lean), observePod(full))
  assert.is(lean.metadata?.resourceVersion, '42')
  assert.not.ok(JSON.stringify(lean).includes('managedFields'))
  assert.not.ok('spec' in lean)
  // of the owners, the controller's kind and name only (isMemberPod)
  assert.equal(lean.metadata?.ownerReferences, [{kind: 'StatefulSet', name: 'c-worker', controller: true}])
  assert.ok(isMemberPod(lean, 'c'))
  assert.not.ok(isMemberPod({...lean, metadata: {...lean.metadata, ownerReferences: undefined}}, 'c'), 'a pod with the labels alone is not a member')
  for (const dropped of ['u-sts', 'podIP', 'lastTransitionTime', 'startedAt', '"image"']) assert.not.ok(JSON.stringify(lean).includes(dropped), dropped)
  // a waiting container stays not running
  const waiting = leanPod({...full, status: {...full.status, containerStatuses: [{name: 'app', state: {waiting: {reason: 'x'}}}]}} as unknown as PodLike)
  assert.is(observePod(waiting)?.runningContainer, undefined)
})

test.run()
