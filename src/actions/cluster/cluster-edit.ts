// `kubectl kd edit`: the cluster as `get cluster NAME -o yaml` prints it goes to a temporary file, the
// user's editor changes it, and the file is applied as `apply -f FILE` would (changeClusters). Decisions
// as kubectl edit makes them: no change or an empty file cancels; the cluster's name and kind stay; a
// file that cannot be applied is kept and its path is said, so no edit is lost.
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseClusterSpecs} from '../../cluster/parse.ts'
import type {ClusterManifest} from '../../cluster/manifest.ts'
import {UserError, isUserError} from '../../errors.ts'
import {R, type KubeClient, type KubeObject} from '../../kube/client.ts'
import type {V1Pod} from '@kubernetes/client-node'
import type {ClusterChange, StoredOptions} from '../../cluster/cluster-change.ts'
import {changeClusters} from './cluster-change.ts'
import {OPTIONS_KEY} from './cluster-plan.ts'
import {clusterManifest} from '../../cluster/cluster-status.ts'
import {clusterSelector, readCluster} from './clusters.ts'

/** kubectl edit's header; lines starting with '#' are left out when the file is compared and read. */
export const EDIT_HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. Saving applies it as kubectl kd apply -f does.
#
`

export interface EditOptions {
  name: string
  /** the manifest as text (YAML, as get -o yaml prints it) */
  render: (manifest: ClusterManifest) => string
  /** opens the file in the editor and returns once the editor has exited */
  edit: (path: string) => Promise<void> | void
  /** where the temporary file goes (default: the OS's) */
  tmpDir?: string
}

export type EditResult = {outcome: 'unchanged' | 'empty'} | {outcome: 'applied'; change: ClusterChange}

const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .trim()

export async function editCluster(kube: KubeClient, o: EditOptions): Promise<EditResult> {
  const stored = await readCluster(kube, o.name)
  const pods = await kube.list<V1Pod>(R.pods(kube.namespace), {labelSelector: clusterSelector(o.name)})
  const original = o.render(clusterManifest(stored, pods.items))
  const dir = mkdtempSync(join(o.tmpDir ?? tmpdir(), 'kubectl-kd-edit-'))
  const file = join(dir, `${o.name}.yaml`)
  writeFileSync(file, EDIT_HEADER + original, {mode: 0o600})
  let keep = false
  try {
    await o.edit(file)
    const edited = readFileSync(file, 'utf8')
    if (withoutComments(edited) === '') return {outcome: 'empty'}
    if (withoutComments(edited) === withoutComments(original)) return {outcome: 'unchanged'}
    keep = true
    try {
      const specs = parseClusterSpecs(edited, file)
      if (specs.length !== 1 || specs[0]!.name !== o.name)
        throw new UserError(`${file}: the name of the cluster cannot be changed: it must hold the one KubeDirectorCluster "${o.name}" (kubectl kd create -f makes a new cluster from it)`)
      if (specs[0]!.namespace && specs[0]!.namespace !== kube.namespace)
        throw new UserError(`${file}: metadata.namespace: the namespace cannot be changed (it is "${kube.namespace}")`)
      const options = JSON.parse(stored.root.data?.[OPTIONS_KEY] ?? '{}') as StoredOptions
      const change = await changeClusters(kube, {
        files: [file],
        namespace: kube.namespace,
        members: [],
        images: [],
        packages: [],
        agentImage: options.agentImage,
        dryRun: 'none',
        allowExisting: true,
        basedOn: stored.root as KubeObject,
      })
      keep = false
      return {outcome: 'applied', change}
    } catch (err) {
      if (!isUserError(err)) throw err
      throw new UserError(err.message.includes(file) ? `${err.message} (the file keeps your changes)` : `${err.message}; a copy of your changes has been stored to "${file}"`)
    }
  } finally {
    if (!keep) rmSync(dir, {recursive: true, force: true})
  }
}
