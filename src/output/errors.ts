// The one place errors are printed: `error: <message>` on stderr, like kubectl. A UserError is the
// user's to fix; anything else is a bug, printed with a hint (and its stack with -v / KUBECTL_KD_DEBUG).
import {debugEnabled, isUserError} from '../errors.ts'

/** Turns oclif's parse errors into kubectl-style one-liners. */
function oclifMessage(err: Error & {oclif?: {exit?: number}; code?: string}): string | undefined {
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
  if (/^command .* not found$/.test(first)) {
    const id = first.replace(/^command (.*) not found$/, '$1').replace(/:/g, ' ')
    return `unknown command "${id}" for "kubectl kd" (run 'kubectl kd --help' for the list)`
  }
  if (err.oclif) return first
  return undefined
}

export function printError(err: unknown): number {
  const e = err as Error & {oclif?: {exit?: number}; code?: string}
  if (e?.code === 'EEXIT') return e.oclif?.exit ?? 0
  if (isUserError(err)) {
    process.stderr.write(`error: ${err.message}\n`)
    if (debugEnabled() && err.stack) process.stderr.write(err.stack + '\n')
    return err.exitCode
  }
  const parsed = e instanceof Error ? oclifMessage(e) : undefined
  if (parsed) {
    process.stderr.write(`error: ${parsed}\n`)
    return 1
  }
  const message = e instanceof Error ? e.message.split('\n')[0] : String(err)
  process.stderr.write(`error: ${message}\n`)
  if (debugEnabled()) process.stderr.write(`${e?.stack ?? ''}\n`)
  else process.stderr.write('(this is a bug in kubectl-kd; re-run with -v for details)\n')
  return 1
}
