// Flags shared by the commands that create or change app clusters (create, apply, scale).
import * as Flags from '@oclif/core/flags'
import {SERVICE_TYPES} from './cluster/model.ts'
import {connectionOptions, parseDuration} from './base-command.ts'
import {parseFormat} from './output/format.ts'
import type {ClusterChangeRun} from './output/cluster-change.ts'

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
  members: Flags.string({description: 'Members of a role: ROLE=N (repeatable; default: the cardinality)', multiple: true, default: []}),
  memory: Flags.string({description: 'Memory limit of a role\'s members: ROLE=SIZE, e.g. worker=2Gi (repeatable)', multiple: true, default: []}),
  cpu: Flags.string({description: 'CPU limit of a role\'s members: ROLE=N, e.g. worker=2 (repeatable)', multiple: true, default: []}),
  image: Flags.string({description: 'Image of a role: ROLE=IMAGE (repeatable)', multiple: true, default: []}),
  package: Flags.string({
    description: 'Config package of a role: ROLE=DIR (a local directory), ROLE=http(s)://…, ROLE=file://… (in the image) or ROLE=configmap://NAME',
    multiple: true,
    default: [],
  }),
  'service-type': Flags.string({description: 'Type of the per-member Services', options: [...SERVICE_TYPES]}),
  'agent-image': Flags.string({description: 'Node.js image the cluster agent runs on (default docker.io/library/node:24-slim)'}),
}

type ChangeFlags = Parameters<typeof connectionOptions>[0] & {
  members: string[]
  memory: string[]
  cpu: string[]
  image: string[]
  package: string[]
  'service-type'?: string
  'agent-image'?: string
  'dry-run': string
  wait: boolean
  timeout: string
  output?: string
}

/** The create/apply request from their shared flags. */
export function clusterChangeRun(flags: ChangeFlags, target: {app?: string; name?: string; files?: string[]; allowExisting: boolean}): ClusterChangeRun {
  return {
    ...target,
    conn: connectionOptions(flags),
    members: flags.members,
    memory: flags.memory,
    cpu: flags.cpu,
    images: flags.image,
    packages: flags.package,
    serviceType: flags['service-type'],
    agentImage: flags['agent-image'],
    dryRun: flags['dry-run'] as 'none' | 'client' | 'server',
    wait: flags.wait,
    timeoutMs: parseDuration(flags.timeout, 'timeout'),
    format: parseFormat(flags.output, ['yaml', 'json', 'name']),
  }
}
