// Entry point of the bundled CLI (dist/kubectl-kd.js). Keeps start-up small: oclif loads the command
// registry, and each command imports its action (and @kubernetes/client-node) only when it runs.
import module from 'node:module'
import {flush} from '@oclif/core/flush'
import {run} from '@oclif/core/run'
import {printError} from './output/errors.ts'

module.enableCompileCache?.()

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(`error: kubectl-kd needs Node.js >= 22.19 (this is ${process.version}); set KUBECTL_KD_NODE to a newer node\n`)
  process.exit(1)
}

// `kubectl kd … | head` must not print EPIPE errors
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
})

const argv = process.argv.slice(2)
if (argv.includes('-v') || argv.includes('--verbose')) process.env.KUBECTL_KD_DEBUG ??= '1'

try {
  await run(argv, import.meta.url)
  await flush()
} catch (err) {
  process.exitCode = printError(err)
}
