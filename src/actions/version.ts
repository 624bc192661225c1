// Client, server and per-cluster agent versions (`kubectl kd version`).
import {ANNOTATION, LABEL, MANAGED_BY} from '../cluster/names.ts'
import {connect, type ConnectionOptions} from '../kube/connection.ts'
import {isUserError} from '../errors.ts'
import {byText} from '../output/order.ts'

export interface VersionInfo {
  clientVersion: string
  serverVersion?: string
  serverError?: string
  agents?: {cluster: string; namespace: string; version: string}[]
}

export async function versions(clientVersion: string, conn?: ConnectionOptions, allNamespaces = false): Promise<VersionInfo> {
  const info: VersionInfo = {clientVersion}
  if (!conn) return info
  try {
    const kube = await connect(conn)
    const version = await kube.call('get server version', () => kube.kc.makeApiClient(kube.k8s.VersionApi).getCode())
    info.serverVersion = version.gitVersion
    const labelSelector = `${LABEL.managedBy}=${MANAGED_BY},${LABEL.component}=agent`
    const deployments = await kube.call('list agents', () =>
      allNamespaces ? kube.apps.listDeploymentForAllNamespaces({labelSelector}) : kube.apps.listNamespacedDeployment({namespace: kube.namespace, labelSelector}),
    )
    // the version (hash of the agent code) is on the pod template, so new code rolls the agent
    info.agents = deployments.items
      .map((d) => ({
        cluster: d.metadata?.labels?.[LABEL.cluster] ?? '',
        namespace: d.metadata?.namespace ?? kube.namespace,
        version: d.spec?.template?.metadata?.annotations?.[ANNOTATION.agentVersion] ?? d.metadata?.annotations?.[ANNOTATION.agentVersion] ?? 'unknown',
      }))
      .sort((a, b) => byText(a.namespace, b.namespace) || byText(a.cluster, b.cluster))
  } catch (err) {
    if (!isUserError(err)) throw err
    info.serverError = `unable to reach the server: ${err.message}`
  }
  return info
}
