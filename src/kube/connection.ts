// Connecting to a cluster: kubeconfig (or in-cluster config), context and namespace, resolved the way
// kubectl resolves them, into one KubeClient (http-client.ts). The credentials come from the cheapest
// source that can serve the kubeconfig: the pod's ServiceAccount, a one-file kubeconfig with a client
// certificate or token (simple-kubeconfig.ts, no client library), or else @kubernetes/client-node's
// authenticators (exec credential plugins, OIDC and other auth providers, merged KUBECONFIG lists),
// loaded only then: it costs a few hundred milliseconds.
import {delimiter} from 'node:path'
import {UserError} from '../errors.ts'
import type {KubeClient} from './client.ts'
import {httpClient, type Credentials} from './http-client.ts'
import {kubeconfigFiles} from './kubeconfig-present.ts'
import {useExtraCaCerts} from './extra-ca.ts'
import {inClusterCredentials} from './in-cluster.ts'

export interface ConnectionOptions {
  kubeconfig?: string
  context?: string
  namespace?: string
  requestTimeoutMs?: number
  /** inside a pod: use the ServiceAccount (the agent) */
  inCluster?: boolean
  /** -v: where the one line per request goes */
  debug?: (line: string) => void
}

export async function connect(opts: ConnectionOptions = {}): Promise<KubeClient> {
  const clientOptions = {requestTimeoutMs: opts.requestTimeoutMs, debug: opts.debug}
  const files = opts.inCluster ? [] : kubeconfigFiles(opts.kubeconfig)
  if (files.length === 1) {
    const {simpleKubeconfig} = await import('./simple-kubeconfig.ts')
    const simple = simpleKubeconfig(files[0]!, opts)
    if (simple) {
      try {
        return httpClient(simple.credentials, clientOptions)
      } catch {
        // a certificate or key that does not parse: client-node reports it in its own words
      }
    }
  }
  return httpClient(await credentials(opts, files), clientOptions)
}

/** Credentials for anything but a simple one-file kubeconfig (connect() serves that itself). */
async function credentials(opts: ConnectionOptions, files: string[]): Promise<Credentials> {
  if (opts.inCluster) return inClusterCredentials(opts.namespace)
  if (opts.kubeconfig && files.length === 0) throw new UserError(`--kubeconfig: file ${opts.kubeconfig} does not exist`)
  if (files.length === 0) {
    if (process.env.KUBERNETES_SERVICE_HOST) return inClusterCredentials(opts.namespace)
    throw new UserError(
      'no kubeconfig found: set KUBECONFIG or pass --kubeconfig (for the local test cluster: npm run cluster:up, then export KUBECONFIG=~/.cache/kubectl-kd/local/kubeconfig)',
    )
  }
  return clientNodeCredentials(files, opts)
}

type ClientNode = typeof import('@kubernetes/client-node')
interface HttpsOptions {
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
  rejectUnauthorized?: boolean
  auth?: string
  headers?: Record<string, string>
}

/** Credentials through client-node: the same kubeconfig rules as kubectl, and every authenticator it has. */
async function clientNodeCredentials(files: string[], opts: ConnectionOptions): Promise<Credentials> {
  useExtraCaCerts()
  const k8s: ClientNode = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  try {
    kc.loadFromFile(files[0]!)
    for (const extra of files.slice(1)) {
      const more = new k8s.KubeConfig()
      more.loadFromFile(extra)
      kc.mergeConfig(more, true)
    }
  } catch (err) {
    throw new UserError(`kubeconfig ${files.join(delimiter)} cannot be read: ${(err as Error).message.split('\n')[0]}`)
  }
  if (kc.getContexts().length === 0) throw new UserError(`kubeconfig ${files.join(delimiter)} holds no contexts: is it a kubeconfig file?`)
  if (opts.context) {
    if (!kc.getContextObject(opts.context))
      throw new UserError(`context "${opts.context}" does not exist in the kubeconfig (known: ${kc.getContexts().map((c) => c.name).join(', ')})`)
    kc.setCurrentContext(opts.context)
  }
  const context = kc.getCurrentContext()
  if (!context) throw new UserError(`kubeconfig ${files.join(delimiter)} names no current context; choose one with --context (known: ${kc.getContexts().map((c) => c.name).join(', ')})`)
  const cluster = kc.getCurrentCluster()
  if (!cluster) throw new UserError(`the kubeconfig context "${context}" names no cluster; choose another with --context`)
  if (cluster.proxyUrl) throw new UserError(`kubeconfig cluster "${cluster.name}": proxy-url is not supported by kubectl-kd; reach the API server directly`)
  if (!cluster.server.startsWith('https://')) throw new UserError(`kubeconfig cluster "${cluster.name}": server ${cluster.server} is not an https:// URL`)
  const user = kc.getCurrentUser()
  const authOf = async (): Promise<HttpsOptions> => {
    const o: HttpsOptions = {}
    try {
      await kc.applyToHTTPSOptions(o as never)
    } catch (err) {
      const said = (err as Error).message?.trim()
      const plugin = user?.exec ? `the exec credential plugin "${(user.exec as {command?: string}).command}"` : user?.authProvider ? `the auth provider "${(user.authProvider as {name?: string}).name}"` : 'its credentials'
      throw new UserError(`kubeconfig user "${user?.name ?? ''}": ${plugin} failed${said ? `: ${said.split('\n').filter(Boolean).slice(-1)[0]}` : ' without saying why (no output on stderr)'}`)
    }
    return o
  }
  const first = await authOf()
  const header = (o: HttpsOptions) =>
    o.headers?.Authorization ?? o.headers?.authorization ?? (o.auth ? `Basic ${Buffer.from(o.auth).toString('base64')}` : undefined)
  let pending: HttpsOptions | undefined = first
  return {
    server: cluster.server.replace(/\/$/, ''),
    namespace: opts.namespace || kc.getContextObject(context)?.namespace || 'default',
    context,
    ca: first.ca,
    cert: first.cert,
    key: first.key,
    insecureSkipTLSVerify: first.rejectUnauthorized === false,
    // asked before each request: client-node keeps a plugin's token until it expires, then runs it again
    authorization: async () => {
      const o = pending ?? (await authOf())
      pending = undefined
      return header(o)
    },
  }
}
