// The per-cluster token of an app's hasAuthToken services (Jupyter): made once, kept in the Secret
// NAME-kd-auth owned by the root, handed to members as an env var reference (render.ts) and read back only
// by `open`. It is never written to the root, annotations, Events or output other than `open`'s URL.
import {randomBytes} from 'node:crypto'
import type {App} from '../../app/model.ts'
import type {ResolvedCluster} from '../../cluster/model.ts'
import {AUTH_TOKEN_KEY, authSecretName} from '../../cluster/names.ts'
import {clusterLabels, ownedByRoot} from '../../cluster/object-meta.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {isAlreadyExists} from '../../kube/errors.ts'

/** The app has a service whose members need the cluster's token. */
export const needsAuthToken = (app: App) => app.services.some((s) => s.endpoint?.hasAuthToken)

/** Creates the cluster's token Secret unless it exists (a token, once made, stays for the cluster's life). */
export async function ensureAuthSecret(kube: KubeClient, cluster: ResolvedCluster, namespace: string, rootUid: string): Promise<void> {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {name: authSecretName(cluster.name), namespace, labels: clusterLabels(cluster), ...ownedByRoot(cluster, rootUid)},
    type: 'Opaque',
    data: {[AUTH_TOKEN_KEY]: Buffer.from(randomBytes(24).toString('hex')).toString('base64')},
  }
  await kube.create(R.secrets(namespace), secret).catch((err: unknown) => (isAlreadyExists(err) ? undefined : Promise.reject(err)))
}

/** The cluster's token, or undefined when there is none or it may not be read. */
export async function readAuthToken(kube: KubeClient, cluster: string): Promise<string | undefined> {
  const secret = await kube.get<{data?: Record<string, string>}>(R.secrets(kube.namespace), authSecretName(cluster)).catch(() => undefined)
  const value = secret?.data?.[AUTH_TOKEN_KEY]
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined
}
