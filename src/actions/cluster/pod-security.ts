// A namespace's Pod Security admission (pod-security.kubernetes.io/enforce) refuses pods, not the
// StatefulSets that make them: a cluster whose members it refuses would be written and then never start
// (FailedCreate on the StatefulSet). So each role's pod is first created as a server-side dry run, and a
// refusal by PodSecurity is said in one line naming the role and the fields (an app's `capabilities` under
// `restricted` or `baseline`, a member image's root user under `restricted`, …) before anything is written.
// The API server decides (also for exemptions and `warn`-only labels); a user who may not create pods, or
// any other answer, leaves it to the StatefulSets as before.
import type {KubeClient, KubeObject} from '../../kube/client.ts'
import {R} from '../../kube/client.ts'
import {ApiError} from '../../kube/errors.ts'
import {LABEL} from '../../cluster/names.ts'
import {UserError} from '../../errors.ts'

interface StatefulSetLike {
  spec?: {replicas?: number; template?: {metadata?: {labels?: Record<string, string>}; spec?: unknown}}
}

export async function checkPodSecurity(kube: KubeClient, objects: KubeObject[], namespace: string, cluster: string): Promise<void> {
  const sets = objects.filter((o) => o.kind === 'StatefulSet' && ((o as StatefulSetLike).spec?.replicas ?? 0) > 0)
  await Promise.all(
    sets.map(async (o) => {
      const template = (o as StatefulSetLike).spec?.template
      const pod = {apiVersion: 'v1', kind: 'Pod', metadata: {generateName: `${o.metadata.name}-`, namespace, labels: template?.metadata?.labels}, spec: template?.spec}
      try {
        await kube.create(R.pods(namespace), pod, {dryRun: true})
      } catch (err) {
        const text = err instanceof ApiError && err.kind === 'Forbidden' ? /violates PodSecurity .*/.exec(err.details?.message ?? err.message)?.[0] : undefined
        if (!text) return
        const role = o.metadata.labels?.[LABEL.role] ?? o.metadata.name
        throw new UserError(
          `cluster "${cluster}": role "${role}": namespace "${namespace}" refuses its members' pods: ${text.replace(/ \(needed for: .*\)$/, '')} (the namespace's pod-security.kubernetes.io/enforce label; members run the app's images and capabilities as they are); nothing was changed`,
        )
      }
    }),
  )
}
