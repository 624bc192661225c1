// Bundles the CLI (lazy chunks, so `--help` never loads @kubernetes/client-node) and the agent
// (one minified file the plugin ships to the cluster in a ConfigMap).
import {build} from 'esbuild'
import {existsSync, rmSync} from 'node:fs'

const banner = {js: "import {createRequire as __kdCreateRequire} from 'node:module'; const require = __kdCreateRequire(import.meta.url);"}
const common = {bundle: true, platform: 'node', format: 'esm', target: 'node22', banner, legalComments: 'none', logLevel: 'warning'}

rmSync('dist', {recursive: true, force: true})
await build({
  ...common,
  entryPoints: {'kubectl-kd': 'src/cli.ts', commands: 'src/commands.ts'},
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minifySyntax: true,
  minifyWhitespace: true,
})
if (existsSync('agent/src/main.ts')) {
  await build({...common, entryPoints: {agent: 'agent/src/main.ts'}, outdir: 'dist', outExtension: {'.js': '.mjs'}, minify: true})
}
