// Flags shared by the commands that create or change app clusters (create, apply, scale), and the run
// they share: connect, one action, print, then --wait with a progress view.
import * as Flags from '@oclif/core/flags'
import {SERVICE_TYPES} from './cluster/model.ts'
import {connectionOptions, parseDuration, type ConnectionFlags} from './base-command.ts'
import {parseFormat, type Format} from './output/format.ts'
import type {ClusterChangeRequest} from './actions/cluster/cluster-change.ts'
import {withNamespace, type KubeClient} from './kube/client.ts'
import type {ConnectionOptions} from './kube/connection.ts'
import type {ClusterSnapshot} from './cluster/cluster-status.ts'

export const clusterChangeFlags = {
  'dry-run': Flags.string({
    description: 'Only print what would be done: "client" renders locally, "server" also sends the objects to the API server for validation',
    options: ['none', 'client', 'server'],
    default: 'none',
  }),
  wait: Flags.boolean({description: 'Wait until every member is configured, showing progress per role'}),
  timeout: Flags.string({description: 'How long --wait waits (e.g. 90s, 5m)', default: '10m'}),
}

export const overrideFlags = {
  members: Flags.string({description: 'Members of a role: ROLE=N (repeatable; default: the cardinality)', multiple: true}),
  memory: Flags.string({description: 'Memory limit of a role\'s members: ROLE=SIZE, e.g. worker=2Gi (repeatable)', multiple: true}),
  cpu: Flags.string({description: 'CPU limit of a role\'s members: ROLE=N, e.g. worker=2 (repeatable)', multiple: true}),
  image: Flags.string({description: 'Image of a role: ROLE=IMAGE (repeatable)', multiple: true}),
  package: Flags.string({
    description: 'Config package of a role: ROLE=DIR (a local directory), ROLE=http(s)://…, ROLE=file://… (in the image) or ROLE=configmap://NAME',
    multiple: true,
  }),
  'service-type': Flags.string({description: 'Type of the per-member Services', options: [...SERVICE_TYPES]}),
  'agent-image': Flags.string({description: 'Node.js image the cluster agent runs on (default docker.io/library/node:24-slim)'}),
}

type ChangeFlags = ConnectionFlags & {
  members?: string[]
  memory?: string[]
  cpu?: string[]
  image?: string[]
  package?: string[]
  'service-type'?: string
  'agent-image'?: string
  'dry-run': string
  wait: boolean
  timeout: string
  output?: string
}

export interface ClusterChangeRun extends ClusterChangeRequest {
  conn: ConnectionOptions
  wait: boolean
  timeoutMs: number
  format: Format
}

/** The create/apply request from their shared flags. */
export function clusterChangeRun(flags: ChangeFlags, target: {app?: string; name?: string; files?: string[]; allowExisting: boolean}): ClusterChangeRun {
  const conn = connectionOptions(flags)
  return {
    ...target,
    conn,
    namespace: conn.namespace,
    // repeatable flags have no default (help would show an empty `[default: ]`)
    members: flags.members ?? [],
    memory: flags.memory ?? [],
    cpu: flags.cpu ?? [],
    images: flags.image ?? [],
    packages: flags.package ?? [],
    serviceType: flags['service-type'],
    agentImage: flags['agent-image'],
    dryRun: flags['dry-run'] as 'none' | 'client' | 'server',
    wait: flags.wait,
    timeoutMs: parseDuration(flags.timeout, 'timeout'),
    format: parseFormat(flags.output, ['yaml', 'json', 'name']),
  }
}

/** create/apply: the change, its summary, then (with --wait) each cluster's progress until configured. */
export async function runClusterChange(run: ClusterChangeRun): Promise<void> {
  const started = Date.now()
  const {connect} = await import('./kube/connection.ts')
  let kube: KubeClient | undefined
  if (run.dryRun !== 'client') kube = await connect(run.conn)
  else {
    // a client dry run never needs a cluster: the kubeconfig only supplies the namespace, and apps stored
    // in a namespace are looked up only when one answers
    const {hasKubeconfig} = await import('./kube/kubeconfig-present.ts')
    if (hasKubeconfig(run.conn.kubeconfig)) kube = await connect(run.conn).catch(() => undefined)
  }
  const {changeClusters} = await import('./actions/cluster/cluster-change.ts')
  const {formatClusterChange, restartLines} = await import('./output/cluster-change.ts')
  // members a change restarts are said before it is written (and by --dry-run=server)
  const change = await changeClusters(kube, {...run, onRestarts: (cluster, restarts) => process.stderr.write(restartLines(cluster, restarts))})
  const printed = await formatClusterChange(change, run.format, run.dryRun)
  process.stdout.write(printed.stdout)
  process.stderr.write(printed.stderr)
  if (!run.wait || run.dryRun !== 'none') return
  for (const plan of change.plans) {
    const roles = plan.cluster.roles.filter((r) => r.members > 0).map((r) => r.id)
    const done = await waitWithProgress(withNamespace(kube!, plan.namespace), plan.cluster.name, roles, Math.max(1, run.timeoutMs - (Date.now() - started)), run.format !== 'table')
    const {waitDoneLine} = await import('./output/progress.ts')
    process.stdout.write(waitDoneLine(plan.cluster.name, done, Date.now() - started))
  }
}

/** --wait: the progress view over waitForCluster; Ctrl-C stops waiting (the cluster stays). */
export async function waitWithProgress(kube: KubeClient, name: string, roles: string[], timeoutMs: number, silent: boolean): Promise<ClusterSnapshot> {
  const {waitForCluster} = await import('./actions/cluster/wait.ts')
  const {withClusterProgress} = await import('./output/progress.ts')
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  try {
    return await withClusterProgress(`cluster/${name}`, roles, silent, (onUpdate) => waitForCluster(kube, name, {timeoutMs, onUpdate, signal: controller.signal}))
  } finally {
    process.off('SIGINT', stop)
  }
}
