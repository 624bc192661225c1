import * as Args from '@oclif/core/args'
import {KdCommand, connectionOptions, outputFlag} from '../../base-command.ts'
import {formatData, isDataFormat, parseFormat} from '../../output/format.ts'

const FORMATS = ['json', 'yaml', 'jsonpath'] as const

export default class AppShow extends KdCommand {
  static summary = 'Show an app: its roles, cardinalities, images, config packages and services'
  static examples = [
    '<%= config.bin %> app show spark221e2',
    {description: 'As a KubeDirectorApp file that app add takes back', command: '<%= config.bin %> app show cassandra311 -o yaml > cassandra.yaml'},
  ]
  static args = {name: Args.string({ignoreStdin: true, required: true, description: 'App name (see `kubectl kd app list`)'})}
  static flags = {output: outputFlag(FORMATS)}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(AppShow)
    const format = parseFormat(flags.output, FORMATS)
    const {resolveApp} = await import('../../actions/app/apps.ts')
    const {findBuiltinApp} = await import('../../app/catalog.ts')
    const {hasKubeconfig} = await import('../../kube/kubeconfig-present.ts')
    let kube
    if (!findBuiltinApp(args.name) || flags.namespace) {
      if (hasKubeconfig(flags.kubeconfig)) kube = await (await import('../../kube/connection.ts')).connect(connectionOptions(flags))
    }
    const app = await resolveApp(args.name, kube)
    if (isDataFormat(format)) {
      // a KubeDirectorApp, as `kubectl kd app add FILE` takes it back
      const {appToManifest} = await import('../../app/manifest.ts')
      process.stdout.write(await formatData(appToManifest(app, {namespace: app.source === 'namespace' ? kube?.namespace : undefined}), format))
      return
    }
    const {appShowText} = await import('../../output/apps.ts')
    process.stdout.write(appShowText(app))
  }
}
