// renderCluster: golden renders of KubeDirector's spark221e2 and cassandra311 example clusters, and the
// properties every render must have (docs/architecture.md): names, labels, owner references, probes of the
// member contract, determinism.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {dump} from 'js-yaml'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseApp} from '../../src/app/parse.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {renderCluster, renderRoot, type KubeObject, type RenderOptions} from '../../src/cluster/render.ts'
import {persistedDirs} from '../../src/cluster/persist-dirs.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL, ROOT_KEYS} from '../../src/cluster/names.ts'
import {matchGolden} from '../fixtures/golden.ts'
import {minimal} from '../fixtures/apps.ts'

const OPTIONS: RenderOptions = {namespace: 'default', rootUid: '00000000-0000-4000-8000-000000000001', agentCodeHash: 'sha256-test'}

function renderExample(file: string, options: RenderOptions = OPTIONS): KubeObject[] {
  const text = readFileSync(new URL(`../../examples/clusters/${file}`, import.meta.url), 'utf8')
  const spec = parseClusterSpecs(text, file)[0]!
  const app = findBuiltinApp(spec.app)!
  return renderCluster(app, resolveCluster(app, spec, file), options)
}
/** Goldens hold the app cluster's own objects; the agent's (render-agent.ts, owned with agent/) have their own tests. */
const yaml = (objects: KubeObject[]) =>
  objects
    .filter((o) => o.metadata.labels?.[LABEL.component] !== 'agent')
    .map((o) => `---\n${dump(o, {sortKeys: true, lineWidth: -1})}`)
    .join('')
const find = (objects: KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const spec = (o: KubeObject) => o.spec as any

test('golden: spark221e2 (KubeDirector example cluster)', () => {
  matchGolden('render-spark221e2.yaml', yaml(renderExample('spark221e2.yaml')))
})

test('golden: cassandra311 with storage (KubeDirector example cluster)', () => {
  matchGolden('render-cassandra311-stor.yaml', yaml(renderExample('cassandra311-stor.yaml')))
})

test('golden: cassandra311', () => {
  matchGolden('render-cassandra311.yaml', yaml(renderExample('cassandra311.yaml')))
})

test('objects, in order: root, headless Service, StatefulSets, member Services, agent', () => {
  const objects = renderExample('spark221e2.yaml')
  assert.equal(objects.map((o) => `${o.kind}/${o.metadata.name}`), [
    'ConfigMap/spark-instance-kd',
    'Service/spark-instance',
    'StatefulSet/spark-instance-controller',
    'StatefulSet/spark-instance-worker',
    'StatefulSet/spark-instance-jupyter',
    'Service/spark-instance-controller-0',
    'Service/spark-instance-worker-0',
    'Service/spark-instance-worker-1',
    'Service/spark-instance-jupyter-0',
    'ServiceAccount/spark-instance-kd-agent',
    'Role/spark-instance-kd-agent',
    'RoleBinding/spark-instance-kd-agent',
    'Deployment/spark-instance-kd-agent',
  ])
  for (const o of objects) {
    assert.is(o.metadata.namespace, 'default')
    assert.is(o.metadata.labels![LABEL.cluster], 'spark-instance')
    assert.is(o.metadata.labels![LABEL.app], 'spark221e2')
    assert.is(o.metadata.labels![LABEL.managedBy], 'kubectl-kd')
  }
})

test('root ConfigMap: app.json, cluster.json, generation; never owned', () => {
  const [root] = renderExample('spark221e2.yaml')
  assert.is(root!.metadata.ownerReferences, undefined)
  assert.is(root!.metadata.annotations![ANNOTATION.generation], '1')
  const data = root!.data as Record<string, string>
  const app = JSON.parse(data[ROOT_KEYS.app]!)
  assert.is(app.id, 'spark221e2')
  const cluster = JSON.parse(data[ROOT_KEYS.cluster]!)
  assert.equal(cluster.roles.map((r: {id: string; members: number}) => [r.id, r.members]), [['controller', 1], ['worker', 2], ['jupyter', 1]])
  assert.is(cluster.namespace, 'default')
  assert.is(cluster.serviceType, 'NodePort')
})

test('everything but the root is owned by the root, only once its UID is known', () => {
  const owned = renderExample('spark221e2.yaml').slice(1)
  for (const o of owned)
    assert.equal(o.metadata.ownerReferences, [{apiVersion: 'v1', kind: 'ConfigMap', name: 'spark-instance-kd', uid: OPTIONS.rootUid!, controller: true, blockOwnerDeletion: true}])
  for (const o of renderExample('spark221e2.yaml', {namespace: 'ns'})) assert.is(o.metadata.ownerReferences, undefined)
})

test('headless Service', () => {
  const s = spec(find(renderExample('spark221e2.yaml'), 'Service', 'spark-instance'))
  assert.is(s.clusterIP, 'None')
  assert.is(s.publishNotReadyAddresses, true)
  assert.equal(s.selector, {[LABEL.cluster]: 'spark-instance'})
})

test('StatefulSet per role: Parallel, headless serviceName, container app, ports named by service id, readiness gate', () => {
  const objects = renderExample('spark221e2.yaml')
  const sts = find(objects, 'StatefulSet', 'spark-instance-controller')
  const s = spec(sts)
  assert.is(s.replicas, 1)
  assert.is(s.podManagementPolicy, 'Parallel')
  assert.is(s.serviceName, 'spark-instance')
  assert.equal(s.selector.matchLabels, {[LABEL.cluster]: 'spark-instance', [LABEL.role]: 'controller'})
  assert.is(s.template.metadata.labels[LABEL.role], 'controller')
  assert.equal(s.template.spec.readinessGates, [{conditionType: CONFIGURED_CONDITION}])
  const [container] = s.template.spec.containers
  assert.is(container.name, 'app')
  assert.is(container.image, 'docker.io/bluedata/sparkbase:2.2')
  assert.is(container.imagePullPolicy, 'IfNotPresent')
  assert.equal(container.ports.map((p: {name: string; containerPort: number}) => `${p.name}:${p.containerPort}`), ['ssh:22', 'spark:8080', 'spark-master:7077', 'spark-worker:8081'])
  assert.equal(container.resources, {requests: {memory: '4Gi', cpu: '2'}, limits: {memory: '4Gi', cpu: '2'}})
  assert.is(spec(find(objects, 'StatefulSet', 'spark-instance-jupyter')).template.spec.containers[0].image, 'docker.io/bluedata/jupyter:2.3')
})

test('0-member roles get a StatefulSet with 0 replicas and no member Services', () => {
  const objects = renderExample('cassandra311.yaml').filter((o) => o.kind !== 'ConfigMap')
  const text = readFileSync(new URL('../../examples/clusters/shelldemo.yaml', import.meta.url), 'utf8').replace('members: 1', 'members: 0')
  const s = parseClusterSpecs(text, 'x')[0]!
  const app = findBuiltinApp('shelldemo')!
  const out = renderCluster(app, resolveCluster(app, s, 'x'), OPTIONS)
  assert.is(spec(find(out, 'StatefulSet', 'demo-edge')).replicas, 0)
  assert.not.ok(out.some((o) => o.kind === 'Service' && o.metadata.name.startsWith('demo-edge-')))
  assert.ok(objects.length > 0)
})

test('placement: a role\'s nodeSelector, tolerations and affinity go into its pod template only', () => {
  const text = readFileSync(new URL('../../examples/clusters/shelldemo.yaml', import.meta.url), 'utf8').replace(
    '  - id: worker\n',
    '  - id: worker\n    nodeSelector: {type: kwok}\n    tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]\n' +
      '    affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname}}]}}\n',
  )
  const s = parseClusterSpecs(text, 'x')[0]!
  const app = findBuiltinApp('shelldemo')!
  const resolved = resolveCluster(app, s, 'x')
  const out = renderCluster(app, resolved, OPTIONS)
  const worker = spec(find(out, 'StatefulSet', 'demo-worker')).template.spec
  assert.equal(worker.nodeSelector, {type: 'kwok'})
  assert.equal(worker.tolerations, [{key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule'}])
  assert.equal(worker.affinity, {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: 'kubernetes.io/hostname'}}]}})
  const controller = spec(find(out, 'StatefulSet', 'demo-controller')).template.spec
  assert.equal([controller.nodeSelector, controller.tolerations, controller.affinity], [undefined, undefined, undefined])
  // rendered objects do not share the resolved spec's sub-objects
  worker.tolerations[0].key = 'changed'
  assert.is(resolved.roles.find((r) => r.id === 'worker')!.tolerations![0]!.key, 'kwok.x-k8s.io/node')
  // the placement survives the root ConfigMap's cluster.json (the agent re-renders from it)
  const root = out.find((o) => o.kind === 'ConfigMap')! as unknown as {data: Record<string, string>}
  const stored = JSON.parse(root.data[ROOT_KEYS.cluster]!)
  assert.equal(stored.roles.find((r: {id: string}) => r.id === 'worker').nodeSelector, {type: 'kwok'})
})

test('member Services: type, pod selector, KubeDirector port names; none for roles without ports', () => {
  const objects = renderExample('spark221e2.yaml')
  const svc = find(objects, 'Service', 'spark-instance-worker-1')
  assert.is(spec(svc).type, 'NodePort')
  assert.equal(spec(svc).selector, {'statefulset.kubernetes.io/pod-name': 'spark-instance-worker-1'})
  assert.is(svc.metadata.labels![LABEL.role], 'worker')
  assert.equal(spec(svc).ports, [
    {name: 'generic-ssh', port: 22, targetPort: 22, protocol: 'TCP'},
    {name: 'http-spark-worker', port: 8081, targetPort: 8081, protocol: 'TCP'},
  ])
  assert.is(spec(find(renderExample('spark221e2.yaml', {...OPTIONS, serviceType: 'ClusterIP'}), 'Service', 'spark-instance-worker-1')).type, 'ClusterIP')
  assert.is(spec(find(renderExample('spark221e2-v1alpha1.yaml'), 'Service', 'spark-alpha-worker-1')).type, 'LoadBalancer')

  const app = parseApp(minimal({}), 'a.yaml') // role a has the web service, role b none
  const cluster = resolveCluster(app, {name: 'm', app: 't', form: 'v1beta1', roles: [
    {id: 'a', env: [], at: {path: 'spec.roles[0]', idKey: 'id', membersKey: 'members'}},
    {id: 'b', members: 2, env: [], at: {path: 'spec.roles[1]', idKey: 'id', membersKey: 'members'}},
  ]}, 'm.yaml')
  const names = renderCluster(app, cluster, OPTIONS).filter((o) => o.kind === 'Service').map((o) => o.metadata.name)
  assert.equal(names, ['m', 'm-a-0'])
})

test('persistent storage: volume claim template, init copy, subPath mounts of the persisted dirs', () => {
  const objects = renderExample('cassandra311-stor.yaml')
  const s = spec(find(objects, 'StatefulSet', 'cassandra-persistent-seed'))
  assert.equal(s.volumeClaimTemplates[0].spec, {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '40Gi'}}})
  const dirs = ['/etc', '/opt/guestconfig', '/var/log/guestconfig', '/usr/local/bin', '/usr/local/lib', '/var/lib/cassandra', '/var/log/cassandra', '/data']
  assert.equal(s.template.spec.containers[0].volumeMounts.map((m: {mountPath: string}) => m.mountPath), dirs)
  assert.is(s.template.spec.initContainers[0].name, 'init')
  assert.match(s.template.spec.initContainers[0].command[2], 'tar cf - etc opt/guestconfig')
  assert.equal(persistedDirs({...findBuiltinApp('spark221e2')!.roles[0]!}), ['/etc', '/opt', '/usr', '/var', '/data'])
  assert.not.ok(spec(find(renderExample('cassandra311.yaml'), 'StatefulSet', 'cassandra-instance-seed')).volumeClaimTemplates)
})

test('--image / --package overrides reach the pods and app.json', () => {
  const objects = renderExample('spark221e2.yaml', {...OPTIONS, images: {worker: 'localhost/kubectl-kd/spark:3.5.9'}, packages: {worker: 'configmap://kd-pkg-spark35'}})
  assert.is(spec(find(objects, 'StatefulSet', 'spark-instance-worker')).template.spec.containers[0].image, 'localhost/kubectl-kd/spark:3.5.9')
  const app = JSON.parse((objects[0]!.data as Record<string, string>)[ROOT_KEYS.app]!)
  assert.is(app.roles[1].configPackage.packageURL, 'configmap://kd-pkg-spark35')
  assert.is(app.roles[0].configPackage.packageURL, 'file:///opt/configscripts/appconfig-2.6.tgz')
})

test('agent: one Recreate replica, restricted pod security, its own ServiceAccount, least-privilege Role', () => {
  // the agent's engineer owns the details of render-agent.ts; this checks only the contract of docs/architecture.md
  const objects = renderExample('shelldemo.yaml', {...OPTIONS, agentImage: 'localhost/kubectl-kd/node:24'})
  const deploy = find(objects, 'Deployment', 'demo-kd-agent')
  assert.is(deploy.metadata.labels![LABEL.component], 'agent')
  const s = spec(deploy)
  assert.is(s.replicas, 1)
  assert.is(s.strategy.type, 'Recreate')
  const pod = s.template.spec
  assert.is(pod.serviceAccountName, 'demo-kd-agent')
  assert.is(pod.securityContext.runAsNonRoot, true)
  assert.is(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
  const c = pod.containers[0]
  assert.is(c.image, 'localhost/kubectl-kd/node:24')
  assert.is(c.command[0], 'node')
  assert.is(c.securityContext.allowPrivilegeEscalation, false)
  assert.equal(c.securityContext.capabilities, {drop: ['ALL']})
  assert.is(c.securityContext.readOnlyRootFilesystem, true)
  assert.equal(c.env.slice(0, 2), [{name: 'KD_CLUSTER', value: 'demo'}, {name: 'KD_NAMESPACE', valueFrom: {fieldRef: {fieldPath: 'metadata.namespace'}}}])
  assert.ok(pod.volumes.some((v: {configMap?: {name: string}}) => v.configMap?.name === 'demo-kd-agent'))
  assert.is(s.template.metadata.annotations[ANNOTATION.agentVersion], 'sha256-test')
  assert.ok(find(objects, 'ServiceAccount', 'demo-kd-agent'))
  assert.equal((find(objects, 'RoleBinding', 'demo-kd-agent') as KubeObject & {roleRef: unknown}).roleRef, {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-kd-agent'})
  const role = find(objects, 'Role', 'demo-kd-agent') as KubeObject & {rules: Array<{resources: string[]; verbs: string[]}>}
  const verbs = (res: string) => role.rules.filter((r) => r.resources.includes(res)).flatMap((r) => r.verbs)
  for (const v of ['list', 'watch', 'patch']) assert.ok(verbs('pods').includes(v), `pods ${v}`)
  assert.ok(verbs('pods/status').includes('patch'))
  assert.ok(verbs('pods/exec').includes('create'))
  assert.ok(verbs('events').includes('create'))
  assert.not.ok(role.rules.some((r) => r.verbs.includes('*')))
  // the objects it keeps at the spec, and the one Secret it reads: the cluster's key, by name
  for (const v of ['list', 'watch', 'create', 'patch', 'delete']) assert.ok(verbs('statefulsets').includes(v) && verbs('services').includes(v), `statefulsets/services ${v}`)
  const secrets = role.rules.filter((r) => r.resources.includes('secrets')) as Array<{verbs: string[]; resourceNames?: string[]}>
  assert.equal(secrets.map((r) => [r.verbs, r.resourceNames]), [[['get'], ['demo-kd-keys']]])
  assert.not.ok(role.rules.some((r) => r.verbs.includes('delete') && !r.resources.every((x) => x === 'statefulsets' || x === 'services')))
  // its code is checked against the pod spec's hash before it runs (a ConfigMap writer cannot swap it)
  assert.match(c.command.at(-1), /createHash\('sha256'\)[\s\S]*!== 'sha256-test'[\s\S]*process\.exit\(3\)/)
})

test('deterministic, and no shared sub-objects', () => {
  assert.equal(renderExample('spark221e2.yaml'), renderExample('spark221e2.yaml'))
  assert.not.match(dump(renderExample('cassandra311-stor.yaml')), '&ref')
})

test('renderRoot alone equals the first object of a full render', () => {
  const text = readFileSync(new URL('../../examples/clusters/spark221e2.yaml', import.meta.url), 'utf8')
  const s = parseClusterSpecs(text, 'x')[0]!
  const app = findBuiltinApp('spark221e2')!
  const cluster = resolveCluster(app, s, 'x')
  assert.equal(renderRoot(app, cluster, OPTIONS), renderCluster(app, cluster, OPTIONS)[0])
})

test.run()
