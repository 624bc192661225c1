// The `kubectl kd …` examples of README.md and of every command's --help, and how the two end-to-end suites
// that run them (test/e2e/readme-examples.test.ts, test/e2e/readme-spark-examples.test.ts) run one: as
// shown, through kubectl's plugin mechanism, in a shell, from a directory with the repository's examples/
// and test/, against the local cluster. Each must exit 0, or, where the README shows `error: …` lines
// after it, exit 1 with exactly those error lines (the README's namespace `readme` read as the test's). A
// mutation line the README shows (`cluster/web unchanged`, `job/pi-f09135a2041b6e1f created`, a job's
// generated id read as any such id) must be printed as shown, on stdout or stderr (the README shows both).
//
// Every example is run by exactly one of the two suites or skipped by name with the reason (SKIP):
// isSparkExample decides which suite.
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, symlinkSync, copyFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {env, kubectl} from './cluster.ts'
import {repoRoot} from './kd.ts'
import {COMMANDS} from '../../src/commands.ts'

export interface Example {
  source: 'README' | 'help'
  line: string
  /** the output the README shows under it */
  documented: string[]
}

/** `$ kubectl kd …` lines of console blocks (with the output shown under them) and `kubectl kd …` lines of sh blocks. */
export function readmeExamples(text: string): Example[] {
  const out: Example[] = []
  let lang: string | undefined
  let current: Example | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const fence = /^```(\w*)/.exec(raw)
    if (fence) {
      lang = lang === undefined ? fence[1] : undefined
      current = undefined
      continue
    }
    if (lang === undefined) continue
    let line = raw
    const command = lang === 'console' ? /^\$ (.*)$/.exec(line)?.[1] : lang === 'sh' ? line : undefined
    if (command === undefined) {
      current?.documented.push(line)
      continue
    }
    line = command
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`
    line = line.replace(/\s+#\s.*$/, '')
    current = undefined
    if (!/^([A-Z_]+=("[^"]*"|'[^']*'|\S+)\s+)*kubectl kd /.test(line.trim())) continue
    current = {source: 'README', line: line.trim(), documented: []}
    out.push(current)
  }
  return out
}

/** The examples of every command's --help, one per line. */
export function helpExamples(): Example[] {
  const out: Example[] = []
  for (const command of Object.values(COMMANDS)) {
    for (const e of (command as {examples?: (string | {command: string})[]}).examples ?? [])
      for (const line of (typeof e === 'string' ? e : e.command).split('\n')) out.push({source: 'help', line: line.replaceAll('<%= config.bin %>', 'kubectl kd').trim(), documented: []})
  }
  return out
}

export const readme = readmeExamples(readFileSync(join(repoRoot, 'README.md'), 'utf8'))
export const help = helpExamples()

/**
 * Whether an example submits Spark jobs or reads them (a `submit`, the verbs of scheduled jobs, `jobs`,
 * `job/NAME`, the logs of a job): run by readme-spark-examples.test.ts; every other one by
 * readme-examples.test.ts. The exception, by name: a submit refused before any job is made, which reads the
 * app cluster the example before it creates.
 */
export function isSparkExample(e: Example): boolean {
  if (e.line === 'kubectl kd submit --cluster small examples/spark/pi.py 4') return false
  const words = e.line.replace(/^([A-Z_]+=("[^"]*"|'[^']*'|\S+)\s+)*kubectl kd /, '').split(/\s+/)
  const [verb, target] = words
  if (['submit', 'run', 'suspend', 'resume'].includes(verb!)) return true
  if (words.some((w) => w === 'jobs' || w.startsWith('job/'))) return true
  return verb === 'logs' && !!target && !target.startsWith('cluster/')
}

const CASSANDRA = 'a Cassandra ring: 2-4 minutes and 1.5 GiB per member (test/e2e/cassandra.test.ts runs it)'
const OPEN = 'forwards a port until Ctrl-C, to a Spark notebook cluster (test/e2e/notebook.test.ts runs open with a browser)'
const NOTEBOOK_NS = 'output captured in the namespace kd-nb-dev2, with a running notebook cluster and job (test/e2e/notebook.test.ts runs status and open on one)'
const SYNOPSIS = 'a synopsis with … and [optional] parts, not a command line'
const EDITOR = 'opens an interactive editor (edit runs with a scripted editor in the README and kubectl-verbs.test.ts)'

/** Examples not run by either suite, by their exact text, with why. */
export const SKIP: Record<string, string> = {
  // README
  'kubectl kd create -f examples/clusters/cassandra50.yaml --wait --timeout 20m': CASSANDRA,
  'kubectl kd status ring': CASSANDRA,
  'kubectl kd scale ring worker=2 --wait && kubectl kd scale ring worker=1 --wait': CASSANDRA,
  'kubectl kd create cassandra50 --memory seed=1536Mi --cpu seed=2 --wait': CASSANDRA,
  'kubectl kd status bad': 'the Cassandra cluster with a broken partitioner it describes (' + CASSANDRA + ')',
  'kubectl kd submit --image … --py-files lib.py --wait ./job.py': SYNOPSIS,
  'kubectl kd logs spark-pi [-f] [--executor 1]': SYNOPSIS,
  'kubectl kd submit -f jobs/ [--atomic]': SYNOPSIS,
  'kubectl kd delete jobs -l schedule=nightly [--wait]': SYNOPSIS,
  'kubectl kd status spark4nb -n kd-nb-dev2': NOTEBOOK_NS,
  'kubectl kd open spark4nb jupyter-nb -n kd-nb-dev2 --no-browser': NOTEBOOK_NS,
  'kubectl kd open spark4nb nosuch -n kd-nb-dev2': NOTEBOOK_NS,
  'kubectl kd open job/spark-pi -n kd-nb-dev2': NOTEBOOK_NS,
  // help
  'kubectl kd status spark221e2 -w': 'watches until Ctrl-C (get -w and Ctrl-C are tested in kubectl-manners.test.ts)',
  'kubectl kd edit cluster/demo': EDITOR,
  'KUBE_EDITOR=nano kubectl kd edit demo': EDITOR,
  'kubectl kd open spark4nb': OPEN,
  'kubectl kd open spark4nb jupyter-nb --no-browser': OPEN,
  'kubectl kd open spark4nb spark4nb-worker-0': OPEN,
  'kubectl kd open job/spark-pi --port 4041': OPEN,
  'kubectl kd status cluster/spark221e2 job/spark-pi': 'several targets; in the help run the cluster is gone by then (the delete examples come first): the error line for a missing one and exit 1 are what it shows (run by delete-ownership.test.ts "several targets")',
  'kubectl kd delete job/spark-pi job/spark-wc cluster/demo': 'several targets of which some are gone by then: an error line for each missing one and exit 1 is what it shows (run with such targets by delete-ownership.test.ts "several targets")',
}

/** How a suite runs its examples: state an example needs, made before it; what it made, removed after. */
export interface Tables {
  /** commands run before an example, for state the examples before it do not make (each must succeed) */
  before: Record<string, string[]>
  /** commands run after an example, passed or not (big clusters and jobs: the node has two CPUs) */
  after: Record<string, string[]>
  /** what the shell an example is written for provides, given to bash before the example (zsh's $fpath) */
  prelude?: Record<string, string>
  /** examples that name a namespace of the shared cluster (`-n nightly`, `default:POD`): run in the test's namespace instead */
  namespace?: Record<string, string>
}

/** Checks a suite's tables against the examples: every name in them is an example this suite runs. */
export function checkTables(tables: Tables, runs: (e: Example) => boolean): void {
  const lines = new Set([...readme, ...help].filter((e) => !SKIP[e.line] && runs(e)).map((e) => e.line))
  for (const name of [...Object.keys(tables.before), ...Object.keys(tables.after), ...Object.keys(tables.prelude ?? {}), ...Object.keys(tables.namespace ?? {})]) assert.ok(lines.has(name), `no such example run by this suite: ${name}`)
}

/** Every example is skipped by name with a reason or run by exactly one suite; no stale names in SKIP. */
export function checkPartition(): void {
  assert.ok(readme.length >= 30, `README examples found: ${readme.length}`)
  assert.ok(help.length >= 40, `help examples found: ${help.length}`)
  const all = [...readme, ...help]
  const lines = new Set(all.map((e) => e.line))
  for (const name of Object.keys(SKIP)) assert.ok(lines.has(name), `no such example: ${name}`)
  const spark = all.filter((e) => !SKIP[e.line] && isSparkExample(e))
  const other = all.filter((e) => !SKIP[e.line] && !isSparkExample(e))
  const neither = all.filter((e) => !SKIP[e.line] && !spark.includes(e) && !other.includes(e))
  assert.equal(neither.map((e) => e.line), [], 'examples neither run nor skipped')
  assert.ok(spark.length >= 30, `Spark examples: ${spark.length}`)
  assert.ok(other.length >= 50, `other examples: ${other.length}`)
}

/** A directory to run examples in: the repository's examples/ and test/, a kubeconfig whose context is in `ns`. */
export function workdir(ns: string): {cwd: string; env: NodeJS.ProcessEnv} {
  const cwd = mkdtempSync(join(tmpdir(), 'kd-examples-'))
  for (const d of ['examples', 'test']) symlinkSync(join(repoRoot, d), join(cwd, d))
  const kubeconfig = join(cwd, 'kubeconfig')
  copyFileSync(env.KUBECONFIG!, kubeconfig)
  kubectl(['config', 'set-context', '--current', `--namespace=${ns}`], {kubeconfig})
  // kubectl finds the plugin (bin/kubectl-kd, the built bundle) on PATH, as after npm link
  const PATH = `${join(repoRoot, 'bin')}:${dirname(env.KD_KUBECTL!)}:${process.env.PATH}`
  // files an example writes under ~ stay in the directory too
  return {cwd, env: {...process.env, CI: '1', KUBECONFIG: kubeconfig, PATH, HOME: cwd}}
}

export function sh(line: string, where: {cwd: string; env: NodeJS.ProcessEnv}) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', line], {cwd: where.cwd, env: where.env, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024})
  return {code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

/** Mutation lines the README shows under an example: printed as shown. */
const MUTATION = /^[a-z]+\/\S+ (created|configured|unchanged|deleted)$|^[a-z]+\/\S+ scaled: /

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** A documented line as a pattern: a job's generated id (`pi-f09135a2041b6e1f`) stands for any. */
const asPattern = (line: string) => new RegExp(`^${escape(line).replace(/-[0-9a-f]{16}\b/g, '-[0-9a-f]{16}')}$`)

/** Runs the examples in order in namespace `ns`; returns the lines run. */
export function runAll(examples: Example[], ns: string, tables: Tables, where = workdir(ns)): string[] {
  const readmeNs = (s: string) => s.replaceAll('namespace "readme"', `namespace "${ns}"`).replaceAll('in namespace readme', `in namespace ${ns}`)
  const ran: string[] = []
  for (const e of examples) {
    for (const b of tables.before[e.line] ?? []) {
      const r = sh(b, where)
      assert.is(r.code, 0, `before "${e.line}": ${b}: exit ${r.code}\n${r.stdout}${r.stderr}`)
    }
    const started = Date.now()
    try {
      let line = e.line
      const named = tables.namespace?.[e.line]
      if (named) line = line.replaceAll(`-n ${named}`, `-n ${ns}`).replaceAll(`${named}:`, `${ns}:`)
      const prelude = tables.prelude?.[e.line]
      const r = sh(prelude ? `${prelude}; ${line}` : line, where)
      const errors = e.documented.filter((l) => l.startsWith('error: ')).map(readmeNs)
      if (errors.length) {
        assert.is(r.code, 1, `${e.line}: the README shows ${errors[0]}, got exit ${r.code}\n${r.stdout}${r.stderr}`)
        const tmpName = (t: string) => t.replace(/\/tmp\/kubectl-kd-edit-[A-Za-z0-9]+\//g, '/tmp/kubectl-kd-edit-XXXXXX/')
        // the error lines, in order (progress lines may come before them, a suggestion after them, as after a mistyped command)
        const got = r.stderr.split('\n').filter((l) => l.startsWith('error: ')).slice(0, errors.length)
        assert.equal(got.map(tmpName), errors.map(tmpName), `${e.line}: the error lines differ from the README's (stdout: ${JSON.stringify(r.stdout.slice(-2000))}, stderr: ${JSON.stringify(r.stderr.slice(-2000))})`)
      } else assert.is(r.code, 0, `${e.line}: exit ${r.code}\n${r.stdout}${r.stderr}`)
      // the README shows stdout and stderr as a terminal does (a submit's `pod/…-driver created` is a progress line, on stderr)
      const out = `${r.stdout}\n${r.stderr}`.split('\n')
      for (const m of e.documented.filter((l) => MUTATION.test(l))) assert.ok(out.some((l) => asPattern(readmeNs(m)).test(l)), `${e.line}: the README shows "${m}", the output was:\n${r.stdout}${r.stderr}`)
      ran.push(e.line)
      if (process.env.KD_EXAMPLES_VERBOSE) console.log(`  ${((Date.now() - started) / 1000).toFixed(1)}s ${e.line}`)
    } finally {
      for (const a of tables.after[e.line] ?? []) sh(a, where)
    }
  }
  return ran
}
