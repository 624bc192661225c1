// The printing half of create/apply: objects for -o, kubectl-style "kind/name created" lines, and the
// progress view while --wait runs.
import {changeClusters, type ClusterChangeRequest} from '../actions/cluster-change.ts'
import {asList, formatData, type Format} from './format.ts'
import {dumpYamlDocuments} from './yaml.ts'

export interface ClusterChangeRun extends ClusterChangeRequest {
  wait: boolean
  timeoutMs: number
  format: Format
}

export async function runClusterChange(run: ClusterChangeRun): Promise<void> {
  const started = Date.now()
  const change = await changeClusters(run)
  const suffix = run.dryRun === 'client' ? ' (dry run)' : run.dryRun === 'server' ? ' (server dry run)' : ''
  if (run.dryRun === 'client' && (run.format === 'yaml' || run.format === 'json')) {
    const objects = change.plans.flatMap((p) => p.objects)
    process.stdout.write(run.format === 'yaml' ? dumpYamlDocuments(objects) : await formatData(asList(objects), 'json'))
    return
  }
  for (const [i, plan] of change.plans.entries()) {
    const applied = change.applied[i] ?? plan.objects.map((o) => ({kind: o.kind, name: o.metadata.name, action: 'created' as const}))
    if (run.format === 'name') {
      process.stdout.write(applied.map((a) => `${a.kind.toLowerCase()}/${a.name}\n`).join(''))
    } else if (run.format === 'yaml' || run.format === 'json') {
      process.stdout.write(await formatData(asList(plan.objects), run.format))
    } else {
      const verb = applied[0]?.action ?? 'created'
      process.stdout.write(`cluster/${plan.cluster.name} ${verb}${suffix}\n`)
      process.stderr.write(
        `  ${plan.cluster.roles.filter((r) => r.members > 0).map((r) => `${r.id}=${r.members}`).join(' ')} in namespace ${plan.namespace}; ${applied.length} objects\n`,
      )
    }
  }
  if (!run.wait || run.dryRun !== 'none') return
  const {waitForCluster} = await import('../actions/wait.ts')
  const {withClusterProgress} = await import('./progress.ts')
  for (const plan of change.plans) {
    const kube = {...change.kube!, namespace: plan.namespace}
    const roles = plan.cluster.roles.filter((r) => r.members > 0).map((r) => r.id)
    await withClusterProgress(`cluster/${plan.cluster.name}`, roles, run.format !== 'table', (onUpdate) =>
      waitForCluster(kube, plan.cluster.name, {timeoutMs: Math.max(1, run.timeoutMs - (Date.now() - started)), onUpdate}),
    )
    process.stdout.write(`cluster/${plan.cluster.name} configured (${((Date.now() - started) / 1000).toFixed(1)}s)\n`)
  }
}
