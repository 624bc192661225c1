// The agent's keeping of a cluster's objects (agent/src/keeper.ts, signed-spec.ts) run against a fake
// client, as the agent's informers would feed it: one pass of reading the root, checking its signature
// and bringing the StatefulSets and Services to it. Unit tests use it where the agent would be running.
import {ObjectKeeper} from '../../agent/src/keeper.ts'
import {SignedSpec} from '../../agent/src/signed-spec.ts'
import {keeperIO} from '../../agent/src/main.ts'
import {observeObject} from '../../src/cluster/member-objects.ts'
import {LABEL, SECRET_KEYS_KEY, keysSecretName, rootConfigMapName} from '../../src/cluster/names.ts'
import {R, type KubeClient} from '../../src/kube/client.ts'
import type {KeeperStatus} from '../../agent/src/keeper.ts'

export interface Converged extends KeeperStatus {
  /** why the root as it is now is not acted on */
  specProblem?: string
}

/** One pass of the agent's keeper for `cluster` on `kube` (its informers' view: a list of each kind). */
export async function converge(kube: KubeClient, cluster: string, logs: string[] = []): Promise<Converged> {
  const ns = kube.namespace
  const io = {
    readKeysSecret: async () => {
      const s = await kube.get<{data?: Record<string, string>}>(R.secrets(ns), keysSecretName(cluster)).catch(() => undefined)
      const b64 = s?.data?.[SECRET_KEYS_KEY]
      return b64 ? Buffer.from(b64, 'base64') : undefined
    },
    log: (m: string) => void logs.push(m),
    event: async () => {},
  }
  const root = await kube.get(R.configMaps(ns), rootConfigMapName(cluster)).catch(() => undefined)
  const taken = await new SignedSpec(io, ns).take(root)
  const keeper = new ObjectKeeper({...keeperIO(kube, ns), log: io.log}, cluster, () => {})
  const selector = {labelSelector: `${LABEL.cluster}=${cluster}`}
  keeper.setObserved('StatefulSet', (await kube.list(R.statefulSets(ns), selector)).items.map((o) => observeObject('StatefulSet', o)))
  keeper.setObserved('Service', (await kube.list(R.services(ns), selector)).items.map((o) => observeObject('Service', o)))
  if (taken.members && root?.metadata?.uid) keeper.setDesired(taken.members, root.metadata.uid)
  await keeper.idle()
  keeper.stop()
  return {...keeper.status(), ...(taken.problem ? {specProblem: taken.problem} : {})}
}
