import * as Args from '@oclif/core/args'
import {KdCommand, connectionOptions} from '../../base-command.ts'

export default class AppRemove extends KdCommand {
  static summary = 'Remove an app added to the namespace (refused while clusters use it)'
  static examples = ['<%= config.bin %> app remove hello']
  static args = {name: Args.string({ignoreStdin: true, required: true, description: 'App name'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(AppRemove)
    const {connect} = await import('../../kube/connection.ts')
    const {removeApp} = await import('../../actions/app/app-store.ts')
    await removeApp(await connect(connectionOptions(flags)), args.name)
    process.stdout.write(`app/${args.name} deleted\n`)
  }
}
