// Where the launcher (launch.ts) keeps V8 code caches of the CLI script: one per command word, since each
// command compiles different code. The name carries the script's path, size, mtime and inode and Node's
// version, so a rebuilt, moved or upgraded CLI never meets an old cache (V8 itself checks only the
// source's length). Pure, so the names can be tested.
import {dirname, isAbsolute, join} from 'node:path'

/** First words of the commands (src/commands.ts); any other command line shares the cache "other". */
export const COMMAND_WORDS = new Set(['app', 'apply', 'completion', '__complete', 'create', 'delete', 'describe', 'edit', 'get', 'logs', 'open', 'resume', 'run', 'scale', 'status', 'submit', 'suspend', 'version'])

/** Caches older than this are removed when a cache is written (installs that are gone). */
export const STALE_MS = 30 * 24 * 3600_000

/** The cache's kind for a command line: its command word, `-help` added for help. */
export function cacheKind(argv: readonly string[]): string {
  const word = argv.find((a) => COMMAND_WORDS.has(a)) ?? 'other'
  return argv.includes('--help') || argv.includes('-h') || argv[0] === 'help' ? `${word}-help` : word
}

/**
 * The cache directory, or undefined without a home (a shared directory such as /tmp is never used, nor a
 * relative path, which would be the current directory's).
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined)
  return base && isAbsolute(base) ? join(base, 'kubectl-kd', 'code-cache') : undefined
}

/** The directories on the way to the cache that must be this user's own: the cache and its parent. */
export const guardedDirs = (dir: string) => [dirname(dir), dir]

/**
 * Whether a directory may hold this user's code caches (code the CLI runs): owned by the user and not
 * writable by every user (a umask of 002 leaves the user's own group writing, which is theirs to give).
 * `uid` undefined (Windows): no owners to compare.
 */
export function isPrivateDir(st: {uid: number; mode: number}, uid: number | undefined): boolean {
  return uid === undefined || (st.uid === uid && (st.mode & 0o002) === 0)
}

export interface ScriptIdentity {
  path: string
  size: number
  mtimeMs: number
  ino: number
}

/** `<install>-<kind>-`: a new cache replaces files with the same prefix (the same install's older builds). */
export function cachePrefix(path: string, kind: string): string {
  return `${fnv1a(path)}-${kind}-`
}

export function cacheFileName(script: ScriptIdentity, kind: string, node = `${process.version}-${process.arch}`): string {
  return `${cachePrefix(script.path, kind)}${fnv1a(`${script.size}:${script.mtimeMs}:${script.ino}:${node}`)}.bin`
}

/** 32-bit FNV-1a as 8 hex digits: a name, not a checksum (node:crypto costs more to load than the cache saves). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}
