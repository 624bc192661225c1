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
  return withAgentLog(args, {code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}, opts.env)
}

/** Same as kd() without blocking the event loop (for tests that do something while the command runs). */
export function kdAsync(args: string[], opts: {env?: Record<string, string | undefined>} = {}): Promise<Run> & {kill: (signal?: NodeJS.Signals) => void; stdout: () => string} {
  const child = spawn(kdBin, args, {env: {...process.env, CI: '1', ...opts.env}})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const p = new Promise<Run>((resolve) => child.on('close', (code) => resolve(withAgentLog(args, {code: code ?? -1, stdout, stderr}, opts.env))))
  // stdout(): what it printed so far (a watch that is still running)
  return Object.assign(p, {kill: (signal: NodeJS.Signals = 'SIGINT') => child.kill(signal), stdout: () => stdout})
}

/** A user mistake: exactly one `error: …` line on stderr, exit 1, no stack trace. */
export function isOneLineError(r: Run): boolean {
  const lines = r.stderr.trim().split('\n')
  return r.code === 1 && lines.length === 1 && lines[0]!.startsWith('error: ') && !/\bat .*\(.*:\d+:\d+\)/.test(r.stderr)
}

/**
 * A `--wait` that timed out on a cluster gets the tail of that cluster's agent log appended to its stderr,
 * so a failed test run shows what the agent did (the plugin's own message says which members are stuck).
 */
function withAgentLog(args: string[], r: Run, env?: Record<string, string | undefined>): Run {
  const m = /timed out waiting for cluster\/(\S+) to be configured/.exec(r.stderr)
  if (!m) return r
  const i = args.indexOf('-n')
  const ns = i >= 0 ? args[i + 1] : undefined
  const log = spawnSync('kubectl', [...(ns ? ['-n', ns] : []), 'logs', `deploy/${m[1]}-kd-agent`, '--tail=60', '--all-containers'], {env: {...process.env, ...env}, encoding: 'utf8', timeout: 30_000})
  return {...r, stderr: `${r.stderr}\n--- agent log (last 60 lines) ---\n${log.stdout ?? ''}${log.stderr ?? ''}`}
}
