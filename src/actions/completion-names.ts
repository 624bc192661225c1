// Names for shell completion: built-in apps from the embedded catalog, contexts from the kubeconfig file
// (read with js-yaml, no client library), and apps/clusters/jobs/namespaces from the cluster when one
// answers quickly. Completion must never fail or hang: every lookup gives up after a short deadline and
// answers [] when there is no kubeconfig, no cluster, or no permission.
import {readFileSync} from 'node:fs'
import {kubeconfigFiles} from '../kube/kubeconfig-present.ts'
import type {ConnectionWords, NameKind} from '../completion/candidates.ts'

/**
 * How long completion waits for the API server, in total (an exec credential plugin runs within it; on a
 * loaded machine that alone can take a second).
 */
const COMPLETION_DEADLINE_MS = 3000

interface Meta {
  metadata: {name: string; labels?: Record<string, string>}
}

async function contexts(connection: ConnectionWords): Promise<string[]> {
  const {load} = await import('js-yaml')
  const names: string[] = []
  for (const file of kubeconfigFiles(connection.kubeconfig)) {
    try {
      const doc = load(readFileSync(file, 'utf8')) as {contexts?: {name?: string}[]} | undefined
      for (const c of doc?.contexts ?? []) if (c?.name) names.push(c.name)
    } catch {
      // an unreadable kubeconfig completes nothing
    }
  }
  return names
}

/** Role ids in a stored cluster's or app's JSON (cluster.json of a root, app.json of an added app). */
function roleIds(json: string | undefined): string[] {
  try {
    const roles = (JSON.parse(json ?? '{}') as {roles?: {id?: unknown}[]}).roles ?? []
    return roles.map((r) => r.id).filter((id): id is string => typeof id === 'string')
  } catch {
    return []
  }
}

async function fromCluster(kind: Exclude<NameKind, 'contexts'>, connection: ConnectionWords, signal: AbortSignal, of = ''): Promise<string[]> {
  if (kubeconfigFiles(connection.kubeconfig).length === 0 && !process.env.KUBERNETES_SERVICE_HOST) return []
  const [{connect}, {R}, {LABEL, MANAGED_BY, ROOT_KEYS, rootConfigMapName}, {SPARK_LABEL, jobNameOfDriverPod}] = await Promise.all([
    import('../kube/connection.ts'),
    import('../kube/client.ts'),
    import('../cluster/names.ts'),
    import('../spark/names.ts'),
  ])
  const kube = await connect({...connection, requestTimeoutMs: COMPLETION_DEADLINE_MS})
  const names = async (res: ReturnType<typeof R.pods>, labelSelector?: string) => (await kube.list<Meta>(res, {labelSelector, signal})).items
  const data = async (name: string) => (await kube.get<{data?: Record<string, string>}>(R.configMaps(kube.namespace), name, {signal})).data
  try {
    switch (kind) {
      case 'roles':
        return roleIds((await data(rootConfigMapName(of)))?.[ROOT_KEYS.cluster])
      case 'app-roles':
        return roleIds((await data(`kd-app-${of}`))?.['app.json'])
      case 'namespaces':
        return (await names(R.namespaces())).map((n) => n.metadata.name)
      case 'jobs':
        return (await names(R.pods(kube.namespace), `${SPARK_LABEL.role}=driver`)).map((p) => jobNameOfDriverPod(p.metadata.name))
      case 'clusters':
        return (await names(R.configMaps(kube.namespace), `${LABEL.managedBy}=${MANAGED_BY},${LABEL.cluster}`))
          .filter((c) => c.metadata.labels?.[LABEL.cluster] && c.metadata.name === rootConfigMapName(c.metadata.labels[LABEL.cluster]))
          .map((c) => c.metadata.labels![LABEL.cluster]!)
      case 'dashboards': {
        if (!connection.cluster) return []
        const {clusterDashboards} = await import('./cluster/open.ts')
        const all = await clusterDashboards(kube, connection.cluster)
        return [...new Set([...all.map((d) => d.service), ...all.map((d) => d.pod)])]
      }
      case 'apps':
      case 'namespace-apps':
        return (await names(R.configMaps(kube.namespace), `${LABEL.managedBy}=${MANAGED_BY},${LABEL.appDefinition}`)).map((c) => c.metadata.labels![LABEL.appDefinition]!)
    }
  } finally {
    kube.close()
  }
}

/** The completion lookup (see completion/candidates.ts): never throws, answers within the deadline. */
export async function completionNames(kind: NameKind, connection: ConnectionWords, of?: string, deadlineMs = COMPLETION_DEADLINE_MS): Promise<string[]> {
  if (kind === 'contexts') return contexts(connection)
  if (kind === 'app-roles' && of) {
    // a built-in app's roles need no cluster
    const {findBuiltinApp} = await import('../app/catalog.ts')
    const builtin = findBuiltinApp(of)
    if (builtin) return builtin.roles.map((r) => r.id)
  }
  const builtin: string[] = []
  if (kind === 'apps') {
    const {builtinAppNames} = await import('../app/catalog.ts')
    builtin.push(...builtinAppNames())
  }
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => {
      controller.abort()
      resolve([])
    }, deadlineMs)
  })
  try {
    const remote = await Promise.race([fromCluster(kind, connection, controller.signal, of).catch(() => [] as string[]), deadline])
    return [...builtin, ...remote]
  } finally {
    clearTimeout(timer)
  }
}
