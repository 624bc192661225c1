// memberState / clusterRollup: member and cluster states from pod annotations, pod status and the
// desired members in the root ConfigMap, with KubeDirector's rollup flags.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterRollup, memberState, memberStatus, type PodLike, type RootLike} from '../../src/cluster/status.ts'
import {ANNOTATION, LABEL, ROOT_KEYS} from '../../src/cluster/names.ts'

function pod(name: string, opts: {state?: string; configured?: string; container?: string; running?: boolean; terminated?: boolean; ready?: boolean; deleting?: boolean; unschedulable?: string; init?: boolean} = {}): PodLike {
  const role = name.split('-').slice(1, -1).join('-')
  const annotations: Record<string, string> = {}
  if (opts.state) annotations[ANNOTATION.state] = opts.state
  if (opts.configured) annotations[ANNOTATION.configuredContainer] = opts.configured
  const containerStatuses = opts.running || opts.terminated
    ? [{name: 'app', containerID: opts.container ?? 'containerd://c1', ready: opts.ready ?? false, state: opts.running ? {running: {}} : {terminated: {exitCode: 1}}}]
    : []
  return {
    metadata: {name, labels: {[LABEL.role]: role}, annotations, ...(opts.deleting ? {deletionTimestamp: '2025-01-01T00:00:00Z'} : {})},
    status: {
      phase: opts.running ? 'Running' : 'Pending',
      conditions: [
        ...(opts.ready ? [{type: 'Ready', status: 'True'}] : []),
        ...(opts.unschedulable ? [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: opts.unschedulable}] : []),
      ],
      containerStatuses,
      ...(opts.init ? {initContainerStatuses: [{name: 'init', state: {running: {}}}]} : {}),
    },
  }
}

function root(members: Record<string, number>, state?: string): RootLike {
  return {
    metadata: {annotations: state ? {[ANNOTATION.state]: state} : {}},
    data: {[ROOT_KEYS.cluster]: JSON.stringify({name: 'c', app: 'x', labels: {}, roles: Object.entries(members).map(([id, n]) => ({id, members: n}))})},
  }
}

test('memberState: derived without annotations', () => {
  assert.is(memberState(pod('c-w-0')), 'create pending')
  assert.is(memberState(pod('c-w-0', {running: true})), 'creating')
  assert.is(memberState(pod('c-w-0', {running: true, deleting: true, state: 'configured'})), 'deleting')
})

test('memberState: the agent annotation, unless the container changed since it was configured', () => {
  assert.is(memberState(pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://c1'})), 'configured')
  assert.is(memberState(pod('c-w-0', {running: true, state: 'config error', configured: 'containerd://c1'})), 'config error')
  assert.is(memberState(pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://old'})), 'create pending')
  assert.is(memberState(pod('c-w-0', {running: true, state: 'delete pending'})), 'delete pending')
  assert.is(memberState(pod('c-w-0', {running: true, state: 'bogus'})), 'creating')
})

test('memberStatus: identity, container, readiness, scheduling', () => {
  const s = memberStatus(pod('c-spark-worker-3', {unschedulable: '0/1 nodes are available: insufficient memory.'}))
  assert.equal([s.pod, s.role, s.index, s.container, s.ready], ['c-spark-worker-3', 'spark-worker', 3, 'absent', false])
  assert.is(s.notScheduled, '0/1 nodes are available: insufficient memory.')
  assert.is(memberStatus(pod('c-w-0', {init: true})).container, 'initializing')
})

test('configured when every desired member is configured (or config error)', () => {
  const pods = [
    pod('c-m-0', {running: true, ready: true, state: 'configured', configured: 'containerd://c1'}),
    pod('c-w-0', {running: true, ready: true, state: 'configured', configured: 'containerd://c1'}),
    pod('c-w-1', {running: true, state: 'config error', configured: 'containerd://c1'}),
  ]
  const {state, rollup, members} = clusterRollup(pods, root({m: 1, w: 2}))
  assert.is(state, 'configured')
  assert.is(rollup.membersDesired, 3)
  assert.is(rollup.membersConfigured, 2)
  assert.is(rollup.membersConfigError, 1)
  assert.is(rollup.membersReady, 2)
  assert.is(rollup.configErrors, true)
  assert.is(rollup.membershipChanging, false)
  assert.equal(members.map((m) => m.pod), ['c-m-0', 'c-w-0', 'c-w-1'])
})

test('creating: pods missing or being set up', () => {
  const {state, rollup} = clusterRollup([pod('c-m-0', {running: true})], root({m: 1, w: 2}))
  assert.is(state, 'creating')
  assert.is(rollup.membersCreating, 1)
  assert.is(rollup.membersCreatePending, 2, 'two desired workers have no pod yet')
  assert.is(rollup.membershipChanging, true)
  assert.is(rollup.membersWaiting, true)
})

test('updating: a configured cluster scaling down, and a restarted member', () => {
  const pods = [
    pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://c1'}),
    pod('c-w-1', {running: true, state: 'configured', configured: 'containerd://c1'}),
    pod('c-w-2', {running: true, state: 'configured', configured: 'containerd://c1', deleting: true}),
  ]
  const down = clusterRollup(pods, root({w: 1}, 'configured'))
  assert.is(down.state, 'updating')
  assert.is(down.rollup.membersDeletePending, 1, 'c-w-1 is above the desired count')
  assert.is(down.rollup.membersDeleting, 1)
  assert.is(down.rollup.membershipChanging, true)

  const restarted = clusterRollup([pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://old'})], root({w: 1}, 'configured'))
  assert.is(restarted.state, 'updating')
  assert.is(restarted.rollup.membersRestarting, true)
  assert.is(restarted.rollup.membershipChanging, false)
})

test('membersDown: a configured member whose container terminated', () => {
  const {rollup} = clusterRollup([pod('c-w-0', {terminated: true, state: 'configured', configured: 'containerd://c1'})], root({w: 1}, 'configured'))
  assert.is(rollup.membersDown, true)
})

test('no root or an unreadable root: the pods alone', () => {
  const {state, rollup} = clusterRollup([pod('c-w-0', {running: true, state: 'configured', configured: 'containerd://c1'})], {data: {[ROOT_KEYS.cluster]: '{'}})
  assert.is(state, 'configured')
  assert.is(rollup.membersDesired, 1)
  assert.is(clusterRollup([], undefined).state, 'configured')
})

test.run()
