// Where the plugin's own files are at run time (source checkout, npm install, or a release archive):
// the directory holding its package.json, found by walking up from this module.
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let root: string | undefined

function pluginRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pj = join(dir, 'package.json')
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'kubectl-kd') return (root = dir)
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find the kubectl-kd installation directory (package.json)')
    dir = up
  }
}

/** A config package that ships with the plugin (bundled://DIR). */
export const bundledPackageDir = (dir: string) => join(pluginRoot(), 'examples', 'packages', dir)

/** The bundled agent program (built by npm run build). */
export const agentBundlePath = () => join(pluginRoot(), 'dist', 'agent.mjs')

/** The bundled runner of managed Spark jobs (built by npm run build). */
export const runnerBundlePath = () => join(pluginRoot(), 'dist', 'runner.mjs')
