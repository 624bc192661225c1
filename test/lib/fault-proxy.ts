// A fault-injecting proxy in front of the local cluster's API server, owned by the tests: the CLI talks
// to it through its own kubeconfig (same CA and client certificate: the proxy serves the API server's own
// certificate and forwards with the admin's), and a test decides per request whether it passes, is refused
// with an API error, or is held back. Every request is recorded (method and path), so a test can find a
// command's write boundaries and refuse each in turn.
import {Agent, createServer, request, type Server} from 'node:https'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tmpdir} from 'node:os'
import {env} from './cluster.ts'

export interface ProxiedRequest {
  method: string
  /** path without the query */
  path: string
  query: string
}

export type FaultDecision = undefined | {refuse: number; message?: string} | {delayMs: number}

export interface FaultProxy {
  /** a kubeconfig whose server is the proxy */
  kubeconfig: string
  requests: ProxiedRequest[]
  /** undefined: pass the request on */
  decide: (r: ProxiedRequest) => FaultDecision
  close(): Promise<void>
}

const pki = () => join(env.KD_LOCAL!, 'pki')

export async function startFaultProxy(): Promise<FaultProxy> {
  const upstream = new URL(env.KD_API_SERVER!)
  const tls = {cert: readFileSync(join(pki(), 'admin.crt')), key: readFileSync(join(pki(), 'admin.key')), ca: readFileSync(join(pki(), 'ca.crt'))}
  // its own connection pool, closed with the proxy (kept-alive sockets would keep the test process alive)
  const agent = new Agent({keepAlive: true})
  const proxy: FaultProxy = {kubeconfig: '', requests: [], decide: () => undefined, close: async () => {}}
  const server: Server = createServer({cert: readFileSync(join(pki(), 'apiserver.crt')), key: readFileSync(join(pki(), 'apiserver.key')), requestCert: true, rejectUnauthorized: false}, async (req, res) => {
    const url = new URL(req.url ?? '/', 'https://proxy')
    const r: ProxiedRequest = {method: req.method ?? 'GET', path: url.pathname, query: url.search}
    proxy.requests.push(r)
    const d = proxy.decide(r)
    if (d && 'delayMs' in d) await new Promise((ok) => setTimeout(ok, d.delayMs))
    if (d && 'refuse' in d) {
      const reason = d.refuse === 403 ? 'Forbidden' : d.refuse === 409 ? 'Conflict' : 'InternalError'
      res.writeHead(d.refuse, {'content-type': 'application/json'})
      res.end(JSON.stringify({kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code: d.refuse, message: d.message ?? `refused by the test's proxy: ${r.method} ${r.path}`}))
      return
    }
    const up = request(
      {host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: {...req.headers, host: upstream.host}, agent, ...tls},
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502)
      res.end(String(err))
    })
    req.pipe(up)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const port = (server.address() as {port: number}).port
  const file = join(tmpdir(), `kd-fault-proxy-${process.pid}-${port}.kubeconfig`)
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: proxy
  cluster: {server: "https://127.0.0.1:${port}", certificate-authority: ${join(pki(), 'ca.crt')}}
users:
- name: admin
  user: {client-certificate: ${join(pki(), 'admin.crt')}, client-key: ${join(pki(), 'admin.key')}}
contexts:
- name: proxy
  context: {cluster: proxy, user: admin, namespace: default}
current-context: proxy
`,
    {mode: 0o600},
  )
  proxy.kubeconfig = file
  proxy.close = () =>
    new Promise((ok) => {
      server.closeAllConnections()
      agent.destroy()
      server.close(() => ok())
    })
  return proxy
}

/** A write the CLI sends (not a read, not an access review). */
export const isWrite = (r: ProxiedRequest) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !r.path.includes('accessreviews')
