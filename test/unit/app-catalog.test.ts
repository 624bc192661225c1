// The built-in catalog: faithful to KubeDirector's example catalog, the project's own runnable apps,
// the embedded index in sync with the YAML data files, and every example app definition parses.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, readdirSync} from 'node:fs'
import {builtinAppNames, builtinApps, findBuiltinApp} from '../../src/app/catalog.ts'
import {catalogIndexSource} from '../../src/app/catalog/embed.ts'
import {parseApp} from '../../src/app/parse.ts'
import type {App} from '../../src/app/model.ts'

const ports = (app: App) => Object.fromEntries(app.services.map((s) => [s.id, s.endpoint?.port ?? null]))
const shape = (app: App) => app.roles.map((r) => `${r.id}:${r.cardinality}`)

test('catalog names', () => {
  assert.equal(builtinAppNames(), ['cassandra311', 'cassandra50', 'shelldemo', 'spark211up', 'spark221e2', 'spark35', 'spark4'])
  assert.ok(builtinApps().every((a) => a.source === 'builtin'))
  assert.is(findBuiltinApp('nope'), undefined)
})

test('the embedded index matches the YAML data files (regenerate: node --import tsx src/app/catalog/embed.ts)', () => {
  const current = readFileSync(new URL('../../src/app/catalog/index.ts', import.meta.url), 'utf8')
  assert.is(current, catalogIndexSource())
})

test('spark221e2 as in KubeDirector', () => {
  const app = findBuiltinApp('spark221e2')!
  assert.equal(shape(app), ['controller:1', 'worker:0+', 'jupyter:0+'])
  assert.equal(ports(app), {ssh: 22, spark: 8080, 'spark-master': 7077, 'spark-worker': 8081, 'jupyter-nb': 8888})
  assert.equal(app.roles.map((r) => r.imageRepoTag), ['docker.io/bluedata/sparkbase:2.2', 'docker.io/bluedata/sparkbase:2.2', 'docker.io/bluedata/jupyter:2.3'])
  assert.is(app.roles[0]!.configPackage!.packageURL, 'file:///opt/configscripts/appconfig-2.6.tgz')
  assert.equal(app.roles[2]!.serviceIds, ['ssh', 'jupyter-nb'])
})

test('cassandra311 as in KubeDirector', () => {
  const app = findBuiltinApp('cassandra311')!
  assert.equal(shape(app), ['seed:2+', 'worker:0+'])
  assert.equal(ports(app), {ssh: 22, cassandra: 9042})
  assert.is(app.roles[0]!.imageRepoTag, 'docker.io/bluedata/cassandra:4.0')
  assert.equal(app.roles[0]!.configPackage, {packageURL: 'file:///opt/configscripts/appconfig-3.1.tgz', useNewSetupLayout: true})
  assert.equal(app.roles[1]!.persistDirs, ['/var/lib/cassandra', '/var/log/cassandra', '/data'])
  assert.equal(app.capabilities, ['SYS_RESOURCE', 'IPC_LOCK'])
})

test('spark211up is modeled on spark221e2 and says so', () => {
  const app = findBuiltinApp('spark211up')!
  const base = findBuiltinApp('spark221e2')!
  assert.equal(shape(app), shape(base))
  assert.equal(ports(app), ports(base))
  assert.match(app.label.name, 'Spark 2.1.1')
  assert.match(app.label.description, 'never published')
  assert.match(app.label.description, 'modeled on spark221e2')
})

test('spark35 and shelldemo run with the project images and bundled packages', () => {
  const spark = findBuiltinApp('spark35')!
  assert.equal(shape(spark), shape(findBuiltinApp('spark221e2')!))
  // spark221e2's ports, and the driver UI of the notebook's application
  assert.equal(ports(spark), {...ports(findBuiltinApp('spark221e2')!), 'spark-ui': 4040})
  const images = (app: typeof spark) => Object.fromEntries(app.roles.map((r) => [r.id, r.imageRepoTag]))
  assert.equal(images(spark), {controller: 'localhost/kubectl-kd/spark:3.5.9', worker: 'localhost/kubectl-kd/spark:3.5.9', jupyter: 'localhost/kubectl-kd/notebook:3.5.9'})
  assert.ok(spark.roles.every((r) => r.configPackage?.packageURL === 'bundled://spark35'))
  // the notebook's token comes from the cluster's Secret
  assert.equal(spark.services.filter((s) => s.endpoint?.hasAuthToken).map((s) => s.id), ['jupyter-nb'])
  const spark4 = findBuiltinApp('spark4')!
  assert.equal(shape(spark4), [...shape(spark), 'connect:0+'])
  assert.equal(ports(spark4), {...ports(spark), 'spark-connect': 15002})
  assert.equal(images(spark4), {controller: 'localhost/kubectl-kd/spark:4.3.0', worker: 'localhost/kubectl-kd/spark:4.3.0', jupyter: 'localhost/kubectl-kd/notebook:4.3.0', connect: 'localhost/kubectl-kd/spark:4.3.0'})
  assert.ok(spark4.roles.every((r) => r.configPackage?.packageURL === 'bundled://spark35'))
  const demo = findBuiltinApp('shelldemo')!
  assert.equal(shape(demo), ['controller:1', 'worker:2+', 'edge:0+'])
  assert.equal(ports(demo), {web: 8080, echo: 7007, shell: null})
  assert.ok(demo.roles.every((r) => r.imageRepoTag === 'localhost/kubectl-kd/shell:1' && r.configPackage?.packageURL === 'bundled://shelldemo'))
})

test('cassandra50 runs cassandra311 with the project image and bundled package', () => {
  const app = findBuiltinApp('cassandra50')!
  const base = findBuiltinApp('cassandra311')!
  assert.equal(shape(app), shape(base))
  assert.equal(ports(app), ports(base))
  assert.equal(app.roles.map((r) => r.serviceIds), base.roles.map((r) => r.serviceIds))
  assert.ok(app.roles.every((r) => r.imageRepoTag === 'localhost/kubectl-kd/cassandra:5.0.6' && r.configPackage?.packageURL === 'bundled://cassandra50'))
  assert.ok(app.roles.every((r) => r.persistDirs.includes('/var/lib/cassandra')))
})

test('the Spark version of spark35 matches test/cluster/versions.sh', () => {
  let versions = ''
  try {
    versions = readFileSync(new URL('../../test/cluster/versions.sh', import.meta.url), 'utf8')
  } catch {
    return
  }
  const pinned = /^KD_SPARK_VERSION=(\S+)/m.exec(versions)?.[1]
  if (pinned) assert.is(findBuiltinApp('spark35')!.roles[0]!.imageRepoTag, `localhost/kubectl-kd/spark:${pinned}`)
  const cassandra = /^KD_CASSANDRA_VERSION=(\S+)/m.exec(versions)?.[1]
  if (cassandra) assert.is(findBuiltinApp('cassandra50')!.roles[0]!.imageRepoTag, `localhost/kubectl-kd/cassandra:${cassandra}`)
  const pinned4 = /^KD_SPARK4_VERSION=(\S+)/m.exec(versions)?.[1]
  if (pinned4) assert.is(findBuiltinApp('spark4')!.roles[0]!.imageRepoTag, `localhost/kubectl-kd/spark:${pinned4}`)
})

test('callers get copies: changing one never changes the catalog', () => {
  findBuiltinApp('spark221e2')!.roles[0]!.imageRepoTag = 'changed'
  builtinApps()[0]!.id = 'changed'
  assert.is(findBuiltinApp('spark221e2')!.roles[0]!.imageRepoTag, 'docker.io/bluedata/sparkbase:2.2')
  assert.is(builtinApps()[0]!.id, 'cassandra311')
})

test('every example app definition parses', () => {
  const dir = new URL('../../examples/apps/', import.meta.url)
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))
  assert.ok(files.length >= 4)
  for (const f of files) parseApp(readFileSync(new URL(f, dir), 'utf8'), f)
})

test.run()
