// dist/kubectl-kd.cjs: checks Node's version, then runs the CLI script (dist/cli.cjs) from a V8 code cache.
// Node's own compile cache stores a module as compiled before it runs, which is its top level only, so
// every function oclif and a command run at start-up was parsed and compiled again on each run (about a
// third of `kubectl kd get`). A code cache made after a run holds all that run compiled. It is made
// after a run that succeeded, when missing or rejected by V8 (other V8 flags); names: code-cache.ts.
// Nothing here may fail a command: without a cache the script is compiled as Node would.
import {mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {Module, createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'
import {STALE_MS, cacheDir, cacheFileName, cacheKind, cachePrefix, guardedDirs, isPrivateDir} from './code-cache.ts'
import {takeVerbosity} from './kubectl-argv.ts'

type Cli = typeof import('./cli.ts')

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`error: kubectl-kd needs Node.js >= 22.19 (this is ${process.version}); set KUBECTL_KD_NODE to a newer node\n`)
  process.exit(1)
}

const argv = process.argv.slice(2)
// child processes (credential plugins, spark-submit) get the variable the launcher moved aside (kube/extra-ca.ts)
if (process.env.KUBECTL_KD_EXTRA_CA_CERTS) process.env.NODE_EXTRA_CA_CERTS = process.env.KUBECTL_KD_EXTRA_CA_CERTS
const file = realpathSync(join(dirname(fileURLToPath(import.meta.url)), 'cli.cjs'))
const cli = process.env.NODE_DISABLE_COMPILE_CACHE ? (createRequire(file)(file) as Cli) : runCached(file, cacheKind(argv))
void cli.main(argv, file)

/** Runs the script as Node's require would (registered in require.cache, so oclif's require finds it). */
function runCached(path: string, kind: string): Cli {
  const require = createRequire(path)
  const source = readFileSync(path, 'utf8')
  const dir = usableDir(cacheDir())
  let cacheFile: string | undefined
  let cached: Buffer | undefined
  try {
    const st = statSync(path)
    if (dir) cacheFile = join(dir, cacheFileName({path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino}, kind))
    if (cacheFile) cached = readFileSync(cacheFile)
  } catch {}
  // the wrapper keeps the script's line numbers (stack traces)
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: path,
    cachedData: cached,
  })
  const mod = new Module(path)
  mod.filename = path
  require.cache[path] = mod
  ;(script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, require, mod, path, dirname(path))
  mod.loaded = true
  const bare = takeVerbosity(argv).argv // -v 6 is kubectl's verbosity, not -v
  if (process.env.KUBECTL_KD_DEBUG || bare.includes('-v') || bare.includes('--verbose')) {
    process.stderr.write(`I kd code cache ${cacheFile ?? '(no cache directory)'}: ${!cached ? 'none yet' : script.cachedDataRejected ? 'rejected' : 'used'}\n`)
  }
  if (dir && cacheFile && (!cached || script.cachedDataRejected)) {
    const target = cacheFile
    process.once('exit', (code) => {
      if (code === 0) save(script, dir, target, cachePrefix(path, kind))
    })
  }
  return mod.exports as Cli
}

/** `dir` when the directories on the way that exist are this user's own and closed to others, else undefined. */
function usableDir(dir: string | undefined): string | undefined {
  if (!dir) return undefined
  const uid = process.getuid?.()
  for (const d of guardedDirs(dir)) {
    try {
      if (!isPrivateDir(statSync(d), uid)) return undefined
    } catch {
      // not there yet: save() makes it, mode 0700
    }
  }
  return dir
}

function save(script: Script, dir: string, target: string, prefix: string): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const tmp = `${target}.${process.pid}`
    writeFileSync(tmp, script.createCachedData(), {mode: 0o600})
    renameSync(tmp, target)
    const now = Date.now()
    for (const name of readdirSync(dir)) {
      const other = join(dir, name)
      if (other === target) continue
      if (name.startsWith(prefix) || now - statSync(other).mtimeMs > STALE_MS) unlinkSync(other)
    }
  } catch {}
}
