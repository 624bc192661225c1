// The CLI (dist/cli.cjs, started by src/launch.ts): oclif's run over the command registry, which is
// exported from here too so that oclif's `require` of dist/cli.cjs (package.json oclif.commands and
// oclif.helpClass) gets this same, already loaded script. Each command imports its action (and the
// libraries in dist/vendor) only when it runs.
import {flush} from '@oclif/core/flush'
import {run} from '@oclif/core/run'
import type {LoadOptions} from '@oclif/core/interfaces'
import {printError} from './output/errors.ts'
import {COMMANDS} from './commands.ts'
import {helpArgv, hoistGlobalFlags, takeVerbosity} from './kubectl-argv.ts'
import {applyVerbosity} from './base-command.ts'

export {COMMANDS, KdHelp} from './commands.ts'

/** What `kubectl kd staus` may have meant: the visible commands, as typed (`app list`). */
const commandNames = () =>
  Object.entries(COMMANDS)
    .filter(([, c]) => !(c as {hidden?: boolean}).hidden)
    .map(([id]) => id.replaceAll(':', ' '))

/** Every command as typed, hidden ones included. */
const allCommandNames = () => Object.keys(COMMANDS).map((id) => id.replaceAll(':', ' '))

/** Runs one command line; `load` tells oclif where the project is (a path inside it, or its package.json). */
export async function main(argv: string[], load: LoadOptions): Promise<void> {
  // `kubectl kd … | head` must not print EPIPE errors
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
  })
  // -v / --verbose, and kubectl's -v=N (an error before a command parses its flags honours them too)
  const verbosity = takeVerbosity(argv)
  if (verbosity.argv.includes('-v') || verbosity.argv.includes('--verbose')) process.env.KUBECTL_KD_DEBUG ??= '1'
  applyVerbosity(verbosity.level)
  try {
    await run(helpArgv(hoistGlobalFlags(argv, allCommandNames())), load)
    await flush()
  } catch (err) {
    process.exitCode = printError(err, commandNames())
  }
}
