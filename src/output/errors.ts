// The one place errors are printed: `error: <message>` on stderr, like kubectl. A UserError is the
// user's to fix; anything else is a bug, printed with a hint (and its stack with -v / KUBECTL_KD_DEBUG).
// Messages quote the cluster (a member's last error, a damaged root, a pod's reason): they are escaped
// for the terminal (terminal.ts), their newlines and tabs kept.
import {debugEnabled, isUserError} from '../errors.ts'
import {suggestions} from '../did-you-mean.ts'
import {escapeTerminalLines} from './terminal.ts'

const write = (text: string) => process.stderr.write(escapeTerminalLines(text))

/** One `error: …` line printed before the command's last error (several targets), escaped the same way. */
export const errorLine = (message: string) => escapeTerminalLines(`error: ${message}\n`)

/** Turns oclif's parse errors into kubectl-style one-liners. */
function oclifMessage(err: Error & {oclif?: {exit?: number}; code?: string}, commands: readonly string[]): string | undefined {
  const first = (err.message ?? '').split('\n')[0]!.trim()
  if (err.code === 'EEXIT') return undefined
  if (/^Nonexistent flags?:/.test(first)) return `unknown flag: ${first.replace(/^Nonexistent flags?:\s*/, '')} (see --help)`
  if (/^Missing \d+ required args?/.test(err.message)) {
    const arg = err.message.split('\n')[1]?.trim().split(/\s+/)[0]
    return `missing required argument${arg ? ` ${arg.toUpperCase()}` : ''} (see --help)`
  }
  if (/^Unexpected arguments?:/.test(first)) return `${first.replace(/^Unexpected/, 'unexpected')} (see --help)`
  // a value outside a flag's set, the same words for every flag (--dry-run, --service-type, …)
  const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/.exec(first)
  if (option) return `invalid value "${option[2]}" for --${option[1]}: must be one of ${option[3]}`
  if (/^Expected --/.test(first) || /^Expected an integer/.test(first) || /^Parsing --/.test(first)) return first
  // `kubectl kd staus`, and `kubectl kd help staus` (oclif's help words it otherwise)
  const unknown = /^command (.*) not found\.?$/i.exec(first)
  if (unknown) {
    // oclif joins the words after an unknown command to it (staus:demo); Cobra names the command alone
    const words = unknown[1]!.split(':')
    const topics = new Set(commands.filter((c) => c.includes(' ')).map((c) => c.split(' ')[0]!))
    const id = (topics.has(words[0]!) ? words.slice(0, 2) : words.slice(0, 1)).join(' ')
    // Cobra's wording, with its suggestions when a command is close to what was typed
    const close = suggestions(id, commands)
    if (close.length) return `unknown command "${id}" for "kubectl kd"\n\nDid you mean this?\n${close.map((c) => `\t${c}\n`).join('')}`
    return `unknown command "${id}" for "kubectl kd" (run 'kubectl kd --help' for the list)`
  }
  if (err.oclif) return first
  return undefined
}

/** `commands`: the commands there are, to suggest one for a mistyped command. */
export function printError(err: unknown, commands: readonly string[] = []): number {
  const e = err as Error & {oclif?: {exit?: number}; code?: string}
  if (e?.code === 'EEXIT') return e.oclif?.exit ?? 0
  if (isUserError(err)) {
    write(`error: ${err.message}\n`)
    if (debugEnabled() && err.stack) write(err.stack + '\n')
    return err.exitCode
  }
  const parsed = e instanceof Error ? oclifMessage(e, commands) : undefined
  if (parsed) {
    write(`error: ${parsed.replace(/\n$/, '')}\n`)
    return 1
  }
  const message = e instanceof Error ? e.message.split('\n')[0] : String(err)
  write(`error: ${message}\n`)
  if (debugEnabled()) write(`${e?.stack ?? ''}\n`)
  else write('(this is a bug in kubectl-kd; re-run with -v for details)\n')
  return 1
}
