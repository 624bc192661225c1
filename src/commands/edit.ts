import * as Args from '@oclif/core/args'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {parseTarget} from '../target.ts'

export default class Edit extends KdCommand {
  static summary = 'Edit an app cluster (its KubeDirectorCluster) in your editor and apply it on save'
  static description =
    'Opens the cluster, as kubectl kd get cluster NAME -o yaml prints it, in $KUBE_EDITOR, $EDITOR or vi (like kubectl edit). Saving applies it as kubectl kd apply -f does; saving it unchanged or empty cancels. If the change cannot be applied, the edited file is kept and its path is printed.'
  static examples = [
    {description: "Change a cluster's members, resources or images in vi", command: '<%= config.bin %> edit cluster/demo'},
    {description: 'With another editor', command: 'KUBE_EDITOR=nano <%= config.bin %> edit demo'},
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: NAME, cluster/NAME, or cluster then NAME'}),
    name: Args.string({ignoreStdin: true, description: 'NAME when the first argument is a type (edit cluster NAME)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Edit)
    const {name} = parseTarget(args.target, args.name, 'cluster')
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const {editCluster} = await import('../actions/cluster/cluster-edit.ts')
    const {dumpYaml} = await import('../output/yaml.ts')
    const {launchEditor} = await import('../editor.ts')
    const result = await editCluster(kube, {name, render: dumpYaml, edit: (path) => launchEditor(path)})
    // kubectl edit's words
    if (result.outcome === 'unchanged') process.stderr.write('Edit cancelled, no changes made.\n')
    else if (result.outcome === 'empty') process.stderr.write('Edit cancelled, saved file was empty.\n')
    else if (result.outcome === 'applied') {
      const {formatClusterChange} = await import('../output/cluster-change.ts')
      const printed = await formatClusterChange(result.change, 'table', 'none')
      const unchanged = result.change.applied[0]?.[0]?.action === 'unchanged'
      process.stdout.write(`cluster/${name} ${unchanged ? 'unchanged' : 'edited'}\n`)
      process.stderr.write(printed.stderr)
    }
  }
}
