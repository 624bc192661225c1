// Client, server and per-cluster agent versions (`kubectl kd version`).
import {ANNOTATION, LABEL, MANAGED_BY} from '../cluster/names.ts'
import {R, type KubeClient} from '../kube/client.ts'
import {isUserError} from '../errors.ts'
import {byText} from '../order.ts'

export interface VersionInfo {
  clientVersion: string
  serverVersion?: string
  serverError?: string
  agents?: {cluster: string; namespace: string; version: string}[]
}

/** `connect` undefined: --client (no server asked). */
export async function versions(clientVersion: string, connect: (() => Promise<KubeClient>) | undefined, allNamespaces = false): Promise<VersionInfo> {
  const info: VersionInfo = {clientVersion}
  if (!connect) return info
  try {
    const kube = await connect()
    const version = JSON.parse(await kube.text('/version', {what: 'get server version'})) as {gitVersion?: string}
    info.serverVersion = version.gitVersion
    const labelSelector = `${LABEL.managedBy}=${MANAGED_BY},${LABEL.component}=agent`
    const deployments = await kube.list<{metadata?: {labels?: Record<string, string>; namespace?: string; annotations?: Record<string, string>}; spec?: {template?: {metadata?: {annotations?: Record<string, string>}}}}>(
      R.deployments(allNamespaces ? '' : kube.namespace),
      {labelSelector},
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
