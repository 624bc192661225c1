// plugin-manifest/ is what render-agent.ts renders today (regenerate: node --import tsx plugin-manifest/generate.ts).
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {loadAll} from 'js-yaml'
import {pluginManifests} from '../../plugin-manifest/generate.ts'

const dir = new URL('../../plugin-manifest/', import.meta.url)

test('plugin-manifest/*.yaml match a fresh render of the agent', () => {
  for (const [file, text] of Object.entries(pluginManifests())) {
    assert.fixture(readFileSync(new URL(file, dir), 'utf8'), text, `plugin-manifest/${file} is stale: run node --import tsx plugin-manifest/generate.ts`)
  }
})

test('the agent gets a namespaced Role only, no cluster-wide rights', () => {
  const docs = Object.values(pluginManifests()).flatMap((t) => loadAll(t)) as {kind: string; metadata: {namespace?: string}}[]
  assert.equal(docs.map((d) => d.kind).sort(), ['Deployment', 'Role', 'RoleBinding', 'ServiceAccount'])
  assert.ok(docs.every((d) => d.metadata.namespace === 'default'))
})

test.run()
