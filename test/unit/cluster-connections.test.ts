// spec.connections: what members see of connected clusters, ConfigMaps and Secrets (configmeta and
// configcli), when they get --reconnect (agent/src/plan.ts), and the agent's rights for them.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {configmeta} from '../../src/cluster/configmeta.ts'
import {clusterMembers, connectionsMeta, connectionsVersion, type ConnectedState} from '../../src/cluster/connections.ts'
import {renderAgent} from '../../src/cluster/render-agent.ts'
import {ANNOTATION} from '../../src/cluster/names.ts'
import {keyEntries} from '../../agent/src/configcli-keys.ts'
import {CONNECTIONS_ANNOTATION, plan, type ObservedPod, type PlanInput} from '../../agent/src/plan.ts'

const spark = findBuiltinApp('spark221e2')!
const resolve = (yaml: string) => {
  const spec = parseClusterSpecs(`apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\n${yaml}`, 'c.yaml')[0]!
  return resolveCluster(findBuiltinApp(spec.app)!, spec, 'c.yaml')
}
const sparkCluster = resolve('metadata: {name: spark}\nspec: {app: spark221e2, roles: [{id: controller}, {id: worker, members: 2}]}')
const notebook = resolve(
  'metadata: {name: nb}\nspec:\n  app: spark221e2\n  roles: [{id: controller}]\n  connections: {clusters: [spark, gone], configmaps: [cm1, plain], secrets: [s1]}',
)
const state: ConnectedState = {
  clusters: {spark: {name: 'spark', uid: 'uid-1', namespace: 'ns', app: spark, cluster: sparkCluster}},
  configmaps: {
    cm1: {name: 'cm1', labels: {'kubedirector.hpe.com/cmType': 'hadoop'}, data: {'core-site.xml': '<x/>'}},
    plain: {name: 'plain', data: {a: 'b'}},
  },
  secrets: {s1: {name: 's1', labels: {'kubedirector.hpe.com/secretType': 'auth'}, data: {password: 'c2VjcmV0'}}},
}

test('a connected cluster appears under connections.clusters as its configmeta, readable through configcli keys', () => {
  const conn = connectionsMeta(notebook.connections, state)
  assert.equal(Object.keys(conn.clusters), ['spark'], 'a connected cluster that is not there is left out')
  const self = clusterMembers({...notebook, namespace: 'ns'}, 'ns')[0]!
  const meta = configmeta(spark, {...notebook, namespace: 'ns'}, clusterMembers(notebook, 'ns'), self, {connections: conn})
  const keys = new Map(keyEntries(meta as never))
  assert.is(keys.get('connections.clusters.spark.nodegroups.1.roles.controller.fqdns'), 'spark-controller-0.spark.ns.svc.cluster.local')
  assert.is(keys.get('connections.clusters.spark.nodegroups.1.roles.worker.fqdns'), 'spark-worker-0.spark.ns.svc.cluster.local,spark-worker-1.spark.ns.svc.cluster.local')
  // the connected document's bdvlibrefkeys point into connections.clusters.spark, not into the member's own cluster
  assert.is(keys.get('connections.clusters.spark.services.spark.1.controller.fqdns'), 'spark-controller-0.spark.ns.svc.cluster.local')
  assert.is(keys.get('connections.clusters.spark.cluster.id'), 'uid-1')
  assert.is(keys.get('connections.clusters.spark.node'), 'None')
  assert.is(keys.get('cluster.name'), 'nb')
})

test('ConfigMaps and Secrets are grouped by their KubeDirector type label; unlabelled or missing ones are left out', () => {
  const conn = connectionsMeta(notebook.connections, state)
  assert.equal(conn.configmaps, {hadoop: [{metadata: {name: 'cm1'}, data: {'core-site.xml': '<x/>'}, labels: {'kubedirector.hpe.com/cmType': 'hadoop'}, annotations: null}]})
  // Go marshals a Secret's []byte values as base64: data as the API gives it, name and labels encoded too
  assert.equal(conn.secrets, {
    auth: [{metadata: {name: Buffer.from('s1').toString('base64')}, data: {password: 'c2VjcmV0'}, labels: {'kubedirector.hpe.com/secretType': Buffer.from('auth').toString('base64')}, annotations: null}],
  })
})

test('the version changes with the connected membership, not with the connected root\'s annotations', () => {
  const v1 = connectionsVersion(connectionsMeta(notebook.connections, state))
  const scaled = {...sparkCluster, roles: sparkCluster.roles.map((r) => (r.id === 'worker' ? {...r, members: 3} : r))}
  const v2 = connectionsVersion(connectionsMeta(notebook.connections, {...state, clusters: {spark: {...state.clusters.spark!, cluster: scaled}}}))
  assert.is.not(v1, v2)
  assert.is(connectionsVersion(connectionsMeta(notebook.connections, {...state})), v1)
})

const configuredPod = (annotations: Record<string, string>): ObservedPod => ({
  name: 'nb-controller-0',
  role: 'controller',
  index: 0,
  deleting: false,
  phase: 'Running',
  runningContainer: 'cid',
  condition: 'True',
  annotations: {[ANNOTATION.state]: 'configured', [ANNOTATION.configuredContainer]: 'cid', [ANNOTATION.configGeneration]: 'controller:0', ...annotations},
})
const planInput = (pod: ObservedPod, connections?: string): PlanInput => ({
  desired: [{role: 'controller', index: 0, pod: 'nb-controller-0', fqdn: 'f'}],
  pods: [pod],
  roles: {controller: {hasPackage: true, configure: true, addnodes: true, delnodes: true}},
  fqdnOf: () => 'f',
  ...(connections !== undefined ? {connections} : {}),
})

test('a configured member whose connections are older gets fresh configmeta and --reconnect; a current one nothing', () => {
  assert.equal(plan(planInput(configuredPod({[CONNECTIONS_ANNOTATION]: 'v1'}), 'v2')), [
    {kind: 'notify', pod: 'nb-controller-0', container: 'cid', ops: [{op: 'reconnect', role: 'controller', fqdns: []}], known: '', pushConfigmeta: true, connections: 'v2'},
  ])
  assert.equal(plan(planInput(configuredPod({[CONNECTIONS_ANNOTATION]: 'v2'}), 'v2')), [])
  // a cluster that connects nothing never reconnects
  assert.equal(plan(planInput(configuredPod({}))), [])
})

test('the agent may read exactly the connected roots, ConfigMaps and Secrets, and learns them from KD_CONNECTIONS', () => {
  const [, role, , deployment] = renderAgent(notebook, {namespace: 'ns'}) as Array<{rules?: Array<{resources: string[]; resourceNames?: string[]; verbs: string[]}>; spec?: any}>
  const rules = role!.rules!
  assert.ok(rules.some((r) => r.resources[0] === 'configmaps' && r.resourceNames?.join() === 'cm1,gone-kd,plain,spark-kd' && r.verbs.join() === 'list,watch'))
  assert.ok(rules.some((r) => r.resources[0] === 'secrets' && r.resourceNames?.join() === 's1' && r.verbs.join() === 'list,watch'))
  assert.not.ok(rules.some((r) => r.resources[0] === 'secrets' && !r.resourceNames))
  const env = deployment!.spec.template.spec.containers[0].env as Array<{name: string; value?: string}>
  assert.equal(JSON.parse(env.find((e) => e.name === 'KD_CONNECTIONS')!.value!), {clusters: ['spark', 'gone'], configmaps: ['cm1', 'plain'], secrets: ['s1']})
  // without connections, the one Secret the agent reads is its cluster's key
  const [, plainRole] = renderAgent(sparkCluster, {namespace: 'ns'}) as Array<{rules?: Array<{resources: string[]; resourceNames?: string[]}>}>
  assert.equal(plainRole!.rules!.filter((r) => r.resources[0] === 'secrets').map((r) => r.resourceNames), [['spark-kd-keys']])
})

test.run()
