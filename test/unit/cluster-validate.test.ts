// resolveCluster: KubeDirector's kdcluster rules and the Kubernetes name limits, with exact error text;
// plus Kubernetes quantity parsing.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {DEFAULT_RESOURCES} from '../../src/cluster/model.ts'
import {compareQuantities, isQuantity, mebibytes, parseQuantity, quantityValue} from '../../src/cluster/quantity.ts'
import {throwsUserError} from '../lib/user-errors.ts'

const example = (f: string) => readFileSync(new URL(`../../examples/clusters/${f}`, import.meta.url), 'utf8')
const LIMITS = '{limits: {cpu: "1", memory: 1Gi}}'

/** Resolves a one-document cluster of `app` whose roles are given as YAML flow items. */
function resolve(app: string, roles: string[], opts: {name?: string; head?: string} = {}) {
  const text = `${opts.head ?? 'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster'}\nmetadata: {name: ${opts.name ?? 'c'}}\nspec:\n  app: ${app}\n  roles:\n${roles.map((r) => `  - ${r}`).join('\n')}\n`
  return resolveCluster(findBuiltinApp(app)!, parseClusterSpecs(text, 'cluster.yaml')[0]!, 'cluster.yaml')
}

test('members default to the cardinality number; unlisted selected roles get 0', () => {
  const c = resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`])
  assert.equal(c.roles.map((r) => [r.id, r.members]), [['controller', 1], ['worker', 0], ['jupyter', 0]])
  const cass = resolve('cassandra311', [`{id: seed, resources: ${LIMITS}}`])
  assert.equal(cass.roles.map((r) => [r.id, r.members]), [['seed', 2], ['worker', 0]])
})

test('every example cluster resolves', () => {
  for (const f of ['spark221e2.yaml', 'spark221e2-v1alpha1.yaml', 'spark221e2-announcement.yaml', 'cassandra311.yaml', 'cassandra311-stor.yaml', 'shelldemo.yaml', 'spark35.yaml', 'clusters.json']) {
    for (const spec of parseClusterSpecs(example(f), f)) resolveCluster(findBuiltinApp(spec.app)!, spec, f)
  }
})

test('cardinality N+: at least N', () => {
  throwsUserError(
    () => resolve('cassandra311', [`{id: seed, members: 1, resources: ${LIMITS}}`, `{id: worker, members: 0, resources: ${LIMITS}}`]),
    'cluster.yaml: spec.roles[0].members: 1 is below the cardinality 2+ of role "seed" (app cassandra311)',
  )
  assert.is(resolve('cassandra311', [`{id: seed, members: 5, resources: ${LIMITS}}`]).roles[0]!.members, 5)
})

test('cardinality N: exactly N (announcement form names replicas)', () => {
  throwsUserError(
    () => resolve('spark221e2', [`{name: controller, replicas: 2, resources: ${LIMITS}}`], {head: 'apiVersion: kubedirector.bluedata.io/v1alpha1\nkind: KubeDirectorCluster'}),
    'cluster.yaml: spec.roles[0].replicas: 2 does not match the cardinality 1 of role "controller" (app spark221e2): use exactly 1 member',
  )
})

test('roles must exist in the app, once', () => {
  throwsUserError(
    () => resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`, `{id: master, resources: ${LIMITS}}`]),
    'cluster.yaml: spec.roles[1].id: unknown role "master" in app spark221e2; valid roles: controller, worker, jupyter',
  )
  throwsUserError(
    () => resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`, `{id: controller, resources: ${LIMITS}}`]),
    'cluster.yaml: spec.roles[1].id: duplicate role "controller" (each role may appear once)',
  )
})

test('active roles (selected, cardinality above 0) must be present', () => {
  throwsUserError(
    () => resolve('cassandra311', [`{id: worker, members: 1, resources: ${LIMITS}}`]),
    'cluster.yaml: spec.roles: role "seed" of app cassandra311 needs at least 2 member(s) (cardinality 2+) but is missing',
  )
})

test('limits.cpu and limits.memory are required when resources are given', () => {
  throwsUserError(
    () => resolve('spark221e2', ['{id: controller, resources: {limits: {cpu: "1"}}}']),
    'cluster.yaml: spec.roles[0].resources.limits.memory: is required (every role needs limits.cpu and limits.memory)',
  )
  throwsUserError(
    () => resolve('spark221e2', ['{id: controller, resources: {requests: {cpu: "1", memory: 1Gi}}}']),
    'cluster.yaml: spec.roles[0].resources.limits.cpu: is required (every role needs limits.cpu and limits.memory)',
  )
  throwsUserError(
    () => resolve('spark221e2', ['{id: controller, resources: {requests: {cpu: "2"}, limits: {cpu: "1", memory: 1Gi}}}']),
    'cluster.yaml: spec.roles[0].resources.requests.cpu: 2 is above the limit 1',
  )
})

test('no resources: defaults, raised to minResources; requests default to limits', () => {
  const c = resolve('shelldemo', ['{id: controller}', '{id: worker}'])
  assert.equal(c.roles[0]!.resources, DEFAULT_RESOURCES)
  const spark = resolve('spark35', ['{id: controller}'])
  assert.equal(spark.roles[0]!.resources, {requests: {cpu: '25m', memory: '512Mi'}, limits: {cpu: '1', memory: '512Mi'}})
  const given = resolve('spark35', ['{id: controller, resources: {limits: {cpu: "1", memory: 2Gi}}}'])
  assert.equal(given.roles[0]!.resources, {requests: {cpu: '1', memory: '2Gi'}, limits: {cpu: '1', memory: '2Gi'}})
})

test('minResources are checked against requests', () => {
  throwsUserError(
    () => resolve('spark35', ['{id: controller, resources: {requests: {memory: 256Mi}, limits: {cpu: "1", memory: 1Gi}}}']),
    'cluster.yaml: spec.roles[0].resources.requests.memory: 256Mi is below the minimum 512Mi of role "controller" (app spark35)',
  )
  assert.ok(resolve('spark35', ['{id: controller, resources: {requests: {memory: "536870912"}, limits: {cpu: "1", memory: 1Gi}}}']))
})

test('storage size must be positive', () => {
  throwsUserError(
    () => resolve('spark221e2', [`{id: controller, resources: ${LIMITS}, storage: {size: "0"}}`]),
    'cluster.yaml: spec.roles[0].storage.size: 0 must be greater than zero',
  )
})

test('at most 1000 members in total', () => {
  throwsUserError(
    () => resolve('cassandra311', [`{id: seed, members: 600, resources: ${LIMITS}}`, `{id: worker, members: 401, resources: ${LIMITS}}`]),
    'cluster.yaml: spec.roles: 1001 members in total is above the maximum 1000 per cluster',
  )
  assert.ok(resolve('cassandra311', [`{id: seed, members: 600, resources: ${LIMITS}}`, `{id: worker, members: 400, resources: ${LIMITS}}`]))
})

test('names: the cluster name is a DNS subdomain of at most 63 characters; StatefulSet names stay within 52 characters', () => {
  throwsUserError(
    () => resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`], {name: 'Spark_1'}),
    `cluster.yaml: metadata.name: "Spark_1" must be at most 63 characters of a-z, 0-9, '-' and '.', starting and ending with a letter or digit`,
  )
  throwsUserError(() => resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`], {name: `a${'.b'.repeat(32)}`}), /metadata\.name: "a\.b.*" must be at most 63 characters/)
  // KubeDirector accepts these (it generates its object names): the written name stays the cluster's name
  for (const name of ['1spark', 'ubuntu18.04']) assert.is(resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`], {name}).name, name)
  const long = 'a'.repeat(42) // a-…-controller = 53 characters
  throwsUserError(
    () => resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`], {name: long}),
    `cluster.yaml: metadata.name: cluster name "${long}" is too long for role "controller": StatefulSet name ${long}-controller has 53 characters, at most 52 are allowed (a shorter cluster name fixes this)`,
  )
  assert.ok(resolve('spark221e2', [`{id: controller, resources: ${LIMITS}}`], {name: 'a'.repeat(41)}))
})

test('spec.app must be the app given', () => {
  const spec = parseClusterSpecs(example('cassandra311.yaml'), 'c.yaml')[0]!
  throwsUserError(() => resolveCluster(findBuiltinApp('spark221e2')!, spec, 'c.yaml'), 'c.yaml: spec.app: is "cassandra311" but the app given is spark221e2')
})

test('quantities', () => {
  assert.is(parseQuantity('500m'), 0.5)
  assert.is(parseQuantity('2'), 2)
  assert.is(parseQuantity('1.5Gi'), 1.5 * 2 ** 30)
  assert.is(parseQuantity('128974848'), 128974848)
  assert.is(parseQuantity('129e6'), 129e6)
  assert.is(parseQuantity('123M'), 123e6)
  assert.is(parseQuantity('1k'), 1000)
  assert.is(parseQuantity('1Ki'), 1024)
  assert.is(quantityValue('100m'), 1)
  assert.is(quantityValue('2'), 2)
  assert.is(quantityValue('1.1'), 2)
  assert.is(mebibytes('4Gi'), 4096)
  assert.is(mebibytes('1G'), 953)
  assert.is(compareQuantities('1Gi', '1024Mi'), 0)
  assert.is(compareQuantities('1G', '1Gi'), -1)
  assert.is(compareQuantities('0.5', '500m'), 0)
  assert.ok(isQuantity('1e3') && isQuantity('.5') && isQuantity(2))
  assert.not.ok(isQuantity('4GB') || isQuantity('') || isQuantity('1 Gi') || isQuantity('Gi'))
})

test.run()
