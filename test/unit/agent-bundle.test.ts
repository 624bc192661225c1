// The agent bundle (and the managed jobs' runner, shipped the same way) stays lean: no @kubernetes/client-node (its generated models tripled the agent's
// memory), well under the ConfigMap limit. Bundles agent/src/main.ts in memory like scripts/build.mjs.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {build} from 'esbuild'
import {gzipSync} from 'node:zlib'

test('the agent bundle has no @kubernetes/client-node and stays small', async () => {
  const r = await build({entryPoints: ['agent/src/main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, write: false, metafile: true, outfile: 'agent.mjs', logLevel: 'silent'})
  const inputs = Object.keys(r.metafile.inputs)
  assert.equal(inputs.filter((i) => i.includes('@kubernetes/client-node') || i.endsWith('src/kube/connection.ts')), [])
  const bytes = r.outputFiles[0]!.contents
  assert.ok(bytes.length < 400 * 1024, `agent bundle is ${bytes.length} bytes`)
  assert.ok(gzipSync(bytes).length < 150 * 1024)
})

test('the managed jobs\' runner bundle has no @kubernetes/client-node, no CLI framework, and stays small', async () => {
  const r = await build({entryPoints: ['src/runner/main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, write: false, metafile: true, outfile: 'runner.mjs', logLevel: 'silent'})
  const inputs = Object.keys(r.metafile.inputs)
  assert.equal(inputs.filter((i) => /@kubernetes\/client-node|@oclif|listr2|src\/kube\/connection\.ts|src\/commands\//.test(i)), [])
  const bytes = r.outputFiles[0]!.contents
  assert.ok(bytes.length < 300 * 1024, `runner bundle is ${bytes.length} bytes`)
})

test.run()
