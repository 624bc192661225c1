// Every `kubectl kd …` example of the README and of every command's --help that is not a Spark job (those
// are run by readme-spark-examples.test.ts; test/lib/examples.ts says which, and how an example is run and
// checked), in order, against the local cluster. Examples are skipped only by name, with the reason, in
// SKIP (test/lib/examples.ts); state an example needs that the examples before it do not make is made in
// BEFORE, and big clusters are removed again in AFTER.
import {suite} from 'uvu'
import {createNamespace, deleteNamespace} from '../lib/cluster.ts'
import {checkPartition, checkTables, help, isSparkExample, readme, runAll, SKIP, type Example, type Tables} from '../lib/examples.ts'

const SPARK221E2_35 =
  'kubectl kd create spark221e2 --image controller=localhost/kubectl-kd/spark:3.5.9 --image worker=localhost/kubectl-kd/spark:3.5.9 --package controller=bundled://spark35 --package worker=bundled://spark35'

/** Commands run before an example, for state the examples before it do not make (each must succeed). */
const BEFORE: Record<string, string[]> = {
  // README
  'kubectl kd app show hello -o yaml': ['kubectl kd app add examples/apps/hello.yaml'],
  'kubectl kd get cluster web -o yaml > web.yaml; cat web.yaml': ['kubectl kd create hello web --wait'],
  // help: each create of a cluster another example made first starts from its deletion
  [SPARK221E2_35]: ['kubectl kd delete spark221e2 --wait'],
  'kubectl kd delete cluster/spark221e2 --wait': ['kubectl kd create spark221e2'],
  // get, scale and status of spark221e2 on the images that run here
  'kubectl kd get cluster spark221e2 -o wide': [SPARK221E2_35],
  // the verbs' examples on a cluster demo: made before the first, removed after the last (AFTER)
  'kubectl kd delete -f examples/clusters/shelldemo.yaml': ['kubectl kd create -f examples/clusters/shelldemo.yaml --wait'],
  'kubectl kd describe cluster demo': ['kubectl kd create -f examples/clusters/shelldemo.yaml --wait'],
  // the README's namespace with a Pod Security label, as its line before the example makes it
  'kubectl kd create cassandra311 ring -n psa-demo': ['kubectl create namespace psa-demo && kubectl label namespace psa-demo pod-security.kubernetes.io/enforce=baseline'],
}

/** What the shell an example is written for provides, given to bash before the example (zsh's $fpath). */
const PRELUDE: Record<string, string> = {
  'kubectl kd completion zsh > "${fpath[1]}/_kubectl-kd"': 'mkdir -p ~/.zfunc && fpath=("" ~/.zfunc)',
  'kubectl kd completion fish > ~/.config/fish/completions/kubectl-kd.fish': 'mkdir -p ~/.config/fish/completions',
}

/** Big clusters are removed once their example has run (two CPUs). */
const AFTER: Record<string, string[]> = {
  'kubectl kd app remove greeter': ['kubectl kd delete hi --wait'],
  'kubectl kd apply -f web.yaml': ['kubectl kd delete web --wait'],
  'kubectl kd apply -f examples/clusters/shelldemo.yaml': ['kubectl kd delete demo --wait'],
  'kubectl kd create -f examples/clusters/shelldemo.yaml': ['kubectl kd delete demo --wait'],
  'kubectl kd create spark221e2 --members worker=2 --memory controller=3Gi --memory worker=2Gi --image controller=localhost/kubectl-kd/spark:3.5.9 --image worker=localhost/kubectl-kd/spark:3.5.9 --package controller=bundled://spark35 --package worker=bundled://spark35 --wait': ['kubectl kd delete spark221e2 --wait'],
  'kubectl kd submit --cluster small examples/spark/pi.py 4': ['kubectl kd delete small --wait'],
  'kubectl kd apply -f examples/clusters/spark35.yaml --wait --timeout 5m': ['kubectl kd delete spark --wait'],
  'kubectl kd create spark35 sp --members worker=3 --wait': ['kubectl kd delete sp --wait'],
  'kubectl kd logs cluster/demo agent': ['kubectl kd delete demo --wait'],
  'kubectl kd status spark4nb': ['kubectl kd delete spark4nb --wait'],
  'kubectl kd create cassandra311 ring -n psa-demo': ['kubectl delete namespace psa-demo --wait=false'],
}

const TABLES: Tables = {before: BEFORE, after: AFTER, prelude: PRELUDE}
const runs = (e: Example) => !SKIP[e.line] && !isSparkExample(e)

const test = suite('README and --help examples')
const namespaces: string[] = []
test.after(() => {
  if (!process.env.KD_KEEP) namespaces.forEach(deleteNamespace)
})

test('every example is run by one suite or skipped by name with a reason; no stale names in the lists', () => {
  checkPartition()
  checkTables(TABLES, (e) => !isSparkExample(e))
})

test('README examples, in order, in one namespace', () => {
  const ns = createNamespace('kd-e2e-readme')
  namespaces.push(ns)
  runAll(readme.filter(runs), ns, TABLES)
})

test('--help examples of every command, in order, in one namespace', () => {
  const ns = createNamespace('kd-e2e-help')
  namespaces.push(ns)
  runAll(help.filter(runs), ns, TABLES)
})

test.run()
