// Every `kubectl kd …` example of the README and of every command's --help that submits Spark jobs or reads
// them (isSparkExample in test/lib/examples.ts; the others are run by readme-examples.test.ts), in order,
// run and checked as test/lib/examples.ts says: jobs, their status, logs and deletion, spark-submit's
// --status/--kill, batches from a directory, retries and schedules. README examples run in one namespace,
// the help examples in another; a help example whose text is a README example's ran with the README's.
// State an example needs that the examples before it do not make (the `spark` service account, a job to
// read, a schedule) is made in BEFORE; what would keep running (schedules, retried jobs, an app cluster,
// batches) is deleted in AFTER, as soon as the examples that read it have run: the node has two CPUs.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {createNamespace, deleteNamespace} from '../lib/cluster.ts'
import {checkPartition, checkTables, help, isSparkExample, readme, runAll, SKIP, type Example, type Tables} from '../lib/examples.ts'

const CORES = '--conf spark.kubernetes.driver.request.cores=100m --conf spark.kubernetes.executor.request.cores=100m'
const SMALL = `--driver-memory 512m --executor-memory 512m --num-executors 1 ${CORES}`
const SPARK_PI_YAML = 'kubectl kd submit -f examples/spark/spark-pi.yaml'
/** The scheduled job resume, run and suspend name (suspended, and due at 2 am only) */
const NIGHTLY_REPORT = `kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --name nightly-report --schedule '0 2 * * *' --suspend ${SMALL} examples/spark/pi.py 10`
/** The job the logs examples name: its driver pod named as they say; executors kept for --executor 1 */
const LOGS_JOB = '7d1c7ea203db3699'
const GONE = 'kubectl wait --for=delete pod/spark-pi-driver --timeout=3m'
const untilPhase = (pod: string, phases: string) => `timeout 300 bash -c 'until kubectl get pod ${pod} -o jsonpath={.status.phase} | grep -Eq "${phases}"; do sleep 1; done'`

const BEFORE: Record<string, string[]> = {
  // README
  'kubectl kd submit -f jobs/ --atomic': ['cp -r test/fixtures/readme-jobs jobs'],
  // spark-submit's driver runs as the namespace's default service account, which must be allowed to run executors
  'kubectl kd submit --master k8s://https://127.0.0.1:6443 --deploy-mode cluster --name spark-pi --class org.apache.spark.examples.SparkPi --conf spark.executor.instances=5 --conf spark.kubernetes.container.image=localhost/kubectl-kd/spark:4.3.0 --conf spark.kubernetes.driver.pod.name=spark-pi-driver --conf spark.kubernetes.driver.request.cores=100m --conf spark.kubernetes.executor.request.cores=100m local:///opt/spark/examples/jars/spark-examples_2.13-4.3.0.jar': [
    "kubectl create rolebinding default-spark --clusterrole=edit --serviceaccount=$(kubectl config view --minify -o jsonpath='{..namespace}'):default",
  ],
  // the first attempt failed and the second started, as the README shows
  'kubectl kd status job/fail-once': ['kubectl wait --for=create pod/fail-once-2-driver --timeout=5m'],
  // help
  'kubectl kd delete jobs --all -n nightly': [`${SPARK_PI_YAML} --create-service-account`],
  'kubectl kd describe job/spark-pi': [SPARK_PI_YAML],
  [`kubectl kd logs spark-pi-${LOGS_JOB}`]: [
    `kubectl kd submit --name spark-pi --image localhost/kubectl-kd/spark:3.5.9 --service-account spark ${SMALL} --conf spark.kubernetes.driver.pod.name=spark-pi-${LOGS_JOB}-driver --conf spark.kubernetes.executor.deleteOnTermination=false --class org.apache.spark.examples.SparkPi local:///opt/spark/examples/jars/spark-examples_2.12-3.5.9.jar 200`,
    untilPhase(`spark-pi-${LOGS_JOB}-driver`, 'Running|Succeeded'),
  ],
  'kubectl kd resume job/nightly-report': [NIGHTLY_REPORT],
  'kubectl kd submit --status default:spark-pi-driver': [SPARK_PI_YAML],
  'kubectl kd submit --cluster sp --executor-memory 512m examples/spark/pi.py 10': ['kubectl kd create spark35 sp --memory worker=2Gi --memory controller=2Gi --wait'],
}

const AFTER: Record<string, string[]> = {
  // README: the batch from jobs/ stays until the listing of every job, the nightly ones go with their example
  'kubectl kd delete jobs -l schedule=nightly --wait': ['kubectl kd delete jobs --all --wait'],
  "kubectl kd submit --master k8s://https://127.0.0.1:6443 --kill 'spark-pi*'": ['kubectl kd delete jobs --all --wait'],
  'kubectl kd status job/fail-once': ['kubectl kd delete job/fail-once'],
  'kubectl kd run job/scheduled-pi; kubectl kd suspend job/scheduled-pi; kubectl kd resume job/scheduled-pi': ['kubectl kd delete job/scheduled-pi'],
  // help: a running driver takes its grace period to go, and the next example submits one of the same name
  'kubectl kd delete jobs --all -n nightly': [GONE],
  'kubectl kd describe job/spark-pi': ['kubectl kd delete job/spark-pi', GONE],
  [`kubectl kd logs spark-pi-${LOGS_JOB} --executor 1`]: [`kubectl kd delete job/spark-pi-${LOGS_JOB}`],
  // made before resume, run once, suspended at the end of the help
  'kubectl kd suspend job/nightly-report': ['kubectl kd delete job/nightly-report'],
  'kubectl kd submit -f examples/spark/nightly/ --atomic': ['kubectl kd delete jobs -l schedule=nightly --wait'],
  'kubectl kd submit --cluster sp --executor-memory 512m examples/spark/pi.py 10': ['kubectl kd delete sp --wait'],
  'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --restart-policy OnFailure --on-failure-retries 3 --on-failure-retry-interval 10s --start-timeout 2m examples/spark/pi.py 10': ['kubectl kd delete job/pi-py'],
  "kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --name nightly --schedule '0 2 * * *' --concurrency-policy Forbid --time-to-live 24h examples/spark/pi.py 10": ['kubectl kd delete job/nightly'],
}

/** Examples that name a namespace: run in the test's own (the shared cluster's `default` is not the test's to write in). */
const NAMESPACE: Record<string, string> = {
  'kubectl kd delete jobs --all -n nightly': 'nightly',
  'kubectl kd submit --status default:spark-pi-driver': 'default',
  'kubectl kd submit --kill "default:spark-pi*"': 'default',
}

const TABLES: Tables = {before: BEFORE, after: AFTER, namespace: NAMESPACE}
const runs = (e: Example) => !SKIP[e.line] && isSparkExample(e)

const test = suite('README and --help examples that run Spark jobs')
const namespaces: string[] = []
test.after(() => {
  if (!process.env.KD_KEEP) namespaces.forEach(deleteNamespace)
})

test('every example is run by one suite or skipped by name with a reason; no stale names in the lists', () => {
  checkPartition()
  checkTables(TABLES, isSparkExample)
})

test('README examples, in order, in one namespace', () => {
  const ns = createNamespace('kd-e2e-readme-spark')
  namespaces.push(ns)
  runAll(readme.filter(runs), ns, TABLES)
})

test('--help examples of every command, in order, in one namespace', () => {
  const ns = createNamespace('kd-e2e-help-spark')
  namespaces.push(ns)
  const examples = help.filter(runs)
  // the README's own, with the same text, ran above
  const own = examples.filter((e) => !readme.some((r) => r.line === e.line))
  assert.ok(own.length >= 15, `help examples of Spark jobs not in the README: ${own.length}`)
  runAll(own, ns, TABLES)
})

test.run()
