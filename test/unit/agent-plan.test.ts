// The agent's protocol decisions as pure functions of observed pods (agent/src/plan.ts).
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {ANNOTATION} from '../../src/cluster/names.ts'
import {KNOWN_MEMBERS_ANNOTATION, decodeMembers, encodeMembers, membershipSignature, plan, rollup, type DesiredMember, type ObservedPod, type PlanInput} from '../../agent/src/plan.ts'

const fqdn = (role: string, index: number) => `c-${role}-${index}.c.ns.svc.cluster.local`
const desired = (counts: Record<string, number>): DesiredMember[] =>
  Object.entries(counts).flatMap(([role, n]) => Array.from({length: n}, (_, index) => ({role, index, pod: `c-${role}-${index}`, fqdn: fqdn(role, index)})))
const roles = {a: {hasPackage: true, configure: true, addnodes: true, delnodes: true}, b: {hasPackage: true, configure: true, addnodes: true, delnodes: false}}

function pod(role: string, index: number, opts: Partial<ObservedPod> & {configured?: Record<string, number>} = {}): ObservedPod {
  const name = `c-${role}-${index}`
  const annotations: Record<string, string> = {...opts.annotations}
  if (opts.configured) {
    const members = desired(opts.configured)
    annotations[ANNOTATION.state] = 'configured'
    annotations[ANNOTATION.configuredContainer] = `cid-${name}`
    annotations[ANNOTATION.configGeneration] = membershipSignature(members)
    annotations[KNOWN_MEMBERS_ANNOTATION] = encodeMembers(members.filter((m) => m.pod !== name))
  }
  return {name, role, index, deleting: false, phase: 'Running', runningContainer: `cid-${name}`, condition: opts.configured ? 'True' : undefined, ...opts, annotations}
}

const input = (counts: Record<string, number>, pods: ObservedPod[]): PlanInput => ({desired: desired(counts), pods, roles, fqdnOf: (m) => fqdn(m.role, m.index)})

test('member set encoding round-trips and is compact', () => {
  const m = [{role: 'b', index: 0}, {role: 'a', index: 2}, {role: 'a', index: 0}, {role: 'a', index: 1}, {role: 'a', index: 4}]
  assert.is(encodeMembers(m), 'a:0-2,4;b:0')
  assert.equal(decodeMembers('a:0-2,4;b:0').map((x) => `${x.role}${x.index}`), ['a0', 'a1', 'a2', 'a4', 'b0'])
  assert.equal(decodeMembers(undefined), [])
})

test('new running members get setup, a pending one with a stale creating mark is marked create pending, new pending ones and busy ones are left alone', () => {
  const stale = {runningContainer: undefined, phase: 'Pending', annotations: {[ANNOTATION.state]: 'creating'}}
  const actions = plan(input({a: 2, b: 2}, [pod('a', 0), pod('a', 1), pod('b', 0, {runningContainer: undefined, phase: 'Pending'}), pod('b', 1, stale)]), new Set(['c-a-1']))
  assert.equal(actions, [
    {kind: 'setup', pod: 'c-a-0', container: 'cid-c-a-0'},
    {kind: 'state', pod: 'c-b-1', state: 'create pending'},
  ])
})

test('a stable configured cluster needs nothing and rolls up as configured', () => {
  const i = input({a: 2, b: 1}, [pod('a', 0, {configured: {a: 2, b: 1}}), pod('a', 1, {configured: {a: 2, b: 1}}), pod('b', 0, {configured: {a: 2, b: 1}})])
  assert.equal(plan(i), [])
  const r = rollup(i, new Set(), 'creating')
  assert.is(r.state, 'configured')
  assert.equal(r.counts, {configured: 3})
})

test('a restarted container (new ID) goes back through setup', () => {
  const p = pod('a', 0, {configured: {a: 1}})
  p.runningContainer = 'cid-new'
  assert.equal(plan(input({a: 1}, [p])), [{kind: 'setup', pod: 'c-a-0', container: 'cid-new'}])
})

test('scale up: configmeta is pushed at once, --addnodes waits for the new member and names exactly it', () => {
  const old = {a: 2, b: 1}
  const pods = [pod('a', 0, {configured: old}), pod('a', 1, {configured: old}), pod('b', 0, {configured: old}), pod('a', 2)]
  let actions = plan(input({a: 3, b: 1}, pods))
  assert.equal(actions.find((x) => x.pod === 'c-a-2'), {kind: 'setup', pod: 'c-a-2', container: 'cid-c-a-2'})
  const push = actions.find((x) => x.pod === 'c-a-0')
  assert.equal(push, {kind: 'notify', pod: 'c-a-0', container: 'cid-c-a-0', ops: [], known: 'a:1;b:0', pushConfigmeta: true})
  // once c-a-2 is configured, the others hear about exactly it
  pods[3] = pod('a', 2, {configured: {a: 3, b: 1}})
  for (const p of pods.slice(0, 3)) p.annotations[ANNOTATION.configGeneration] = membershipSignature(desired({a: 3, b: 1}))
  actions = plan(input({a: 3, b: 1}, pods))
  assert.equal(actions.map((x) => x.pod), ['c-a-0', 'c-a-1', 'c-b-0'])
  assert.equal(actions[0], {kind: 'notify', pod: 'c-a-0', container: 'cid-c-a-0', ops: [{op: 'addnodes', role: 'a', fqdns: [fqdn('a', 2)]}], known: 'a:1-2;b:0', pushConfigmeta: false})
  assert.equal((actions[2] as any).ops, [{op: 'addnodes', role: 'a', fqdns: [fqdn('a', 2)]}])
})

test('scale down: --delnodes with the removed FQDNs, skipped where eventList lacks delnodes', () => {
  const old = {a: 3, b: 1}
  const pods = [pod('a', 0, {configured: old}), pod('a', 1, {configured: old}), pod('b', 0, {configured: old}), pod('a', 2, {configured: old, deleting: true})]
  const actions = plan(input({a: 1, b: 1}, pods))
  assert.equal(actions.find((x) => x.pod === 'c-a-0'), {kind: 'notify', pod: 'c-a-0', container: 'cid-c-a-0', ops: [{op: 'delnodes', role: 'a', fqdns: [fqdn('a', 1), fqdn('a', 2)]}], known: 'b:0', pushConfigmeta: true})
  assert.equal(actions.find((x) => x.pod === 'c-b-0'), {kind: 'notify', pod: 'c-b-0', container: 'cid-c-b-0', ops: [], known: 'a:0', pushConfigmeta: true})
  assert.not.ok(actions.find((x) => x.pod === 'c-a-1'), 'a member leaving the set is not notified')
  assert.is(rollup(input({a: 1, b: 1}, pods), new Set(), 'configured').state, 'updating')
})

test('config error members are not announced to peers and keep a False condition', () => {
  const pods = [pod('a', 0, {configured: {a: 1}}), pod('a', 1, {annotations: {[ANNOTATION.state]: 'config error', [ANNOTATION.configuredContainer]: 'cid-c-a-1'}})]
  const actions = plan(input({a: 2}, pods))
  assert.equal(actions, [
    {kind: 'notify', pod: 'c-a-0', container: 'cid-c-a-0', ops: [], known: '', pushConfigmeta: true},
    {kind: 'condition', pod: 'c-a-1', status: 'False', reason: 'ConfigError'},
  ])
})

test('rollup: creating until first configured', () => {
  const r = rollup(input({a: 2}, [pod('a', 0)]), new Set(['c-a-0']), undefined)
  assert.is(r.state, 'creating')
  assert.is(r.membersWaiting, true)
})

test('a member in config error is set up again, in the same pod, when its role runs another package or timeout; configured members are left alone', () => {
  const withSpec = (spec: string) => ({a: {...roles.a, setupSpec: spec}, b: {...roles.b, setupSpec: 'configmap://p-b#sha256=1 timeout=600s'}})
  const failed = (spec: string | undefined) =>
    pod('a', 0, {condition: 'False', annotations: {[ANNOTATION.state]: 'config error', [ANNOTATION.configuredContainer]: 'cid-c-a-0', ...(spec ? {[ANNOTATION.setupSpec]: spec} : {})}})
  const configured = pod('a', 1, {configured: {a: 2}, annotations: {[ANNOTATION.setupSpec]: 'configmap://p-a#sha256=old timeout=600s'}})
  const at = (spec: string, p0: ObservedPod) => ({...input({a: 2}, [p0, configured]), roles: withSpec(spec)})
  // same spec: nothing to do (configure ran once for this container and package)
  assert.equal(plan(at('configmap://p-a#sha256=old timeout=600s', failed('configmap://p-a#sha256=old timeout=600s'))), [])
  // new package content (new hash): set up again; the configured member keeps its configure
  assert.equal(plan(at('configmap://p-a#sha256=new timeout=600s', failed('configmap://p-a#sha256=old timeout=600s'))), [{kind: 'setup', pod: 'c-a-0', container: 'cid-c-a-0'}])
  // a longer timeout is a new spec too; a member failed before specs were recorded is taken up once
  assert.equal(plan(at('configmap://p-a#sha256=old timeout=900s', failed('configmap://p-a#sha256=old timeout=600s'))).length, 1)
  assert.equal(plan(at('configmap://p-a#sha256=old timeout=600s', failed(undefined))).length, 1)
  // the cluster is not settled while that setup is pending
  assert.is(rollup(at('configmap://p-a#sha256=new timeout=600s', failed('configmap://p-a#sha256=old timeout=600s')), new Set(), 'configured').state, 'updating')
})

test.run()
