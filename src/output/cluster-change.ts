// The printing half of create/apply: objects for -o, and kubectl-style "cluster/NAME created" lines.
import type {ClusterChange} from '../cluster/cluster-change.ts'
import type {MemberRestart} from '../cluster/member-restarts.ts'
import {count} from '../plural.ts'
import {asList, formatData, type Format} from './format.ts'
import {dumpYamlDocuments} from './yaml.ts'

/** `cluster/demo: role worker: resources change restarts 2 members`, one line per role (stderr, before the change is written). */
export function restartLines(cluster: string, restarts: MemberRestart[]): string {
  return restarts.map((r) => `cluster/${cluster}: role ${r.role}: ${r.changes.join(' and ')} change restarts ${count(r.members, 'member')}\n`).join('')
}

/** What create/apply print: data on stdout, the summary line's details on stderr. */
export async function formatClusterChange(change: ClusterChange, format: Format, dryRun: 'none' | 'client' | 'server'): Promise<{stdout: string; stderr: string}> {
  const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : ''
  if (dryRun === 'client' && (format === 'yaml' || format === 'json')) {
    const objects = change.plans.flatMap((p) => p.objects)
    return {stdout: format === 'yaml' ? dumpYamlDocuments(objects) : await formatData(asList(objects), 'json'), stderr: ''}
  }
  let stdout = ''
  let stderr = ''
  for (const [i, plan] of change.plans.entries()) {
    const applied = change.applied[i] ?? plan.objects.map((o) => ({kind: o.kind, name: o.metadata.name, action: 'created' as const}))
    if (format === 'name') {
      stdout += applied.map((a) => `${a.kind.toLowerCase()}/${a.name}\n`).join('')
    } else if (format === 'yaml' || format === 'json') {
      stdout += await formatData(asList(plan.objects), format)
    } else {
      stdout += `cluster/${plan.cluster.name} ${applied[0]?.action ?? 'created'}${suffix}\n`
      const written = applied[0]?.action === 'unchanged' ? 'nothing to change' : `${applied.length} objects`
      stderr += `  ${plan.cluster.roles.filter((r) => r.members > 0).map((r) => `${r.id}=${r.members}`).join(' ')} in namespace ${plan.namespace}; ${written}\n`
    }
  }
  return {stdout, stderr}
}
