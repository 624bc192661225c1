// parseClusterSpecs: v1beta1, 2018 v1alpha1 and the announcement form ({name, replicas}), multi-document
// YAML, JSON Lists, and the errors for malformed files and wrong kinds.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {parseClusterSpecs, parseManifests} from '../../src/cluster/parse.ts'
import {throwsUserError} from '../lib/user-errors.ts'

const example = (f: string) => readFileSync(new URL(`../../examples/clusters/${f}`, import.meta.url), 'utf8')
const strip = (spec: {roles: Array<{at?: unknown}>}) => spec.roles.map(({at: _at, ...rest}) => rest)

test('v1beta1: members omitted, resources as strings', () => {
  const [spec] = parseClusterSpecs(example('spark221e2.yaml'), 's.yaml')
  assert.is(spec!.form, 'v1beta1')
  assert.is(spec!.name, 'spark-instance')
  assert.is(spec!.app, 'spark221e2')
  assert.equal(strip(spec!), [
    {id: 'controller', env: [], resources: {requests: {memory: '4Gi', cpu: '2'}, limits: {memory: '4Gi', cpu: '2'}}},
    {id: 'worker', members: 2, env: [], resources: {requests: {memory: '4Gi', cpu: '2'}, limits: {memory: '4Gi', cpu: '2'}}},
    {id: 'jupyter', members: 1, env: [], resources: {requests: {memory: '4Gi', cpu: '2'}, limits: {memory: '4Gi', cpu: '2'}}},
  ])
  assert.equal(spec!.roles[1]!.at, {path: 'spec.roles[1]', idKey: 'id', membersKey: 'members'})
})

test('v1alpha1: serviceType and storage', () => {
  const [spec] = parseClusterSpecs(example('spark221e2-v1alpha1.yaml'), 's.yaml')
  assert.is(spec!.form, 'v1alpha1')
  assert.is(spec!.serviceType, 'LoadBalancer')
  assert.equal(spec!.roles[0]!.storage, {size: '40Gi', storageClassName: 'standard'})
})

test('announcement form: roles as {name, replicas}', () => {
  const [spec] = parseClusterSpecs(example('spark221e2-announcement.yaml'), 's.yaml')
  assert.is(spec!.form, 'announcement')
  assert.equal(spec!.roles.map((r) => [r.id, r.members]), [['controller', 1], ['worker', 2], ['jupyter', 1]])
  assert.equal(spec!.roles[1]!.at, {path: 'spec.roles[1]', idKey: 'name', membersKey: 'replicas'})
})

test('numbers in resources and env become strings', () => {
  const [spec] = parseClusterSpecs(
    'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: a, namespace: ns, labels: {team: x}}\nspec:\n  app: x\n  roles:\n  - id: r\n    env: [{name: N, value: 3}]\n    resources: {limits: {cpu: 2, memory: 1Gi}}\n',
    'n.yaml',
  )
  assert.equal(spec!.roles[0]!.resources, {limits: {cpu: '2', memory: '1Gi'}})
  assert.equal(spec!.roles[0]!.env, [{name: 'N', value: '3'}])
  assert.is(spec!.namespace, 'ns')
  assert.equal(spec!.labels, {team: 'x'})
})

test('multi-document YAML and a JSON List', () => {
  const two = `${example('cassandra311.yaml')}\n---\n${example('shelldemo.yaml')}`
  assert.equal(parseClusterSpecs(two, 'two.yaml').map((s) => s.name), ['cassandra-instance', 'demo'])
  assert.equal(parseClusterSpecs(example('clusters.json'), 'c.json').map((s) => [s.name, s.roles.length]), [['demo-json', 2]])
})

test('parseManifests separates apps from clusters', () => {
  const app = readFileSync(new URL('../../examples/apps/hello.yaml', import.meta.url), 'utf8')
  const {apps, clusters} = parseManifests(`${app}\n---\n${example('shelldemo.yaml')}`, 'mixed.yaml')
  assert.equal(apps.map((a) => a.id), ['hello'])
  assert.equal(clusters.map((c) => c.name), ['demo'])
  throwsUserError(() => parseClusterSpecs(app, 'hello.yaml'), 'hello.yaml: holds a KubeDirectorApp; expected only KubeDirectorCluster documents')
})

test('errors: kind, apiVersion, serviceType, members, quantities, malformed YAML', () => {
  const doc = (spec: string, head = 'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: a}\n') => `${head}spec:\n${spec}`
  throwsUserError(
    () => parseClusterSpecs('apiVersion: v1\nkind: ConfigMap\n', 'c.yaml'),
    'c.yaml: kind: "ConfigMap" is not allowed: use KubeDirectorCluster (or KubeDirectorApp for an app definition)',
  )
  throwsUserError(
    () => parseClusterSpecs('apiVersion: kubedirector.hpe.com/v2\nkind: KubeDirectorCluster\n', 'c.yaml'),
    'c.yaml: apiVersion: "kubedirector.hpe.com/v2" is not allowed: use one of kubedirector.hpe.com/v1beta1, kubedirector.bluedata.io/v1alpha1',
  )
  throwsUserError(() => parseClusterSpecs(doc('  app: x\n  serviceType: External\n  roles: [{id: r}]\n'), 'c.yaml'), 'c.yaml: spec.serviceType: "External" is not allowed: use one of ClusterIP, NodePort, LoadBalancer')
  throwsUserError(() => parseClusterSpecs(doc('  app: x\n  roles: [{id: r, members: -1}]\n'), 'c.yaml'), 'c.yaml: spec.roles[0].members: -1 is not allowed: use 0 or more')
  throwsUserError(() => parseClusterSpecs(doc('  app: x\n  roles: [{name: r, replicas: two}]\n'), 'c.yaml'), 'c.yaml: spec.roles[0].replicas: must be an integer, got "two"')
  throwsUserError(
    () => parseClusterSpecs(doc('  app: x\n  roles: [{id: r, resources: {limits: {memory: 4GB}}}]\n'), 'c.yaml'),
    'c.yaml: spec.roles[0].resources.limits.memory: "4GB" is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 4Gi)',
  )
  throwsUserError(() => parseClusterSpecs(doc('  app: x\n  roles: []\n'), 'c.yaml'), 'c.yaml: spec.roles: at least one role is required')
  throwsUserError(() => parseClusterSpecs(doc('  roles: [{id: r}]\n'), 'c.yaml'), 'c.yaml: spec.app: is required')
  throwsUserError(() => parseClusterSpecs(doc('  app: x\n  roles: [{id: r, env: [{name: A, valueFrom: {}}]}]\n'), 'c.yaml'), /spec\.roles\[0\]\.env\[0\]\.valueFrom: is not supported/)
  throwsUserError(() => parseClusterSpecs('spec:\n  roles:\n  - id: a\n   members: 2\n', 'bad.yaml'), /^bad\.yaml: line 4: malformed YAML: /)
  throwsUserError(() => parseClusterSpecs('', 'empty.yaml'), 'empty.yaml: no KubeDirectorCluster found (the file is empty)')
})

test('placement: nodeSelector, tolerations, affinity per role (v1beta1 camelCase)', () => {
  const text = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: a}
spec:
  app: x
  roles:
  - id: worker
    nodeSelector: {disktype: ssd, zone: 1}
    tolerations:
    - {key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}
    - {key: dedicated, operator: Equal, value: spark}
    - {key: flaky, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms: [{matchExpressions: [{key: type, operator: In, values: [kwok]}]}]
  - id: plain
`
  const [spec] = parseClusterSpecs(text, 'c.yaml')
  const [worker, plain] = spec!.roles
  assert.equal(worker!.nodeSelector, {disktype: 'ssd', zone: '1'})
  assert.equal(worker!.tolerations, [
    {key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule'},
    {key: 'dedicated', operator: 'Equal', value: 'spark'},
    {key: 'flaky', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30},
  ])
  assert.equal(worker!.affinity, {
    nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: 'type', operator: 'In', values: ['kwok']}]}]}},
  })
  assert.equal([plain!.nodeSelector, plain!.tolerations, plain!.affinity], [undefined, undefined, undefined])
})

test('placement errors name the field', () => {
  const doc = (role: string) => `apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: a}\nspec:\n  app: x\n  roles:\n  - ${role}\n`
  const cases: Array<[string, string]> = [
    ['{id: r, nodeSelector: [a]}', 'c.yaml: spec.roles[0].nodeSelector: must be an object, got a list'],
    ['{id: r, nodeSelector: {a: {b: c}}}', 'c.yaml: spec.roles[0].nodeSelector.a: must be a string, got an object'],
    ['{id: r, tolerations: {key: a}}', 'c.yaml: spec.roles[0].tolerations: must be a list, got an object'],
    ['{id: r, tolerations: [a]}', 'c.yaml: spec.roles[0].tolerations[0]: must be an object, got "a"'],
    ['{id: r, tolerations: [{key: a, operator: Maybe}]}', 'c.yaml: spec.roles[0].tolerations[0].operator: "Maybe" is not allowed: use Exists or Equal'],
    ['{id: r, tolerations: [{key: a, effect: NoRun}]}', 'c.yaml: spec.roles[0].tolerations[0].effect: "NoRun" is not allowed: use NoSchedule, PreferNoSchedule, NoExecute (or leave it out for all effects)'],
    ['{id: r, tolerations: [{key: a, effects: NoSchedule}]}', 'c.yaml: spec.roles[0].tolerations[0].effects: is not a toleration field (allowed: key, operator, value, effect, tolerationSeconds)'],
    ['{id: r, tolerations: [{key: a, operator: Exists, value: b}]}', 'c.yaml: spec.roles[0].tolerations[0].value: must be empty when operator is Exists'],
    ['{id: r, tolerations: [{value: b}]}', 'c.yaml: spec.roles[0].tolerations[0].operator: must be Exists when key is empty (a toleration of every taint)'],
    ['{id: r, tolerations: [{key: a, effect: NoSchedule, tolerationSeconds: 5}]}', 'c.yaml: spec.roles[0].tolerations[0].tolerationSeconds: is only allowed with effect NoExecute'],
    ['{id: r, tolerations: [{key: a, effect: NoExecute, tolerationSeconds: soon}]}', 'c.yaml: spec.roles[0].tolerations[0].tolerationSeconds: must be an integer, got "soon"'],
    ['{id: r, affinity: [x]}', 'c.yaml: spec.roles[0].affinity: must be an object, got a list'],
    ['{id: r, affinity: {nodeAfinity: {}}}', 'c.yaml: spec.roles[0].affinity.nodeAfinity: is not an affinity field (allowed: nodeAffinity, podAffinity, podAntiAffinity)'],
    ['{id: r, affinity: {podAffinity: 3}}', 'c.yaml: spec.roles[0].affinity.podAffinity: must be an object, got 3'],
  ]
  for (const [role, message] of cases) throwsUserError(() => parseClusterSpecs(doc(role), 'c.yaml'), message)
})

test.run()
