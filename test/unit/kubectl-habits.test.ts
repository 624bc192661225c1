// kubectl's habits, the pure parts: suggestions for mistyped names, kubectl's command-line forms
// (help COMMAND, -v=N, a bare --dry-run), scale's arguments, the editor edit starts, logs' member choice.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {editDistance, suggestions} from '../../src/did-you-mean.ts'
import {bareDryRun, helpArgv, hoistGlobalFlags, klogPrefix, takeVerbosity} from '../../src/kubectl-argv.ts'
import {scaleArguments} from '../../src/scale-arguments.ts'
import {editorArgs} from '../../src/editor.ts'
import {cacheKind} from '../../src/code-cache.ts'
import {pickMember} from '../../src/actions/cluster/cluster-logs.ts'
import {parseLogsTarget} from '../../src/target.ts'
import {join} from 'node:path'
import {isOneLineError, kd, repoRoot} from '../lib/kd.ts'
import {throwsUser} from '../lib/user-errors.ts'

const dym = suite('did you mean')
dym('edit distance: insertions, deletions, substitutions', () => {
  assert.is(editDistance('staus', 'status'), 1)
  assert.is(editDistance('wroker', 'worker'), 2)
  assert.is(editDistance('', 'abc'), 3)
  assert.is(editDistance('kitten', 'sitting'), 3)
  assert.is(editDistance('same', 'same'), 0)
})
dym('suggestions: within 2 edits or a prefix, closest first; none for an exact name or nothing close', () => {
  const commands = ['apply', 'create', 'delete', 'describe', 'edit', 'get', 'logs', 'scale', 'status', 'submit', 'version']
  assert.equal(suggestions('staus', commands), ['status'])
  assert.equal(suggestions('STATUS', commands), ['status'])
  assert.equal(suggestions('descr', commands), ['describe'])
  assert.equal(suggestions('des', commands), ['get', 'describe'])
  assert.equal(suggestions('delet', commands), ['delete'])
  assert.equal(suggestions('xyzzy', commands), [])
  assert.equal(suggestions('get', commands), [])
  assert.equal(suggestions('wroker', ['controller', 'worker', 'edge']), ['worker'])
  assert.equal(suggestions('', commands), [])
})
dym.run()

const argv = suite("kubectl's command-line forms")
argv('help COMMAND is COMMAND --help; other lines stay as they are', () => {
  assert.equal(helpArgv(['help', 'get']), ['get', '--help'])
  assert.equal(helpArgv(['help', 'app', 'list']), ['app', 'list', '--help'])
  assert.equal(helpArgv(['help']), ['--help'])
  assert.equal(helpArgv(['help', 'get', '--help']), ['get', '--help'])
  assert.equal(helpArgv(['get', 'help']), ['get', 'help'])
})
argv('global flags before the command move to just after its words (never into trailing arguments)', () => {
  const commands = ['status', 'submit', 'app list', 'app', 'logs']
  assert.equal(hoistGlobalFlags(['-n', 'team', 'status', 'demo'], commands), ['status', '-n', 'team', 'demo'])
  assert.equal(hoistGlobalFlags(['--namespace=team', '--context', 'kd', 'app', 'list', '-o', 'name'], commands), ['app', 'list', '--namespace=team', '--context', 'kd', '-o', 'name'])
  assert.equal(hoistGlobalFlags(['-nteam', '-v=6', 'submit', 'job.py', '10'], commands), ['submit', '-nteam', '-v=6', 'job.py', '10'])
  assert.equal(hoistGlobalFlags(['-A', 'logs'], commands), ['logs', '-A'])
  // nothing before the command, or not a global flag: as written
  assert.equal(hoistGlobalFlags(['status', '-n', 'team'], commands), ['status', '-n', 'team'])
  assert.equal(hoistGlobalFlags(['--foo', 'status'], commands), ['--foo', 'status'])
  assert.equal(hoistGlobalFlags(['-n'], commands), ['-n'])
})

argv('-v=N, --v=N, -v N, --v N: the level, taken out; a bare -v and anything after -- stay', () => {
  assert.equal(takeVerbosity(['get', '-v=6']), {argv: ['get'], level: 6})
  assert.equal(takeVerbosity(['get', '--v=8', '-n', 'x']), {argv: ['get', '-n', 'x'], level: 8})
  assert.equal(takeVerbosity(['-v', '7', 'get']), {argv: ['get'], level: 7})
  assert.equal(takeVerbosity(['get', '--v', '2']), {argv: ['get'], level: 2})
  assert.equal(takeVerbosity(['get', '-v']), {argv: ['get', '-v'], level: undefined})
  assert.equal(takeVerbosity(['get', '-v', 'demo']), {argv: ['get', '-v', 'demo'], level: undefined})
  assert.equal(takeVerbosity(['submit', '--', 'app.py', '-v=6']), {argv: ['submit', '--', 'app.py', '-v=6'], level: undefined})
  assert.equal(takeVerbosity(['get', '-v=x']).argv, ['get', '-v=x'])
})
argv("a bare --dry-run is client with kubectl's warning; true/false as kubectl reads them; a value as the next word stays", () => {
  const values = ['none', 'client', 'server']
  assert.equal(bareDryRun(['create', 'x', '--dry-run'], values), {argv: ['create', 'x', '--dry-run=client'], warnings: ['--dry-run is deprecated and can be replaced with --dry-run=client.']})
  assert.equal(bareDryRun(['create', '--dry-run', 'x'], values).argv, ['create', '--dry-run=client', 'x'])
  assert.equal(bareDryRun(['create', '--dry-run', 'server'], values), {argv: ['create', '--dry-run', 'server'], warnings: []})
  assert.equal(bareDryRun(['--dry-run=true'], values), {argv: ['--dry-run=client'], warnings: ['--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client.']})
  assert.equal(bareDryRun(['--dry-run=false'], values), {argv: ['--dry-run=none'], warnings: ['--dry-run=false is deprecated (boolean value) and can be replaced with --dry-run=none.']})
  assert.equal(bareDryRun(['--dry-run=server', '--', '--dry-run'], values), {argv: ['--dry-run=server', '--', '--dry-run'], warnings: []})
})
argv("klog's line header: severity, month and day, time with microseconds, pid in 7 columns", () => {
  assert.is(klogPrefix('W', 'x.ts', new Date(2026, 11, 3, 8, 5, 9, 477), 17399), 'W1203 08:05:09.477000   17399 x.ts] ')
})
argv('the code cache of `help COMMAND` is the help one', () => {
  assert.is(cacheKind(['help', 'get']), 'get-help')
  assert.is(cacheKind(['get', '--help']), 'get-help')
  assert.is(cacheKind(['describe', 'demo']), 'describe')
})
argv.run()

const scale = suite('scale arguments')
scale('ROLE=N, --replicas with --role, --members, cluster NAME and cluster/NAME', () => {
  assert.equal(scaleArguments({name: 'demo', assignment: 'worker=3'}, {}), {name: 'demo', role: 'worker', members: 3})
  assert.equal(scaleArguments({name: 'cluster/demo'}, {replicas: 4, role: 'worker'}), {name: 'demo', role: 'worker', members: 4})
  assert.equal(scaleArguments({name: 'demo'}, {replicas: 2}), {name: 'demo', role: undefined, members: 2})
  assert.equal(scaleArguments({name: 'demo'}, {members: 2, role: 'worker'}), {name: 'demo', role: 'worker', members: 2})
  assert.equal(scaleArguments({name: 'cluster', assignment: 'demo', more: 'wroker=2'}, {}), {name: 'demo', role: 'wroker', members: 2})
  assert.equal(scaleArguments({name: 'cluster', assignment: 'demo'}, {replicas: 1}), {name: 'demo', role: undefined, members: 1})
})
scale('refused: no count, a bad ROLE=N, counts or roles that disagree, another type', () => {
  throwsUser(() => scaleArguments({name: 'demo'}, {role: 'worker'}), /give the new member count: --replicas N/)
  throwsUser(() => scaleArguments({name: 'demo', assignment: 'worker'}, {}), /^worker: expected ROLE=N/)
  throwsUser(() => scaleArguments({name: 'demo'}, {replicas: 2, members: 3}), /--replicas and --members say different counts/)
  throwsUser(() => scaleArguments({name: 'demo', assignment: 'worker=2'}, {role: 'edge'}), /say different things/)
  throwsUser(() => scaleArguments({name: 'job/pi'}, {replicas: 2}), /works on clusters only/)
})
scale.run()

const editor = suite('the editor of edit (as kubectl edit picks it)')
editor('KUBE_EDITOR before EDITOR before vi; spaces split; quotes go to the shell', () => {
  assert.equal(editorArgs({}, '/tmp/a.yaml'), {editor: 'vi', args: ['vi', '/tmp/a.yaml']})
  assert.equal(editorArgs({EDITOR: 'nano', KUBE_EDITOR: 'emacs'}, '/tmp/a.yaml').args, ['emacs', '/tmp/a.yaml'])
  assert.equal(editorArgs({EDITOR: 'nano', KUBE_EDITOR: ''}, '/tmp/a.yaml').args, ['nano', '/tmp/a.yaml'])
  assert.equal(editorArgs({EDITOR: 'code --wait'}, '/tmp/a.yaml').args, ['code', '--wait', '/tmp/a.yaml'])
  assert.equal(editorArgs({EDITOR: "sed -i 's/a/b/'", SHELL: '/bin/bash'}, '/tmp/a b.yaml').args, ['/bin/bash', '-c', `sed -i 's/a/b/' "/tmp/a b.yaml"`])
})
editor.run()

const logs = suite("logs of a cluster's member")
const pod = (name: string, labels: Record<string, string>) => ({metadata: {name, labels}})
const pods = [
  pod('demo-worker-1', {'kubectl-kd.io/role': 'worker'}),
  pod('demo-controller-0', {'kubectl-kd.io/role': 'controller'}),
  pod('demo-worker-0', {'kubectl-kd.io/role': 'worker'}),
  pod('demo-kd-agent-5d9f-abcde', {'app.kubernetes.io/component': 'agent'}),
]
logs("logs' words: TYPE/NAME [MEMBER], TYPE NAME [MEMBER], NAME MEMBER (a cluster), NAME (a job or a cluster)", () => {
  assert.equal(parseLogsTarget(['cluster/demo']), {kind: 'cluster', name: 'demo', member: undefined})
  assert.equal(parseLogsTarget(['cluster/demo', 'worker-0']), {kind: 'cluster', name: 'demo', member: 'worker-0'})
  assert.equal(parseLogsTarget(['cluster', 'demo', 'agent']), {kind: 'cluster', name: 'demo', member: 'agent'})
  assert.equal(parseLogsTarget(['demo', 'demo-worker-0']), {kind: 'cluster', name: 'demo', member: 'demo-worker-0'})
  assert.equal(parseLogsTarget(['pi']), {kind: undefined, name: 'pi', member: undefined})
  assert.equal(parseLogsTarget(['job', 'pi']), {kind: 'job', name: 'pi', member: undefined})
  throwsUser(() => parseLogsTarget(['job/pi', 'x']), /^x: a job's log takes no member/)
  throwsUser(() => parseLogsTarget(['cluster', 'demo', 'a', 'b']), /^unexpected argument: b/)
  throwsUser(() => parseLogsTarget(['pod/x']), /unknown resource type "pod"/)
})
logs('a member by pod name or without the cluster name; agent; the app container', () => {
  assert.equal(pickMember('demo', pods, 'demo-worker-1'), {pod: 'demo-worker-1', container: 'app'})
  assert.equal(pickMember('demo', pods, 'worker-0'), {pod: 'demo-worker-0', container: 'app'})
  assert.equal(pickMember('demo', pods, 'agent'), {pod: 'demo-kd-agent-5d9f-abcde', container: 'agent'})
})
logs('no member: one line listing them and how to pick one; a mistyped one: did you mean, in the form typed', () => {
  throwsUser(() => pickMember('demo', pods, undefined), /^cluster "demo" has 3 members: demo-controller-0, demo-worker-0, demo-worker-1; pick one: kubectl kd logs cluster\/demo demo-controller-0 \(or agent/)
  throwsUser(() => pickMember('demo', pods, 'wroker-1'), /^cluster "demo" has no member "wroker-1"; did you mean "worker-1"\?/)
  throwsUser(() => pickMember('demo', pods, 'demo-wroker-1'), /did you mean "demo-worker-1"\?/)
  throwsUser(() => pickMember('demo', [], undefined), /has no member pods yet; its agent's log: kubectl kd logs cluster\/demo agent/)
  throwsUser(() => pickMember('demo', pods.slice(0, 3), 'agent'), /has no running agent pod/)
})
logs.run()

const binary = suite('the real binary, offline')
const offline = {KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent-home'}
binary("a mistyped command: Cobra's error with its suggestion, exit 1; nothing close: the one line", () => {
  const r = kd(['staus'], {env: offline})
  assert.is(r.code, 1)
  assert.is(r.stdout, '')
  assert.is(r.stderr, 'error: unknown command "staus" for "kubectl kd"\n\nDid you mean this?\n\tstatus\n')
  assert.is(kd(['staus', 'demo', '-o', 'json'], {env: offline}).stderr, r.stderr)
  const sub = kd(['app', 'lst', 'x'], {env: offline})
  assert.is(sub.stderr, 'error: unknown command "app lst" for "kubectl kd"\n\nDid you mean this?\n\tapp list\n')
  const far = kd(['xyzzy'], {env: offline})
  assert.ok(isOneLineError(far), far.stderr)
  assert.match(far.stderr, /^error: unknown command "xyzzy" for "kubectl kd"/)
  const help = kd(['help', 'staus'], {env: offline})
  assert.is(help.code, 1)
  assert.match(help.stderr, /^error: unknown command "staus" for "kubectl kd"\n\nDid you mean this\?\n\tstatus\n$/)
})
binary('help COMMAND prints what COMMAND --help prints', () => {
  for (const words of [['get'], ['app', 'list'], ['describe'], ['edit']]) {
    const a = kd(['help', ...words], {env: offline})
    const b = kd([...words, '--help'], {env: offline})
    assert.is(a.code, 0, a.stderr)
    assert.is(a.stdout, b.stdout)
    assert.match(a.stdout, new RegExp(`\\$ kubectl kd ${words.join(' ')}`))
  }
})
binary("a bare --dry-run: client, with kubectl's warning on stderr; -v=6 parses where -v does", () => {
  const r = kd(['create', 'shelldemo', 'x', '--dry-run'], {env: offline})
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'cluster/x created (dry run)\n')
  assert.match(r.stderr, /^W\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ \S+\] --dry-run is deprecated and can be replaced with --dry-run=client\.\n/)
  // submit: the bare flag does not take the application as its value
  const submit = kd(['submit', '--dry-run', '--image', 'localhost/x:1', '-o', 'name', join(repoRoot, 'examples/spark/pi.py'), '10'], {env: offline})
  assert.is(submit.code, 0, submit.stderr)
  assert.match(submit.stdout, /^job\.kubectl-kd\.io\/pi-py-[0-9a-f]+\n$/)
  assert.match(submit.stderr, /--dry-run is deprecated and can be replaced with --dry-run=client\.\n$/)
  const v = kd(['create', 'shelldemo', 'x', '--dry-run=client', '-v=6', '-o', 'name'], {env: offline})
  assert.is(v.code, 0, v.stderr)
  assert.match(v.stdout, /^configmap\/x-kd$/m)
  const bad = kd(['get', '-v=6'], {env: offline})
  assert.ok(isOneLineError(bad), bad.stderr)
  assert.match(bad.stderr, /no kubeconfig found/)
})
binary('verbs given nothing to work on, or two things: one error line, exit 1', () => {
  for (const [args, pattern] of [
    [['delete'], /^error: give what to delete: NAME, cluster\/NAME, job\/NAME, or -f FILE\|DIR\|-$/m],
    [['delete', 'demo', '-f', 'x.yaml'], /^error: give either NAME or -f FILE, not both$/m],
    [['scale', 'demo'], /^error: give the new member count: --replicas N/],
    [['scale', 'demo', '--replicas', '2', '--members', '3'], /^error: --replicas and --members say different counts/],
    [['edit', 'job/pi'], /^error: job\/pi: this command works on clusters only$/m],
    [['logs', 'job/pi', 'driver'], /^error: driver: a job's log takes no member/],
    [['logs', 'cluster/demo', '-e', '1'], /^error: --executor is for Spark jobs/],
  ] as const) {
    const r = kd([...args], {env: offline})
    assert.ok(isOneLineError(r), `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, pattern)
  }
})
binary.run()
