// Client, server and per-cluster agent versions (`kubectl kd version`).
import {ANNOTATION, LABEL, MANAGED_BY} from '../cluster/names.ts'
import {connect, type ConnectionOptions} from '../kube/connection.ts'
import {isUserError} from '../errors.ts'

export interface VersionInfo {
  clientVersion: string
  serverVersion?: string
  serverError?: string
  agents?: {cluster: string; namespace: string; version: string}[]
}

export async function versions(clientVersion: string, conn?: ConnectionOptions): Promise<VersionInfo> {
  const info: VersionInfo = {clientVersion}
  if (!conn) return info
  try {
    const kube = await connect(conn)
    const version = await kube.call('get server version', () => kube.kc.makeApiClient(kube.k8s.VersionApi).getCode())
    info.serverVersion = version.gitVersion
    const deployments = await kube.call('list agents', () =>
      kube.apps.listNamespacedDeployment({namespace: kube.namespace, labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${LABEL.component}=agent`}),
    )
    info.agents = deployments.items.map((d) => ({
      cluster: d.metadata?.labels?.[LABEL.cluster] ?? '',
      namespace: d.metadata?.namespace ?? kube.namespace,
      version: d.metadata?.annotations?.[ANNOTATION.agentVersion] ?? 'unknown',
    }))
  } catch (err) {
    if (!isUserError(err)) throw err
    info.serverError = `unable to reach the server: ${err.message}`
  }
  return info
}
