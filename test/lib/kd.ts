// Runs the real plugin binary (bin/kubectl-kd → the built bundle) the way a user does, capturing
// stdout, stderr and the exit code.
import {spawnSync, spawn} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const kdBin = join(repoRoot, 'bin', 'kubectl-kd')

export interface Run {
  code: number
  stdout: string
  stderr: string
}

export function kd(args: string[], opts: {input?: string; env?: Record<string, string | undefined>; timeoutMs?: number} = {}): Run {
  const r = spawnSync(kdBin, args, {
    input: opts.input,
    env: {...process.env, CI: '1', ...opts.env},
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return {code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

/** Same as kd() without blocking the event loop (for tests that do something while the command runs). */
export function kdAsync(args: string[], opts: {env?: Record<string, string | undefined>} = {}): Promise<Run> & {kill: (signal?: NodeJS.Signals) => void} {
  const child = spawn(kdBin, args, {env: {...process.env, CI: '1', ...opts.env}})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const p = new Promise<Run>((resolve) => child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr})))
  return Object.assign(p, {kill: (signal: NodeJS.Signals = 'SIGINT') => child.kill(signal)})
}

/** A user mistake: exactly one `error: …` line on stderr, exit 1, no stack trace. */
export function isOneLineError(r: Run): boolean {
  const lines = r.stderr.trim().split('\n')
  return r.code === 1 && lines.length === 1 && lines[0]!.startsWith('error: ') && !/\bat .*\(.*:\d+:\d+\)/.test(r.stderr)
}
