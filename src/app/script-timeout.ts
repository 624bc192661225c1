// The timeout of a config package's scripts (configure, addnodes, delnodes): a kubectl-kd extension,
// written as the annotation kubectl-kd.io/script-timeout on a KubeDirectorApp (all its clusters) or a
// KubeDirectorCluster (wins over the app's). A script still running after it is killed and its member
// is `config error`. Pure.
import {fieldError} from './field-reader.ts'

/** Used when neither the app nor the cluster sets one: long enough for a real configure, short enough to notice a hang. */
export const DEFAULT_SCRIPT_TIMEOUT_SECONDS = 600
export const SCRIPT_TIMEOUT_ANNOTATION = 'kubectl-kd.io/script-timeout'
const SCRIPT_TIMEOUT_PATH = `metadata.annotations["${SCRIPT_TIMEOUT_ANNOTATION}"]`
const MAX_SCRIPT_TIMEOUT_SECONDS = 24 * 3600

const UNIT: Record<string, number> = {s: 1, m: 60, h: 3600}

/** Seconds of `90s`, `10m`, `1h`, `1h30m` or a plain number of seconds; undefined when it is none of these. */
export function parseDuration(value: string): number | undefined {
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v)
  if (!/^(\d+[hms])+$/.test(v)) return undefined
  let total = 0
  for (const [, n, unit] of v.matchAll(/(\d+)([hms])/g)) total += Number(n) * UNIT[unit!]!
  return total
}

/** `90s`, `10m`, `1h30m`: the shortest duration readScriptTimeout() reads back as the same seconds. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || seconds === 0 ? `${s}s` : ''}`
}

/** The annotation a KubeDirectorApp/Cluster written back carries for a timeout (none when it sets none). */
export const scriptTimeoutAnnotations = (seconds: number | undefined) => (seconds !== undefined ? {[SCRIPT_TIMEOUT_ANNOTATION]: formatDuration(seconds)} : undefined)

/** The timeout an annotation value gives, checked; the error names the file and the annotation. */
export function readScriptTimeout(value: string | undefined, source: string, path = SCRIPT_TIMEOUT_PATH): number | undefined {
  if (value === undefined) return undefined
  const seconds = parseDuration(value)
  if (seconds === undefined || seconds < 1 || seconds > MAX_SCRIPT_TIMEOUT_SECONDS)
    throw fieldError(source, path, `${JSON.stringify(value)} is not allowed: use a duration from 1s to 24h, such as 90s, 10m or 1h`)
  return seconds
}

const valid = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_SCRIPT_TIMEOUT_SECONDS

/** The timeout the agent applies to a cluster's scripts (a root edited by hand may hold anything: then the default). */
export function scriptTimeoutOf(app: {scriptTimeoutSeconds?: unknown}, cluster: {scriptTimeoutSeconds?: unknown}): number {
  if (valid(cluster.scriptTimeoutSeconds)) return cluster.scriptTimeoutSeconds
  if (valid(app.scriptTimeoutSeconds)) return app.scriptTimeoutSeconds
  return DEFAULT_SCRIPT_TIMEOUT_SECONDS
}
