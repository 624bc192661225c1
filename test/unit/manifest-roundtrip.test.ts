// -o yaml|json round trips: an App written as a KubeDirectorApp and read back is the same App (every
// built-in app and the examples), and a stored cluster written as a KubeDirectorCluster and read back
// resolves to the same cluster.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {dump, load} from 'js-yaml'
import {builtinApps, findBuiltinApp} from '../../src/app/catalog.ts'
import {appToManifest} from '../../src/app/manifest.ts'
import {appFromObject, parseApp} from '../../src/app/parse.ts'
import {formatDuration, parseDuration} from '../../src/app/script-timeout.ts'
import {planAppAdd} from '../../src/actions/app/app-store.ts'
import {clusterToManifest} from '../../src/cluster/manifest.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'

const example = (f: string) => readFileSync(new URL(`../../examples/apps/${f}`, import.meta.url), 'utf8')
/** through YAML text and back, as a user's file would go */
const viaYaml = (o: unknown) => load(dump(o, {noRefs: true}))

for (const app of builtinApps()) {
  test(`built-in app ${app.id}: KubeDirectorApp and back is the same app`, () => {
    const manifest = appToManifest(app)
    assert.is(manifest.apiVersion, 'kubedirector.hpe.com/v1beta1')
    assert.is(manifest.kind, 'KubeDirectorApp')
    assert.is(manifest.metadata.name, app.id)
    assert.equal(appFromObject(viaYaml(manifest), 'a.yaml', 'builtin'), app)
    assert.equal(appFromObject(JSON.parse(JSON.stringify(manifest)), 'a.json', 'builtin'), app)
  })
}

for (const f of ['hello.yaml', 'spark221e2-v1beta1.json', 'cassandra311-v1alpha1.yaml', 'spark221e2-announcement.yaml']) {
  test(`example ${f}: any input form is written as v1beta1 and read back the same`, () => {
    const app = parseApp(example(f), f)
    assert.equal(appFromObject(viaYaml(appToManifest(app)), 'a.yaml'), app)
  })
}

test('KubeDirector field names, defaults in the roles, configPackage null for a role without one', () => {
  const app = parseApp(example('hello.yaml'), 'hello.yaml')
  const m = appToManifest(app, {namespace: 'team-a'})
  assert.equal(m.metadata, {name: 'hello', namespace: 'team-a'})
  const spec = m.spec as {roles: Record<string, unknown>[]; config: unknown; defaultImageRepoTag?: string}
  assert.is(spec.defaultImageRepoTag, undefined)
  assert.equal(spec.roles[0], {
    id: 'node',
    cardinality: '1+',
    imageRepoTag: 'localhost/kubectl-kd/shell:1',
    configPackage: null,
    persistDirs: [],
    eventList: ['configure', 'addnodes', 'delnodes'],
    maxLogSizeDump: 256,
  })
  assert.equal(spec.config, {roleServices: [{roleID: 'node', serviceIDs: ['web']}], selectedRoles: ['node']})
})

test('script timeout: annotation written as a duration that reads back as the same seconds', () => {
  for (const s of [1, 59, 60, 90, 600, 1800, 3600, 5400, 86400]) assert.is(parseDuration(formatDuration(s)), s, String(s))
  assert.is(formatDuration(1800), '30m')
  assert.is(formatDuration(5430), '1h30m30s')
  const cassandra = builtinApps().find((a) => a.id === 'cassandra50')!
  assert.equal(appToManifest(cassandra).metadata.annotations, {'kubectl-kd.io/script-timeout': '30m'})
})



test('app add of a written built-in app: bundled:// packages that ship with the plugin stay references', () => {
  const spark = builtinApps().find((a) => a.id === 'spark35')!
  const dir = mkdtempSync(join(tmpdir(), 'kd-app-'))
  const file = join(dir, 'a.yaml')
  const m = appToManifest(spark)
  writeFileSync(file, dump({...m, metadata: {...m.metadata, name: 'myspark'}}))
  const plan = planAppAdd(file, {}, 'team')
  assert.equal(plan.app, {...spark, id: 'myspark', source: 'namespace'})
  assert.is(plan.objects.length, 1, 'no package ConfigMaps: nothing was packed')
  writeFileSync(file, dump({...m, metadata: {name: 'other'}, spec: {...m.spec, roles: (m.spec.roles as {configPackage: unknown}[]).map((r) => ({...r, configPackage: {packageURL: 'bundled://nosuch', useNewSetupLayout: true}}))}}))
  assert.throws(() => planAppAdd(file, {}, 'team'), /nosuch is not a directory/)
})

// --- clusters

const cases: Record<string, string> = {
  'defaults only': `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: demo}
spec: {app: shelldemo, roles: [{id: controller}, {id: worker}]}
`,
  'every field': `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata:
  name: full
  namespace: team
  labels: {team: a}
  annotations: {kubectl-kd.io/script-timeout: 10m}
spec:
  app: spark35
  serviceType: LoadBalancer
  roles:
    - id: controller
      resources: {requests: {cpu: 500m}, limits: {cpu: "2", memory: 2Gi, ephemeral-storage: 1Gi}}
      env: [{name: A, value: "1"}]
      storage: {size: 5Gi, storageClassName: fast}
      podLabels: {a: b}
      podAnnotations: {c: d}
      serviceLabels: {e: f}
      serviceAnnotations: {g: h}
      nodeSelector: {disk: ssd}
      tolerations: [{key: k, operator: Equal, value: v, effect: NoExecute, tolerationSeconds: 30}]
      affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname}}]}}
    - id: worker
      members: 4
    - id: jupyter
      members: 0
`,
}

for (const [name, text] of Object.entries(cases)) {
  test(`cluster (${name}): KubeDirectorCluster and back resolves to the same cluster`, () => {
    const [spec] = parseClusterSpecs(text, 'c.yaml')
    const app = findBuiltinApp(spec!.app)!
    const cluster = resolveCluster(app, spec!, 'c.yaml')
    const seen = {namespace: 'team', uid: 'u-1', creationTimestamp: '2026-01-02T03:04:05Z', state: 'configured', members: []}
    const manifest = clusterToManifest(cluster, seen)
    const [again] = parseClusterSpecs(dump(manifest), 'out.yaml')
    const back = resolveCluster(app, again!, 'out.yaml')
    // namespace comes from where the cluster is; the file carries it
    assert.equal({...back, namespace: undefined}, {...cluster, namespace: undefined})
    assert.equal(again!.labels, spec!.labels)
  })
}

test('cluster status in KubeDirector shape: state, memberStateRollup, roles with members (pod, service, nodeID, state)', () => {
  const [spec] = parseClusterSpecs(cases['defaults only']!, 'c.yaml')
  const cluster = resolveCluster(findBuiltinApp('shelldemo')!, spec!, 'c.yaml')
  const m = clusterToManifest(cluster, {
    namespace: 'team',
    state: 'updating',
    rollup: {membersDown: true, members: 3, counts: {}},
    members: [
      {pod: 'demo-controller-0', role: 'controller', state: 'configured', node: 'n1'},
      {pod: 'demo-worker-0', role: 'worker', state: 'configured', node: 'n1'},
      {pod: 'demo-worker-1', role: 'worker', state: 'creating', node: '<none>'},
    ],
  })
  assert.equal(m.metadata, {name: 'demo', namespace: 'team', labels: {'kubectl-kd.io/cluster': 'demo', 'kubectl-kd.io/app': 'shelldemo', 'app.kubernetes.io/managed-by': 'kubectl-kd'}})
  assert.equal(m.status, {
    state: 'updating',
    clusterService: 'demo',
    memberStateRollup: {membershipChanging: false, membersDown: true, membersInitializing: false, membersWaiting: false, membersRestarting: false, configErrors: false, membersNotScheduled: false},
    roles: [
      {id: 'controller', statefulSet: 'demo-controller', members: [{pod: 'demo-controller-0', service: 'demo-controller-0', nodeID: 1, state: 'configured', nodeName: 'n1'}]},
      {
        id: 'worker',
        statefulSet: 'demo-worker',
        members: [
          {pod: 'demo-worker-0', service: 'demo-worker-0', nodeID: 1001, state: 'configured', nodeName: 'n1'},
          {pod: 'demo-worker-1', service: 'demo-worker-1', nodeID: 1002, state: 'creating'},
        ],
      },
    ],
  })
})

test('status on input is ignored; our own labels are not taken as the user\'s', () => {
  const [spec] = parseClusterSpecs(
    `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: demo, uid: x, creationTimestamp: "2026-01-01T00:00:00Z", labels: {kubectl-kd.io/cluster: demo, kubectl-kd.io/app: shelldemo, app.kubernetes.io/managed-by: kubectl-kd, keep: me}}
spec: {app: shelldemo, roles: [{id: controller}, {id: worker}]}
status: {state: configured, roles: [{id: worker, members: [{pod: p, state: configured}]}]}
`,
    'c.yaml',
  )
  assert.equal(spec!.labels, {keep: 'me'})
})



test('create --image/--package/--agent-image: kept as annotations by get -o yaml, so apply -f of it renders the same objects', async () => {
  const {planClusters} = await import('../../src/actions/cluster/cluster-plan.ts')
  const flags = {members: {}, images: {worker: 'registry.example.com/spark:9'}, packages: {worker: 'https://example.com/p.tgz'}, agentImage: 'docker.io/library/node:24-alpine'}
  const [created] = await planClusters({...flags, app: 'spark221e2', name: 'ov', dryRun: 'client'}, undefined, 'ns')
  assert.equal(created!.cluster.overrides, {images: flags.images, packages: flags.packages, agentImage: flags.agentImage})
  const manifest = clusterToManifest(created!.cluster, {namespace: 'ns', state: 'configured', members: []})
  assert.equal(manifest.metadata.annotations, {
    'kubectl-kd.io/images': '{"worker":"registry.example.com/spark:9"}',
    'kubectl-kd.io/packages': '{"worker":"https://example.com/p.tgz"}',
    'kubectl-kd.io/agent-image': 'docker.io/library/node:24-alpine',
  })
  const file = join(mkdtempSync(join(tmpdir(), 'kd-ov-')), 'ov.yaml')
  writeFileSync(file, dump(manifest))
  const [applied] = await planClusters({members: {}, images: {}, packages: {}, files: [file], dryRun: 'client'}, undefined, 'ns')
  assert.equal(applied!.objects, created!.objects)
  // a flag given again wins over the file
  const [changed] = await planClusters({members: {}, images: {worker: 'registry.example.com/spark:10'}, packages: {}, files: [file], dryRun: 'client'}, undefined, 'ns')
  assert.is(changed!.app.roles.find((r) => r.id === 'worker')!.imageRepoTag, 'registry.example.com/spark:10')
  assert.is(changed!.cluster.overrides?.agentImage, flags.agentImage)
})

test.run()
