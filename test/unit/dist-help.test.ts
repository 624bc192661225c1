// `kubectl kd --help` groups the commands: app clusters, Spark jobs, catalog, other.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {kd} from '../lib/kd.ts'
import {HELP_GROUPS} from '../../src/help.ts'

const offline = {KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent-home'}

/** Section title → command names listed under it, from the help text. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let current: string | undefined
  // eslint-disable-next-line no-control-regex
  for (const line of text.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    if (/^[A-Z][A-Z ]+$/.test(line)) out.set((current = line), [])
    else if (current && /^ {2}\S/.test(line)) out.get(current)!.push(line.trim().split(/\s{2,}/)[0]!)
  }
  return out
}

test('root help lists each command once, under its group, in order', () => {
  const r = kd(['--help'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  const s = sections(r.stdout)
  assert.equal(s.get('APP CLUSTER COMMANDS'), ['create', 'apply', 'get', 'status', 'describe', 'edit', 'scale', 'delete'])
  assert.equal(s.get('SPARK JOB COMMANDS'), ['submit', 'logs'])
  assert.equal(s.get('CATALOG COMMANDS'), ['app list', 'app show', 'app add', 'app remove'])
  assert.equal(s.get('OTHER COMMANDS')?.slice(0, 2), ['version', 'completion'])
  const titles = [...s.keys()].filter((t) => t.endsWith('COMMANDS'))
  assert.equal(titles, HELP_GROUPS.map((g) => g.title))
  assert.not.match(r.stdout, /__complete/)
  assert.match(r.stdout, /\$ kubectl kd \[COMMAND\]/)
})

test('-h and `help` show the same grouped list; command help keeps its examples', () => {
  assert.is(kd(['-h'], {env: offline}).stdout, kd(['--help'], {env: offline}).stdout)
  const r = kd(['completion', '--help'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /source <\(kubectl kd completion bash\)/)
  assert.match(r.stdout, /kubectl_complete-kd/)
})

test('every registered command is in a group (nothing left only in OTHER by accident)', async () => {
  const {COMMANDS} = await import('../../src/commands.ts')
  const grouped = new Set(HELP_GROUPS.flatMap((g) => g.ids))
  const visible = Object.entries(COMMANDS).filter(([, c]) => !(c as {hidden?: boolean}).hidden).map(([id]) => id)
  assert.equal(visible.filter((id) => !grouped.has(id)), [])
})

test.run()
