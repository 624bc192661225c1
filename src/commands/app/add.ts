import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../../base-command.ts'

export default class AppAdd extends KdCommand {
  static summary = 'Store an app definition and its config packages in the namespace'
  static description = `PATH is a KubeDirectorApp file (.yaml, .yml or .json), or a directory DIR holding one. A role whose packageURL is bundled://NAME uses the package directory DIR/NAME (with a startscript at its top); it is packed and stored with the app. Clusters in the namespace can then be created from it: kubectl kd create APP.`
  static examples = [
    '<%= config.bin %> app add examples/apps/hello.yaml',
    '<%= config.bin %> app add examples/apps/greeter',
    '<%= config.bin %> app add examples/apps/hello.yaml --package node=examples/packages/tiny',
  ]
  static args = {path: Args.string({ignoreStdin: true, required: true, description: 'App directory or definition file'})}
  static flags = {
    package: Flags.string({description: 'Config package of a role: ROLE=DIR or ROLE=URL (repeatable)', multiple: true}),
    'dry-run': Flags.string({options: ['none', 'client', 'server'], default: 'none', description: 'Only check the definition (client) or also the API server (server)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(AppAdd)
    const {planAppAdd, addApp} = await import('../../actions/app/app-store.ts')
    const {parseRoleAssignments} = await import('../../cluster/overrides.ts')
    const packages = parseRoleAssignments(flags.package ?? [], 'package')
    const dryRun = flags['dry-run'] as 'none' | 'client' | 'server'
    if (dryRun === 'client') {
      const plan = planAppAdd(args.path, packages, flags.namespace ?? 'default')
      process.stdout.write(`app/${plan.app.id} created (dry run)\n`)
      return
    }
    const {connect} = await import('../../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const plan = planAppAdd(args.path, packages, kube.namespace)
    const action = await addApp(kube, plan, dryRun)
    process.stdout.write(`app/${plan.app.id} ${action}${dryRun === 'server' ? ' (server dry run)' : ''}\n`)
  }
}
