// Bundles the CLI and the agent.
//   dist/kubectl-kd.cjs the launcher (src/launch.ts): runs dist/cli.cjs from V8's code cache
//   dist/cli.cjs        oclif, every command and the project's code, one CommonJS script (so that one code
//                       cache covers all the code a command runs at start-up)
//   dist/vendor.cjs     the heavy libraries few commands load: @kubernetes/client-node (exec plugins, OIDC)
//                       and listr2 (Node's compile cache covers it)
//   dist/agent.mjs      the agent, one minified file the plugin ships to the cluster in a ConfigMap
//   dist/runner.mjs     a managed Spark job's runner (src/runner), shipped the same way
import {build} from 'esbuild'
import {existsSync, readFileSync, renameSync, rmSync} from 'node:fs'
import {dirname, join} from 'node:path'

// what dist/vendor.cjs exports, and the package each name stands for
const VENDOR = {k8s: '@kubernetes/client-node', listr2: 'listr2'}
const vendorName = new Map(Object.entries(VENDOR).map(([name, pkg]) => [pkg, name]))

const esmBanner = {js: "import {createRequire as __kdCreateRequire} from 'node:module'; const require = __kdCreateRequire(import.meta.url);"}
const common = {bundle: true, platform: 'node', target: 'node22', legalComments: 'none', logLevel: 'warning'}
const minified = {minifySyntax: true, minifyWhitespace: true}
// in a CommonJS bundle, import.meta.url (the catalog's and the project's paths) is the script's own URL
const scriptUrl = {define: {'import.meta.url': '__kdScriptUrl'}, banner: {js: "const __kdScriptUrl = require('node:url').pathToFileURL(__filename).href;"}}

/** In the CLI script, each vendor package is a module that requires its part of dist/vendor.cjs. */
const vendorExternal = {
  name: 'vendor-external',
  setup(b) {
    const filter = new RegExp(`^(${Object.values(VENDOR).join('|').replace(/\//g, '\\/')})$`)
    b.onResolve({filter}, (args) => ({path: vendorName.get(args.path), namespace: 'vendor'}))
    b.onResolve({filter: /^\.\/vendor\.cjs$/}, (args) => ({path: args.path, external: true}))
    b.onLoad({filter: /.*/, namespace: 'vendor'}, (args) => ({contents: `module.exports = require('./vendor.cjs').${args.path}`, loader: 'js'}))
  },
}

/**
 * oclif sorts the command list with String#localeCompare at every start, and the first localeCompare of a
 * process builds an ICU collator (6-9 ms). Command ids are ASCII, so code-unit order is the same order.
 * The build fails if oclif's line changes (a new oclif version needs this looked at again).
 */
const oclifCommandSort = {
  name: 'oclif-command-sort',
  setup(b) {
    b.onLoad({filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, (args) => {
      const before = '.sort((a, b) => a.id.localeCompare(b.id));'
      const source = readFileSync(args.path, 'utf8')
      if (!source.includes(before)) throw new Error(`${args.path}: the command sort to replace is not there`)
      return {contents: source.replace(before, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));'), loader: 'js'}
    })
  },
}

/**
 * Modules oclif requires when it loads but uses only in rare cases: child_process, perf_hooks and readline
 * (a Windows shell, --perf, reading stdin), tinyglobby and minimatch (finding commands by file pattern,
 * filtering plugins; this CLI lists its commands itself). A proxy requires each on first use, so a
 * command's start does not (~6 ms). And oclif's import of wsl-utils, which loads child_process, goes to
 * a shim with the same answers.
 */
const LAZY = new Set(['child_process', 'perf_hooks', 'readline', 'tinyglobby', 'minimatch'])
const oclifLazyLoads = {
  name: 'oclif-lazy-loads',
  setup(b) {
    const oclif = /[\\/]@oclif[\\/]core[\\/]lib[\\/]/
    b.onResolve({filter: /^(node:)?[a-z_]+$/}, (args) => {
      const name = args.path.replace(/^node:/, '')
      if (args.kind !== 'require-call' || !oclif.test(args.importer) || !LAZY.has(name)) return undefined
      return {path: args.path, namespace: 'lazy', pluginData: {resolveDir: dirname(args.importer)}}
    })
    b.onLoad({filter: /.*/, namespace: 'lazy'}, (args) => ({
      contents: `let m; module.exports = new Proxy({}, {get: (_, key) => (m ??= require(${JSON.stringify(args.path)}))[key]})`,
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }))
    b.onResolve({filter: /^wsl-utils$/}, (args) => (oclif.test(args.importer) ? {path: join(process.cwd(), 'scripts', 'build-shims', 'wsl-utils.mjs')} : undefined))
  },
}

// built beside dist and moved into place at the end: a build running while a test runs the plugin (or
// beside another build) never leaves dist half-written
const out = `dist.building-${process.pid}`
rmSync(out, {recursive: true, force: true})
await build({
  ...common,
  ...minified,
  format: 'cjs',
  entryPoints: {cli: 'src/cli.ts'},
  outdir: out,
  outExtension: {'.js': '.cjs'},
  // import() becomes require(): the script runs in a vm.Script (launch.ts), where import() needs an
  // experimental flag; every module it loads is CommonJS or bundled
  supported: {'dynamic-import': false},
  ...scriptUrl,
  plugins: [vendorExternal, oclifCommandSort, oclifLazyLoads],
})
await build({
  ...common,
  ...minified,
  format: 'cjs',
  stdin: {contents: Object.entries(VENDOR).map(([name, pkg]) => `export * as ${name} from '${pkg}'`).join('\n'), resolveDir: process.cwd(), loader: 'js'},
  outfile: `${out}/vendor.cjs`,
})
// CommonJS too: Node starts a CommonJS main module without setting up its ESM loader
await build({...common, ...minified, format: 'cjs', entryPoints: {'kubectl-kd': 'src/launch.ts'}, outdir: out, outExtension: {'.js': '.cjs'}, define: scriptUrl.define, banner: scriptUrl.banner})
if (existsSync('agent/src/main.ts')) {
  await build({...common, format: 'esm', banner: esmBanner, entryPoints: {agent: 'agent/src/main.ts'}, outdir: out, outExtension: {'.js': '.mjs'}, minify: true})
}
await build({...common, format: 'esm', banner: esmBanner, entryPoints: {runner: 'src/runner/main.ts'}, outdir: out, outExtension: {'.js': '.mjs'}, minify: true})
rmSync('dist', {recursive: true, force: true})
renameSync(out, 'dist')
