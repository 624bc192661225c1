// Flags every command shares (kubectl's connection flags) and the base class that carries them.
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type {Input, ParserOutput} from '@oclif/core/interfaces'
import type {ConnectionOptions} from './kube/connection.ts'
import {UserError, debugEnabled, verbosity} from './errors.ts'
import {REQUEST_LOG_LEVEL, bareDryRun, klogPrefix, takeVerbosity} from './kubectl-argv.ts'

const connectionFlags = {
  kubeconfig: Flags.string({description: 'Path to the kubeconfig file to use', helpGroup: 'GLOBAL'}),
  context: Flags.string({description: 'The name of the kubeconfig context to use', helpGroup: 'GLOBAL'}),
  namespace: Flags.string({char: 'n', description: 'The namespace scope for this request', helpGroup: 'GLOBAL'}),
  'request-timeout': Flags.string({
    description: "Time to wait for a single API request (e.g. 1s, 2m; '0' means no timeout)",
    default: '0',
    helpGroup: 'GLOBAL',
  }),
  verbose: Flags.boolean({char: 'v', description: 'Log each API request and show stack traces on errors; kubectl\'s -v=6 (or higher) logs the requests', helpGroup: 'GLOBAL'}),
}

export const outputFlag = (formats: readonly string[]) =>
  Flags.string({char: 'o', description: `Output format: one of ${formats.map((f) => (f === 'jsonpath' ? 'jsonpath=TEMPLATE' : f)).join('|')}`})

/** kubectl-style duration: 30s, 5m, 1h, 1m30s, or a plain number of seconds. Returns milliseconds. */
export function parseDuration(value: string, flag: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let ms = 0
  let m: RegExpExecArray | null
  let consumed = 0
  while ((m = re.exec(value))) {
    ms += Number(m[1]) * {ms: 1, s: 1000, m: 60_000, h: 3_600_000}[m[2] as 'ms' | 's' | 'm' | 'h']
    consumed = re.lastIndex
  }
  if (consumed !== value.length || value === '') {
    throw new UserError(`invalid value "${value}" for flag --${flag}: a duration like 30s, 5m or 1h30m is expected`)
  }
  return ms
}

export interface ConnectionFlags {
  kubeconfig?: string
  context?: string
  namespace?: string
  'request-timeout'?: string
}

export function connectionOptions(flags: ConnectionFlags): ConnectionOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    requestTimeoutMs: parseDuration(flags['request-timeout'] ?? '0', 'request-timeout'),
    ...(debugEnabled() || verbosity() >= REQUEST_LOG_LEVEL ? {debug: (line: string) => void process.stderr.write(`${klogPrefix('I', 'http-client.ts')}${line}\n`)} : {}),
  }
}

/** -v=N, for this process and what it starts (KUBECTL_KD_V): from kubectl's request-logging level on, each request is logged. */
export function applyVerbosity(level: number | undefined): void {
  if (level !== undefined) process.env.KUBECTL_KD_V = String(level)
}

export abstract class KdCommand extends Command {
  static baseFlags = connectionFlags

  /** kubectl's forms oclif does not read (kubectl-argv.ts): -v=N, and a bare --dry-run where the command has --dry-run. */
  protected override async parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(options?: Input<F, B, A>, argv: string[] = this.argv): Promise<ParserOutput<F, B, A>> {
    const verbosity = takeVerbosity(argv)
    applyVerbosity(verbosity.level)
    let words = verbosity.argv
    const dryRun = options?.flags?.['dry-run'] as {options?: readonly string[]} | undefined
    if (dryRun) {
      const bare = bareDryRun(words, dryRun.options ?? [])
      words = bare.argv
      for (const w of bare.warnings) process.stderr.write(`${klogPrefix('W', 'kubectl-argv.ts')}${w}\n`)
    }
    return super.parse(options, words)
  }
}
