// The layers of docs/architecture.md, checked on every import in src/ and agent/src: a module that
// imports against the direction fails here. Type-only imports carry no code and are allowed.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

/** The layer a module belongs to, from its path. */
function layerOf(file: string): string {
  const rel = relative(ROOT, file)
  if (rel.startsWith('agent/')) return 'agent'
  const [, top] = rel.split('/')
  if (['commands', 'actions', 'output', 'kube', 'app', 'cluster', 'spark', 'completion'].includes(top!)) return top === 'app' || top === 'cluster' || top === 'spark' ? 'model' : top!
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
}
const NEUTRAL = new Set(['src/errors.ts', 'src/kube-object.ts', 'src/paths.ts', 'src/order.ts', 'src/plural.ts', 'src/did-you-mean.ts'])

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : []
  })
}

/** Value imports (static and dynamic) of a module, resolved to files. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  for (const m of text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm)) found.push(m[1]!)
  for (const m of text.matchAll(/^\s*export\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm)) found.push(m[1]!)
  for (const m of text.matchAll(/import\('(\.[^']+)'\)/g)) found.push(m[1]!)
  return found.map((spec) => resolve(dirname(file), spec))
}

test('every import goes in an allowed direction', () => {
  const wrong: string[] = []
  for (const file of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'agent/src'))]) {
    const from = layerOf(file)
    for (const target of imports(file)) {
      const rel = relative(ROOT, target)
      if (NEUTRAL.has(rel)) continue
      const to = layerOf(target)
      if (to !== from && !ALLOWED[from]!.includes(to)) wrong.push(`${relative(ROOT, file)} (${from}) imports ${rel} (${to})`)
    }
  }
  assert.equal(wrong, [])
})

test('the check sees a wrong import', () => {
  // the detector itself: an output module importing an action would be reported
  assert.is(layerOf(join(ROOT, 'src/output/format.ts')), 'output')
  assert.not.ok(ALLOWED.output!.includes(layerOf(join(ROOT, 'src/actions/jobs.ts'))))
  assert.not.ok(ALLOWED.model!.includes(layerOf(join(ROOT, 'src/kube/client.ts'))))
  assert.not.ok(ALLOWED.kube!.includes(layerOf(join(ROOT, 'src/output/format.ts'))))
})

test.run()
