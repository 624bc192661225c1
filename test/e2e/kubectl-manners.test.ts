// kubectl's habits with the real binary: several names in one get (each missing one is an error, exit 1),
// a name given twice listed twice, -o jsonpath without a newline, get -w (aligned, Ctrl-C exits 1, state
// and counts agreeing), apply's unchanged/configured and the members a change restarts, one wording per
// kind of message, and `version` failing when the server does not answer.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, objectsWithLabel} from '../lib/cluster.ts'
import {kd, kdAsync, isOneLineError, repoRoot} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-manners')
const run = (args: string[]) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: clusterEnv()})
const test = suite('kubectl manners')
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

test('get with several names: what exists is listed, each missing name is an error, exit 1', () => {
  assert.is(run(['create', 'shelldemo', 'demo']).code, 0)
  const r = run(['get', 'cluster/demo', 'cluster/x'])
  assert.is(r.code, 1)
  assert.match(r.stdout, /^NAME\s+APP.*\ndemo\s+shelldemo/)
  assert.match(r.stderr, new RegExp(`^error: cluster "x" not found in namespace "${ns}"$`, 'm'))
  // a name given twice is printed twice, as kubectl does
  const twice = run(['get', 'cluster', 'demo', 'demo', '-o', 'name'])
  assert.is(twice.code, 0, twice.stderr)
  assert.is(twice.stdout, 'cluster.kubectl-kd.io/demo\ncluster.kubectl-kd.io/demo\n')
  // -o jsonpath: the names and nothing after them (objects carry metadata)
  const names = run(['get', '-o', 'jsonpath={.items[*].metadata.name}'])
  assert.is(names.code, 0, names.stderr)
  assert.is(names.stdout, 'demo')
  assert.is(run(['get', 'cluster', 'demo', '-o', 'jsonpath={.metadata.name}/{.spec.app}']).stdout, 'demo/shelldemo')
  const mixed = run(['get', 'cluster/demo', 'demo'])
  assert.is(mixed.code, 1)
  assert.match(mixed.stderr, /no need to specify a resource type as a separate argument/)
})

test('create --dry-run=client -o yaml | kubectl apply -f -: status reads it, delete --wait removes every object', () => {
  const printed = run(['create', 'shelldemo', 'piped', '--dry-run=client', '-o', 'yaml'])
  assert.is(printed.code, 0, printed.stderr)
  kubectl(['apply', '-n', ns, '-f', '-'], {input: printed.stdout})
  const status = run(['status', 'piped'])
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stdout, /^Cluster:\s+piped$/m)
  const del = run(['delete', 'piped', '--wait', '--timeout', '3m'])
  assert.is(del.code, 0, del.stderr)
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=piped'), [])
})

test('a member whose image cannot be pulled: --wait stops early naming member, role and reason; status shows the reason', () => {
  const started = Date.now()
  const r = run(['create', 'shelldemo', 'nopull', '--image', 'worker=localhost/nosuch:1', '--wait', '--timeout', '4m'])
  assert.is(r.code, 1, r.stderr)
  assert.ok(Date.now() - started < 150_000, `stopped early, not at the 4m timeout (${Date.now() - started} ms)`)
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '))
  assert.is(errors.length, 1, r.stderr)
  assert.match(errors[0]!, /^error: cluster\/nopull will not be configured: worker member nopull-worker-\d: (ErrImagePull|ImagePullBackOff): image localhost\/nosuch:1 of container app cannot be pulled/)
  // the progress view: no ✔ for the worker role, whose failure line names it and why
  // eslint-disable-next-line no-control-regex
  const progress = r.stderr.replace(/\x1b\[[0-9;]*m/g, '')
  assert.not.match(progress, /✔ worker/)
  assert.ok(/✖ worker: members configured 0\/2 \(.*(ErrImagePull|ImagePullBackOff)/.test(progress), progress)
  const status = run(['status', 'nopull'])
  assert.is(status.code, 0, status.stderr)
  assert.match(status.stdout, /nopull-worker-0\s+create pending\s.*(ErrImagePull|ImagePullBackOff): image localhost\/nosuch:1/)
  assert.is(run(['delete', 'nopull', '--wait', '--timeout', '5m']).code, 0)
})

/** Column starts of a table row (cells are separated by 3 or more spaces). */
const columnStarts = (row: string) => [...row.matchAll(/(?:^|\s{3,})(\S)/g)].map((m) => m.index! + m[0].length - 1)

test('get -w: rows aligned as kubectl (widths kept from earlier rows), state and counts agree, Ctrl-C exits 1', async () => {
  assert.is(run(['create', 'shelldemo', 'watched', '--wait', '--timeout', '10m']).code, 0)
  const long = 'a-much-longer-cluster-name'
  const watch = kdAsync(['get', '-n', ns, '-w'], {env: clusterEnv()})
  // until the watch has printed a row like this (at most 3 minutes: the local cluster may be busy)
  const seen = async (what: RegExp) => {
    for (let i = 0; i < 180 && !what.test(watch.stdout()); i++) await new Promise((r) => setTimeout(r, 1000))
    assert.match(watch.stdout(), what)
  }
  await seen(/^watched\s/m)
  // a scale, a cluster with a longer name, and its deletion: each changes what the watch prints
  assert.is(run(['scale', 'watched', 'worker=3']).code, 0)
  await seen(/^watched\s+\S+\s+(creating|updating)\s+\d\/4/m)
  assert.is(run(['create', 'shelldemo', long]).code, 0)
  await seen(new RegExp(`^${long}\\s`, 'm'))
  assert.is(run(['delete', long]).code, 0)
  await new Promise((r) => setTimeout(r, 5000))
  watch.kill('SIGINT')
  const r = await watch
  assert.is(r.code, 1, `Ctrl-C ends get -w with exit 1, as kubectl: ${r.stderr}`)
  assert.is(r.stderr, '')
  const rows = r.stdout.trimEnd().split('\n')
  assert.match(rows[0]!, /^NAME\s+APP\s+STATE\s+MEMBERS\s+AGE$/)
  // state and member counts from one read: never `configured` with members missing or not ready
  for (const row of rows.slice(1)) {
    const m = /^\S+\s+shelldemo\s+(\S+)\s+(\d+)\/(\d+)\s/.exec(row)
    assert.ok(m, `a row: ${row}`)
    if (m![1] === 'configured') assert.is(m![2], m![3], `state and counts disagree: ${row}`)
  }
  assert.ok(rows.some((row) => /^watched\s+shelldemo\s+(creating|updating)\s+\d\/4/.test(row)), `the scale was seen under way:\n${r.stdout}`)
  // columns: the first rows line up with the header; once the long name was printed, every later row
  // (also those printed after it was deleted) keeps its wider columns
  assert.equal(columnStarts(rows[1]!), columnStarts(rows[0]!))
  const firstLong = rows.findIndex((row) => row.startsWith(long))
  assert.ok(firstLong > 0, r.stdout)
  const wide = columnStarts(rows[firstLong]!)
  assert.ok(wide[1]! > columnStarts(rows[0]!)[1]!)
  for (const row of rows.slice(firstLong)) assert.equal(columnStarts(row), wide, `row not aligned: ${row}`)
  assert.ok(rows.slice(firstLong).some((row) => row.startsWith('demo ')) && !rows.at(-1)!.startsWith(long), 'rows printed after the long one was deleted')
})

test('status: events oldest first, and the newest cluster state event says the state shown', () => {
  // the scale above, to its end (unchanged, then waits until configured)
  const scaled = run(['scale', 'watched', 'worker=3', '--wait', '--timeout', '10m'])
  assert.is(scaled.code, 0, scaled.stderr)
  const r = run(['status', 'watched'])
  assert.is(r.code, 0, r.stderr)
  const state = /^State:\s+(\S+)$/m.exec(r.stdout)![1]
  const events = r.stdout.slice(r.stdout.indexOf('Events:')).split('\n').slice(2).filter(Boolean)
  const stateEvents = events.filter((e) => /\sClusterState\s/.test(e))
  assert.ok(stateEvents.length >= 2, r.stdout)
  assert.match(stateEvents.at(-1)!, new RegExp(`cluster watched is ${state}$`))
  assert.ok(events.findIndex((e) => /is updating$/.test(e)) < events.findLastIndex((e) => /is configured$/.test(e)), r.stdout)
})

test('apply: unchanged, configured; a change that restarts members is said before, also with --dry-run=server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-apply-'))
  const file = join(dir, 'watched.yaml')
  writeFileSync(file, run(['get', 'cluster', 'watched', '-o', 'yaml']).stdout)
  const same = run(['apply', '-f', file])
  assert.is(same.code, 0, same.stderr)
  assert.is(same.stdout, 'cluster/watched unchanged\n')
  const uids = () => kubectl(['get', 'pods', '-n', ns, '-l', 'kubectl-kd.io/cluster=watched,kubectl-kd.io/role', '-o', 'jsonpath={.items[*].metadata.uid}'])
  const before = uids()
  const bigger = join(dir, 'bigger.yaml')
  // the worker role's memory limit (its resources block is the second one)
  const text = readFileSync(file, 'utf8')
  const worker = text.indexOf('- id: worker')
  writeFileSync(bigger, text.slice(0, worker) + text.slice(worker).replace('memory: 512Mi', 'memory: 600Mi'))
  const dry = run(['apply', '-f', bigger, '--dry-run=server'])
  assert.is(dry.code, 0, dry.stderr)
  assert.is(dry.stdout, 'cluster/watched configured (server dry run)\n')
  assert.match(dry.stderr, /^cluster\/watched: role worker: resources change restarts 3 members$/m)
  assert.not.match(dry.stderr, /role controller/)
  assert.is(uids(), before, 'a server dry run restarts nothing')
  const changed = run(['apply', '-f', bigger])
  assert.is(changed.code, 0, changed.stderr)
  assert.is(changed.stdout, 'cluster/watched configured\n')
  assert.match(changed.stderr, /^cluster\/watched: role worker: resources change restarts 3 members$/m)
  // a change of the member count alone restarts nobody
  const more = join(dir, 'more.yaml')
  writeFileSync(more, readFileSync(bigger, 'utf8').replace(/(- id: worker\n\s+members: )3/, '$14'))
  const scaled = run(['apply', '-f', more, '--dry-run=server'])
  assert.is(scaled.code, 0, scaled.stderr)
  assert.not.match(scaled.stderr, /restarts/)
})

test('create --wait: kubectl\'s created for the object, the state said as members configured', () => {
  const r = run(['create', 'shelldemo', 'words', '--wait', '--timeout', '10m'])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^cluster\/words created\ncluster\/words: members configured 3\/3 \(\d+\.\ds\)\n$/)
  assert.match(r.stderr, /worker: members configured 2\/2/)
  assert.not.match(r.stderr, /\d\/\d configured/)
  assert.is(run(['delete', 'words']).code, 0)
})

test('one wording per kind of error', () => {
  const cases: [string[], RegExp][] = [
    [['create', 'shelldemo', 'Demo_2', '--dry-run=client'], /^error: invalid cluster name "Demo_2": must be /],
    [['create', 'shelldemo', 'x', '--members', 'controller=2', '--dry-run=client'], /\(exactly 1 member\)$/],
    [['scale', 'demo', 'controller=2'], /\(exactly 1 member\)$/],
    [['create', 'shelldemo', 'x', '--dry-run=maybe'], /^error: invalid value "maybe" for --dry-run: must be one of none, client, server$/],
    [['delete', 'demo', '--dry-run=maybe'], /^error: invalid value "maybe" for --dry-run: must be one of none, client, server$/],
    [['status', 'nosuch'], new RegExp(`not found in namespace "${ns}"`)],
    [['get', 'cluster', 'nosuch'], new RegExp(`^error: cluster "nosuch" not found in namespace "${ns}"$`)],
  ]
  for (const [args, message] of cases) {
    const r = run(args)
    assert.ok(isOneLineError(r), `${args.join(' ')}: exit ${r.code}: ${r.stderr}`)
    assert.match(r.stderr.trim(), message)
  }
})

test('delete job/NAME prints the job\'s own name when another name found it', () => {
  // a driver pod as spark-submit makes it (name prefix pi-1a2b, app name pi); it only has to exist
  kubectl(['apply', '-n', ns, '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'pi-1a2b-driver', labels: {'spark-role': 'driver', 'spark-app-name': 'pi', 'spark-app-selector': 'spark-1a2b'}},
      spec: {containers: [{name: 'spark-kubernetes-driver', image: 'localhost/kubectl-kd/shell:1', command: ['sleep', '600']}], terminationGracePeriodSeconds: 0},
    }),
  })
  const r = run(['delete', 'job/pi'])
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'job/pi-1a2b deleted\n')
})

test('kubectl wait with the README\'s selector waits for the members only, not the agent', () => {
  const out = kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod', '-l', 'kubectl-kd.io/cluster=watched,kubectl-kd.io/role', '--timeout=600s'])
  const pods = out.trim().split('\n').map((l) => l.replace(/ condition met$/, '')).sort()
  assert.equal(pods, ['pod/watched-controller-0', 'pod/watched-worker-0', 'pod/watched-worker-1', 'pod/watched-worker-2'])
  assert.ok(readFileSync(join(repoRoot, 'README.md'), 'utf8').includes('kubectl wait --for=condition=Ready pod -l kubectl-kd.io/cluster=demo,kubectl-kd.io/role'))
})

test('completion from the cluster: get cluster/<TAB>, jobs and clusters for status, roles for scale and --members', () => {
  // completion gives up after 3 s and answers nothing: on a busy local cluster, ask again (at most 3 times)
  const complete = (...words: string[]) => {
    let out = ''
    for (let i = 0; i < 3 && /^:\d+\n$/.test((out = kd(['__complete', '--', '-n', ns, ...words], {env: clusterEnv()}).stdout)); i++);
    return out
  }
  assert.match(complete('get', 'cluster/w'), /^cluster\/watched\n:4\n$/)
  assert.match(complete('status', ''), /^demo\n.*watched\n:4\n$/s)
  assert.is(complete('scale', 'watched', ''), 'controller=\nedge=\nworker=\n:6\n')
  assert.is(complete('scale', 'watched', '--role', 'w'), 'worker\n:4\n')
  assert.is(complete('create', 'shelldemo', '--members', ''), 'controller=\nedge=\nworker=\n:6\n')
})

test('version: the client version, and exit 1 when the server does not answer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-version-'))
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:59998", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n')
  const r = kd(['version'], {env: {KUBECONFIG: kubeconfig}})
  assert.is(r.code, 1)
  assert.match(r.stdout, /^Client Version: v\d+\.\d+\.\d+$/m)
  assert.match(r.stderr, /^error: unable to reach the server: the cluster at https:\/\/127\.0\.0\.1:59998 is not reachable \(ECONNREFUSED\)/m)
  assert.is(kd(['version', '--client'], {env: {KUBECONFIG: kubeconfig}}).code, 0)
})

test.run()
