import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {KdCommand, connectionOptions, outputFlag, parseDuration} from '../base-command.ts'
import {UserError} from '../errors.ts'
import {parseFormat} from '../output/format.ts'
import {escapeTerminal, escapeTerminalLines} from '../output/terminal.ts'
import {DEFAULT_SPARK_VERSION} from '../spark/names.ts'
import type {SubmitArgs} from '../spark/submission.ts'
import type {SparkAppDocument} from '../actions/job/spark-input.ts'

const FORMATS = ['yaml', 'json', 'name'] as const

export default class Submit extends KdCommand {
  static summary = "Run a Spark job the way spark-submit's cluster mode does, without a JVM on this machine"
  static description = `Creates what spark-submit --deploy-mode cluster creates (the driver pod, its headless Service and the spark.properties ConfigMap, with Spark's names and labels); the Spark driver in the image then starts the executors. Takes spark-submit's flags, or a SparkApplication (sparkoperator.k8s.io/v1beta2) with -f. Everything after APP_FILE is passed to the application. A local APP_FILE (./job.py, a small jar) and local --py-files/--jars are shipped with the job in a ConfigMap (1 MiB in all). The driver's service account must be allowed to manage pods and configmaps: --create-service-account sets that up (for the account --service-account names, else for a dedicated account "spark"; never the namespace's default). All of spark-submit's options are taken with its meaning (--master k8s://URL picks the kubeconfig context whose server it is; --deploy-mode cluster; --status/--kill SUBMISSION_ID as [namespace:]driver-pod[*]); options for other cluster managers are refused by name. Pod templates (spark.kubernetes.{driver,executor}.podTemplateFile) are merged as Spark merges them. The Spark version (objects differ between 3.5 and 4.x) comes from --spark-version, a SparkApplication's sparkVersion, or the image tag (default ${DEFAULT_SPARK_VERSION}). Differences to spark-submit: docs/spark-differences.md.`
  static examples = [
    {
      description: "A spark-submit command line, unchanged but for the command's name (the request.cores settings let its six pods fit a 2-CPU node: Spark asks for one CPU per pod)",
      command: '<%= config.bin %> submit --master k8s://https://127.0.0.1:6443 --deploy-mode cluster --name spark-pi --class org.apache.spark.examples.SparkPi --conf spark.executor.instances=5 --conf spark.kubernetes.container.image=localhost/kubectl-kd/spark:4.3.0 --conf spark.kubernetes.driver.pod.name=spark-pi-driver --conf spark.kubernetes.driver.request.cores=100m --conf spark.kubernetes.executor.request.cores=100m local:///opt/spark/examples/jars/spark-examples_2.13-4.3.0.jar',
    },
    {description: 'Status and kill by submission ID, as spark-submit (a trailing * matches a prefix)', command: '<%= config.bin %> submit --status default:spark-pi-driver\n<%= config.bin %> submit --kill "default:spark-pi*"'},
    {
      description: 'SparkPi from the examples jar in the image, following it to the end',
      command: '<%= config.bin %> submit --image localhost/kubectl-kd/spark:3.5.9 --class org.apache.spark.examples.SparkPi --num-executors 2 --create-service-account --service-account spark --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m --wait local:///opt/spark/examples/jars/spark-examples_2.12-3.5.9.jar 100',
    },
    {description: 'A local PySpark file, streaming the driver log', command: '<%= config.bin %> submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m --follow examples/spark/pi.py 20'},
    {description: 'A SparkApplication manifest', command: '<%= config.bin %> submit -f examples/spark/spark-pi.yaml --wait'},
    {description: 'Every SparkApplication of a directory (or of a multi-document file), all or none', command: '<%= config.bin %> submit -f examples/spark/nightly/ --atomic'},
    {description: "A local PySpark file on the standalone master of an app cluster (kubectl kd create spark35 sp)", command: '<%= config.bin %> submit --cluster sp --executor-memory 512m examples/spark/pi.py 10'},
    {description: 'Retried by an in-cluster runner up to 3 times on failure, after 10 s, 20 s and 40 s; an attempt whose driver is not Running within 2 minutes fails', command: '<%= config.bin %> submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --restart-policy OnFailure --on-failure-retries 3 --on-failure-retry-interval 10s --start-timeout 2m examples/spark/pi.py 10'},
    {description: 'Every night at 2, one run at a time, its objects removed a day after each run', command: "<%= config.bin %> submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --name nightly --schedule '0 2 * * *' --concurrency-policy Forbid --time-to-live 24h examples/spark/pi.py 10"},
    {description: 'A ScheduledSparkApplication', command: '<%= config.bin %> submit -f examples/spark/scheduled-pi.yaml'},
    {description: 'Print the objects instead of creating them', command: '<%= config.bin %> submit --image localhost/kubectl-kd/spark:3.5.9 --dry-run=client -o yaml examples/spark/pi.py'},
  ]
  static strict = false
  static args = {
    app_file: Args.string({ignoreStdin: true, description: 'The application: local:///path/in/image.jar|.py, a local file, or an http(s)/s3a URL'}),
    arguments: Args.string({ignoreStdin: true, description: 'Arguments passed to the application'}),
  }
  static flags = {
    filename: Flags.string({char: 'f', description: 'SparkApplication (sparkoperator.k8s.io/v1beta2) file, directory of files, or - for stdin; several documents are several jobs'}),
    atomic: Flags.boolean({description: 'With -f and several jobs: create none unless every one is good; a create failing midway deletes what this run created'}),
    class: Flags.string({description: "Your application's main class (Java/Scala apps)"}),
    name: Flags.string({description: 'A name of your application (spark.app.name)'}),
    conf: Flags.string({char: 'c', description: 'Arbitrary Spark configuration property, KEY=VALUE; repeatable', multiple: true, multipleNonGreedy: true}),
    'properties-file': Flags.string({description: 'File with extra Spark properties (Java properties format)'}),
    'driver-memory': Flags.string({description: 'Memory for the driver (e.g. 1000M, 2G) (Default: 1024M)'}),
    'driver-cores': Flags.string({description: 'Number of cores used by the driver (Default: 1)'}),
    'executor-memory': Flags.string({description: 'Memory per executor (e.g. 1000M, 2G) (Default: 1G)'}),
    'executor-cores': Flags.string({description: 'Number of cores per executor (Default: 1)'}),
    'num-executors': Flags.string({description: 'Number of executors to launch (Default: 2)'}),
    jars: Flags.string({description: 'Comma-separated list of jars for the driver and executor classpaths'}),
    'py-files': Flags.string({description: 'Comma-separated list of .zip, .egg or .py files for the PYTHONPATH'}),
    image: Flags.string({description: 'Container image for driver and executors (spark.kubernetes.container.image)'}),
    'service-account': Flags.string({description: "Service account the driver runs as (spark.kubernetes.authenticate.driver.serviceAccountName; default: \"spark\" with --create-service-account, else the namespace's default)"}),
    'create-service-account': Flags.boolean({description: "Create the service account (if missing) and a Role letting it run executors: --service-account's, else one named \"spark\" (Spark's docs' name), never the namespace's default"}),
    'spark-version': Flags.string({description: 'Spark version for the spark-version label (default: from the image tag)'}),
    wait: Flags.boolean({description: 'Follow the job to its end (with a restart policy: through its retries); the exit code is the job result'}),
    follow: Flags.boolean({description: "Stream the driver's log to stdout until the job ends (implies --wait)"}),
    timeout: Flags.string({description: 'With --wait/--follow: give up waiting after this long; with --cluster: stop spark-submit after this long (0 = never)', default: '0'}),
    cluster: Flags.string({description: "Submit to the standalone master of a Spark app cluster made by 'kubectl kd create' (runs spark-submit in its controller; local files are streamed there)"}),
    'dry-run': Flags.string({description: 'client: print the objects only; server: let the API server validate them', options: ['none', 'client', 'server'], default: 'none'}),
    output: outputFlag(FORMATS),
    master: Flags.string({description: 'k8s://https://HOST:PORT: the API server; the kubeconfig context whose cluster has it is used'}),
    'deploy-mode': Flags.string({description: 'cluster (the only mode: the driver runs in a pod)'}),
    files: Flags.string({description: 'Comma-separated files placed in the working directory of each executor (spark.files)'}),
    archives: Flags.string({description: 'Comma-separated archives extracted into the working directory of each executor (spark.archives; #alias allowed)'}),
    packages: Flags.string({description: 'Comma-separated Maven coordinates (groupId:artifactId:version), resolved by the driver at its start (spark.jars.packages)'}),
    repositories: Flags.string({description: 'Comma-separated additional remote repositories for --packages'}),
    'exclude-packages': Flags.string({description: 'Comma-separated groupId:artifactId to exclude while resolving --packages'}),
    'driver-java-options': Flags.string({description: 'Extra Java options for the driver (spark.driver.extraJavaOptions)'}),
    'driver-class-path': Flags.string({description: 'Extra class path entries for the driver, paths inside the image (spark.driver.extraClassPath)'}),
    'driver-library-path': Flags.string({description: 'Extra library path entries for the driver (spark.driver.extraLibraryPath)'}),
    'proxy-user': Flags.string({description: 'User to impersonate when submitting the application (the driver runs as it)'}),
    supervise: Flags.boolean({description: 'Spark standalone/Mesos only: refused on Kubernetes'}),
    'total-executor-cores': Flags.string({description: 'Spark standalone/Mesos only: with --cluster, spark.cores.max; refused on Kubernetes'}),
    queue: Flags.string({description: 'YARN only: refused'}),
    principal: Flags.string({description: 'Kerberos: refused'}),
    keytab: Flags.string({description: 'Kerberos: refused'}),
    version: Flags.boolean({description: 'Print the spark-submit versions whose objects kubectl kd submit makes'}),
    remote: Flags.string({description: 'Spark Connect (Spark 4): refused, submit cluster-mode jobs instead'}),
    status: Flags.string({description: 'Print the status of submission [namespace:]driver-pod (a trailing * matches every driver pod with that prefix)'}),
    kill: Flags.string({description: 'Kill submission [namespace:]driver-pod (a trailing * matches a prefix): deletes the driver pod, the rest follows'}),
    'restart-policy': Flags.string({description: 'Never (default), OnFailure or Always: an in-cluster runner (a Job) resubmits the application as the SparkApplication restartPolicy does', helpGroup: 'LIFECYCLE'}),
    'on-failure-retries': Flags.string({description: 'With OnFailure: how many times a failed driver is retried', helpGroup: 'LIFECYCLE'}),
    'on-failure-retry-interval': Flags.string({description: 'Wait before the first retry (seconds or 30s, 5m; default 10s); it doubles with each quick failure in a row, up to 6m; 0s starts at 1s', helpGroup: 'LIFECYCLE'}),
    'on-submission-failure-retries': Flags.string({description: 'How many times a refused driver creation is retried', helpGroup: 'LIFECYCLE'}),
    'on-submission-failure-retry-interval': Flags.string({description: 'Wait before retrying a refused driver creation (default 10s; doubles as above)', helpGroup: 'LIFECYCLE'}),
    'start-timeout': Flags.string({description: 'An attempt fails when its driver is not Running within this long (image pull, Unschedulable, …)', helpGroup: 'LIFECYCLE'}),
    'time-to-live': Flags.string({description: "Delete the finished job (or each finished scheduled run) and all its objects after this long (SparkApplication's timeToLiveSeconds)", helpGroup: 'LIFECYCLE'}),
    schedule: Flags.string({description: 'Run on a cron schedule (a CronJob runs the runner), e.g. "*/10 * * * *" or @hourly', helpGroup: 'LIFECYCLE'}),
    'time-zone': Flags.string({description: 'With --schedule: the time zone of the schedule (default: the cluster controller\'s, usually UTC)', helpGroup: 'LIFECYCLE'}),
    'concurrency-policy': Flags.string({description: 'With --schedule: Allow (default), Forbid (skip a run while one is running) or Replace', helpGroup: 'LIFECYCLE'}),
    suspend: Flags.boolean({description: 'With --schedule: create it suspended (kubectl kd resume job/NAME starts it)', helpGroup: 'LIFECYCLE'}),
    'successful-run-history-limit': Flags.string({description: 'With --schedule: completed runs kept (default 1)', helpGroup: 'LIFECYCLE'}),
    'failed-run-history-limit': Flags.string({description: 'With --schedule: failed runs kept (default 1)', helpGroup: 'LIFECYCLE'}),
  }

  /** spark-submit semantics: everything after the application file belongs to the application. */
  private splitArgv(): {own: string[]; appArgs: string[]} {
    const valued = new Set<string>()
    for (const [name, f] of Object.entries({...Submit.baseFlags, ...Submit.flags})) {
      if ((f as {type?: string}).type === 'option') {
        valued.add(`--${name}`)
        const char = (f as {char?: string}).char
        if (char) valued.add(`-${char}`)
      }
    }
    const argv = this.argv
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!
      if (a === '--') return {own: argv.slice(0, i + 2), appArgs: argv.slice(i + 2)}
      if (a.startsWith('-') && a !== '-') {
        // kubectl's `-v 6` (base-command.ts reads it) takes its number along; a bare --dry-run (client) takes nothing
        const bareDryRun = a === '--dry-run' && !Submit.flags['dry-run'].options!.includes(argv[i + 1] ?? '')
        if ((valued.has(a) && !bareDryRun) || ((a === '-v' || a === '--v') && /^\d+$/.test(argv[i + 1] ?? ''))) i++
        continue
      }
      return {own: argv.slice(0, i + 1), appArgs: argv.slice(i + 1)}
    }
    return {own: argv, appArgs: []}
  }

  /** spark-submit --status / --kill SUBMISSION_ID */
  private async statusOrKill(
    flags: Parameters<typeof connectionOptions>[0] & {status?: string; kill?: string},
    o: {context?: string; namespace?: string; master?: string; grace?: string; format?: string},
  ): Promise<void> {
    const {connect} = await import('../kube/connection.ts')
    const kube = await connect({...connectionOptions(flags), context: o.context, namespace: o.namespace})
    const where = o.master ?? kube.server
    if (flags.kill !== undefined) {
      const grace = o.grace === undefined ? undefined : /^\d+$/.test(o.grace) ? Number(o.grace) : parseDuration(o.grace, 'conf spark.kubernetes.appKillPodDeletionGracePeriod') / 1000
      const {killSubmission} = await import('../actions/job/jobs.ts')
      const killed = await killSubmission(kube, flags.kill, {gracePeriodSeconds: grace})
      // spark-submit's lines (after the lookup, so that a miss is one error line)
      process.stderr.write(`Submitting a request to kill submission ${flags.kill} in ${where}. Grace period in secs: ${grace ?? 'not set'}.\n`)
      for (const k of killed) process.stdout.write(`pod/${k.pod} deleted (submission ${k.namespace}:${k.pod})\n`)
      return
    }
    const {submissionStatus} = await import('../actions/job/jobs.ts')
    const found = await submissionStatus(kube, flags.status!)
    process.stderr.write(`Submitting a request for the status of submission ${flags.status} in ${where}.\n`)
    if (o.format) {
      const {formatData, asList} = await import('../output/format.ts')
      process.stdout.write(await formatData(found.length === 1 ? found[0]!.status : asList(found.map((f) => f.status) as never), o.format as 'json'))
      return
    }
    const {formatPodState} = await import('../spark/status.ts')
    for (const f of found) process.stdout.write(escapeTerminalLines(`Application status (driver): ${formatPodState(f.pod)}\n\t job state: ${f.status.state}${f.status.reason ? ` (${f.status.reason})` : ''}\n`))
  }

  /** -f with several SparkApplications: one batch, a bounded number of requests in flight. */
  private async submitMany(
    docs: SparkAppDocument[],
    flags: Parameters<typeof connectionOptions>[0] & {wait?: boolean; follow?: boolean; atomic?: boolean; 'create-service-account'?: boolean},
    o: {context?: string; submitArgs: SubmitArgs; dryRun: 'none' | 'client' | 'server'; format?: string},
  ): Promise<void> {
    if (flags.wait || flags.follow) throw new UserError(`--wait/--follow follow one job, and -f holds ${docs.length}: submit them, then watch them with kubectl kd get jobs`)
    const conn = {...connectionOptions(flags), context: o.context}
    const {connect} = await import('../kube/connection.ts')
    const {hasKubeconfig} = await import('../kube/kubeconfig-present.ts')
    const kube = o.dryRun !== 'client' || hasKubeconfig(conn.kubeconfig) ? await connect(conn) : undefined
    const {submitJobs} = await import('../actions/job/submit-batch.ts')
    const {withBulkProgress} = await import('../output/bulk-progress.ts')
    const batch = await withBulkProgress(`submitting ${docs.length} jobs`, o.dryRun === 'none' ? 'created' : 'checked', !!o.format || o.dryRun === 'client', async (update) => {
      const r = await submitJobs(kube, docs, {namespace: flags.namespace, args: o.submitArgs, dryRun: o.dryRun, createServiceAccount: flags['create-service-account'], atomic: flags.atomic, onProgress: update})
      update({total: r.jobs.length, done: r.jobs.filter((j) => j.result).length, failed: r.jobs.filter((j) => j.error !== undefined).length})
      return r
    })
    for (const w of batch.warnings) process.stderr.write(escapeTerminal(`warning: ${w}`) + '\n')
    const made = batch.jobs.flatMap((j) => (j.result ? [j.result] : []))
    const {formatData, asList} = await import('../output/format.ts')
    if (o.dryRun === 'client' && (o.format === 'yaml' || o.format === 'json')) {
      const objects = made.flatMap((r) => r.objects)
      const {dumpYamlDocuments} = await import('../output/yaml.ts')
      process.stdout.write(o.format === 'yaml' ? dumpYamlDocuments(objects) : await formatData(asList(objects), 'json'))
    } else if (o.format === 'name') process.stdout.write(made.map((r) => `job.kubectl-kd.io/${r.jobName}\n`).join(''))
    else if (o.format) process.stdout.write(await formatData(asList(made.map((r) => ({job: r.jobName, namespace: r.namespace, appId: r.appId, driverPod: r.driverPod}))), o.format as 'json'))
    else {
      const suffix = o.dryRun === 'client' ? ' (dry run)' : o.dryRun === 'server' ? ' (server dry run)' : ''
      // a job an interrupted submit half-made and this one completed: configured, as kubectl says of a changed object
      process.stdout.write(made.map((r) => `job/${r.jobName} ${r.completed ? 'configured' : 'created'}${suffix}\n`).join(''))
    }
    const failed = batch.jobs.filter((j) => j.error !== undefined)
    // a cause shared by several documents (a missing service account) is one line naming them
    const sourcesOf = new Map<string, string[]>()
    for (const j of failed) {
      const cause = j.error!.startsWith(`${j.source}: `) ? j.error!.slice(j.source.length + 2) : j.error!
      sourcesOf.set(cause, [...(sourcesOf.get(cause) ?? []), j.source])
    }
    for (const [cause, sources] of sourcesOf) process.stderr.write(`error: ${sources.length > 3 ? `${sources.slice(0, 3).join(', ')} and ${sources.length - 3} more` : sources.join(', ')}: ${cause}\n`)
    if (batch.nothingCreated) {
      const undone = batch.undone ? `; the ${batch.undone} created before the failure were deleted again` : ''
      process.stderr.write(`error: --atomic: none of the ${docs.length} jobs was created (${failed.length} failed)${undone}\n`)
    }
    if (failed.length) this.exit(1)
  }

  async run(): Promise<void> {
    const {own, appArgs} = this.splitArgv()
    const {args, flags} = await this.parse(Submit, own.filter((a) => a !== '--'))
    const format = flags.output ? parseFormat(flags.output, FORMATS) : undefined
    const dryRun = flags['dry-run'] as 'none' | 'client' | 'server'
    let propertiesFile: {path: string; text: string} | undefined
    if (flags['properties-file']) {
      const {readFileSync, existsSync} = await import('node:fs')
      if (!existsSync(flags['properties-file'])) throw new UserError(`Properties file ${flags['properties-file']} does not exist`)
      propertiesFile = {path: flags['properties-file'], text: readFileSync(flags['properties-file'], 'latin1')}
    }
    const wait = flags.wait || flags.follow
    if (flags.version) {
      const {CAPTURED_SPARK_VERSIONS} = await import('../spark/names.ts')
      process.stdout.write(`kubectl kd submit makes what spark-submit ${CAPTURED_SPARK_VERSIONS.join(' and ')} make in cluster mode on Kubernetes (default version ${DEFAULT_SPARK_VERSION}; else --spark-version, sparkVersion or the image tag)\n`)
      return
    }
    if (flags.remote !== undefined) throw new UserError('--remote connects a Spark Connect client to a server, which kubectl kd submit does not do: it submits cluster-mode jobs (use pyspark or spark-submit for --remote)')
    // spark-submit reads these from --conf too: the last --conf of a key wins
    const confOf = (key: string) => [...(flags.conf ?? [])].reverse().find((c) => c.startsWith(`${key}=`))?.slice(key.length + 1)
    const master = flags.master ?? confOf('spark.master')
    const sparkContext = confOf('spark.kubernetes.context')
    let context = flags.context ?? sparkContext
    if (master && !flags.cluster) {
      const {contextOfMaster} = await import('../actions/job/submit.ts')
      context = contextOfMaster(master, flags.kubeconfig, context ? {context, from: flags.context ? '--context' : 'spark.kubernetes.context'} : undefined)
    }
    if (flags.status !== undefined || flags.kill !== undefined) {
      if (flags.status !== undefined && flags.kill !== undefined) throw new UserError('give either --status or --kill, not both')
      if (args.app_file || flags.filename) throw new UserError('--status/--kill take a submission ID only, no application')
      await this.statusOrKill(flags, {context, namespace: flags.namespace ?? confOf('spark.kubernetes.namespace'), master, grace: confOf('spark.kubernetes.appKillPodDeletionGracePeriod'), format})
      return
    }
    if (flags.filename && args.app_file) throw new UserError('give either -f SPARKAPPLICATION or APP_FILE, not both')
    if (!flags.filename && !args.app_file) throw new UserError('Missing application resource: kubectl kd submit [flags] APP_FILE [ARGUMENTS…], or -f sparkapp.yaml')
    const lifecycleFlags = {
      restartPolicy: flags['restart-policy'],
      onFailureRetries: flags['on-failure-retries'],
      onFailureRetryInterval: flags['on-failure-retry-interval'],
      onSubmissionFailureRetries: flags['on-submission-failure-retries'],
      onSubmissionFailureRetryInterval: flags['on-submission-failure-retry-interval'],
      startTimeoutSeconds: flags['start-timeout'],
      timeToLiveSeconds: flags['time-to-live'],
      schedule: flags.schedule,
      timeZone: flags['time-zone'],
      concurrencyPolicy: flags['concurrency-policy'],
      suspend: flags.suspend ? true : undefined,
      successfulRunHistoryLimit: flags['successful-run-history-limit'],
      failedRunHistoryLimit: flags['failed-run-history-limit'],
    }
    if (flags.cluster) {
      if (flags.filename) throw new UserError('--cluster takes spark-submit arguments, not -f')
      const given = Object.entries(lifecycleFlags).filter(([, v]) => v !== undefined)
      if (given.length) throw new UserError('--cluster does not take the lifecycle flags (--restart-policy, --schedule, --start-timeout, --time-to-live, …): they run a job on Kubernetes, not on a standalone master')
      // options the standalone submission does not pass on: refused by name, never dropped
      const unsupported = (['master', 'deploy-mode', 'files', 'archives', 'packages', 'repositories', 'exclude-packages', 'driver-java-options', 'driver-class-path', 'driver-library-path', 'proxy-user', 'supervise', 'queue', 'principal', 'keytab', 'properties-file', 'driver-cores', 'image', 'service-account', 'create-service-account', 'spark-version', 'wait', 'follow', 'dry-run', 'output'] as const)
        .filter((f) => flags[f] !== undefined && flags[f] !== false && !(f === 'dry-run' && flags[f] === 'none'))
      if (unsupported.length) throw new UserError(`--cluster does not take ${unsupported.map((f) => `--${f}`).join(', ')} (the job goes to the standalone master with spark-submit's basic options); drop them or submit to Kubernetes without --cluster`)
      const {submitToCluster} = await import('../actions/job/submit-to-cluster.ts')
      const {connect} = await import('../kube/connection.ts')
      const kube = await connect(connectionOptions(flags))
      // Ctrl-C or SIGTERM stops spark-submit in the controller too (the action does that), then exits 130
      const controller = new AbortController()
      const interrupt = () => controller.abort()
      process.once('SIGINT', interrupt)
      process.once('SIGTERM', interrupt)
      const r = await submitToCluster(kube, {
        signal: controller.signal,
        cluster: flags.cluster,
        timeoutMs: parseDuration(flags.timeout, 'timeout'),
        onProgress: (line) => process.stderr.write(`${line}\n`),
        args: {appResource: args.app_file, appArgs, mainClass: flags.class, name: flags.name, conf: [...(flags.conf ?? []), ...(flags['total-executor-cores'] ? [`spark.cores.max=${flags['total-executor-cores']}`] : [])], driverMemory: flags['driver-memory'], executorMemory: flags['executor-memory'],
          executorCores: flags['executor-cores'], numExecutors: flags['num-executors'], jars: flags.jars, pyFiles: flags['py-files']},
      }).finally(() => {
        process.off('SIGINT', interrupt)
        process.off('SIGTERM', interrupt)
      })
      if (r.interrupted) this.exit(130)
      const lines = (text: string) => (text.endsWith('\n') || text === '' ? text : text + '\n')
      process.stdout.write(lines(r.stdout))
      // spark-submit's own log only when it helps: on failure (its end) or with -v (all of it)
      if (flags.verbose) process.stderr.write(escapeTerminalLines(lines(r.log)))
      else if (r.code !== 0) process.stderr.write(escapeTerminalLines(lines(r.log.split('\n').slice(-40).join('\n'))))
      process.stderr.write(`application ${r.appId ?? '(id not reported)'} on ${r.masterUrl}, master UI ${r.masterUi} (in-cluster; kubectl port-forward pod/${r.controllerPod} 8080)\n`)
      if (r.code !== 0) throw new UserError(`spark-submit in pod/${r.controllerPod} exited ${r.code}`)
      return
    }
    const submitArgs: SubmitArgs = {
      appResource: args.app_file,
      appArgs: flags.filename ? undefined : appArgs,
      mainClass: flags.class,
      name: flags.name,
      conf: flags.conf,
      propertiesFile,
      driverMemory: flags['driver-memory'],
      driverCores: flags['driver-cores'],
      executorMemory: flags['executor-memory'],
      executorCores: flags['executor-cores'],
      numExecutors: flags['num-executors'],
      jars: flags.jars,
      pyFiles: flags['py-files'],
      image: flags.image,
      serviceAccount: flags['service-account'],
      sparkVersion: flags['spark-version'],
      master,
      deployMode: flags['deploy-mode'],
      files: flags.files,
      archives: flags.archives,
      packages: flags.packages,
      repositories: flags.repositories,
      excludePackages: flags['exclude-packages'],
      driverJavaOptions: flags['driver-java-options'],
      driverClassPath: flags['driver-class-path'],
      driverLibraryPath: flags['driver-library-path'],
      proxyUser: flags['proxy-user'],
      supervise: flags.supervise,
      totalExecutorCores: flags['total-executor-cores'],
      queue: flags.queue,
      principal: flags.principal,
      keytab: flags.keytab,
    }
    let document: {doc: unknown; source: string} | undefined
    if (flags.filename) {
      const {readSparkApplications} = await import('../actions/job/spark-input.ts')
      const docs = readSparkApplications(flags.filename)
      if (docs.length === 0) throw new UserError(`${flags.filename === '-' ? '<stdin>' : flags.filename}: no SparkApplication in it`)
      if (docs.length > 1) return this.submitMany(docs, flags, {context, submitArgs, dryRun, format})
      if (docs[0]!.error !== undefined) throw new UserError(`${docs[0]!.source}: ${docs[0]!.error}`)
      document = docs[0] as {doc: unknown; source: string}
    }
    if (flags.atomic && !flags.filename) throw new UserError('--atomic goes with -f (a directory or a file of several SparkApplications)')
    const [{prepareSubmission}, {submitJob}] = await Promise.all([import('../actions/job/prepared-submission.ts'), import('../actions/job/submit.ts')])
    const stderr = (line: string) => process.stderr.write(line + '\n')
    const prepared = await prepareSubmission({
      namespace: flags.namespace,
      document,
      args: submitArgs,
    })
    // -n, else spark.kubernetes.namespace from --conf, else the manifest's, else the kubeconfig context's
    const {lifecycleOf} = await import('../spark/lifecycle.ts')
    const {manifestFieldNames} = await import('../spark/sparkapp.ts')
    const file = flags.filename === '-' ? '<stdin>' : flags.filename
    const lifecycle = lifecycleOf(prepared.lifecycle, file ? manifestFieldNames(file, prepared.lifecycle?.schedule !== undefined) : undefined, lifecycleFlags)
    if (lifecycle?.schedule && (flags.wait || flags.follow)) throw new UserError(`--${flags.follow ? 'follow' : 'wait'} follows one job to its end, and a schedule has none: watch its runs with kubectl kd status job/NAME`)
    if (lifecycle && flags.follow) throw new UserError('--follow is not available for a job with a restart policy, start timeout or time to live (each attempt has its own driver): use --wait, then kubectl kd logs NAME')
    const conn = {...connectionOptions(flags), context, namespace: flags.namespace ?? prepared.namespace}
    const {connect} = await import('../kube/connection.ts')
    const {hasKubeconfig} = await import('../kube/kubeconfig-present.ts')
    const kube = dryRun !== 'client' ? await connect(conn) : hasKubeconfig(conn.kubeconfig) ? await connect(conn) : undefined
    // a spark-submit command line (--master) waits for the job as spark-submit does, unless
    // spark.kubernetes.submission.waitAppCompletion=false
    const waitApp = prepared.submission.conf.get('spark.kubernetes.submission.waitAppCompletion')
    const waitLikeSparkSubmit = (waitApp ?? (master ? 'true' : 'false')).trim().toLowerCase() === 'true'
    const result = await submitJob(kube, prepared, {
      namespace: conn.namespace,
      dryRun,
      createServiceAccount: flags['create-service-account'],
      wait: !lifecycle && (wait || (waitLikeSparkSubmit && dryRun === 'none')),
      lifecycle,
      follow: flags.follow ? (chunk) => process.stdout.write(chunk) : undefined,
      timeoutMs: parseDuration(flags.timeout, 'timeout'),
      onProgress: format || flags.follow ? undefined : stderr,
    })
    for (const w of result.warnings) process.stderr.write(escapeTerminal(`warning: ${w}`) + '\n')
    if (flags.verbose) {
      // spark-submit --verbose: the properties the driver gets
      const cm = result.objects.find((o) => o.kind === 'ConfigMap' && (o as {data?: Record<string, string>}).data?.['spark.properties'])
      stderr(`Spark properties used (spark.properties of the driver):\n${(cm as {data: Record<string, string>} | undefined)?.data['spark.properties'] ?? ''}`)
    }
    const {formatData, asList} = await import('../output/format.ts')
    if (dryRun === 'client' && (format === 'yaml' || format === 'json')) {
      const {dumpYamlDocuments} = await import('../output/yaml.ts')
      process.stdout.write(format === 'yaml' ? dumpYamlDocuments(result.objects) : await formatData(asList(result.objects), 'json'))
      return
    }
    const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : ''
    if (format === 'name') process.stdout.write(`job.kubectl-kd.io/${result.jobName}\n`)
    else if (format && result.managed) process.stdout.write(await formatData({job: result.jobName, namespace: result.namespace, runner: `${result.managed.kind.toLowerCase()}.batch/${result.managed.name}`}, format))
    else if (format) process.stdout.write(await formatData(result.final ?? {job: result.jobName, namespace: result.namespace, appId: result.appId, driverPod: result.driverPod}, format))
    else if (!flags.follow) process.stdout.write(`job/${result.jobName} ${result.completed ? 'configured' : 'created'}${suffix}\n`)
    if (!format && dryRun === 'none' && result.managed) stderr(`the runner ${result.managed.kind === 'CronJob' ? 'runs it on schedule' : 'submits and follows it'} in the cluster: kubectl kd status job/${result.jobName} -n ${result.namespace}`)
    else if (!format && dryRun === 'none') {
      stderr(`Application ID ${result.appId}, submission ID ${result.namespace}:${result.driverPod}`)
    }
    if (result.managed && flags.wait && dryRun === 'none') {
      const {waitForManagedJob} = await import('../actions/job/managed-job.ts')
      const s = await waitForManagedJob(kube!, result.jobName, {timeoutMs: parseDuration(flags.timeout, 'timeout'), onProgress: format ? undefined : stderr})
      stderr(`job/${s.name} ${s.state} (attempts ${s.attemptsText})${s.state !== 'COMPLETED' && s.reason ? `: ${s.reason}` : ''}`)
      if (s.state !== 'COMPLETED') this.exit(1)
    }
    if (result.final) {
      const s = result.final
      stderr(`job/${s.name} ${s.state}${s.reason ? `: ${s.reason}` : ''}${s.durationMs !== undefined ? ` after ${(s.durationMs / 1000).toFixed(0)}s` : ''}`)
      if (s.state !== 'COMPLETED') this.exit(1)
    }
  }
}
