// Soak: random create / scale / apply / delete of shelldemo clusters from 4 concurrent clients, with
// random kills of agent pods, for KD_SOAK_MINUTES (default 30), seeded (KD_SOAK_SEED; the seed is
// printed). At the end every surviving cluster must converge with each member's configure run once per
// container, no command may have failed other than with one `error:` line, and no object kubectl-kd made
// may be left without a live owner. Prints its figures; exits 1 on any violation.
//   . test/cluster/env.sh && node --import tsx bench/soak.ts
import {writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../test/lib/cluster.ts'
import {isOneLineError, kdAsync, type Run} from '../test/lib/kd.ts'
import {assertConverged, untilConverged} from '../test/e2e/faults-lib.ts'

const minutes = Number(process.env.KD_SOAK_MINUTES ?? 30)
const seed = Number(process.env.KD_SOAK_SEED ?? Date.now() % 1_000_000)
let state = seed
const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

console.log(`soak: seed ${seed}, ${minutes} min, 4 clients, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`)
const ns = createNamespace('kd-soak')
const dir = mkdtempSync(join(tmpdir(), 'kd-soak-'))
const names = ['s0', 's1', 's2', 's3', 's4', 's5']
const counts = new Map<string, number>()
const violations: string[] = []
const deadline = Date.now() + minutes * 60_000
const run = async (args: string[]): Promise<Run> => {
  const r = await kdAsync([args[0]!, '-n', ns, ...args.slice(1)], {env: clusterEnv()})
  const key = `${args[0]} ${r.code === 0 ? 'ok' : 'refused'}`
  counts.set(key, (counts.get(key) ?? 0) + 1)
  if (r.code !== 0 && !isOneLineError(r)) violations.push(`${args.join(' ')}: exit ${r.code}\n${r.stderr}`)
  if (/this is a bug/.test(r.stderr)) violations.push(`${args.join(' ')}: ${r.stderr}`)
  return r
}

function clusterFile(name: string, workers: number): string {
  const file = join(dir, `${name}-${workers}.yaml`)
  writeFileSync(file, `apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: ${name}}\nspec:\n  app: shelldemo\n  roles:\n  - {id: controller, members: 1}\n  - {id: worker, members: ${workers}}\n`)
  return file
}

async function client(): Promise<void> {
  while (Date.now() < deadline) {
    const name = pick(names)
    const workers = 2 + Math.floor(random() * 3)
    switch (pick(['create', 'create', 'scale', 'scale', 'apply', 'delete'] as const)) {
      case 'create':
        await run(['create', 'shelldemo', name, '--members', `worker=${workers}`])
        break
      case 'scale':
        await run(['scale', name, `worker=${workers}`])
        break
      case 'apply':
        await run(['apply', '-f', clusterFile(name, workers)])
        break
      case 'delete':
        await run(['delete', name, ...(random() < 0.5 ? ['--wait', '--timeout', '3m'] : [])])
        break
    }
    await sleep(500 + random() * 4000)
  }
}

async function agentKiller(): Promise<void> {
  let kills = 0
  while (Date.now() < deadline) {
    await sleep(20_000 + random() * 40_000)
    const agents = kubectl(['-n', ns, 'get', 'pods', '-l', 'app.kubernetes.io/component=agent', '-o', 'name'], {allowFail: true}).trim().split('\n').filter(Boolean)
    if (!agents.length) continue
    kubectl(['-n', ns, 'delete', pick(agents), '--grace-period=0', '--force', '--wait=false'], {allowFail: true})
    kills++
  }
  counts.set('agent pods killed', kills)
}

const started = Date.now()
await Promise.all([client(), client(), client(), client(), agentKiller()])
console.log(`soak: operations done after ${((Date.now() - started) / 60000).toFixed(1)} min`)

// every surviving cluster converges to its stored spec
const roots = kubectlJson(['-n', ns, 'get', 'configmaps', '-l', 'app.kubernetes.io/managed-by=kubectl-kd,kubectl-kd.io/cluster']).items.filter(
  (c: any) => c.metadata.name === `${c.metadata.labels['kubectl-kd.io/cluster']}-kd` && !c.metadata.deletionTimestamp,
)
const convergeStart = Date.now()
for (const root of roots) {
  const name = root.metadata.labels['kubectl-kd.io/cluster']
  const spec = JSON.parse(root.data['cluster.json'])
  const expected = Object.fromEntries(spec.roles.map((r: {id: string; members: number}) => [r.id, r.members]))
  try {
    await untilConverged(ns, name, 600_000)
    assertConverged(ns, name, expected)
  } catch (err) {
    violations.push(`cluster ${name}: ${(err as Error).message.split('\n').slice(0, 12).join('\n')}`)
  }
}
console.log(`soak: ${roots.length} surviving clusters converged in ${((Date.now() - convergeStart) / 1000).toFixed(0)} s`)

// nothing kubectl-kd made is left without a live owner (deleted clusters are gone entirely)
await sleep(30_000)
const live = new Set(kubectlJson(['-n', ns, 'get', 'configmaps']).items.map((c: any) => c.metadata.uid))
const kinds = 'configmaps,services,statefulsets,deployments,serviceaccounts,roles,rolebindings'
for (const o of kubectlJson(['-n', ns, 'get', kinds, '-l', 'app.kubernetes.io/managed-by=kubectl-kd']).items) {
  const owners = o.metadata.ownerReferences ?? []
  const isRoot = o.kind === 'ConfigMap' && o.metadata.name === `${o.metadata.labels?.['kubectl-kd.io/cluster']}-kd`
  if (!isRoot && !owners.some((r: {uid: string}) => live.has(r.uid))) violations.push(`${o.kind}/${o.metadata.name} has no live owner`)
}

for (const [k, v] of [...counts].sort()) console.log(`  ${k}: ${v}`)
console.log(`soak: seed ${seed}: ${violations.length} violations`)
for (const v of violations) console.log(`  - ${v}`)
if (!process.env.KD_KEEP) deleteNamespace(ns)
process.exit(violations.length ? 1 : 0)
