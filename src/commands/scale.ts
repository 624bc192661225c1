import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, parseDuration} from '../base-command.ts'
import {parseTarget} from '../target.ts'
import {UserError} from '../errors.ts'

export default class Scale extends KdCommand {
  static summary = "Change the number of members of a cluster's role"
  static description = 'Checks the role\'s cardinality, updates the cluster and its StatefulSet; the agent then tells the other members (--addnodes / --delnodes).'
  static examples = [
    '<%= config.bin %> scale spark221e2 --role worker --members 4',
    '<%= config.bin %> scale spark221e2 worker=2 --wait',
  ]
  static args = {
    name: Args.string({ignoreStdin: true, required: true, description: 'Cluster name (or cluster/NAME)'}),
    assignment: Args.string({ignoreStdin: true, description: 'An assignment ROLE=N, instead of --role/--members'}),
  }
  static flags = {
    role: Flags.string({description: 'Role to scale'}),
    members: Flags.integer({description: 'New member count', min: 0}),
    'dry-run': Flags.string({options: ['none', 'server'], default: 'none', description: 'server: validate the change on the API server without persisting it'}),
    wait: Flags.boolean({description: 'Wait until every member is configured again'}),
    timeout: Flags.string({description: 'How long --wait waits', default: '10m'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Scale)
    let {role, members} = flags
    if (args.assignment) {
      const m = /^([^=]+)=(\d+)$/.exec(args.assignment)
      if (!m) throw new UserError(`${args.assignment}: expected ROLE=N, e.g. worker=3`)
      ;[role, members] = [m[1], Number(m[2])]
    }
    if (!role || members === undefined) throw new UserError('give the role and its member count: --role ROLE --members N, or ROLE=N')
    const {name} = parseTarget(args.name, undefined, 'cluster')
    const started = Date.now()
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const {scaleCluster} = await import('../actions/scale.ts')
    const result = await scaleCluster(kube, {name, role, members, dryRun: flags['dry-run'] as 'none' | 'server'})
    const suffix = flags['dry-run'] === 'server' ? ' (server dry run)' : ''
    process.stdout.write(result.unchanged ? `cluster/${name} unchanged (${role} already has ${members} members)\n` : `cluster/${name} scaled: ${role} ${result.from} -> ${result.to}${suffix}\n`)
    if (!flags.wait || flags['dry-run'] !== 'none') return
    const {waitWithProgress} = await import('../cluster-flags.ts')
    const done = await waitWithProgress(kube, name, result.roles, parseDuration(flags.timeout, 'timeout'), false)
    const {waitDoneLine} = await import('../output/progress.ts')
    process.stdout.write(waitDoneLine(name, done, Date.now() - started))
  }
}
