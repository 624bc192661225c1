// Concurrent and hostile use on the real cluster: two racing creates of one name (decided by the API
// server; the loser removes nothing of the winner's), and a create whose names another cluster holds
// (refused before its first write; the other cluster keeps its Service).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../lib/cluster.ts'
import {isOneLineError, kd, kdAsync} from '../lib/kd.ts'
import {eventually} from './agent-members.ts'

const namespaces: string[] = []
const test = suite('races and name clashes')
test.after(() => {
  if (!process.env.KD_KEEP) for (const ns of namespaces) deleteNamespace(ns)
})

/** Seeded offsets, so a failing run can be repeated (the seed is printed). */
const seed = Number(process.env.KD_RACE_SEED ?? Date.now() % 100000)
let state = seed
const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)

test(`two racing creates of one name, 10 times with random offsets (seed ${seed}): exactly what was reported created survives`, async () => {
  for (let i = 0; i < 10; i++) {
    const ns = createNamespace('kd-e2e-race')
    namespaces.push(ns)
    // room for one cluster of either size (the headless Service and 3 or 4 member Services): a second
    // cluster could not be whole, so only the root's create decides who wins
    kubectl(['-n', ns, 'create', 'quota', 'q', '--hard=services=5'])
    const offset = Math.floor(random() * 600)
    const a = kdAsync(['create', 'shelldemo', 'r3', '-n', ns], {env: clusterEnv()})
    await new Promise((r) => setTimeout(r, offset))
    const b = kdAsync(['create', 'shelldemo', 'r3', '-n', ns, '--members', 'worker=3'], {env: clusterEnv()})
    const [ra, rb] = await Promise.all([a, b])
    const created = [ra, rb].filter((r) => r.code === 0)
    const why = `offset ${offset} ms\nA: ${ra.code} ${ra.stdout}${ra.stderr}\nB: ${rb.code} ${rb.stdout}${rb.stderr}`
    assert.ok(created.length <= 1, `both reported created: ${why}`)
    for (const r of [ra, rb].filter((x) => x.code !== 0)) assert.ok(isOneLineError(r), why)
    if (created.length === 1) {
      const roots = kubectl(['-n', ns, 'get', 'configmaps', '-l', 'kubectl-kd.io/cluster=r3', '-o', 'name']).trim()
      const winner = created[0] === ra ? 2 : 3
      // the winner's cluster is whole: root, agent, every member's Service, its StatefulSets
      const cluster = JSON.parse(kubectlJson(['-n', ns, 'get', 'configmap', 'r3-kd']).data['cluster.json'])
      assert.is(cluster.roles.find((r: {id: string}) => r.id === 'worker').members, winner, why)
      // the members' Services are the agent's to make (a moment after create returns)
      const services = () => kubectl(['-n', ns, 'get', 'services', '-l', 'kubectl-kd.io/cluster=r3,kubectl-kd.io/role', '-o', 'name']).trim().split('\n').filter(Boolean)
      await eventually(`the winner's ${winner + 1} member Services (${why})`, () => services().length === winner + 1, 60_000)
      assert.match(roots, /configmap\/r3-kd-agent/, why)
      const loser = created[0] === ra ? rb : ra
      assert.match(loser.stderr, /^error: cluster "r3" already exists in namespace|exceeded quota/m, why)
    } else {
      // one lost the race, the other hit the quota and removed its root: the garbage collector takes the rest
      await eventually(`nothing of r3 left (${why})`, () => kubectl(['-n', ns, 'get', 'configmaps,services,statefulsets,deployments', '-l', 'kubectl-kd.io/cluster=r3', '-o', 'name']).trim() === '', 90_000)
    }
  }
})

test('a create that needs a name another cluster holds is refused before its first write, naming both', () => {
  const ns = createNamespace('kd-e2e-clash')
  namespaces.push(ns)
  const dir = mkdtempSync(join(tmpdir(), 'kd-clash-'))
  const doc = (app: string, cluster: string, role: string) => `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorApp
metadata: {name: ${app}}
spec:
  label: {name: ${app}}
  distroID: test/${app}
  version: "1"
  configSchemaVersion: 7
  defaultImageRepoTag: localhost/kubectl-kd/shell:1
  services: [{id: web, label: {name: Web}, endpoint: {port: 8080, urlScheme: http}}]
  roles: [{id: ${role}, cardinality: "1"}]
  config: {selectedRoles: [${role}], roleServices: [{roleID: ${role}, serviceIDs: [web]}]}
---
apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: ${cluster}}
spec: {app: ${app}, roles: [{id: ${role}, members: 1}]}
`
  writeFileSync(join(dir, 'a.yaml'), doc('clash1', 'a', 'b-c'))
  writeFileSync(join(dir, 'ab.yaml'), doc('clash2', 'a-b', 'c'))
  const first = kd(['create', '-n', ns, '-f', join(dir, 'a.yaml'), '--wait', '--timeout', '3m'], {env: clusterEnv()})
  assert.is(first.code, 0, first.stderr)
  const svc = kubectlJson(['-n', ns, 'get', 'service', 'a-b-c-0'])
  const second = kd(['create', '-n', ns, '-f', join(dir, 'ab.yaml')], {env: clusterEnv()})
  assert.ok(isOneLineError(second), second.stderr)
  assert.match(second.stderr, /cluster "a-b" cannot use the names it needs in namespace ".*": service\/a-b-c-0 belongs to cluster "a"/)
  assert.is(kubectl(['-n', ns, 'get', 'configmap', 'a-b-kd', '--ignore-not-found', '-o', 'name']).trim(), '')
  assert.is(kubectlJson(['-n', ns, 'get', 'service', 'a-b-c-0']).metadata.uid, svc.metadata.uid)
  const endpoints = kubectlJson(['-n', ns, 'get', 'endpoints', 'a-b-c-0'])
  assert.ok(endpoints.subsets?.[0]?.addresses?.length, 'the first cluster still has its endpoint')
})

test.run()
