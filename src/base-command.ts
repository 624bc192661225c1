// Flags every command shares (kubectl's connection flags) and the base class that carries them.
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type {ConnectionOptions} from './kube/connection.ts'
import {UserError, debugEnabled} from './errors.ts'

const connectionFlags = {
  kubeconfig: Flags.string({description: 'Path to the kubeconfig file to use', helpGroup: 'GLOBAL'}),
  context: Flags.string({description: 'The name of the kubeconfig context to use', helpGroup: 'GLOBAL'}),
  namespace: Flags.string({char: 'n', description: 'The namespace scope for this request', helpGroup: 'GLOBAL'}),
  'request-timeout': Flags.string({
    description: "Time to wait for a single API request (e.g. 1s, 2m; '0' means no timeout)",
    default: '0',
    helpGroup: 'GLOBAL',
  }),
  verbose: Flags.boolean({char: 'v', description: 'Log API calls and show stack traces on errors', helpGroup: 'GLOBAL'}),
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
    ...(debugEnabled() ? {debug: (line: string) => void process.stderr.write(`${line}\n`)} : {}),
  }
}

export abstract class KdCommand extends Command {
  static baseFlags = connectionFlags
}
