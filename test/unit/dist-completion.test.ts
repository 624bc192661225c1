// Shell completion: the Cobra protocol answers of __complete (pure engine and the real
// kubectl_complete-kd executable, offline), and the bash script driving it.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {complete, formatCompletion, Directive, type CommandSpec, type NameKind} from '../../src/completion/candidates.ts'
import {completionScript} from '../../src/completion/scripts.ts'
import {repoRoot} from '../lib/kd.ts'

const global = [
  {name: 'kubeconfig', type: 'option' as const, description: 'Path to the kubeconfig file to use'},
  {name: 'namespace', char: 'n', type: 'option' as const, description: 'The namespace scope for this request'},
  {name: 'context', type: 'option' as const},
]
const COMMANDS: CommandSpec[] = [
  {id: 'get', summary: 'List app clusters or Spark jobs', flags: [...global, {name: 'output', char: 'o', type: 'option', description: 'Output format: one of json|yaml|name|wide|jsonpath=TEMPLATE'}, {name: 'all-namespaces', char: 'A', type: 'boolean'}]},
  {id: 'create', summary: 'Create an app cluster', flags: [...global, {name: 'filename', char: 'f', type: 'option'}, {name: 'dry-run', type: 'option', options: ['none', 'client', 'server']}, {name: 'members', type: 'option'}, {name: 'memory', type: 'option'}]},
  {id: 'status', summary: 'Show state', flags: global},
  {id: 'delete', summary: 'Delete', flags: global},
  {id: 'scale', summary: 'Scale', flags: [...global, {name: 'role', type: 'option'}, {name: 'members', type: 'option'}]},
  {id: 'apply', summary: 'Apply', flags: [...global, {name: 'members', type: 'option'}]},
  {id: 'logs', summary: 'Driver log', flags: global},
  {id: 'open', summary: 'Open a dashboard', flags: global},
  {id: 'app:list', summary: 'List apps', flags: global},
  {id: 'app:remove', summary: 'Remove an app', flags: global},
  {id: '__complete', hidden: true, flags: []},
]
const calls: {kind: NameKind; namespace?: string; cluster?: string; of?: string}[] = []
const NAMES: Record<NameKind, string[]> = {
  apps: ['spark221e2', 'shelldemo'],
  'namespace-apps': ['myapp'],
  clusters: ['demo', 'spark'],
  jobs: ['pi-1'],
  namespaces: ['default', 'team-a'],
  contexts: ['kd-local'],
  roles: ['controller', 'worker'],
  'app-roles': ['controller', 'worker', 'edge'],
  dashboards: ['jupyter-nb', 'spark', 'spark4nb-controller-0'],
}
const lookup = async (kind: NameKind, c: {namespace?: string; cluster?: string}, of?: string) => (calls.push({kind, namespace: c.namespace, ...(c.cluster ? {cluster: c.cluster} : {}), ...(of ? {of} : {})}), NAMES[kind])
const answer = async (...words: string[]) => formatCompletion(await complete(COMMANDS, words, lookup))

const engine = suite('completion engine (Cobra protocol)')
engine('command names with descriptions, hidden ones left out, topics included', async () => {
  assert.is(await answer(''), 'app\tManage the app catalog: list, show, add and remove apps\napply\tApply\ncreate\tCreate an app cluster\ndelete\tDelete\nget\tList app clusters or Spark jobs\nlogs\tDriver log\nopen\tOpen a dashboard\nscale\tScale\nstatus\tShow state\n:4\n')
  assert.is(await answer('st'), 'status\tShow state\n:4\n')
  assert.is(await answer('-n=t'), '-n=team-a\n:4\n')
  assert.is(await answer('app', ''), 'list\tList apps\nremove\tRemove an app\n:4\n')
})
engine('flag names: long ones, and the short ones too after a lone dash', async () => {
  assert.is(await answer('get', '--o'), '--output\tOutput format: one of json|yaml|name|wide|jsonpath=TEMPLATE\n:4\n')
  const dash = await answer('get', '-')
  assert.match(dash, /^-n\t/m)
  assert.match(dash, /^--all-namespaces$/m)
  assert.ok(dash.endsWith(':4\n'))
})
engine('flag values: options, -o formats (jsonpath= without a space), both flag forms', async () => {
  assert.is(await answer('create', '--dry-run', 's'), 'server\n:4\n')
  assert.is(await answer('get', '-o', 'j'), 'json\njsonpath=\n:4\n')
  assert.is(await answer('get', '-o', 'jsonp'), `jsonpath=\n:${Directive.noFileComp | Directive.noSpace}\n`)
  assert.is(await answer('get', '--output=y'), '--output=yaml\n:4\n')
})
engine('open: clusters, then the dashboards and members of the cluster typed; job NAME and job/NAME complete jobs', async () => {
  calls.length = 0
  assert.is(await answer('open', ''), 'demo\nspark\n:4\n')
  assert.is(await answer('open', 'spark4nb', 'j'), 'jupyter-nb\n:4\n')
  assert.equal(calls.at(-1), {kind: 'dashboards', namespace: undefined, cluster: 'spark4nb'})
  assert.is(await answer('open', 'cluster/spark4nb', 's'), 'spark\nspark4nb-controller-0\n:4\n')
  assert.equal(calls.at(-1), {kind: 'dashboards', namespace: undefined, cluster: 'spark4nb'})
  assert.is(await answer('open', 'job', ''), 'pi-1\n:4\n')
  assert.is(await answer('open', 'job/'), 'job/pi-1\n:4\n')
  assert.is(await answer('open', 'job/pi-1', ''), ':4\n')
})
engine('files for -f and --kubeconfig: no candidates, default directive (the shell completes paths)', async () => {
  assert.is(await answer('create', '-f', ''), ':0\n')
  assert.is(await answer('--kubeconfig', ''), ':0\n')
})
engine('names from the cluster, in the namespace typed with -n', async () => {
  calls.length = 0
  assert.is(await answer('-n', 'team-a', 'get', 'clusters', ''), 'demo\nspark\n:4\n')
  assert.equal(calls, [{kind: 'clusters', namespace: 'team-a'}])
  assert.is(await answer('get', 'jobs', ''), 'pi-1\n:4\n')
  assert.is(await answer('create', 's'), 'shelldemo\nspark221e2\n:4\n')
  assert.is(await answer('app', 'remove', ''), 'myapp\n:4\n')
  assert.is(await answer('logs', ''), 'pi-1\n:4\n')
  assert.is(await answer('status', 'job/'), 'job/pi-1\n:4\n')
  assert.is(await answer('-n', 't'), 'team-a\n:4\n')
  assert.is(await answer('get', '--context', ''), 'kd-local\n:4\n')
})
engine('TYPE/NAME forms: get cluster/<TAB> (also after another), status/delete/logs job/<TAB>', async () => {
  assert.is(await answer('get', 'cluster/'), 'cluster/demo\ncluster/spark\n:4\n')
  assert.is(await answer('get', 'cluster/demo', 'cluster/s'), 'cluster/spark\n:4\n')
  assert.is(await answer('get', 'job/'), 'job/pi-1\n:4\n')
  assert.is(await answer('delete', 'job/'), 'job/pi-1\n:4\n')
  assert.is(await answer('logs', 'job/'), 'job/pi-1\n:4\n')
  assert.is(await answer('delete', 'cluster/d'), 'cluster/demo\n:4\n')
})
engine('a bare NAME of status and delete: clusters and jobs', async () => {
  assert.is(await answer('status', ''), 'demo\npi-1\nspark\n:4\n')
  assert.is(await answer('delete', 'p'), 'pi-1\n:4\n')
  assert.is(await answer('delete', 'job', ''), 'pi-1\n:4\n')
})
engine('roles: scale NAME <TAB> and --role of the cluster, --members of create/apply of the app (ROLE= without a space)', async () => {
  calls.length = 0
  const open = Directive.noFileComp | Directive.noSpace
  assert.is(await answer('scale', 'demo', ''), `controller=\nworker=\n:${open}\n`)
  assert.equal(calls, [{kind: 'roles', namespace: undefined, of: 'demo'}])
  assert.is(await answer('scale', 'cluster/demo', 'w'), `worker=\n:${open}\n`)
  assert.is(await answer('scale', 'demo', '--role', ''), 'controller\nworker\n:4\n')
  calls.length = 0
  assert.is(await answer('create', 'shelldemo', '--members', 'e'), `edge=\n:${open}\n`)
  assert.equal(calls, [{kind: 'app-roles', namespace: undefined, of: 'shelldemo'}])
  assert.is(await answer('create', 'shelldemo', '--memory=w'), `--memory=worker=\n:${open}\n`)
  // without an app typed there is nothing to ask for
  assert.is(await answer('create', '--members', ''), ':4\n')
})
engine('describe and edit complete clusters (TYPE NAME and TYPE/NAME), logs cluster/ too; help completes commands', async () => {
  const more: CommandSpec[] = [...COMMANDS, {id: 'describe', flags: global}, {id: 'edit', flags: global}]
  const ans = async (...words: string[]) => formatCompletion(await complete(more, words, lookup))
  // a bare NAME of describe (status's view) is a cluster or a job
  assert.is(await ans('describe', ''), 'demo\npi-1\nspark\n:4\n')
  assert.is(await ans('describe', 'cluster/s'), 'cluster/spark\n:4\n')
  assert.is(await ans('describe', 'job', ''), 'pi-1\n:4\n')
  assert.is(await ans('edit', 'cluster', 'd'), 'demo\n:4\n')
  assert.is(await ans('edit', 'cluster/'), 'cluster/demo\ncluster/spark\n:4\n')
  assert.is(await ans('edit', 'demo', ''), ':4\n')
  assert.is(await ans('logs', 'cluster/d'), 'cluster/demo\n:4\n')
  assert.is(await ans('logs', 'job/'), 'job/pi-1\n:4\n')
  assert.is(await ans('help', 'de'), 'delete\tDelete\ndescribe\n:4\n')
})
engine('positional arguments past the last one complete nothing', async () => {
  assert.is(await answer('create', 'shelldemo', 'mine', ''), ':4\n')
})
engine('a failing lookup completes nothing instead of failing', async () => {
  const r = await complete(COMMANDS, ['get', 'clusters', ''], async () => {
    throw new Error('no cluster')
  })
  assert.is(formatCompletion(r), ':4\n')
})
engine.run()

const offline = {...process.env, KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent-home'}
const completeBin = join(repoRoot, 'bin', 'kubectl_complete-kd')
const run = (args: string[]) => spawnSync(completeBin, args, {env: offline, encoding: 'utf8', timeout: 20_000})

const binary = suite('kubectl_complete-kd (the executable kubectl ≥ 1.26 runs), offline')
binary('kubectl kd <TAB> lists the commands', () => {
  const r = run([''])
  assert.is(r.status, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  assert.is(lines.at(-1), ':4')
  const names = lines.slice(0, -1).map((l) => l.split('\t')[0])
  for (const c of ['app', 'apply', 'completion', 'create', 'delete', 'describe', 'edit', 'get', 'logs', 'scale', 'status', 'submit', 'version']) assert.ok(names.includes(c), c)
  assert.not.ok(names.includes('__complete'))
})
binary('words oclif would take for its own (-h, --help, --version) are completion input', () => {
  assert.is(run(['get', '-h']).stdout, ':4\n')
  assert.match(run(['get', '--he']).stdout, /^:4\n$/)
  assert.match(run(['--vers']).stdout, /^:4\n$/)
})
binary('built-in app names without a cluster, quickly', () => {
  const started = Date.now()
  const r = run(['create', 'spark'])
  assert.is(r.stdout, 'spark211up\nspark221e2\nspark35\nspark4\n:4\n')
  assert.ok(Date.now() - started < 5000)
})
binary('cluster names with no cluster reachable: nothing, no error', () => {
  const r = run(['get', 'clusters', ''])
  assert.is(r.stdout, ':4\n')
  assert.is(r.status, 0)
})
binary.run()

const bash = suite('kubectl kd completion bash')
bash('the script completes kubectl-kd words through __complete', () => {
  const script = completionScript('bash')
  const prog = `
PATH=${join(repoRoot, 'bin')}:$PATH
${script}
COMP_WORDS=(kubectl-kd get --output=y); COMP_CWORD=2; COMP_LINE="kubectl-kd get --output=y"
__kubectl_kd_complete; printf '%s\\n' "\${COMPREPLY[@]}"
COMP_WORDS=(kubectl-kd cr); COMP_CWORD=1
__kubectl_kd_complete; printf '%s\\n' "\${COMPREPLY[@]}"
COMP_WORDS=(kubectl-kd app ''); COMP_CWORD=2
__kubectl_kd_complete; printf '%s\\n' "\${COMPREPLY[@]}"
`
  const r = spawnSync('bash', ['-c', prog], {env: offline, encoding: 'utf8', timeout: 30_000})
  assert.is(r.status, 0, r.stderr)
  assert.is(r.stdout, 'yaml\ncreate\nadd\nlist\nremove\nshow\n')
})
bash('zsh and fish scripts are well-formed for their shells (when installed)', () => {
  for (const shell of ['zsh', 'fish'] as const) {
    const has = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0
    if (!has) {
      console.log(`  (skipped: ${shell} is not installed)`)
      continue
    }
    const r = spawnSync(shell, shell === 'fish' ? ['--no-execute'] : ['-n'], {input: completionScript(shell), encoding: 'utf8'})
    assert.is(r.status, 0, r.stderr)
  }
  assert.match(completionScript('zsh'), /^#compdef kubectl-kd/)
  assert.match(completionScript('fish'), /complete -c kubectl-kd -f -a '\(__kubectl_kd_complete\)'/)
})
bash.run()
