// Support for the agent e2e suites (not a test file): what the shelldemo package recorded in a member
// (/var/tmp/kd-record: calls.log, configmeta.N.json) and a test-side poll for conditions the CLI has
// no --wait for.
import {kubectl} from '../lib/cluster.ts'

/** The startscript calls a member recorded, without timestamp and pod: `--configure`, `--addnodes …`. */
export function calls(ns: string, pod: string): string[] {
  const out = kubectl(['-n', ns, 'exec', pod, '-c', 'app', '--', 'sh', '-c', 'cat /var/tmp/kd-record/calls.log 2>/dev/null; true'])
  return out.split('\n').filter(Boolean).map((l) => l.split(' ').slice(2).join(' '))
}

/** The configmeta.json the member's n-th startscript call saw. */
export function recordedConfigmeta(ns: string, pod: string, n: number): any {
  return JSON.parse(kubectl(['-n', ns, 'exec', pod, '-c', 'app', '--', 'cat', `/var/tmp/kd-record/configmeta.${n}.json`]))
}

/** Polls until fn returns a truthy value (errors, e.g. while the API server is down, count as "not yet"). */
export async function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 120_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = fn()
      if (v) return v
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}
