// create → configured for a 3- and a 20-member shelldemo cluster on the local cluster, split into the
// Kubernetes part (command start → last member pod Running) and kubectl-kd's part (last member Running →
// cluster configured: agent start-up, exec, configure scripts, readiness). A watch in this process
// timestamps each change as it arrives. Target from the issue: our part ≤ 1 s at 20 members.
//   node --import tsx bench/create.bench.ts        (needs the local cluster: npm run cluster:up)
import {spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import type {V1ConfigMap, V1Pod} from '@kubernetes/client-node'
import {connect} from '../src/kube/connection.ts'
import {R} from '../src/kube/client.ts'
import {startInformer} from '../src/kube/informer.ts'
import {ANNOTATION} from '../src/cluster/names.ts'

const root = join(import.meta.dirname, '..')
const kubectl = process.env.KD_KUBECTL!
if (!kubectl || spawnSync(kubectl, ['get', '--raw', '/readyz'], {stdio: 'ignore'}).status !== 0) {
  console.error('the local cluster is not up (npm run cluster:up; source test/cluster/env.sh)')
  process.exit(1)
}
const ns = `kd-bench-create-${Date.now() % 100000}`
spawnSync(kubectl, ['create', 'namespace', ns], {stdio: 'ignore'})
const kube = await connect({namespace: ns})

async function measure(workers: number): Promise<{members: number; k8s: number; ours: number; total: number}> {
  const name = `b${workers}`
  const members = 1 + workers
  const controller = new AbortController()
  let lastRunning = 0
  let configured = 0
  const start = performance.now()
  const pods = startInformer<V1Pod>(kube, {resource: R.pods(ns), labelSelector: `kubectl-kd.io/cluster=${name},kubectl-kd.io/role`}, {
    onChange: () => {
      const running = [...pods.cache.values()].filter((p) => p.status?.containerStatuses?.every((c) => c.state?.running)).length
      if (running === members && !lastRunning) lastRunning = performance.now()
    },
  }, controller.signal)
  const roots = startInformer<V1ConfigMap>(kube, {resource: R.configMaps(ns), fieldSelector: `metadata.name=${name}-kd`}, {
    onChange: () => {
      const r = [...roots.cache.values()][0]
      if (r?.metadata?.annotations?.[ANNOTATION.state] === 'configured' && !configured) configured = performance.now()
    },
  }, controller.signal)
  const code = await new Promise<number>((resolve) => {
    const child = spawn(join(root, 'bin', 'kubectl-kd'), ['create', 'shelldemo', name, '-n', ns, '--members', `worker=${workers}`, '--wait', '--timeout', '10m'], {stdio: 'ignore', env: {...process.env, CI: '1'}})
    child.on('close', (c) => resolve(c ?? 1))
  })
  const end = performance.now()
  controller.abort()
  await Promise.all([pods.done, roots.done])
  if (code !== 0) throw new Error(`create of ${members} members failed (exit ${code})`)
  spawnSync(join(root, 'bin', 'kubectl-kd'), ['delete', name, '-n', ns, '--wait'], {stdio: 'ignore'})
  const done = configured || end
  return {members, k8s: lastRunning - start, ours: Math.max(0, done - lastRunning), total: end - start}
}

try {
  console.log('members   create→all Running (Kubernetes)   all Running→configured (kubectl-kd)   command total')
  for (const workers of [2, 19]) {
    const r = await measure(workers)
    console.log(`${String(r.members).padEnd(9)} ${(r.k8s / 1000).toFixed(2).padStart(8)} s ${''.padEnd(24)} ${(r.ours / 1000).toFixed(2).padStart(8)} s ${''.padEnd(27)} ${(r.total / 1000).toFixed(2)} s`)
    if (r.members === 20) console.log(`target: kubectl-kd's part ≤ 1 s at 20 members → ${r.ours <= 1000 ? 'met' : 'missed'} (${(r.ours / 1000).toFixed(2)} s)`)
  }
} finally {
  spawnSync(kubectl, ['delete', 'namespace', ns, '--wait=false'], {stdio: 'ignore'})
}
process.exit(0)
