// parseApp: every input form (v1beta1 YAML/JSON, 2018 v1alpha1 in its v0.1 and v0.2 shapes, the
// announcement form), defaults pushed into roles, and the errors for malformed files and unknown kinds.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {parseApp, appForm} from '../../src/app/parse.ts'
import {FieldReader} from '../../src/app/field-reader.ts'
import {throwsUserError} from '../lib/user-errors.ts'
import {minimal} from '../fixtures/apps.ts'

const example = (f: string) => readFileSync(new URL(`../../examples/apps/${f}`, import.meta.url), 'utf8')

test('v1beta1 JSON (KubeDirector spark221e2): defaults pushed into every role', () => {
  const app = parseApp(example('spark221e2-v1beta1.json'), 'spark221e2.json')
  assert.is(app.id, 'spark221e2')
  assert.is(app.distroID, 'bluedata/spark221e2')
  assert.is(app.version, '2.7')
  assert.is(app.configSchemaVersion, 7)
  assert.is(app.systemdRequired, true)
  assert.is(app.source, 'file')
  assert.equal(app.roles.map((r) => [r.id, r.cardinality, r.imageRepoTag]), [
    ['controller', '1', 'docker.io/bluedata/sparkbase:2.2'],
    ['worker', '0+', 'docker.io/bluedata/sparkbase:2.2'],
    ['jupyter', '0+', 'docker.io/bluedata/jupyter:2.3'],
  ])
  for (const r of app.roles) {
    assert.equal(r.configPackage, {packageURL: 'file:///opt/configscripts/appconfig-2.6.tgz', useNewSetupLayout: false})
    assert.equal(r.persistDirs, ['/usr', '/opt', '/var', '/data'])
    assert.equal(r.eventList, ['configure', 'addnodes', 'delnodes'])
    assert.is(r.maxLogSizeDump, 256)
  }
  assert.equal(app.roles[0]!.serviceIds, ['ssh', 'spark', 'spark-master', 'spark-worker'])
  assert.equal(app.defaultConfig.selectedRoles, ['controller', 'worker', 'jupyter'])
  assert.equal(app.services.find((s) => s.id === 'spark')!.endpoint, {port: 8080, urlScheme: 'http', path: '/', isDashboard: true, hasAuthToken: false})
})

test('v1beta1 YAML with a bundled:// package and no persist dirs', () => {
  const app = parseApp(example('myspark.yaml'), 'myspark.yaml')
  assert.is(app.id, 'myspark')
  assert.equal(app.roles[1]!.configPackage, {packageURL: 'bundled://spark35', useNewSetupLayout: true})
  assert.equal(app.roles[1]!.persistDirs, [])
  assert.equal(app.services.find((s) => s.id === 'ssh')!.endpoint, {port: 22, isDashboard: false, hasAuthToken: false})
})

test('2018 v1alpha1 (v0.1 shape): image.repoTag, setup_package, persist_dirs, role_services', () => {
  const app = parseApp(example('cassandra311-v1alpha1.yaml'), 'c.yaml')
  assert.is(app.id, 'cassandra311-2018')
  assert.is(app.distroID, 'bluedata/cassandra311')
  assert.is(app.configSchemaVersion, 7)
  assert.equal(app.capabilities, ['SYS_RESOURCE', 'IPC_LOCK'])
  for (const r of app.roles) {
    assert.is(r.imageRepoTag, 'docker.io/bluedata/cassandra:3.0')
    assert.is(r.configPackage!.packageURL, 'https://s3.amazonaws.com/bluek8s/kubedirector/cassandra311/appconfig.tgz')
    assert.equal(r.persistDirs, ['/data'])
    assert.equal(r.serviceIds, ['ssh', 'cassandra'])
  }
  assert.equal(app.services[1]!.endpoint, {port: 9042, urlScheme: 'cql', isDashboard: false, hasAuthToken: false})
})

test('2018 v1alpha1 (v0.2 shape): default_image_repo_tag, default_config_package, image_repo_tag, config_package null', () => {
  const text = `
apiVersion: kubedirector.bluedata.io/v1alpha1
kind: KubeDirectorApp
metadata: {name: legacy}
spec:
  label: {name: Legacy}
  distro_id: x/legacy
  version: "1"
  config_schema_version: 7
  default_image_repo_tag: img:1
  default_config_package: {package_url: "https://example.com/p.tgz"}
  default_persist_dirs: [/data]
  services:
    - {id: spark_master, endpoint: {port: 7077, url_scheme: spark}}
  roles:
    - {id: a, cardinality: "1", image_repo_tag: img:2, persist_dirs: [/var/a]}
    - {id: b, cardinality: 0+, config_package: null}
  config:
    role_services: [{role_id: a, service_ids: [spark_master]}]
    selected_roles: [a, b]
    config_meta: {k: v}
`
  const app = parseApp(text, 'legacy.yaml')
  assert.equal(appForm(FieldReader.of({apiVersion: 'kubedirector.bluedata.io/v1alpha1', kind: 'KubeDirectorApp', spec: {config: {}}}, 's', '')), 'v1alpha1')
  assert.is(app.roles[0]!.imageRepoTag, 'img:2')
  assert.equal(app.roles[0]!.persistDirs, ['/var/a'])
  assert.is(app.roles[0]!.configPackage!.packageURL, 'https://example.com/p.tgz')
  assert.is(app.roles[1]!.imageRepoTag, 'img:1')
  assert.is(app.roles[1]!.configPackage, undefined, 'explicit null means no package')
  assert.equal(app.roles[1]!.persistDirs, ['/data'])
  assert.is(app.services[0]!.id, 'spark-master', "2018 ids with '_' become '-'")
  assert.equal(app.roles[0]!.serviceIds, ['spark-master'])
  assert.equal(app.defaultConfig.configMeta, {k: 'v'})
})

test('announcement form (systemctlMounts, node_services), JSON and YAML give the same app', () => {
  const fromJson = parseApp(example('spark221e2-announcement.json'), 'a.json')
  const fromYaml = parseApp(example('spark221e2-announcement.yaml'), 'a.yaml')
  assert.equal({...fromJson, label: {}}, {...fromYaml, label: {}})
  assert.is(fromJson.systemdRequired, true)
  assert.equal(fromJson.roles[0]!.serviceIds, ['ssh', 'spark', 'spark-master', 'spark-worker'])
  assert.equal(fromJson.roles[2]!.serviceIds, ['ssh', 'jupyter-nb'])
  assert.is(fromJson.roles[2]!.imageRepoTag, 'docker.io/bluedata/jupyter:2.2')
  assert.equal(
    appForm(FieldReader.of(JSON.parse(example('spark221e2-announcement.json')), 'a.json', '')),
    'announcement',
  )
})

test('a role without image and no default image', () => {
  throwsUserError(
    () => parseApp(minimal({roles: [{id: 'a', cardinality: '1'}], defaultImageRepoTag: undefined}), 'app.yaml'),
    'app.yaml: spec.roles[0].imageRepoTag: role a has no image and no top-level default image is given',
  )
})

test('malformed YAML names the line', () => {
  throwsUserError(() => parseApp('apiVersion: x\nkind: [a\nmetadata: {}\n', 'bad.yaml'), /^bad\.yaml: line \d+: malformed YAML: /)
  throwsUserError(() => parseApp('a: 1\n  b: 2\n', 'bad.yaml'), /^bad\.yaml: line 2: malformed YAML: bad indentation/)
})

test('malformed JSON names the line', () => {
  throwsUserError(() => parseApp('{\n  "apiVersion": "x",\n  "kind" "y"\n}\n', 'bad.json'), "bad.json: line 3: malformed JSON: Expected ':' after property name")
})

test('unknown apiVersion or kind lists the allowed ones', () => {
  throwsUserError(
    () => parseApp('apiVersion: kubedirector.hpe.com/v1\nkind: KubeDirectorApp\n', 'a.yaml'),
    'a.yaml: apiVersion: "kubedirector.hpe.com/v1" is not allowed: use one of kubedirector.hpe.com/v1beta1, kubedirector.bluedata.io/v1alpha1',
  )
  throwsUserError(
    () => parseApp('apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\n', 'a.yaml'),
    'a.yaml: kind: "KubeDirectorCluster" is not allowed: use KubeDirectorApp',
  )
})

test('empty and multi-document files', () => {
  throwsUserError(() => parseApp('', 'e.yaml'), 'e.yaml: no KubeDirectorApp found (the file is empty)')
  throwsUserError(() => parseApp(`${minimal({})}\n---\n${minimal({})}`, 'm.yaml'), 'm.yaml: holds 2 documents; an app definition file holds exactly one KubeDirectorApp')
})

test('wrong types name the field', () => {
  throwsUserError(() => parseApp(minimal({roles: 'x'}), 'a.yaml'), 'a.yaml: spec.roles: must be a list, got "x"')
  throwsUserError(() => parseApp(minimal({version: undefined}), 'a.yaml'), 'a.yaml: spec.version: is required')
  throwsUserError(() => parseApp(minimal({systemdRequired: 'yes'}), 'a.yaml'), 'a.yaml: spec.systemdRequired: must be true or false, got "yes"')
})

test.run()
