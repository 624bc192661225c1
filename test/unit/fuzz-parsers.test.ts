// Fuzzing the input parsers for a bounded time: random mutations of the example apps, clusters and
// SparkApplications (seeded PRNG; the seed is printed, re-run one with KD_FUZZ_SEED=N) fed through
// parseApp, parseClusterSpecs + resolveCluster and the SparkApplication reader. Each input must either
// parse or throw a UserError — never a TypeError, RangeError or a stack overflow (those print as bugs).
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {dump, load} from 'js-yaml'
import {parseApp} from '../../src/app/parse.ts'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {sparkAppToSubmitArgs} from '../../src/spark/sparkapp.ts'
import {buildSubmission} from '../../src/spark/submission.ts'
import {isUserError} from '../../src/errors.ts'
import {repoRoot} from '../lib/kd.ts'

const budgetMs = Number(process.env.KD_FUZZ_MS ?? 20_000)
const seed = Number(process.env.KD_FUZZ_SEED ?? Date.now() % 2 ** 31)

/** mulberry32: small, fast, good enough to pick mutations reproducibly. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const files = (dir: string, ext = /\.(ya?ml|json)$/) =>
  readdirSync(join(repoRoot, dir))
    .filter((f) => ext.test(f))
    .map((f) => ({file: `${dir}/${f}`, text: readFileSync(join(repoRoot, dir, f), 'utf8')}))

const appSeeds = [...files('examples/apps'), {file: 'examples/apps/greeter/app.yaml', text: readFileSync(join(repoRoot, 'examples/apps/greeter/app.yaml'), 'utf8')}]
const clusterSeeds = files('examples/clusters')
const sparkSeeds = files('examples/spark')

const weird: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, '', ' ', 'x'.repeat(300),
  '$(reboot)', '; rm -rf /', '../../etc/passwd', 'a\u0000b', 'ünïcødé-名前', '\u202e', [], [null], {}, {a: 1}, [[[[]]]],
  '1+', '0', '-5', '99999999999999999999', 'NaN', 'toString', '__proto__', 'constructor',
]

function mutateValue(v: unknown, rnd: () => number, depth = 0): unknown {
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!
  if (depth > 12) return v
  if (Array.isArray(v)) {
    if (v.length === 0 || rnd() < 0.15) return rnd() < 0.5 ? pick(weird) : [...v, pick(weird)]
    const i = Math.floor(rnd() * v.length)
    const out = [...v]
    if (rnd() < 0.1) out.splice(i, 1)
    else if (rnd() < 0.1) out.push(out[i])
    else out[i] = mutateValue(out[i], rnd, depth + 1)
    return out
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v)
    if (keys.length === 0 || rnd() < 0.1) return rnd() < 0.5 ? pick(weird) : {...v, [pick(['extra', '__proto__', 'constructor', 'members', 'roles', 'id', 'spec'])]: pick(weird)}
    const k = pick(keys)
    const out: Record<string, unknown> = {...(v as Record<string, unknown>)}
    if (rnd() < 0.1) delete out[k]
    else out[k] = mutateValue(out[k], rnd, depth + 1)
    return out
  }
  return pick(weird)
}

function mutateText(text: string, rnd: () => number): string {
  const r = rnd()
  const at = Math.floor(rnd() * text.length)
  if (r < 0.3) return text.slice(0, at) // truncated
  if (r < 0.5) return text.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + text.slice(at + 1)
  if (r < 0.6) return text.slice(0, at) + ['*a', '&a ', '!!js/function', '{', ']', '"', "'", '\t', '\u0000', '<<: *x', '? ', '---\n', '%YAML 9\n'][Math.floor(rnd() * 13)] + text.slice(at)
  if (r < 0.7) return text.replace(/\d+/g, () => (rnd() < 0.3 ? '9'.repeat(1 + Math.floor(rnd() * 40)) : '-1'))
  // structural: parse, mutate a few values, dump again
  try {
    let doc = load(text)
    const n = 1 + Math.floor(rnd() * 4)
    for (let i = 0; i < n; i++) doc = mutateValue(doc, rnd)
    return rnd() < 0.5 ? JSON.stringify(doc) ?? 'null' : dump(doc, {skipInvalid: true})
  } catch {
    return text
  }
}

interface Failure {
  target: string
  seed: number
  iteration: number
  input: string
  error: string
}

function check(target: string, input: string, fn: () => unknown, iteration: number, failures: Failure[]): void {
  try {
    fn()
  } catch (err) {
    if (isUserError(err)) {
      const msg = (err as Error).message
      // one line, not empty
      if (msg.includes('\n') || msg.trim() === '') failures.push({target, seed, iteration, input, error: `UserError message not one line: ${JSON.stringify(msg)}`})
      return
    }
    failures.push({target, seed, iteration, input, error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n')}` : String(err)})
  }
}

const targets: {name: string; seeds: {file: string; text: string}[]; run: (text: string, file: string) => unknown}[] = [
  {name: 'parseApp', seeds: appSeeds, run: (text, file) => parseApp(text, file)},
  {
    name: 'parseClusterSpecs+resolveCluster',
    seeds: clusterSeeds,
    run: (text, file) => {
      for (const spec of parseClusterSpecs(text, file)) {
        const app = findBuiltinApp(spec.app)
        if (app) resolveCluster(app, spec, file)
      }
    },
  },
  {
    name: 'SparkApplication',
    seeds: sparkSeeds.filter((s) => /SparkApplication/.test(s.text)),
    run: (text, file) => {
      // what submit -f does: js-yaml load, then the SparkApplication mapping, then the submission model
      let doc: unknown
      try {
        doc = load(text)
      } catch {
        return // a YAML syntax error is reported by spark-input.ts as a UserError
      }
      buildSubmission(sparkAppToSubmitArgs(doc, file).args)
    },
  },
]

const fuzz = suite(`fuzz the parsers (${budgetMs} ms, seed ${seed})`)

fuzz('every mutated input parses or throws one UserError line', () => {
  console.log(`  fuzz seed ${seed} (re-run: KD_FUZZ_SEED=${seed})`)
  const rnd = prng(seed)
  const failures: Failure[] = []
  const counts: Record<string, number> = {}
  const deadline = Date.now() + budgetMs
  let i = 0
  while (Date.now() < deadline && failures.length < Number(process.env.KD_FUZZ_MAX_FAILURES ?? 20)) {
    const t = targets[i % targets.length]!
    const s = t.seeds[Math.floor(rnd() * t.seeds.length)]!
    let text = s.text
    const rounds = 1 + Math.floor(rnd() * 3)
    for (let k = 0; k < rounds; k++) text = mutateText(text, rnd)
    check(t.name, text, () => t.run(text, s.file), i, failures)
    counts[t.name] = (counts[t.name] ?? 0) + 1
    i++
  }
  console.log(`  ${i} inputs: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  const distinct = new Map<string, Failure>()
  for (const f of failures) distinct.set(`${f.target}: ${f.error.split('\n')[0]}`, f)
  const report = [...distinct.values()].map((f) => `${f.target} (seed ${f.seed}, iteration ${f.iteration}): ${f.error}\n  input: ${JSON.stringify(f.input.slice(0, 400))}`).join('\n')
  assert.is(failures.length, 0, report)
})

fuzz.run()
