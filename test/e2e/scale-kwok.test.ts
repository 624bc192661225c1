// Scale on KWOK fake nodes (the local API server, real scheduler/controllers, fake kubelets): a cluster
// of KD_SCALE_MEMBERS (default 200) members of an app without config package is created and reaches
// configured, scales N → N/2 → N, stays fast to `get`/`status`, and is deleted with nothing left.
// 1000 members and the figures are in bench/scale.bench.ts.
import {writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl} from '../lib/cluster.ts'
import {kd, kdAsync} from '../lib/kd.ts'
import {clusterFile, startKwok, stopKwok, tinyApp} from './scale-kwok-lib.ts'

const N = Number(process.env.KD_SCALE_MEMBERS ?? 200)
// Opt-in (KD_SCALE=1): test/cluster/kwok/kwok.yaml now gives members a containerID and leaves the
// readiness gate to the agent, but the agent still runs its setup script over exec for roles without a
// config package (to deliver configmeta), and fake nodes have no kubelet to exec in, so members stay
// `creating`. See docs/guarantees.md, "Scale".
const enabled = process.env.KD_SCALE === '1'
const ns = enabled ? createNamespace('kd-e2e-scale') : ''
const args = (a: string[]) => [...a.slice(0, a[0] === 'app' ? 2 : 1), '-n', ns, ...a.slice(a[0] === 'app' ? 2 : 1)]
const run = (a: string[]) => kd(args(a), {env: clusterEnv()})
const memberPods = () => kubectl(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=big,kubectl-kd.io/role', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}']).split('\n').filter(Boolean)

const test = suite(`scale: ${N} members on KWOK fake nodes`)
test.before(() => {
  if (!enabled) return
  startKwok(2)
})
test.after(async () => {
  if (!enabled) return
  if (!process.env.KD_KEEP) {
    run(['delete', 'big'])
    deleteNamespace(ns)
    stopKwok()
  }
})

test(`create --wait: ${N} members configured, all on fake nodes`, async () => {
  assert.is(run(['app', 'add', tinyApp]).code, 0)
  const f = join(mkdtempSync(join(tmpdir(), 'kd-scale-')), 'big.yaml')
  writeFileSync(f, clusterFile('big', N))
  const t0 = Date.now()
  const r = await kdAsync(args(['create', '-f', f, '--wait', '--timeout', '6m']), {env: clusterEnv()})
  console.log(`  create --wait ${N}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  assert.is(r.code, 0, r.stderr.slice(-2000))
  assert.match(r.stdout, /cluster\/big configured/)
  const nodes = memberPods()
  assert.is(nodes.length, N)
  assert.ok(nodes.every((n) => n.startsWith('kd-kwok-')), 'a member landed on a real node')
})

test('get and status stay fast', () => {
  for (const a of [['get'], ['status', 'big'], ['status', 'big', '-o', 'json']]) {
    const t0 = Date.now()
    const r = run(a)
    const ms = Date.now() - t0
    console.log(`  kubectl kd ${a.join(' ')}: ${ms} ms`)
    assert.is(r.code, 0, r.stderr)
    assert.ok(ms < 5000, `${a.join(' ')} took ${ms} ms`)
  }
  assert.match(run(['get']).stdout, new RegExp(`big\\s+tiny\\s+configured\\s+${N}/${N}`))
  const status = JSON.parse(run(['status', 'big', '-o', 'json']).stdout)
  assert.is(JSON.stringify(status).match(/"configured"/g)!.length >= N, true)
})

test(`scale ${N} -> ${N / 2} -> ${N}`, async () => {
  for (const m of [N / 2, N]) {
    const t0 = Date.now()
    const r = await kdAsync(args(['scale', 'big', `node=${m}`, '--wait', '--timeout', '6m']), {env: clusterEnv()})
    console.log(`  scale to ${m}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    assert.is(r.code, 0, r.stderr.slice(-2000))
    assert.match(run(['get']).stdout, new RegExp(`big\\s+tiny\\s+configured\\s+${m}/${m}`))
    assert.is(memberPods().length, m)
  }
})

test('delete --wait removes every member and object', async () => {
  const t0 = Date.now()
  const r = await kdAsync(args(['delete', 'big', '--wait', '--timeout', '6m']), {env: clusterEnv()})
  console.log(`  delete --wait: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  assert.is(r.code, 0, r.stderr.slice(-2000))
  for (let i = 0; i < 60 && kubectl(['-n', ns, 'get', 'pods,svc,sts,cm', '-l', 'kubectl-kd.io/cluster=big', '-o', 'name']).trim(); i++) await new Promise((res) => setTimeout(res, 1000))
  assert.is(kubectl(['-n', ns, 'get', 'pods,svc,sts,cm', '-l', 'kubectl-kd.io/cluster=big', '-o', 'name']).trim(), '')
})

if (enabled) test.run()
else console.log('  scale-kwok: skipped (set KD_SCALE=1)')
