// The layout of every command's built help (bin/kubectl-kd CMD --help) at several widths: no empty
// `[default: ]` on repeatable flags, every flag row of a section starting in the same column, no word cut
// across two lines, argument names the text uses; and softWrap itself.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {kd} from '../lib/kd.ts'
import {COMMANDS} from '../../src/commands.ts'
import {softWrap} from '../../src/help.ts'

const offline = {KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent-home'}
const ids = Object.entries(COMMANDS)
  .filter(([, c]) => !(c as {hidden?: boolean}).hidden)
  .map(([id]) => id)

/** Every word of the command's texts (summary, description, flag and argument descriptions, examples). */
function sourceWords(id: string): Set<string> {
  const c = COMMANDS[id as keyof typeof COMMANDS] as unknown as {
    summary?: string
    description?: string
    examples?: (string | {command: string; description?: string})[]
    flags?: Record<string, {description?: string; options?: readonly string[]}>
    baseFlags?: Record<string, {description?: string}>
    args?: Record<string, {description?: string}>
  }
  const texts = [
    c.summary ?? '',
    c.description ?? '',
    ...(c.examples ?? []).flatMap((e) => (typeof e === 'string' ? [e] : [e.command, e.description ?? ''])),
    ...Object.values({...c.baseFlags, ...c.flags}).flatMap((f) => [f.description ?? '', ...((f as {options?: readonly string[]}).options ?? [])]),
    ...Object.values(c.args ?? {}).map((a) => a.description ?? ''),
  ]
  return new Set(texts.join(' ').replaceAll('<%= config.bin %>', 'kubectl kd').split(/\s+/).filter(Boolean))
}

function sectionLines(help: string, title: string): string[] {
  const lines = help.split('\n')
  const start = lines.indexOf(title)
  if (start < 0) return []
  const out: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break
    out.push(line)
  }
  return out
}

const layout = suite('help layout of every command')
for (const columns of [60, 80, 120]) {
  layout(`${columns} columns: no [default: ], aligned flag rows, no word cut in two`, () => {
    for (const id of ids) {
      const r = kd([...id.split(':'), '--help'], {env: {...offline, OCLIF_COLUMNS: String(columns)}})
      assert.is(r.code, 0, `${id}: ${r.stderr}`)
      const help = r.stdout
      assert.not.match(help, /\[default: \]/, `${id} --help shows an empty default`)
      for (const title of ['FLAGS', 'GLOBAL FLAGS']) {
        const rows = sectionLines(help, title).filter((l) => /^\s+(-\w, )?--\S/.test(l))
        if (!rows.length) continue
        // a row is `  -x, --flag` or `      --flag`: the long names start in one column
        const starts = new Set(rows.map((l) => l.indexOf('--')))
        assert.is(starts.size, 1, `${id} --help ${title} at ${columns} columns:\n${rows.join('\n')}`)
      }
      // no word of the command's texts is cut in two across lines (oclif's hard wrap made `spark.kuber` / `netes`)
      const known = [...sourceWords(id)]
      const lines = help.split('\n').map((l) => l.trim()).filter(Boolean)
      for (const [i, line] of lines.slice(0, -1).entries()) {
        const last = line.split(/\s+/).at(-1)!
        const first = lines[i + 1]!.split(/\s+/)[0]!
        const joined = last + first
        const whole = known.find((k) => k.includes(joined) && k !== last && k !== first && !known.includes(last.replace(/^\W+/, '')))
        assert.not.ok(joined.length >= 6 && whole, `${id} --help at ${columns} columns cuts "${whole}" into "${last}" and "${first}"`)
      }
    }
  })
}

layout('argument names are the names the texts use', () => {
  for (const id of ids) {
    const c = COMMANDS[id as keyof typeof COMMANDS] as unknown as {args?: Record<string, {description?: string; hidden?: boolean}>; description?: string; summary?: string}
    for (const [name, arg] of Object.entries(c.args ?? {})) {
      if (arg.hidden) continue
      const text = `${arg.description ?? ''} ${c.summary ?? ''} ${c.description ?? ''}`
      assert.ok(new RegExp(`\\b${name.replace(/_/g, '[_ ]')}\\b`, 'i').test(text), `${id}: argument ${name.toUpperCase()} is not what its texts call it: ${arg.description}`)
    }
  }
})
layout.run()

const wrap = suite('softWrap')
wrap('breaks at spaces only; a word longer than the line runs past it', () => {
  assert.is(softWrap('aaa bbb ccc', 7), 'aaa bbb\nccc')
  assert.is(softWrap('see spark.kubernetes.authenticate.driver.serviceAccountName here', 20), 'see\nspark.kubernetes.authenticate.driver.serviceAccountName\nhere')
  assert.is(softWrap('  indented text\nnext', 10), '  indented\ntext\nnext')
})
wrap.run()
