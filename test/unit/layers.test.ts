// The layers of docs/architecture.md, checked on every import of the three programs (the CLI in src/, the
// agent in agent/src, the managed-job runner in src/runner): a module that imports against the direction
// fails here, and so does any import circle. Output may not name any but the model's types either.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative, resolve} from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

/** The layer a module belongs to, from its path. */
function layerOf(file: string): string {
  const rel = relative(ROOT, file)
  if (rel.startsWith('agent/')) return 'agent'
  const [, top] = rel.split('/')
  if (top === 'app' || top === 'cluster' || top === 'spark') return 'model'
  if (['commands', 'actions', 'output', 'kube', 'completion', 'runner'].includes(top!)) return top!
  return 'shell' // cli.ts, launch.ts, base-command.ts, cluster-flags.ts, help.ts: the command layer's own modules
}

/** Which layers each layer may import (besides itself and the neutral leaves: errors.ts, kube-object.ts, paths.ts, order.ts, plural.ts, did-you-mean.ts). */
const ALLOWED: Record<string, string[]> = {
  commands: ['shell', 'actions', 'output', 'model', 'kube', 'completion'],
  shell: ['commands', 'actions', 'output', 'model', 'kube', 'completion'],
  completion: ['model', 'output', 'actions'],
  actions: ['model', 'kube'],
  output: ['model'],
  model: [],
  kube: [],
  agent: ['model', 'kube'],
  // the runner makes drivers the one way submit makes them: actions/job/driver-objects.ts (RUNNER_ACTIONS), no other action
  runner: ['model', 'kube', 'actions'],
}
const NEUTRAL = new Set(['src/errors.ts', 'src/kube-object.ts', 'src/paths.ts', 'src/order.ts', 'src/plural.ts', 'src/did-you-mean.ts'])
/** The actions the runner's bundle may hold (they import only model and kube). */
const RUNNER_ACTIONS = new Set(['src/actions/job/driver-objects.ts'])

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
  })
}

const PROGRAMS = () => [...files(join(ROOT, 'src')), ...files(join(ROOT, 'agent/src'))]

/** Relative imports of a module (static and dynamic), resolved to files; type-only ones when `types`. */
function imports(file: string, opts: {types: boolean}): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  const skipType = opts.types ? '' : '(?!type\\b)'
  for (const m of text.matchAll(new RegExp(`^\\s*(?:import|export)\\s+${skipType}[^'"]*?from\\s+'(\\.[^']+)'`, 'gm'))) found.push(m[1]!)
  for (const m of text.matchAll(/import\('(\.[^']+)'\)/g)) found.push(m[1]!)
  return found.map((spec) => resolve(dirname(file), spec))
}

/** The imports that go against ALLOWED among `modules`. */
function wrongImports(modules: string[], opts: {types: boolean; only?: (layer: string) => boolean}): string[] {
  const wrong: string[] = []
  for (const file of modules) {
    const from = layerOf(file)
    if (opts.only && !opts.only(from)) continue
    for (const target of imports(file, opts)) {
      const rel = relative(ROOT, target)
      if (NEUTRAL.has(rel)) continue
      const to = layerOf(target)
      if (to !== from && !ALLOWED[from]!.includes(to)) wrong.push(`${relative(ROOT, file)} (${from}) imports ${rel} (${to})`)
      if (from === 'runner' && to === 'actions' && !RUNNER_ACTIONS.has(rel)) wrong.push(`${relative(ROOT, file)} (runner) imports ${rel}: not one of the runner's actions`)
    }
  }
  return wrong
}

/** The import circles among `modules` (every import, type-only ones too): each as its modules, in order. */
function circles(modules: string[], root = ROOT): string[][] {
  const graph = new Map(modules.map((f) => [f, imports(f, {types: true}).filter((t) => t !== f)]))
  // Tarjan's strongly connected components: a component of more than one module is a circle
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(relative(root, w))
      } while (w !== v)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}

test('every import goes in an allowed direction', () => {
  assert.equal(wrongImports(PROGRAMS(), {types: false}), [])
})

test('output names only the model: its type-only imports too', () => {
  assert.equal(wrongImports(PROGRAMS(), {types: true, only: (l) => l === 'output'}), [])
})

test('no import circle in any program', () => {
  assert.equal(circles(PROGRAMS()), [])
})

test('docs/architecture.md says what may import what, as this test checks it', () => {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## Layers'), doc.indexOf('\n## ', doc.indexOf('## Layers') + 1))
  const documented: Record<string, string[]> = {}
  for (const row of section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| layer'))) {
    const cells = row.split(' | ')
    const layer = cells[0]!.slice(2).trim()
    const mayImport = cells.at(-1)!.replace(/\s*\|$/, '').replace(/\s*\(.*\)/, '')
    documented[layer] = mayImport === '—' ? [] : mayImport.split(',').map((w) => w.trim())
  }
  assert.equal(Object.keys(documented).sort(), Object.keys(ALLOWED).sort())
  for (const [layer, allowed] of Object.entries(ALLOWED)) assert.equal(documented[layer]!.slice().sort(), allowed.slice().sort(), layer)
  for (const leaf of NEUTRAL) assert.ok(section.includes(`\`${leaf}\``), `${leaf} is named as a neutral leaf`)
})

test('every module belongs to a layer the table knows', () => {
  for (const file of PROGRAMS()) assert.ok(ALLOWED[layerOf(file)], relative(ROOT, file))
})

test('the checks see a wrong import and a circle', () => {
  // the detector itself: an output module importing an action would be reported
  assert.is(layerOf(join(ROOT, 'src/output/format.ts')), 'output')
  assert.not.ok(ALLOWED.output!.includes(layerOf(join(ROOT, 'src/actions/job/jobs.ts'))))
  assert.not.ok(ALLOWED.model!.includes(layerOf(join(ROOT, 'src/kube/client.ts'))))
  assert.not.ok(ALLOWED.kube!.includes(layerOf(join(ROOT, 'src/output/format.ts'))))
  assert.is(layerOf(join(ROOT, 'src/runner/runner.ts')), 'runner')
  assert.not.ok(ALLOWED.agent!.includes('runner'))
  // three modules in a ring (one import type-only), and one beside it that only imports
  const dir = mkdtempSync(join(tmpdir(), 'kd-layers-'))
  try {
    writeFileSync(join(dir, 'a.ts'), "import {b} from './b.ts'\nexport const a = b\n")
    writeFileSync(join(dir, 'b.ts'), "import type {C} from './c.ts'\nexport const b = 1 as C\n")
    writeFileSync(join(dir, 'c.ts'), "export type C = number\nexport const c = () => import('./a.ts')\n")
    writeFileSync(join(dir, 'd.ts'), "import {a} from './a.ts'\nexport const d = a\n")
    assert.equal(circles(files(dir), dir), [['a.ts', 'b.ts', 'c.ts']])
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test.run()
