import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, parseDuration} from '../base-command.ts'
import {scaleArguments} from '../scale-arguments.ts'

export default class Scale extends KdCommand {
  static summary = "Change the number of members of a cluster's role"
  static description = `Checks the role's cardinality, updates the cluster and its StatefulSet; the agent then tells the other members (--addnodes / --delnodes). --role may be left out when the cluster has one role whose member count can change, or one such role with members.`
  static examples = [
    {description: "kubectl's form", command: '<%= config.bin %> scale cluster/spark221e2 --replicas 4 --role worker'},
    {description: 'The same as ROLE=N, and wait until every member is configured', command: '<%= config.bin %> scale spark221e2 worker=2 --wait'},
    {description: 'Without --role: the one role that can scale (spark221e2\'s worker)', command: '<%= config.bin %> scale spark221e2 --replicas 3'},
  ]
  static args = {
    name: Args.string({ignoreStdin: true, required: true, description: 'Cluster name (or cluster/NAME)'}),
    assignment: Args.string({ignoreStdin: true, description: 'An assignment ROLE=N, instead of --role ROLE --replicas N'}),
    // `scale cluster NAME ROLE=N`: the NAME of kubectl's TYPE NAME form moves the assignment here
    more: Args.string({ignoreStdin: true, hidden: true}),
  }
  static flags = {
    replicas: Flags.integer({description: 'New member count of the role', min: 0}),
    role: Flags.string({description: 'Role to scale (default: the one role whose member count can change)'}),
    members: Flags.integer({description: 'The same as --replicas', min: 0}),
    'dry-run': Flags.string({options: ['none', 'client', 'server'], default: 'none', description: 'client: only check the change; server: also validate it on the API server without persisting it'}),
    wait: Flags.boolean({description: 'Wait until every member is configured again'}),
    timeout: Flags.string({description: 'How long --wait waits', default: '10m'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Scale)
    const o = scaleArguments(args, flags)
    const started = Date.now()
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const {scaleCluster} = await import('../actions/cluster/scale.ts')
    const result = await scaleCluster(kube, {...o, dryRun: flags['dry-run'] as 'none' | 'client' | 'server'})
    const {name, members} = o
    const suffix = flags['dry-run'] === 'server' ? ' (server dry run)' : flags['dry-run'] === 'client' ? ' (dry run)' : ''
    process.stdout.write(result.unchanged ? `cluster/${name} unchanged (${result.role} already has ${members} members)\n` : `cluster/${name} scaled: ${result.role} ${result.from} -> ${result.to}${suffix}\n`)
    if (!flags.wait || flags['dry-run'] !== 'none') return
    const {waitWithProgress} = await import('../cluster-flags.ts')
    const done = await waitWithProgress(kube, name, result.roles, parseDuration(flags.timeout, 'timeout'), false)
    const {waitDoneLine} = await import('../output/progress.ts')
    process.stdout.write(waitDoneLine(name, done, Date.now() - started))
  }
}
