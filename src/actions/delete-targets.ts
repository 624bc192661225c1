// `kubectl kd delete cluster/a job/b …` and `delete TYPE NAME NAME …`: every target is tried, in the order
// given, as kubectl delete does; one that fails (not found, forbidden, a timeout of --wait) is reported
// with its reason and does not stop the others. resolve-target.ts says what each is (a bare NAME is a
// cluster). --ignore-not-found passes over targets that are not there.
import {isUserError, type UserError} from '../errors.ts'
import type {KubeClient} from '../kube/client.ts'
import type {TargetKind} from '../target.ts'
import {ClusterNotFoundError} from './cluster/clusters.ts'
import {deleteCluster} from './cluster/cluster-delete.ts'
import {resolveTarget, type ResolvedTarget} from './resolve-target.ts'

export interface DeleteTargetsOptions {
  targets: {kind?: TargetKind; name: string}[]
  ignoreNotFound?: boolean
  wait?: boolean
  timeoutMs?: number
  dryRun?: 'server' | 'client'
}

export interface DeleteTargetsResult {
  /** deleted, in the order given; a job under its own name, whichever name found it */
  deleted: {kind: TargetKind; name: string}[]
  /** not there, passed over (--ignore-not-found) */
  notFound: {kind: TargetKind; name: string}[]
  /** each failed target with its error, in the order given */
  failed: {kind: TargetKind; name: string; error: UserError}[]
}

export async function deleteTargets(kube: KubeClient, o: DeleteTargetsOptions): Promise<DeleteTargetsResult> {
  const result: DeleteTargetsResult = {deleted: [], notFound: [], failed: []}
  const {JobNotFoundError} = await import('./job/jobs.ts')
  for (const target of o.targets) {
    const kind = target.kind ?? 'cluster'
    try {
      const resolved = await resolveTarget(kube, target, {bareName: 'cluster'})
      const name = resolved.kind === 'cluster' ? (await deleteCluster(kube, resolved.name, {wait: o.wait, timeoutMs: o.timeoutMs, dryRun: o.dryRun}), resolved.name) : await deleteJobTarget(kube, resolved, o.dryRun)
      result.deleted.push({kind, name})
    } catch (err) {
      if (!isUserError(err)) throw err
      if (o.ignoreNotFound && (err instanceof ClusterNotFoundError || err instanceof JobNotFoundError)) result.notFound.push({kind, name: target.name})
      else result.failed.push({kind, name: target.name, error: err})
    }
  }
  return result
}

/** A scheduled or managed job (its root), else a job by its driver pod; the job's own name. */
async function deleteJobTarget(kube: KubeClient, target: Exclude<ResolvedTarget, {kind: 'cluster'}>, dryRun: 'server' | 'client' | undefined): Promise<string> {
  if (target.kind === 'managed-job') {
    const {deleteManagedJob} = await import('./job/managed-job.ts')
    if (await deleteManagedJob(kube, target.name, {dryRun: !!dryRun, known: target.root})) return target.name
  }
  const {deleteJob} = await import('./job/jobs.ts')
  return (await deleteJob(kube, target.name, {dryRun})).name
}
