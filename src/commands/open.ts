import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions} from '../base-command.ts'
import {UserError} from '../errors.ts'
import {parseTarget, targetKind} from '../target.ts'

export default class Open extends KdCommand {
  static summary = "Open a dashboard of an app cluster (Spark master or worker UI, Jupyter) or a running job's Spark UI through the API server"
  static description = `Forwards a local port to the member's (or the job driver's) port through the API server, as kubectl
port-forward does, so no NodePort has to be reachable. Prints the local URL (with the notebook's token
where the service has one), opens it in $BROWSER or with xdg-open unless --no-browser, and keeps
forwarding until Ctrl-C. A URL with a token is never put on the browser's command line (which every
local user can read): the browser opens a redirect file only you can read, as Jupyter does, removed
when open ends.`
  static examples = [
    {description: 'The first dashboard of a cluster (the Spark master UI)', command: '<%= config.bin %> open spark4nb'},
    {description: 'Its Jupyter Notebook, the URL with the token', command: '<%= config.bin %> open spark4nb jupyter-nb --no-browser'},
    {description: 'One member\'s dashboard', command: '<%= config.bin %> open spark4nb spark4nb-worker-0'},
    {description: "A running job's Spark UI on local port 4041", command: '<%= config.bin %> open job/spark-pi --port 4041'},
  ]
  static args = {
    target: Args.string({ignoreStdin: true, required: true, description: 'The target: CLUSTER, cluster/NAME or job/NAME'}),
    dashboard: Args.string({ignoreStdin: true, description: 'A dashboard service of the cluster (jupyter-nb, spark-worker, …) or one of its members'}),
  }
  static flags = {
    address: Flags.string({description: 'Addresses to listen on (comma-separated or repeated), as kubectl port-forward', multiple: true, default: ['localhost']}),
    port: Flags.integer({description: 'Local port (default: the dashboard\'s port when free, else any free port)', min: 0, max: 65535}),
    'no-browser': Flags.boolean({description: 'Only print the URL; do not start a browser'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Open)
    // `open job NAME` and `open cluster NAME` as kubectl takes them; else the second word picks the dashboard
    const typed = args.dashboard !== undefined && targetKind(args.target) !== undefined
    const target = typed ? parseTarget(args.target, args.dashboard) : parseTarget(args.target)
    const select = typed ? undefined : args.dashboard
    if (target.kind === 'job' && select) throw new UserError(`open job/${target.name} takes no dashboard name: a job has one Spark UI`)
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect(connectionOptions(flags))
    const {openDashboard} = await import('../actions/cluster/open.ts')
    const fwd = await openDashboard(kube, {
      kind: target.kind ?? 'cluster',
      name: target.name,
      select,
      addresses: flags.address.flatMap((a) => a.split(',')).filter(Boolean),
      port: flags.port,
      onConnectionError: (message) => process.stderr.write(`error: ${message}\n`),
    })
    const {dashboard} = fwd
    const {escapeTerminal} = await import('../output/terminal.ts')
    // the label and path come from the app's definition (a namespace's app is anyone's ConfigMap)
    for (const l of fwd.listening) process.stderr.write(escapeTerminal(`Forwarding from ${l.address}:${l.port} -> ${dashboard.pod}:${dashboard.port} (${dashboard.label})`) + '\n')
    process.stdout.write(`${escapeTerminal(fwd.url)}\n`)
    process.stderr.write('Press Ctrl-C to stop.\n')
    // a URL with the token reaches the browser through a file only this user reads, never its command line
    const {openBrowser} = await import('../browser.ts')
    const opened = flags['no-browser'] ? undefined : openBrowser(fwd.url)
    process.once('SIGINT', () => fwd.close())
    process.once('SIGTERM', () => fwd.close())
    await fwd.closed
    opened?.()
    kube.close()
  }
}
