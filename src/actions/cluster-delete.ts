// `kubectl kd delete -f FILE|DIR|-`: the clusters the KubeDirectorCluster files name (the files create and
// apply take, read by the same reader), each deleted as `delete NAME` deletes it, in its own namespace.
// As kubectl: every cluster is tried; the ones not found are reported (or passed over with
// --ignore-not-found) after the others are deleted.
import {parseManifests} from '../cluster/parse.ts'
import {UserError} from '../errors.ts'
import {withNamespace, type KubeClient} from '../kube/client.ts'
import {ClusterNotFoundError, deleteCluster} from './clusters.ts'
import {readInputs} from './inputs.ts'

export interface DeleteFilesOptions {
  files: string[]
  /** the namespace -n gave, if any (a file's metadata.namespace must agree with it) */
  namespace?: string
  ignoreNotFound?: boolean
  wait?: boolean
  timeoutMs?: number
  dryRun?: 'server' | 'client'
}

export interface DeletedCluster {
  name: string
  namespace: string
  /** false: there was no such cluster (only with ignoreNotFound; else it is in `notFound`) */
  deleted: boolean
}

/** The clusters named in the files, in file order, each once: checked before anything is deleted. */
export function clustersInFiles(files: string[], namespace: string, namespaceFlag?: string): {name: string; namespace: string}[] {
  const seen = new Set<string>()
  const out: {name: string; namespace: string}[] = []
  for (const input of readInputs(files)) {
    const {clusters} = parseManifests(input.text, input.source)
    for (const spec of clusters) {
      if (spec.namespace && namespaceFlag && spec.namespace !== namespaceFlag)
        throw new UserError(`${input.source}: metadata.namespace: "${spec.namespace}" does not match --namespace "${namespaceFlag}"`)
      const ns = spec.namespace ?? namespace
      if (seen.has(`${ns}/${spec.name}`)) continue
      seen.add(`${ns}/${spec.name}`)
      out.push({name: spec.name, namespace: ns})
    }
  }
  if (out.length === 0) throw new UserError(`-f ${files.join(', ')}: no KubeDirectorCluster found`)
  return out
}

export async function deleteClustersInFiles(kube: KubeClient, o: DeleteFilesOptions): Promise<{deleted: DeletedCluster[]; notFound: ClusterNotFoundError[]}> {
  const deleted: DeletedCluster[] = []
  const notFound: ClusterNotFoundError[] = []
  for (const c of clustersInFiles(o.files, kube.namespace, o.namespace)) {
    try {
      await deleteCluster(withNamespace(kube, c.namespace), c.name, {wait: o.wait, timeoutMs: o.timeoutMs, dryRun: o.dryRun})
      deleted.push({...c, deleted: true})
    } catch (err) {
      if (!(err instanceof ClusterNotFoundError)) throw err
      if (o.ignoreNotFound) deleted.push({...c, deleted: false})
      else notFound.push(err)
    }
  }
  return {deleted, notFound}
}
