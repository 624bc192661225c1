// Shared by test/e2e/scale-kwok.test.ts and bench/scale.bench.ts: a cluster of the `tiny` app (no config
// package) whose members run on KWOK fake nodes: the role's nodeSelector (type: kwok) and toleration of
// the fake nodes' taint put them there (never on the real node), and test/cluster/kwok/kwok.yaml's pod
// stages make them Running with a containerID, leaving the kubectl-kd.io/configured gate to the agent.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
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
    nodeSelector: {type: kwok}
    tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
    resources:
      requests: {cpu: 10m, memory: 16Mi}
      limits: {cpu: 100m, memory: 32Mi}
`
}

export function startKwok(nodes: number): void {
  const r = spawnSync('bash', [join(repoRoot, 'test/cluster/kwok/start.sh'), String(nodes)], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`kwok start failed: ${r.stderr}`)
}

export function stopKwok(): void {
  spawnSync('bash', [join(repoRoot, 'test/cluster/kwok/stop.sh')], {encoding: 'utf8'})
}
