// The agent acts only on a root whose spec is signed with the cluster's key (spec-signature.ts). A root
// changed by someone who cannot read the key (ConfigMap rights alone) is not acted on: the agent keeps the
// cluster at the last signed spec it saw (none after a restart: it then does nothing) and says why in
// status and in a Warning event, so what runs in members never follows an unsigned change.
import type {KubeObject} from '../../src/kube-object.ts'
import {ANNOTATION} from '../../src/cluster/names.ts'
import {readRoot} from '../../src/cluster/root.ts'
import {renderCluster} from '../../src/cluster/render.ts'
import {isMemberObject} from '../../src/cluster/member-objects.ts'
import {rootSignatureProblem} from '../../src/cluster/spec-signature.ts'
import type {AgentIO, RootLike} from './agent.ts'

export interface TakenRoot {
  /** the root as the agent works from it: the informer's metadata over the last signed spec */
  root?: RootLike
  /** why the root as it is now is not acted on */
  problem?: string
  /** the member objects of a newly signed spec (undefined: keep the ones before) */
  members?: KubeObject[]
}

export class SignedSpec {
  private key: Promise<Uint8Array | undefined> | undefined
  private signed: RootLike | undefined
  private warned: string | undefined

  constructor(private io: Pick<AgentIO, 'readKeysSecret' | 'log' | 'event'>, private namespace: string) {}

  async take(root: RootLike | undefined): Promise<TakenRoot> {
    if (!root) return {}
    // the key is read once; while there is none (a cluster of an earlier version) it is read again with each change of the root
    this.key ??= this.io.readKeysSecret()
    let key: Uint8Array | undefined
    try {
      key = await this.key
    } catch (err) {
      this.key = undefined
      return this.refuse(root, `cannot read the cluster's key: ${(err as Error).message.split('\n')[0]}`)
    }
    if (!key) this.key = undefined
    const problem = rootSignatureProblem(key, root)
    if (problem) return this.refuse(root, `configmap/${root.metadata?.name}: ${problem}; the agent keeps the cluster at its last signed spec (kubectl kd apply -f with the spec you want signs it again)`)
    this.signed = root
    this.warned = undefined
    const stored = readRoot(root.data)
    if (stored.problem !== undefined) return {root, problem: `configmap/${root.metadata?.name}: ${stored.problem}`}
    const members = renderCluster(stored.app, stored.cluster, {namespace: this.namespace, serviceType: stored.cluster.serviceType ?? 'NodePort', rootUid: root.metadata?.uid}).filter(isMemberObject)
    return {root, members}
  }

  private refuse(root: RootLike, problem: string): TakenRoot {
    if (this.warned !== root.metadata?.resourceVersion) {
      this.warned = root.metadata?.resourceVersion
      this.io.log(problem)
      void this.io.event('UnsignedSpec', problem, 'Warning').catch(() => {})
    }
    const signed = this.signed
    if (!signed) return {root: {metadata: root.metadata}, problem}
    const generation = signed.metadata?.annotations?.[ANNOTATION.generation]
    return {
      root: {metadata: {...root.metadata, annotations: {...root.metadata?.annotations, ...(generation ? {[ANNOTATION.generation]: generation} : {})}}, data: signed.data},
      problem,
    }
  }
}
