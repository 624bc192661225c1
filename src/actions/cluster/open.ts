// `open`: a dashboard of an app cluster member (a service with isDashboard: Spark master/worker UI,
// Jupyter, a driver's UI) or a running job's Spark UI, reached through the API server (pods/portforward)
// on a local port, so no NodePort has to be reachable. Resolves the target, listens locally and forwards
// each connection; the command prints the URL and keeps it open until Ctrl-C. Never prints.
import {createServer, type Server, type Socket} from 'node:net'
import {findRole, roleEndpointServices} from '../../app/model.ts'
import {memberPodName} from '../../cluster/names.ts'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {isNotFound} from '../../kube/errors.ts'
import {readAuthToken} from './auth-token.ts'

export interface OpenOptions {
  kind: 'cluster' | 'job'
  name: string
  /** cluster only: a service id (jupyter-nb) or a member pod (sp-worker-1); default the first dashboard */
  select?: string
  /** local addresses to listen on (kubectl port-forward's --address): localhost, 127.0.0.1, 0.0.0.0, … */
  addresses: string[]
  /** local port; default the remote port when it is free, else any */
  port?: number
  /** a forwarded connection failed (the pod's port refused it, the pod went away); the listener stays */
  onConnectionError?: (message: string) => void
}

/** A dashboard: which pod and port, the path to open, the token to add. */
export interface Dashboard {
  pod: string
  port: number
  service: string
  label: string
  path: string
  token?: string
}

export interface OpenForward {
  dashboard: Dashboard
  url: string
  listening: Array<{address: string; port: number}>
  /** ends when the listener fails; resolved by close() */
  closed: Promise<void>
  close(): void
}

const DRIVER_UI_PORT = 4040

/** The dashboards a cluster's running members offer, in role then member order. */
export async function clusterDashboards(kube: KubeClient, name: string): Promise<Array<Dashboard & {hasAuthToken: boolean}>> {
  const {readCluster} = await import('./clusters.ts')
  const {app, cluster} = await readCluster(kube, name)
  const out: Array<Dashboard & {hasAuthToken: boolean}> = []
  for (const role of cluster.roles) {
    const appRole = findRole(app, role.id)
    if (!appRole) continue
    for (let i = 0; i < role.members; i++)
      for (const s of roleEndpointServices(app, appRole).filter((x) => x.endpoint.isDashboard))
        out.push({pod: memberPodName(cluster.name, role.id, i), port: s.endpoint.port, service: s.id, label: s.label?.name ?? s.id, path: s.endpoint.path ?? '/', hasAuthToken: s.endpoint.hasAuthToken})
  }
  return out
}

/** The dashboard `opts` names, its pod running; UserError naming what exists otherwise. */
export async function resolveDashboard(kube: KubeClient, opts: Pick<OpenOptions, 'kind' | 'name' | 'select'>): Promise<Dashboard> {
  if (opts.kind === 'job') {
    const {jobStatus} = await import('../job/jobs.ts')
    const job = await jobStatus(kube, opts.name, {logLines: 0})
    if (job.state !== 'RUNNING')
      throw new UserError(`job "${opts.name}" is ${job.state}, not running: its Spark UI lives only while the driver runs (kubectl kd status job/${opts.name})`)
    return {pod: job.driver.pod, port: DRIVER_UI_PORT, service: 'spark-ui', label: 'Spark UI', path: '/'}
  }
  const all = await clusterDashboards(kube, opts.name)
  if (all.length === 0) throw new UserError(`cluster "${opts.name}" has no dashboard (no member with an isDashboard service)`)
  const services = [...new Set(all.map((d) => d.service))]
  const pick = !opts.select ? all[0] : all.find((d) => d.service === opts.select) ?? all.find((d) => d.pod === opts.select)
  if (!pick)
    throw new UserError(
      `cluster "${opts.name}" has no dashboard or member "${opts.select}" (dashboards: ${services.join(', ')}; members: ${[...new Set(all.map((d) => d.pod))].join(', ')})`,
    )
  const pod = await kube.get<{status?: {phase?: string}}>(R.pods(kube.namespace), pick.pod).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
  if (pod?.status?.phase !== 'Running')
    throw new UserError(`member ${pick.pod} of cluster "${opts.name}" is ${pod ? `not running (${pod.status?.phase ?? 'Pending'})` : 'not there yet'}: kubectl kd status ${opts.name}`)
  const {hasAuthToken, ...dashboard} = pick
  if (!hasAuthToken) return dashboard
  const token = await readAuthToken(kube, opts.name)
  return token ? {...dashboard, token} : dashboard
}

/** Resolves the dashboard and forwards a local port to it until close(). */
export async function openDashboard(kube: KubeClient, opts: OpenOptions): Promise<OpenForward> {
  const dashboard = await resolveDashboard(kube, opts)
  const addresses = opts.addresses.flatMap((a) => (a === 'localhost' ? ['127.0.0.1'] : [a]))
  const servers: Server[] = []
  // the connections in flight: close() ends them, as kubectl port-forward does on Ctrl-C (a browser's open
  // WebSocket would otherwise keep the process alive)
  const sockets = new Set<Socket>()
  const listening: Array<{address: string; port: number}> = []
  let port = opts.port
  try {
    for (const address of addresses) {
      const server = createServer((socket) => {
        sockets.add(socket)
        socket.once('close', () => sockets.delete(socket))
        socket.on('error', () => undefined)
        kube.portForward({namespace: kube.namespace, pod: dashboard.pod, port: dashboard.port}, socket).catch((err: Error) => {
          opts.onConnectionError?.(err.message)
        })
      })
      const bound = await listen(server, address, port ?? dashboard.port).catch((err: NodeJS.ErrnoException) =>
        port === undefined && err.code === 'EADDRINUSE' ? listen(server, address, 0) : Promise.reject(err),
      )
      port = bound
      servers.push(server)
      listening.push({address, port: bound})
    }
  } catch (err) {
    for (const s of servers) s.close()
    const e = err as NodeJS.ErrnoException & {address?: string; port?: number}
    throw new UserError(`cannot listen on ${e.address ?? addresses.join(',')}:${e.port ?? port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (choose another with --port)' : e.message}`)
  }
  const host = listening[0]!.address === '0.0.0.0' || listening[0]!.address === '::' ? '127.0.0.1' : listening[0]!.address
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${listening[0]!.port}${dashboard.path}${dashboard.token ? `?token=${encodeURIComponent(dashboard.token)}` : ''}`
  let done!: () => void
  const closed = new Promise<void>((resolve) => (done = resolve))
  return {
    dashboard,
    url,
    listening,
    closed,
    close() {
      for (const s of servers) s.close()
      for (const s of sockets) s.destroy()
      done()
    },
  }
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({host: address, port, exclusive: true}, () => {
      server.off('error', reject)
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : port)
    })
  })
}
