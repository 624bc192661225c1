// memberRestarts: which members a change restarts, from the objects before and after (rendered from the
// built-in shelldemo app with overrides, as create/apply render them); and the line apply prints for it.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {applyClusterOverrides, type ClusterOverrides} from '../../src/cluster/overrides.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {renderCluster, type RenderOptions} from '../../src/cluster/render.ts'
import {memberRestarts} from '../../src/cluster/member-restarts.ts'
import {restartLines} from '../../src/output/cluster-change.ts'
import type {ClusterSpec} from '../../src/cluster/model.ts'

const OPTIONS: RenderOptions = {namespace: 'default', rootUid: '00000000-0000-4000-8000-000000000001', agentCodeHash: 'sha256-test'}
const app = findBuiltinApp('shelldemo')!
const spec: ClusterSpec = {
  name: 'demo',
  app: 'shelldemo',
  form: 'v1beta1',
  roles: ['controller', 'worker'].map((id, i) => ({id, env: [], at: {path: `spec.roles[${i}]`, idKey: 'id' as const, membersKey: 'members' as const}})),
}
function render(o: Partial<ClusterOverrides> = {}) {
  const {app: a, spec: s} = applyClusterOverrides(app, spec, {members: {}, images: {}, packages: {}, ...o})
  return renderCluster(a, resolveCluster(a, s, 'test'), OPTIONS)
}

test('nothing changed, or only the member count: no member restarts', () => {
  assert.equal(memberRestarts(render(), render()), [])
  assert.equal(memberRestarts(render(), render({members: {worker: 3}})), [])
})

test('a memory limit restarts the members of that role that stay', () => {
  assert.equal(memberRestarts(render(), render({memory: {worker: '1Gi'}})), [{role: 'worker', changes: ['resources'], members: 2}])
  // scaled down at the same time: only the members that stay are restarted
  assert.equal(memberRestarts(render({members: {worker: 3}}), render({members: {worker: 2}, cpu: {worker: '2'}})), [{role: 'worker', changes: ['resources'], members: 2}])
})

test('an image restarts that role; both named when both change', () => {
  assert.equal(memberRestarts(render(), render({images: {controller: 'localhost/other:1'}})), [{role: 'controller', changes: ['image'], members: 1}])
  assert.equal(memberRestarts(render(), render({images: {worker: 'localhost/other:1'}, memory: {worker: '1Gi'}})), [{role: 'worker', changes: ['resources', 'image'], members: 2}])
})

test('the line apply prints before writing, one per role', () => {
  assert.is(restartLines('demo', [{role: 'worker', changes: ['resources'], members: 2}]), 'cluster/demo: role worker: resources change restarts 2 members\n')
  assert.is(restartLines('demo', [{role: 'controller', changes: ['resources', 'image'], members: 1}]), 'cluster/demo: role controller: resources and image change restarts 1 member\n')
})

test.run()
