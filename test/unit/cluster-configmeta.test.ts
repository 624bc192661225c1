// configmeta for a 3-role cluster (shelldemo: controller, 2 workers, edge), compared with a golden file
// and checked field by field against KubeDirector's generator; plus the flat configmeta.env.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {configmeta, configmetaEnv, type MemberInfo} from '../../src/cluster/configmeta.ts'
import {memberFqdn, memberPodName} from '../../src/cluster/names.ts'
import {matchGolden} from '../fixtures/golden.ts'

const app = findBuiltinApp('shelldemo')!
const text = readFileSync(new URL('../../examples/clusters/shelldemo.yaml', import.meta.url), 'utf8')
const cluster = {...resolveCluster(app, parseClusterSpecs(text, 'shelldemo.yaml')[0]!, 'shelldemo.yaml'), namespace: 'ns1'}
const members: MemberInfo[] = cluster.roles.flatMap((r) =>
  Array.from({length: r.members}, (_, index) => {
    const pod = memberPodName(cluster.name, r.id, index)
    return {pod, role: r.id, index, fqdn: memberFqdn(pod, cluster.name, 'ns1')}
  }),
)
const W0 = 'demo-worker-0.demo.ns1.svc.cluster.local'
const W1 = 'demo-worker-1.demo.ns1.svc.cluster.local'
const meta = configmeta(app, cluster, members, {pod: 'demo-worker-1', role: 'worker'}, {clusterId: 'uid-1'})

test('golden: configmeta.json of demo-worker-1', () => {
  matchGolden('configmeta-shelldemo-worker-1.json', `${JSON.stringify(meta, null, 2)}\n`)
})

test('top level as KubeDirector: version, services, nodegroups, distros, cluster, node, connections', () => {
  assert.equal(Object.keys(meta), ['version', 'services', 'nodegroups', 'distros', 'cluster', 'node', 'connections'])
  assert.is(meta.version, '8')
  assert.equal(meta.distros, {'kubectl-kd/shelldemo': {'1': {bdvlibrefkey: ['nodegroups', '1']}}})
  assert.equal(meta.cluster, {name: 'demo', isolated: false, id: 'uid-1', config_metadata: {'1': {bdvlibrefkey: ['nodegroups', '1', 'config_metadata']}}})
  assert.equal(meta.connections, {clusters: {}, configmaps: {}, secrets: {}})
})

test('nodegroup 1: roles with fqdns, node ids, flavor, services', () => {
  const ng = meta.nodegroups['1']!
  assert.is(ng.distro_id, 'kubectl-kd/shelldemo')
  assert.is(ng.catalog_entry_version, '1.0')
  assert.equal(ng.config_metadata, {greeting: 'hello from kubectl-kd'})
  assert.equal(Object.keys(ng.roles), ['controller', 'edge', 'worker'], 'Go sorts map keys')
  const worker = ng.roles.worker!
  assert.equal(worker.fqdns, [W0, W1])
  assert.equal(worker.hostnames, worker.fqdns)
  assert.equal(worker.node_ids, ['1001', '1002'])
  assert.equal(worker.fqdn_mappings, {[W0]: '1001', [W1]: '1002'})
  assert.equal(worker.flavor, {storage: 'n/a', name: 'n/a', memory: '64', description: 'n/a', cores: '1'})
  assert.equal(Object.keys(worker.services), ['echo', 'shell'])
  assert.equal(worker.services.echo, {
    qualifiers: [],
    name: 'Echo',
    id: 'echo',
    hostnames: {bdvlibrefkey: ['nodegroups', '1', 'roles', 'worker', 'hostnames']},
    global_id: '1_worker_echo',
    fqdns: {bdvlibrefkey: ['nodegroups', '1', 'roles', 'worker', 'fqdns']},
    exported_service: '',
    endpoints: [`tcp://${W0}:7007`, `tcp://${W1}:7007`],
    authToken: '',
  })
  assert.is(worker.services.shell!.endpoints, null, 'no port: Go marshals the nil slice as null')
  assert.equal(ng.roles.controller!.services.web!.endpoints, ['http://demo-controller-0.demo.ns1.svc.cluster.local:8080'])
})

test('services: each service names the roles (with members) that run it', () => {
  assert.equal(Object.keys(meta.services), ['echo', 'shell', 'web'])
  assert.equal(meta.services.web, {
    '1': {
      controller: {bdvlibrefkey: ['nodegroups', '1', 'roles', 'controller', 'services', 'web']},
      edge: {bdvlibrefkey: ['nodegroups', '1', 'roles', 'edge', 'services', 'web']},
    },
  })
})

test('node: the member itself', () => {
  assert.equal(meta.node, {
    role_id: 'worker',
    nodegroup_id: '1',
    id: '1002',
    hostname: W1,
    fqdn: W1,
    domain: 'demo.ns1.svc.cluster.local',
    distro_id: 'kubectl-kd/shelldemo',
    depends_on: {},
  })
})

test('only node differs between members; roles without members are left out', () => {
  const other = configmeta(app, cluster, members, {pod: 'demo-controller-0', role: 'controller'}, {clusterId: 'uid-1'})
  assert.equal({...other, node: null}, {...meta, node: null})
  assert.is(other.node.id, '1')
  const noEdge = configmeta(app, cluster, members.filter((m) => m.role !== 'edge'), {pod: 'demo-worker-0', role: 'worker'})
  assert.equal(Object.keys(noEdge.nodegroups['1']!.roles), ['controller', 'worker'])
  assert.equal(Object.keys(noEdge.services.web!['1']!), ['controller'])
  assert.is(noEdge.cluster.id, '')
})

test('explicit node ids are used', () => {
  const withIds = members.map((m, i) => ({...m, nodeId: 10 + i}))
  const m = configmeta(app, cluster, withIds, {pod: 'demo-worker-1', role: 'worker'})
  assert.equal(m.nodegroups['1']!.roles.worker!.node_ids, ['11', '12'])
  assert.is(m.node.id, '12')
})

test('configmeta.env: flat and sourceable', () => {
  const env = configmetaEnv(meta)
  const lines = env.trimEnd().split('\n')
  assert.ok(lines.every((l) => /^KD_[A-Z0-9_]+='.*'$/.test(l)), env)
  for (const line of [
    "KD_VERSION='8'",
    "KD_CLUSTER_NAME='demo'",
    "KD_CLUSTER_ID='uid-1'",
    "KD_NODE_ROLE_ID='worker'",
    `KD_NODE_FQDN='${W1}'`,
    "KD_NODE_DOMAIN='demo.ns1.svc.cluster.local'",
    "KD_NODE_ID='1002'",
    "KD_ROLES='controller,edge,worker'",
    "KD_SELF_INDEX='1'",
    `KD_ROLE_WORKER_FQDNS='${W0},${W1}'`,
    "KD_ROLE_WORKER_COUNT='2'",
    "KD_ROLE_WORKER_MEMORY='64'",
    `KD_SERVICE_WORKER_ECHO_ENDPOINTS='tcp://${W0}:7007,tcp://${W1}:7007'`,
    "KD_CONFIG_GREETING='hello from kubectl-kd'",
  ])
    assert.ok(lines.includes(line), `missing ${line}`)
  const quoted = configmetaEnv({...meta, cluster: {...meta.cluster, name: "it's"}})
  assert.match(quoted, `KD_CLUSTER_NAME='it'\\''s'`)
})

test.run()
