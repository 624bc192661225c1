// Connecting to a cluster: kubeconfig (or in-cluster config), context and namespace, resolved the way
// kubectl resolves them. The only module that loads @kubernetes/client-node, and only when a command
// actually talks to a cluster, so offline commands and --help stay fast; commands that only read
// (get, status, completion) skip it when the kubeconfig is simple (connectReads, over http1.ts).
import {readFileSync} from 'node:fs'
import {delimiter} from 'node:path'
import {UserError} from '../errors.ts'
import {ApiError, statusCode, translateApiError} from './errors.ts'
import {debugEnabled} from '../output/errors.ts'
import {kubeconfigFiles} from './kubeconfig-present.ts'
import {useExtraCaCerts} from './extra-ca.ts'
import {rawFetch, type RawRequest} from './raw.ts'
import type {Credentials} from './transport.ts'

export interface ConnectionOptions {
  kubeconfig?: string
  context?: string
  namespace?: string
  requestTimeoutMs?: number
  /** inside a pod: use the ServiceAccount (the agent) */
  inCluster?: boolean
}

export type K8s = typeof import('@kubernetes/client-node')

/** What plain REST reads need: lists and gets through rawJson (raw.ts), no generated clients. */
export interface KubeReads {
  namespace: string
  context: string
  server: string
  /** Runs one API call with the request timeout, debug logging and error translation. */
  call<T>(what: string, fn: () => Promise<T>): Promise<T>
  /** One request with the kubeconfig's credentials; the body of a 2xx answer (rawJson adds call() and JSON). */
  text(path: string, req?: RawRequest): Promise<string>
}

export interface Kube extends KubeReads {
  k8s: K8s
  kc: import('@kubernetes/client-node').KubeConfig
  core: import('@kubernetes/client-node').CoreV1Api
  apps: import('@kubernetes/client-node').AppsV1Api
  rbac: import('@kubernetes/client-node').RbacAuthorizationV1Api
  authz: import('@kubernetes/client-node').AuthorizationV1Api
  objects: import('@kubernetes/client-node').KubernetesObjectApi
}

/**
 * A connection for commands that only read through rawJson. Loading @kubernetes/client-node takes longer
 * than the rest of such a command, so a kubeconfig that needs none of it (one file, a client certificate
 * or a token: see simple-kubeconfig.ts) is served by http1.ts; anything else goes through connect().
 */
export async function connectReads(opts: ConnectionOptions = {}): Promise<KubeReads> {
  const files = opts.inCluster ? [] : kubeconfigFiles(opts.kubeconfig)
  if (files.length === 1) {
    const [{simpleKubeconfig}, {http1Client}] = await Promise.all([import('./simple-kubeconfig.ts'), import('./http1.ts')])
    const simple = simpleKubeconfig(files[0]!, opts)
    const kube = simple && leanReads(simple, http1Client, opts)
    if (kube) return kube
  }
  return connect(opts)
}

/** KubeReads on http1.ts; undefined when the certificate or key does not parse (client-node fails that in a request). */
function leanReads(
  simple: {context: string; credentials: Credentials},
  http1Client: typeof import('./http1.ts').http1Client,
  opts: ConnectionOptions,
): KubeReads | undefined {
  let client: ReturnType<typeof http1Client>
  try {
    client = http1Client(simple.credentials)
  } catch {
    return undefined
  }
  const text = async (path: string, req: RawRequest = {}) => {
    try {
      // the timeout in call() is the user's; this one is undici's default headers timeout, as in rawFetch
      return await client.text(path, {...req, timeoutMs: 300_000})
    } catch (err) {
      // failures shaped as on the client-node path (rawFetch, undici's fetch), so they read the same, -v included
      if (statusCode(err) !== undefined || (err as Error).name === 'AbortError') throw err
      throw Object.assign(new TypeError('fetch failed'), {cause: err})
    }
  }
  return {namespace: simple.credentials.namespace, context: simple.context, server: client.server, call: apiCall(client.server, opts), text}
}

export async function connect(opts: ConnectionOptions = {}): Promise<Kube> {
  useExtraCaCerts()
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  if (opts.inCluster) {
    kc.loadFromCluster()
  } else {
    const existing = kubeconfigFiles(opts.kubeconfig)
    if (opts.kubeconfig && existing.length === 0) throw new UserError(`--kubeconfig: file ${opts.kubeconfig} does not exist`)
    if (existing.length === 0) {
      if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster()
      else
        throw new UserError(
          'no kubeconfig found: set KUBECONFIG or pass --kubeconfig (for the local test cluster: npm run cluster:up, then export KUBECONFIG=~/.cache/kubectl-kd/local/kubeconfig)',
        )
    } else {
      try {
        kc.loadFromFile(existing[0]!)
        for (const extra of existing.slice(1)) {
          const more = new k8s.KubeConfig()
          more.loadFromFile(extra)
          kc.mergeConfig(more, true)
        }
      } catch (err) {
        throw new UserError(`kubeconfig ${existing.join(delimiter)} cannot be read: ${(err as Error).message.split('\n')[0]}`)
      }
    }
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new UserError(`context "${opts.context}" does not exist in the kubeconfig (known: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`)
    }
    kc.setCurrentContext(opts.context)
  }
  const context = kc.getCurrentContext()
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw new UserError(`the kubeconfig context "${context}" names no cluster; choose one with --context`)
  const namespace = opts.namespace || kc.getContextObject(context)?.namespace || (opts.inCluster ? inClusterNamespace() : '') || 'default'
  const kube: Kube = {
    k8s,
    kc,
    namespace,
    context,
    server: cluster.server,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
    authz: kc.makeApiClient(k8s.AuthorizationV1Api),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    call: apiCall(cluster.server, opts),
    text: async (path, req) => (await rawFetch(kube, path, req)).text(),
  }
  return kube
}

/** KubeReads.call for a server: request timeout, debug log, error translation, retries (below). */
function apiCall(server: string, opts: ConnectionOptions): KubeReads['call'] {
  const timeout = opts.requestTimeoutMs ?? 0
  // Every call the plugin makes is idempotent (reads, server-side apply, deletes), so a passing outage of
  // a server that has answered before (an API server restart, a 5xx, throttling) is retried with backoff
  // for up to RETRY_WINDOW_MS; a server that never answered fails at once, as kubectl does.
  let answered = false
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    for (let attempt = 0; ; attempt++) {
      try {
        const result = timeout > 0 ? await withTimeout(fn(), timeout, what) : await fn()
        answered = true
        if (debugEnabled()) process.stderr.write(`I kd ${what} (${Date.now() - started} ms)\n`)
        return result
      } catch (err) {
        if (debugEnabled()) process.stderr.write(`I kd ${what} failed (${Date.now() - started} ms): ${(err as Error).message?.split('\n')[0]}\n`)
        const translated = translateApiError(err, what, server)
        const delay = Math.min(250 * 2 ** attempt, 4000)
        if (!answered || !isTransient(translated) || Date.now() - started + delay > RETRY_WINDOW_MS) throw translated
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }
  return call
}

const RETRY_WINDOW_MS = 30_000

function isTransient(err: Error): boolean {
  if (err instanceof ApiError) return err.status === 429 || err.status >= 500
  return /is not reachable \((ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|UND_ERR_SOCKET|other side closed|fetch failed)/.test(err.message)
}

function inClusterNamespace(): string {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim()
  } catch {
    return ''
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new UserError(`${what}: no answer from the API server within ${ms / 1000}s (--request-timeout)`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
