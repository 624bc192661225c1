// shownClusterState: the state and member counts get/status show, decided together; and events in time order.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {shownClusterState} from '../../src/cluster/cluster-state.ts'
import {inTimeOrder} from '../../src/kube/events.ts'

const m = (role: string, state: string, ready: boolean) => ({role, state, ready})
const done = (role: string) => m(role, 'configured', true)

const state = suite('cluster state and member counts')
state('configured when every wanted member is configured and Ready', () => {
  assert.equal(shownClusterState('configured', 1, {controller: 1, worker: 2}, [done('controller'), done('worker'), done('worker')]), {state: 'configured', ready: 3, total: 3})
})
state('right after create: the agent says configured, the pods are not Ready yet: creating 0/2, never configured 0/2', () => {
  assert.equal(shownClusterState('configured', 1, {worker: 2}, [m('worker', 'configured', false), m('worker', 'configured', false)]), {state: 'creating', ready: 0, total: 2})
})
state('right after a scale: the new member has no pod yet: updating 3/4, never configured 3/4', () => {
  assert.equal(shownClusterState('configured', 2, {worker: 4}, [done('worker'), done('worker'), done('worker')]), {state: 'updating', ready: 3, total: 4})
})
state('after a scale-down, members on their way out keep the cluster updating; they are not counted', () => {
  assert.equal(shownClusterState('configured', 3, {worker: 2}, [done('worker'), done('worker'), m('worker', 'delete pending', true)]), {state: 'updating', ready: 2, total: 2})
  assert.equal(shownClusterState('configured', 3, {worker: 2}, [done('worker'), done('worker'), m('worker', 'deleting', false)]), {state: 'updating', ready: 2, total: 2})
})
state('a member in config error settles the cluster (setup ran and failed): configured, counted as not ready', () => {
  assert.equal(shownClusterState('configured', 1, {worker: 2}, [done('worker'), m('worker', 'config error', false)]), {state: 'configured', ready: 1, total: 2})
})
state("the agent's creating/updating is kept; no annotation yet is creating", () => {
  assert.equal(shownClusterState('updating', 2, {worker: 1}, [done('worker')]), {state: 'updating', ready: 1, total: 1})
  assert.equal(shownClusterState(undefined, 1, {worker: 1}, []), {state: 'creating', ready: 0, total: 1})
})
state('a role with no members wanted counts for nothing', () => {
  assert.equal(shownClusterState('configured', 1, {worker: 1, edge: 0}, [done('worker')]), {state: 'configured', ready: 1, total: 1})
})
state.run()

const events = suite('events in time order')
events('oldest first, newest last; the same second ordered by resourceVersion', () => {
  const e = (reason: string, t: string, rv: string) => ({reason, lastTimestamp: t, metadata: {resourceVersion: rv}})
  const sorted = inTimeOrder([
    e('ClusterState configured', '2026-01-01T00:00:05Z', '120'),
    e('MemberConfigured', '2026-01-01T00:00:05Z', '99'),
    e('ClusterState creating', '2026-01-01T00:00:01Z', '1000'),
  ])
  assert.equal(sorted.map((x) => x.reason), ['ClusterState creating', 'MemberConfigured', 'ClusterState configured'])
})
events('eventTime or firstTimestamp when lastTimestamp is not set', () => {
  const sorted = inTimeOrder([
    {reason: 'b', eventTime: '2026-01-01T00:00:09.000001Z'},
    {reason: 'a', firstTimestamp: '2026-01-01T00:00:02Z'},
  ])
  assert.equal(sorted.map((x) => x.reason), ['a', 'b'])
})
events.run()
