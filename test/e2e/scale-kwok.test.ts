// Scale on KWOK fake nodes (the local API server, real scheduler/controllers, fake kubelets): a cluster
// of N members (default 200; KD_SCALE=N picks another even size, KD_SCALE=0 skips) of the `tiny` app (one
// role, no config package, so the agent configures members without exec) is created and reaches
// configured, scales N → N/2 → N, `get`/`status` answer fast, and `delete --wait` leaves nothing. Members
// land on the fake nodes by the role's own nodeSelector/tolerations. 1000 members and the figures:
// bench/scale.bench.ts.
import {writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, objectsWithLabel} from '../lib/cluster.ts'
import {kd, kdAsync} from '../lib/kd.ts'
import {clusterFile, startKwok, stopKwok, tinyApp} from './scale-kwok-lib.ts'

const N = Number(process.env.KD_SCALE ?? 200)
if (!Number.isInteger(N) || N < 0 || N % 2 || N === 2) throw new Error(`KD_SCALE=${process.env.KD_SCALE}: want an even member count ≥ 4 (0 skips)`)
const enabled = N > 0
const ns = enabled ? createNamespace('kd-e2e-scale') : ''
const args = (a: string[]) => [...a.slice(0, a[0] === 'app' ? 2 : 1), '-n', ns, ...a.slice(a[0] === 'app' ? 2 : 1)]
const run = (a: string[]) => kd(args(a), {env: clusterEnv()})
const runAsync = (a: string[]) => kdAsync(args(a), {env: clusterEnv()})
const memberNodes = () =>
  kubectl(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=big,kubectl-kd.io/role', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}'])
    .split('\n')
    .filter(Boolean)
const secs = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1)
// one fake node holds 1100 pods
const fakeNodes = Math.max(2, Math.ceil(N / 1000))

const test = suite(`scale: ${N} members on KWOK fake nodes`)
test.before(() => {
  if (enabled) startKwok(fakeNodes)
})
test.after(() => {
  if (!enabled || process.env.KD_KEEP) return
  // always: the cluster, the namespace, then the fake nodes (stop.sh force-removes pods still bound to them)
  run(['delete', 'big'])
  deleteNamespace(ns)
  stopKwok()
})

test(`create --wait: ${N} members configured, all on fake nodes`, async () => {
  assert.is(run(['app', 'add', tinyApp]).code, 0)
  const f = join(mkdtempSync(join(tmpdir(), 'kd-scale-')), 'big.yaml')
  writeFileSync(f, clusterFile('big', N))
  const t0 = Date.now()
  const r = await runAsync(['create', '-f', f, '--wait', '--timeout', '5m'])
  console.log(`  create --wait ${N}: ${secs(t0)} s`)
  assert.is(r.code, 0, r.stderr.slice(-2000))
  assert.match(r.stdout, /^cluster\/big: members configured \d+\/\d+ \(/m)
  const nodes = memberNodes()
  assert.is(nodes.length, N)
  assert.ok(nodes.every((n) => n.startsWith('kd-kwok-')), 'a member landed on a real node')
  // the agent itself is on the real node (it does not tolerate the fake nodes' taint)
  const agentNode = kubectl(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=big,app.kubernetes.io/component=agent', '-o', 'jsonpath={.items[*].spec.nodeName}']).trim()
  assert.ok(agentNode && !agentNode.includes('kd-kwok-'), `agent on ${agentNode}`)
})

const getLine = (m: number) => new RegExp(`^big\\s+tiny\\s+configured\\s+${m}/${m}\\b`, 'm')

test('get and status answer fast and say configured', () => {
  for (const a of [['get'], ['status', 'big'], ['status', 'big', '-o', 'json']]) {
    const t0 = Date.now()
    const r = run(a)
    const ms = Date.now() - t0
    console.log(`  kubectl kd ${a.join(' ')}: ${ms} ms`)
    assert.is(r.code, 0, r.stderr)
    assert.ok(ms < 5000, `${a.join(' ')} took ${ms} ms`)
  }
  const got = run(['get'])
  assert.ok(getLine(N).test(got.stdout), `kubectl kd get printed:\n${got.stdout}${got.stderr}`)
  const json = run(['status', 'big', '-o', 'json']).stdout
  JSON.parse(json)
  assert.ok((json.match(/"configured"/g) ?? []).length >= N, 'status -o json lists every member configured')
})

test(`scale ${N} -> ${N / 2} -> ${N}`, async () => {
  for (const m of [N / 2, N]) {
    const t0 = Date.now()
    const r = await runAsync(['scale', 'big', `node=${m}`, '--wait', '--timeout', '5m'])
    console.log(`  scale --wait to ${m}: ${secs(t0)} s`)
    assert.is(r.code, 0, r.stderr.slice(-2000))
    assert.match(run(['get']).stdout, getLine(m))
    // scale down --wait returns once the removed members are gone
    assert.is(memberNodes().length, m)
  }
})

test('delete --wait removes every member and object', async () => {
  const t0 = Date.now()
  const r = await runAsync(['delete', 'big', '--wait', '--timeout', '5m'])
  console.log(`  delete --wait: ${secs(t0)} s`)
  assert.is(r.code, 0, r.stderr.slice(-2000))
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=big'), [])
  assert.not.match(run(['get']).stdout, /^big\s/m)
})

if (enabled) test.run()
else console.log('  scale-kwok: skipped (KD_SCALE=0)')
