// KubeDirector's kdapp rules, each with the exact error text (file, field path, what is allowed).
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {parseApp} from '../../src/app/parse.ts'
import {validateApp} from '../../src/app/validate.ts'
import {applyOverrides} from '../../src/app/overrides.ts'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {throwsUserError} from '../lib/user-errors.ts'
import {minimal} from '../fixtures/apps.ts'

const parse = (spec: Record<string, unknown>) => parseApp(minimal(spec), 'app.yaml')
const config = (roleServices: unknown, selectedRoles: unknown = ['a', 'b']) => ({config: {roleServices, selectedRoles}})

test('the minimal app is valid', () => {
  const app = parse({})
  assert.equal(app.roles.map((r) => r.serviceIds), [['web'], []])
})

test('role ids must be unique', () => {
  throwsUserError(
    () => parse({roles: [{id: 'a', cardinality: '1'}, {id: 'a', cardinality: '2'}]}),
    'app.yaml: spec.roles[1].id: duplicate role id "a" (each must be unique)',
  )
})

test('service ids must be unique', () => {
  throwsUserError(
    () => parse({services: [{id: 'web'}, {id: 'web'}]}),
    'app.yaml: spec.services[1].id: duplicate service id "web" (each must be unique)',
  )
})

test('roleServices must name real roles and services, once per role', () => {
  throwsUserError(
    () => parse(config([{roleID: 'x', serviceIDs: ['web']}])),
    'app.yaml: spec.config.roleServices[0].roleID: unknown role "x"; valid roles: a, b',
  )
  throwsUserError(
    () => parse(config([{roleID: 'a', serviceIDs: ['web', 'nope']}])),
    'app.yaml: spec.config.roleServices[0].serviceIDs[1]: unknown service id "nope"; valid service ids: web',
  )
  throwsUserError(
    () => parse(config([{roleID: 'a', serviceIDs: []}, {roleID: 'a', serviceIDs: []}])),
    'app.yaml: spec.config.roleServices[1].roleID: duplicate role "a" (each roleID in roleServices must be unique)',
  )
})

test('selectedRoles must name real roles, once each, and is required', () => {
  throwsUserError(() => parse(config([], ['a', 'c'])), 'app.yaml: spec.config.selectedRoles[1]: unknown role "c"; valid roles: a, b')
  throwsUserError(() => parse(config([], ['a', 'a'])), 'app.yaml: spec.config.selectedRoles[1]: duplicate selected role "a" (each must be unique)')
  throwsUserError(() => parse({config: {roleServices: []}}), 'app.yaml: spec.config.selectedRoles: is required (the roles that make up the app)')
})

test('every role needs an image', () => {
  throwsUserError(
    () => parse({defaultImageRepoTag: undefined, roles: [{id: 'a', cardinality: '1', imageRepoTag: 'i:1'}, {id: 'b', cardinality: '0+'}]}),
    'app.yaml: spec.roles[1].imageRepoTag: role b has no image and no top-level default image is given',
  )
})

test('service id: at most 15 characters, a DNS label with a letter', () => {
  throwsUserError(
    () => parse({services: [{id: 'jupyter-notebook'}], config: {roleServices: [], selectedRoles: []}}),
    `app.yaml: spec.services[0].id: service id "jupyter-notebook" must be 1-15 characters of a-z, 0-9 and '-' with at least one letter, starting and ending with a letter or digit, no '--' (it names a container port)`,
  )
  throwsUserError(() => parse({services: [{id: 'Web'}]}), /spec\.services\[0\]\.id: service id "Web" must be 1-15 characters/)
  throwsUserError(() => parse({services: [{id: 'web_ui'}]}), /spec\.services\[0\]\.id: service id "web_ui"/)
  throwsUserError(() => parse({services: [{id: '8080'}]}), /spec\.services\[0\]\.id: service id "8080"/)
})

test('cardinality is N or N+', () => {
  throwsUserError(
    () => parse({roles: [{id: 'a', cardinality: '1-3'}, {id: 'b', cardinality: '0+'}]}),
    'app.yaml: spec.roles[0].cardinality: cardinality "1-3" is not allowed: use "N" (exactly N members) or "N+" (at least N), e.g. "1" or "0+"',
  )
  throwsUserError(() => parse({roles: [{id: 'a', cardinality: '+1'}, {id: 'b', cardinality: '0+'}]}), /cardinality "\+1" is not allowed/)
  assert.is(parse({roles: [{id: 'a', cardinality: 3}, {id: 'b', cardinality: '10+'}]}).roles[0]!.cardinality, '3')
})

test('port within 1-65535, and required with an endpoint', () => {
  throwsUserError(() => parse({services: [{id: 'web', endpoint: {port: 0}}]}), 'app.yaml: spec.services[0].endpoint.port: port 0 is out of range 1-65535')
  throwsUserError(() => parse({services: [{id: 'web', endpoint: {port: 65536}}]}), 'app.yaml: spec.services[0].endpoint.port: port 65536 is out of range 1-65535')
  throwsUserError(() => parse({services: [{id: 'web', endpoint: {urlScheme: 'http'}}]}), 'app.yaml: spec.services[0].endpoint.port: is required when an endpoint is given')
})

test('a dashboard needs a urlScheme; urlScheme is a short DNS label', () => {
  throwsUserError(
    () => parse({services: [{id: 'web', endpoint: {port: 80, isDashboard: true}}]}),
    'app.yaml: spec.services[0].endpoint.urlScheme: is required because the endpoint of service web is a dashboard',
  )
  throwsUserError(() => parse({services: [{id: 'web', endpoint: {port: 80, urlScheme: 'HTTP'}}]}), /endpoint\.urlScheme: urlScheme "HTTP" must be 1-15 characters/)
})

test('package URL: file://, http(s)://, configmap://, bundled://', () => {
  for (const packageURL of ['file:///opt/p.tgz', 'https://x/p.tgz', 'http://x/p.tar.gz', 'configmap://kd-pkg-x', 'bundled://shelldemo'])
    assert.is(parse({defaultConfigPackage: {packageURL}}).roles[0]!.configPackage!.packageURL, packageURL)
  throwsUserError(
    () => parse({defaultConfigPackage: {packageURL: 's3://bucket/p.tgz'}}),
    'app.yaml: spec.defaultConfigPackage.packageURL: package URL "s3://bucket/p.tgz" must start with file://, http://, https://, configmap://, bundled://',
  )
  throwsUserError(
    () => parse({roles: [{id: 'a', cardinality: '1', configPackage: {packageURL: 'https://x/p.zip'}}, {id: 'b', cardinality: '0+'}]}),
    'app.yaml: spec.roles[0].configPackage.packageURL: package URL "https://x/p.zip" must name a .tgz file',
  )
})

test('persistDirs are absolute without a trailing slash', () => {
  throwsUserError(() => parse({defaultPersistDirs: ['/data', 'var/lib']}), `app.yaml: spec.defaultPersistDirs[1]: persist dir "var/lib" must be an absolute path without a trailing '/'`)
  throwsUserError(
    () => parse({roles: [{id: 'a', cardinality: '1', persistDirs: ['/data/']}, {id: 'b', cardinality: '0+'}]}),
    `app.yaml: spec.roles[0].persistDirs[0]: persist dir "/data/" must be an absolute path without a trailing '/'`,
  )
})

test('eventList, configSchemaVersion, minResources, containerSpec', () => {
  throwsUserError(() => parse({defaultEventList: ['configure', 'reboot']}), 'app.yaml: spec.defaultEventList[1]: event "reboot" is not allowed: use configure, addnodes, delnodes')
  throwsUserError(() => parse({configSchemaVersion: 6}), 'app.yaml: spec.configSchemaVersion: configSchemaVersion 6 is below the minimum 7')
  throwsUserError(
    () => parse({roles: [{id: 'a', cardinality: '1', minResources: {memory: 'lots'}}, {id: 'b', cardinality: '0+'}]}),
    'app.yaml: spec.roles[0].minResources.memory: "lots" is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 4Gi)',
  )
  throwsUserError(
    () => parse({roles: [{id: 'a', cardinality: '1', containerSpec: {tty: true}}, {id: 'b', cardinality: '0+'}]}),
    'app.yaml: spec.roles[0].containerSpec.tty: role a requests a TTY without stdin; set stdin: true',
  )
})

test('role id pattern', () => {
  throwsUserError(() => parse({roles: [{id: '-a', cardinality: '1'}]}), /spec\.roles\[0\]\.id: role id "-a" must be 1-63 characters/)
})

test('v1alpha1 errors use the snake_case field names', () => {
  const text = `apiVersion: kubedirector.bluedata.io/v1alpha1
kind: KubeDirectorApp
metadata: {name: x}
spec:
  label: {name: X}
  distro_id: x/x
  version: "1"
  image: {repoTag: i:1}
  services: [{id: ssh, endpoint: {port: 22}}]
  roles: [{id: a, cardinality: "1"}]
  config:
    role_services: [{role_id: a, service_ids: [ssh, web]}]
    selected_roles: [a]
`
  throwsUserError(() => parseApp(text, 'old.yaml'), 'old.yaml: spec.config.role_services[0].service_ids[1]: unknown service id "web"; valid service ids: ssh')
})

test('validateApp re-checks a normalized app', () => {
  const app = findBuiltinApp('spark221e2')!
  assert.is(validateApp(app, 'x'), app)
  const broken = structuredClone(app)
  broken.roles[1]!.serviceIds.push('nope')
  throwsUserError(() => validateApp(broken, 'ns app spark221e2'), 'ns app spark221e2: spec.roles[1].serviceIds[2]: unknown service id "nope"; valid service ids: ssh, spark, spark-master, spark-worker, jupyter-nb')
  const noImage = structuredClone(app)
  noImage.roles[0]!.imageRepoTag = ''
  throwsUserError(() => validateApp(noImage, 'x'), 'x: spec.roles[0].imageRepoTag: role controller has no image and no spec.defaultImageRepoTag is given')
})

test('--image / --package overrides', () => {
  const app = findBuiltinApp('spark221e2')!
  const out = applyOverrides(app, {images: {worker: 'localhost/kubectl-kd/spark:3.5.7'}, packages: {controller: 'bundled://spark35', jupyter: 'none'}})
  assert.is(out.roles[1]!.imageRepoTag, 'localhost/kubectl-kd/spark:3.5.7')
  assert.is(out.roles[0]!.imageRepoTag, 'docker.io/bluedata/sparkbase:2.2')
  assert.equal(out.roles[0]!.configPackage, {packageURL: 'bundled://spark35', useNewSetupLayout: false})
  assert.is(out.roles[2]!.configPackage, undefined)
  assert.is(app.roles[1]!.imageRepoTag, 'docker.io/bluedata/sparkbase:2.2', 'the input app is unchanged')
  throwsUserError(() => applyOverrides(app, {images: {master: 'x'}}), '--image master=…: app spark221e2 has no role "master"; its roles are controller, worker, jupyter')
  throwsUserError(() => applyOverrides(app, {packages: {worker: 'ftp://x'}}), '--package worker=ftp://x: package URL "ftp://x" must start with file://, http://, https://, configmap://, bundled://')
})

test.run()
