// KubeDirector's own published examples (test/unit/fixtures/kubedirector, copied from its repository):
// every app of its example catalog is accepted, every well-formed example cluster resolves against its
// app and renders, and the files broken upstream are refused in one line naming the line or the role.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readdirSync, readFileSync} from 'node:fs'
import {parseApp} from '../../src/app/parse.ts'
import type {App} from '../../src/app/model.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {renderCluster} from '../../src/cluster/render.ts'
import {clusterObjectName, headlessServiceName, LABEL, roleObjectName, roleStatefulSetName} from '../../src/cluster/names.ts'
import {throwsUserError} from '../lib/user-errors.ts'

const dir = new URL('./fixtures/kubedirector/', import.meta.url)
const read = (sub: string, f: string) => readFileSync(new URL(`${sub}/${f}`, dir), 'utf8')
const catalogFiles = readdirSync(new URL('example_catalog', dir)).sort()
const clusterFiles = readdirSync(new URL('example_clusters', dir)).sort()

/** Files broken in KubeDirector's repository, and the one line kubectl kd answers them with. */
const BROKEN: Record<string, string> = {
  // its `oozie` role is indented one level too deep
  'cr-cluster-datafabric610.yaml': 'cr-cluster-datafabric610.yaml: line 133: malformed YAML: bad indentation of a mapping entry',
  // role `controller` is not a role of app training-engine
  'cr-cluster-training-engine.yaml': 'cr-cluster-training-engine.yaml: spec.roles[2].id: unknown role "controller" in app training-engine; valid roles: LoadBalancer, RESTServer',
}

const apps = new Map<string, App>()

test('every app of the example catalog is accepted', () => {
  assert.is(catalogFiles.length, 20)
  for (const f of catalogFiles) {
    const app = parseApp(read('example_catalog', f), f)
    apps.set(app.id, app)
  }
  assert.is(apps.size, 20)
})

test('every well-formed example cluster resolves against its app and renders; the broken ones are refused in one line', () => {
  assert.is(clusterFiles.length, 22)
  let accepted = 0
  for (const f of clusterFiles) {
    const text = read('example_clusters', f)
    const resolve = () => {
      const [spec] = parseClusterSpecs(text, f)
      const app = apps.get(spec!.app)
      assert.ok(app, `${f}: app ${spec!.app} is in the example catalog`)
      return {app: app!, cluster: resolveCluster(app!, spec!, f)}
    }
    if (BROKEN[f]) {
      throwsUserError(resolve, BROKEN[f]!)
      continue
    }
    const {app, cluster} = resolve()
    const objects = renderCluster(app, cluster, {namespace: 'ns'})
    for (const o of objects) assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${f}: ${o.kind} ${o.metadata.name}`)
    accepted++
  }
  assert.is(accepted, 20)
})

test('names KubeDirector accepts but Kubernetes objects cannot carry: DNS-safe, deterministic, hashed; the written names stay in labels', () => {
  const spec = parseClusterSpecs(read('example_clusters', 'cr-cluster-ubuntu18.04.yaml'), 'u.yaml')[0]!
  const cluster = resolveCluster(apps.get('ubuntu18x')!, spec, 'u.yaml')
  assert.is(cluster.name, 'ubuntu18.04')
  assert.is(clusterObjectName('ubuntu18.04'), 'ubuntu18-04-fea6cf')
  assert.is(roleObjectName('vanilla_ubuntu'), 'vanilla-ubuntu-4866e0')
  assert.is(roleObjectName('LoadBalancer'), 'loadbalancer-6103cf')
  const objects = renderCluster(apps.get('ubuntu18x')!, cluster, {namespace: 'ns'})
  const sts = objects.find((o) => o.kind === 'StatefulSet')!
  assert.is(sts.metadata.name, roleStatefulSetName('ubuntu18.04', 'vanilla_ubuntu'))
  assert.is(sts.metadata.name, 'ubuntu18-04-fea6cf-vanilla-ubuntu-4866e0')
  assert.equal([sts.metadata.labels?.[LABEL.cluster], sts.metadata.labels?.[LABEL.role]], ['ubuntu18.04', 'vanilla_ubuntu'])
  // DNS labels keep their names (clusters created before keep their objects)
  assert.equal([clusterObjectName('spark'), roleObjectName('worker'), headlessServiceName('db-1')], ['spark', 'worker', 'db-1'])
  // names that differ only where they are altered do not collide
  assert.is.not(clusterObjectName('a.b'), clusterObjectName('a_b'))
  assert.is.not(roleObjectName('Worker'), roleObjectName('worker'))
  assert.is(clusterObjectName('1abc'), 'abc-' + clusterObjectName('1abc').slice(-6))
})

test('two roles of one app whose object names would be one: refused naming both', () => {
  const app = parseApp(
    `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorApp
metadata: {name: twins}
spec:
  label: {name: twins}
  distroID: t
  version: '1'
  configSchemaVersion: 8
  defaultImageRepoTag: busybox:1
  roles:
  - {id: a_b, cardinality: '1'}
  - {id: ${roleObjectName('a_b')}, cardinality: '0+'}
  config: {selectedRoles: [a_b]}
`,
    'twins.yaml',
  )
  const spec = parseClusterSpecs('apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: t}\nspec: {app: twins, roles: [{id: a_b}]}\n', 't.yaml')[0]!
  throwsUserError(() => resolveCluster(app, spec, 't.yaml'), `t.yaml: spec.app: roles "a_b" and "${roleObjectName('a_b')}" of app twins would share the object name ${roleObjectName('a_b')}; rename one of them in the app`)
})

test('spec.connections is read with its paths checked', () => {
  const spec = parseClusterSpecs(read('example_clusters', 'cr-cluster-spark245.yaml'), 's.yaml')[0]!
  assert.equal(spec.connections, {clusters: [], configmaps: [], secrets: ['hpecp-ext-auth-secret']})
  const head = 'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: nb}\nspec:\n  app: x\n  roles: [{id: a}]\n'
  throwsUserError(() => parseClusterSpecs(`${head}  connections: {clusters: [Spark_1]}\n`, 'nb.yaml'), `nb.yaml: spec.connections.clusters[0]: "Spark_1" is not the name of a Kubernetes object (a-z, 0-9, '-' and '.')`)
  throwsUserError(() => parseClusterSpecs(`${head}  connections: {secrets: [s, s]}\n`, 'nb.yaml'), 'nb.yaml: spec.connections.secrets[1]: "s" is listed twice')
  throwsUserError(() => parseClusterSpecs(`${head}  connections: {volumes: [s]}\n`, 'nb.yaml'), /^nb\.yaml: spec\.connections\.volumes: unknown field/)
  // empty lists (the qwen2 example) connect nothing
  assert.is(parseClusterSpecs(read('example_clusters', 'cr-cluster-qwen2-test.yaml'), 'q.yaml')[0]!.connections, undefined)
})

test.run()
