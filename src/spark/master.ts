// spark-submit's --master for Kubernetes: `k8s://URL` names the API server; kubectl kd takes the
// credentials of the kubeconfig context whose cluster has that server (spark-submit takes them from
// the current context or spark.kubernetes.context). Other schemes and client mode are refused with
// what to use instead. Pure: the kubeconfig documents come in as data.
import {UserError} from '../errors.ts'

type O = Record<string, any>

/** Utils.checkAndGetK8sMasterUrl: `k8s://host:port` means https; returns the API server URL. */
function apiServerOfMaster(master: string): string {
  const m = master.trim()
  if (!m.startsWith('k8s://')) {
    if (/^(spark|mesos):\/\//.test(m) || m === 'yarn' || /^local(\[.*\])?$/.test(m) || m.startsWith('local-cluster')) {
      throw new UserError(`--master ${m}: kubectl kd submit runs jobs on Kubernetes (--master k8s://https://HOST:PORT); for the standalone master of an app cluster made by kubectl kd create use --cluster NAME, otherwise use spark-submit`)
    }
    throw new UserError(`--master ${m}: Master must either be yarn or start with spark, mesos, k8s, or local; kubectl kd submit takes k8s://https://HOST:PORT`)
  }
  const rest = m.slice('k8s://'.length)
  if (!rest) throw new UserError(`--master ${m}: no API server URL after k8s://`)
  return /^https?:\/\//.test(rest) ? rest : `https://${rest}`
}

/** The spark.master value spark-submit writes: k8s:// plus the resolved URL. */
export const sparkMasterOf = (master: string) => `k8s://${apiServerOfMaster(master)}`

/** Comparable form of a server URL: scheme, lower-case host, explicit port, no trailing slash. */
function normalizeServer(url: string): string {
  try {
    const u = new URL(url)
    const port = u.port || (u.protocol === 'http:' ? '80' : '443')
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    return url.trim().replace(/\/+$/, '')
  }
}

export interface KubeconfigContexts {
  current?: string
  /** context name → its cluster's server */
  servers: Map<string, string>
}

/** Merges kubeconfig documents as kubectl does (first file wins for each name and for current-context). */
export function kubeconfigContexts(docs: unknown[]): KubeconfigContexts {
  const clusters = new Map<string, string>()
  const contexts = new Map<string, string>()
  let current: string | undefined
  for (const d of docs as O[]) {
    if (!d || typeof d !== 'object') continue
    current ??= typeof d['current-context'] === 'string' && d['current-context'] ? d['current-context'] : undefined
    for (const c of d.clusters ?? []) if (c?.name && !clusters.has(c.name)) clusters.set(c.name, c.cluster?.server ?? '')
    for (const c of d.contexts ?? []) if (c?.name && !contexts.has(c.name)) contexts.set(c.name, c.context?.cluster ?? '')
  }
  const servers = new Map([...contexts].map(([ctx, cluster]) => [ctx, clusters.get(cluster) ?? ''] as [string, string]))
  return {current, servers}
}

/**
 * The context to use for `--master k8s://URL`: the one asked for (--context or spark.kubernetes.context)
 * if its server is URL, else the current context if it is, else the only context that is.
 */
export function contextForMaster(master: string, kc: KubeconfigContexts, asked?: {context: string; from: string}): string {
  const server = apiServerOfMaster(master)
  const want = normalizeServer(server)
  const matching = [...kc.servers].filter(([, s]) => s && normalizeServer(s) === want).map(([c]) => c)
  if (asked) {
    if (!kc.servers.has(asked.context)) throw new UserError(`${asked.from} ${asked.context}: no such context in the kubeconfig`)
    if (!matching.includes(asked.context)) {
      throw new UserError(`--master ${master} names the API server ${server}, but context "${asked.context}" (${asked.from}) is for ${kc.servers.get(asked.context) || 'no server'}; make them agree`)
    }
    return asked.context
  }
  if (kc.current && matching.includes(kc.current)) return kc.current
  if (matching.length === 1) return matching[0]!
  if (matching.length > 1) throw new UserError(`--master ${master}: contexts ${matching.join(', ')} all name the API server ${server}; pick one with --context`)
  const known = [...kc.servers].map(([c, s]) => `${c} → ${s || '?'}`).join(', ')
  throw new UserError(`--master ${master}: no context in the kubeconfig has the API server ${server} (${known ? `contexts: ${known}` : 'the kubeconfig has no contexts'}); use one of those URLs or add a context for it`)
}
