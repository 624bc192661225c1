// -o yaml|json round trips: an App written as a KubeDirectorApp and read back is the same App (every
// built-in app and the examples), and a stored cluster written as a KubeDirectorCluster and read back
// resolves to the same cluster.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {dump, load} from 'js-yaml'
import {builtinApps} from '../../src/app/catalog.ts'
import {appToManifest, formatDuration} from '../../src/app/manifest.ts'
import {appFromObject, parseApp} from '../../src/app/parse.ts'
import {parseDuration} from '../../src/app/script-timeout.ts'

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

test.run()
