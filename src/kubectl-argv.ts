// kubectl's command-line forms that oclif does not parse, turned into the ones it does: `help COMMAND`,
// global flags before the command, verbosity as `-v=6` / `-v 6` / `--v=6`, and a bare `--dry-run`
// (kubectl: client, with its deprecation warning). Pure: words in, words out; the caller applies levels
// and prints warnings.

/** `kubectl kd help [COMMAND...]` is `kubectl kd [COMMAND...] --help` (Cobra's help command). */
export function helpArgv(argv: readonly string[]): string[] {
  if (argv[0] !== 'help') return [...argv]
  return [...argv.slice(1).filter((w) => w !== '--help' && w !== '-h'), '--help']
}

/** kubectl's flags that may come before the command (`kubectl kd -n team status demo`), and whether they take a value. */
const GLOBAL_FLAGS: Record<string, boolean> = {'-n': true, '--namespace': true, '--context': true, '--kubeconfig': true, '--request-timeout': true, '-A': false, '--all-namespaces': false}

/**
 * `kubectl kd -n team status demo` is `kubectl kd status -n team demo`: kubectl's global flags written
 * before the command move to just after its words (`commands`: ids such as `status`, `app list`), so that
 * they never become a command's trailing arguments (submit's application arguments).
 */
export function hoistGlobalFlags(argv: readonly string[], commands: readonly string[]): string[] {
  const flags: string[] = []
  let i = 0
  while (i < argv.length) {
    const w = argv[i]!
    if (/^--?v=\d+$/.test(w)) {
      flags.push(w)
      i += 1
      continue
    }
    const name = w.startsWith('--') ? w.split('=')[0]! : w.length > 2 && w.startsWith('-n') ? '-n' : w
    if (!(name in GLOBAL_FLAGS)) break
    const inline = w !== name
    if (GLOBAL_FLAGS[name] && !inline) {
      if (i + 1 >= argv.length) break
      flags.push(w, argv[i + 1]!)
      i += 2
    } else {
      flags.push(w)
      i += 1
    }
  }
  if (!flags.length) return [...argv]
  const rest = argv.slice(i)
  const known = new Set(commands)
  let words = 0
  for (let n = 1; n <= rest.length && !rest[n - 1]!.startsWith('-'); n++) if (known.has(rest.slice(0, n).join(' '))) words = n
  return [...rest.slice(0, words), ...flags, ...rest.slice(words)]
}

const LEVEL = /^\d+$/

/**
 * Takes kubectl's verbosity flag out of the words of a command: `-v=N`, `--v=N`, `-v N`, `--v N`
 * (N a number). A bare `-v` is left alone (the `--verbose` flag). Nothing after `--` is looked at.
 * `level` is the last one given.
 */
export function takeVerbosity(argv: readonly string[]): {argv: string[]; level?: number} {
  const out: string[] = []
  let level: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!
    if (w === '--') {
      out.push(...argv.slice(i))
      break
    }
    const m = /^--?v=(.*)$/.exec(w)
    if (m && LEVEL.test(m[1]!)) {
      level = Number(m[1])
      continue
    }
    if ((w === '-v' || w === '--v') && LEVEL.test(argv[i + 1] ?? '')) {
      level = Number(argv[++i])
      continue
    }
    out.push(w)
  }
  return {argv: out, level}
}

/** kubectl logs each API request from this level on (its round tripper at -v=6). */
export const REQUEST_LOG_LEVEL = 6

/**
 * kubectl's `--dry-run` without a value means client (with a warning that it is deprecated), and its old
 * boolean values are still taken: `--dry-run=true` is client, `--dry-run=false` none, each with its
 * warning. A value given as the next word (`--dry-run server`) stays that flag's value when it is one
 * of `values`, as oclif has always read it.
 */
export function bareDryRun(argv: readonly string[], values: readonly string[]): {argv: string[]; warnings: string[]} {
  const out: string[] = []
  const warnings: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!
    if (w === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (w === '--dry-run' && !values.includes(argv[i + 1] ?? '')) {
      warnings.push('--dry-run is deprecated and can be replaced with --dry-run=client.')
      out.push('--dry-run=client')
    } else if (w === '--dry-run=true' || w === '--dry-run=false') {
      const now = w === '--dry-run=true' ? 'client' : 'none'
      warnings.push(`${w} is deprecated (boolean value) and can be replaced with --dry-run=${now}.`)
      out.push(`--dry-run=${now}`)
    } else out.push(w)
  }
  return {argv: out, warnings}
}

/** A klog line header as kubectl writes it: `W1203 08:15:49.477784   17399 FILE] ` (severity, date, time, pid). */
export function klogPrefix(severity: 'I' | 'W' | 'E', where: string, now = new Date(), pid = process.pid): string {
  const two = (n: number) => String(n).padStart(2, '0')
  const micros = String(now.getMilliseconds() * 1000).padStart(6, '0')
  return `${severity}${two(now.getMonth() + 1)}${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${micros} ${String(pid).padStart(7)} ${where}] `
}
