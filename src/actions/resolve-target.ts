// "What is NAME?": the one answer for every command that takes NAME or TYPE/NAME (status, describe,
// delete). cluster/NAME is a cluster; job/NAME is a managed job when a Job or CronJob roots one by that
// name, else a job by its driver pod; a bare NAME is taken as the command says (`bareName`): `cluster`
// (delete: a bare NAME never deletes a job) or `cluster-else-job` (status: a cluster, unless only a job
// has that name). What was read to decide is handed on, so nothing is read twice.
import type {StoredCluster} from '../cluster/cluster-status.ts'
import type {KubeClient} from '../kube/client.ts'
import type {TargetKind} from '../target.ts'
import {findCluster} from './cluster/clusters.ts'
import {findManagedJob, type ManagedJobRoot} from './job/managed-job.ts'

export type ResolvedTarget =
  /** `stored`: the cluster as read, when deciding needed it (a bare NAME) */
  | {kind: 'cluster'; name: string; stored?: StoredCluster}
  | {kind: 'managed-job'; name: string; root: ManagedJobRoot}
  /** a job by its driver pod (not read yet); `guessed`: NAME was bare and named no cluster */
  | {kind: 'job'; name: string; guessed: boolean}

export interface ResolveOptions {
  /** what a bare NAME is taken as */
  bareName: 'cluster' | 'cluster-else-job'
}

export async function resolveTarget(kube: KubeClient, target: {kind?: TargetKind; name: string}, o: ResolveOptions): Promise<ResolvedTarget> {
  const {name} = target
  let guessed = false
  if (target.kind === 'cluster' || (!target.kind && o.bareName === 'cluster')) return {kind: 'cluster', name}
  if (!target.kind) {
    const stored = await findCluster(kube, name)
    if (stored) return {kind: 'cluster', name, stored}
    guessed = true
  }
  const root = await findManagedJob(kube, name)
  return root ? {kind: 'managed-job', name, root} : {kind: 'job', name, guessed}
}
