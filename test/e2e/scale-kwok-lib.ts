// Shared by test/e2e/scale-kwok.test.ts and bench/scale.bench.ts: a cluster of the `tiny` app (no config
// package) whose members run on KWOK fake nodes. The cluster spec has no tolerations/nodeSelector, so
// members request 3 CPUs (the 2-core real node never fits them: they stay Pending, never on kd-node) and a patcher
// adds the toleration for the fake nodes' taint to each Pending member (tolerations may be added to a
// pod); the scheduler then binds them to a fake node, where KWOK makes them Running at once.
import {spawn, spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {env} from '../lib/cluster.ts'
import {repoRoot} from '../lib/kd.ts'

export const tinyApp = join(repoRoot, 'test/fixtures/scale/tiny.yaml')

export function clusterFile(name: string, members: number): string {
  return `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: ${name}}
spec:
  app: tiny
  serviceType: ClusterIP
  roles:
  - id: node
    members: ${members}
    resources:
      requests: {cpu: "3", memory: 16Mi}
      limits: {cpu: "3", memory: 16Mi}
`
}

export function startKwok(nodes: number): void {
  const r = spawnSync('bash', [join(repoRoot, 'test/cluster/kwok/start.sh'), String(nodes)], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`kwok start failed: ${r.stderr}`)
}

export function stopKwok(): void {
  spawnSync('bash', [join(repoRoot, 'test/cluster/kwok/stop.sh')], {encoding: 'utf8'})
}

function kubectlAsync(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn(env.KD_KUBECTL!, ['--kubeconfig', env.KUBECONFIG!, ...args])
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    c.on('close', () => resolve(out))
  })
}

const TOLERATION = JSON.stringify([{op: 'add', path: '/spec/tolerations/-', value: {key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule'}}])

/** Patches Pending members of `cluster` to tolerate the fake nodes, until stop() is called. */
export function tolerationPatcher(ns: string, cluster: string): {stop: () => Promise<void>; patched: () => number} {
  let running = true
  let patched = 0
  const done = new Set<string>()
  const loop = (async () => {
    while (running) {
      const out = await kubectlAsync(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${cluster},kubectl-kd.io/role`, '--field-selector=status.phase=Pending', '-o', 'jsonpath={range .items[*]}{.metadata.uid} {.metadata.name} {.spec.nodeName}{"\\n"}{end}'])
      const todo = out.split('\n').map((l) => l.split(' ')).filter(([uid, name, node]) => uid && name && !node && !done.has(uid))
      for (let i = 0; i < todo.length; i += 16) {
        await Promise.all(todo.slice(i, i + 16).map(async ([uid, name]) => {
          await kubectlAsync(['-n', ns, 'patch', 'pod', name!, '--type=json', '-p', TOLERATION])
          done.add(uid!)
          patched++
        }))
      }
      await new Promise((r) => setTimeout(r, 500))
    }
  })()
  return {stop: async () => {
    running = false
    await loop
  }, patched: () => patched}
}
