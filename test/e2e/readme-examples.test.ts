// Every `kubectl kd …` example in the README's code blocks and in every command's --help, run as shown
// (through kubectl's plugin mechanism, in a shell, from a directory with the repository's examples/ and
// test/) against the local cluster. Each must exit 0, or, where the README shows an `error: …` line after
// it, exit 1 with exactly that line (the README's namespace `readme` read as the test's). A mutation line
// the README shows (`cluster/web unchanged`, `cluster/demo scaled: worker 2 -> 3`) must be printed as
// shown. Examples are skipped only by name, with the reason, in SKIP; state an example needs that the
// examples before it do not make is made in BEFORE, and big clusters are removed again in AFTER.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, symlinkSync, copyFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {createNamespace, deleteNamespace, env, kubectl} from '../lib/cluster.ts'
import {repoRoot} from '../lib/kd.ts'
import {COMMANDS} from '../../src/commands.ts'

interface Example {
  source: 'README' | 'help'
  line: string
  /** the output the README shows under it */
  documented: string[]
}

/** `$ kubectl kd …` lines of console blocks (with the output shown under them) and `kubectl kd …` lines of sh blocks. */
export function readmeExamples(text: string): Example[] {
  const out: Example[] = []
  let lang: string | undefined
  let current: Example | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const fence = /^```(\w*)/.exec(raw)
    if (fence) {
      lang = lang === undefined ? fence[1] : undefined
      current = undefined
      continue
    }
    if (lang === undefined) continue
    let line = raw
    const command = lang === 'console' ? /^\$ (.*)$/.exec(line)?.[1] : lang === 'sh' ? line : undefined
    if (command === undefined) {
      current?.documented.push(line)
      continue
    }
    line = command
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`
    line = line.replace(/\s+#\s.*$/, '')
    current = undefined
    if (!/^([A-Z_]+=("[^"]*"|'[^']*'|\S+)\s+)*kubectl kd /.test(line.trim())) continue
    current = {source: 'README', line: line.trim(), documented: []}
    out.push(current)
  }
  return out
}

function helpExamples(): Example[] {
  const out: Example[] = []
  for (const command of Object.values(COMMANDS)) {
    for (const e of (command as {examples?: (string | {command: string})[]}).examples ?? [])
      for (const line of (typeof e === 'string' ? e : e.command).split('\n')) out.push({source: 'help', line: line.replaceAll('<%= config.bin %>', 'kubectl kd').trim(), documented: []})
  }
  return out
}

const SPARK_JOB = 'a Spark job: minutes of JVMs and executors (test/e2e/spark-*.test.ts run submit end to end)'
const NEEDS_JOB = 'reads the Spark job an example before submits (skipped: ' + SPARK_JOB + ')'
const CASSANDRA = 'a Cassandra ring: 2-4 minutes and 1.5 GiB per member (test/e2e/cassandra.test.ts runs it)'
const OPEN = 'forwards a port until Ctrl-C, to a Spark notebook cluster (test/e2e/notebook.test.ts runs open with a browser)'
const SCHEDULED = 'a scheduled Spark job (test/e2e/spark-lifecycle.test.ts runs schedules, run, suspend and resume)'
const NOTEBOOK_NS = 'output captured in the namespace kd-nb-dev2, with a running notebook cluster and job (test/e2e/notebook.test.ts runs status and open on one)'
const BATCH = 'a batch of Spark jobs from a directory (test/e2e/scale-jobs.test.ts submits and deletes 200 from one)'
const SYNOPSIS = 'a synopsis with … and [optional] parts, not a command line'

/** Examples not run, by their exact text, with why. */
const SKIP: Record<string, string> = {
  // README
  'kubectl kd create -f examples/clusters/cassandra50.yaml --wait --timeout 20m': CASSANDRA,
  'kubectl kd status ring': CASSANDRA,
  'kubectl kd scale ring worker=2 --wait && kubectl kd scale ring worker=1 --wait': CASSANDRA,
  'kubectl kd create cassandra50 --memory seed=1536Mi --cpu seed=2 --wait': CASSANDRA,
  'kubectl kd status bad': 'the Cassandra cluster with a broken partitioner it describes (' + CASSANDRA + ')',
  'kubectl kd submit --name spark-pi --image localhost/kubectl-kd/spark:3.5.9 --num-executors 2 --create-service-account --class org.apache.spark.examples.SparkPi local:///opt/spark/examples/jars/spark-examples_2.12-3.5.9.jar 100 --wait': SPARK_JOB,
  'kubectl kd submit ./job.py --image … --py-files lib.py --wait': SYNOPSIS,
  'kubectl kd submit -f examples/spark/spark-pi.yaml --wait': SPARK_JOB,
  'kubectl kd status job/spark-pi': NEEDS_JOB,
  'kubectl kd logs spark-pi [-f] [--executor 1]': SYNOPSIS,
  'kubectl kd delete job/spark-pi': NEEDS_JOB,
  'kubectl kd submit --name pi --image localhost/kubectl-kd/spark:3.5.9 --create-service-account --num-executors 2 --driver-memory 512m --executor-memory 512m --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m --wait examples/spark/pi.py 10': SPARK_JOB,
  'kubectl kd status job/pi': NEEDS_JOB,
  'kubectl kd logs pi | grep "Pi is"': NEEDS_JOB,
  'kubectl kd submit --master k8s://https://127.0.0.1:6443 --deploy-mode cluster --name spark-pi --class org.apache.spark.examples.SparkPi --conf spark.executor.instances=5 --conf spark.kubernetes.container.image=localhost/kubectl-kd/spark:4.3.0 --conf spark.kubernetes.driver.pod.name=spark-pi-driver --conf spark.kubernetes.driver.request.cores=100m --conf spark.kubernetes.executor.request.cores=100m local:///opt/spark/examples/jars/spark-examples_2.13-4.3.0.jar': SPARK_JOB,
  'kubectl kd submit --master k8s://https://127.0.0.1:6443 --status spark-pi-driver': NEEDS_JOB,
  "kubectl kd submit --master k8s://https://127.0.0.1:6443 --kill 'spark-pi*'": NEEDS_JOB,
  // help
  'kubectl kd logs spark-pi-7d1c7ea203db3699': NEEDS_JOB,
  'kubectl kd logs job/spark-pi-7d1c7ea203db3699 -f': NEEDS_JOB,
  'kubectl kd logs spark-pi-7d1c7ea203db3699 --executor 1': NEEDS_JOB,
  'kubectl kd status spark221e2 -w': 'watches until Ctrl-C (get -w and Ctrl-C are tested in kubectl-manners.test.ts)',
  'kubectl kd submit --master k8s://https://127.0.0.1:6443 --deploy-mode cluster --name spark-pi --class org.apache.spark.examples.SparkPi --conf spark.executor.instances=5 --conf spark.kubernetes.container.image=localhost/kubectl-kd/spark:4.3.0 --conf spark.kubernetes.driver.pod.name=spark-pi-driver local:///opt/spark/examples/jars/spark-examples_2.13-4.3.0.jar': SPARK_JOB,
  'kubectl kd submit --status default:spark-pi-driver': NEEDS_JOB,
  'kubectl kd submit --kill "default:spark-pi*"': NEEDS_JOB,
  'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --class org.apache.spark.examples.SparkPi --num-executors 2 --create-service-account --service-account spark --wait local:///opt/spark/examples/jars/spark-examples_2.12-3.5.9.jar 100': SPARK_JOB,
  'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --follow examples/spark/pi.py 20': SPARK_JOB,
  'kubectl kd submit --cluster sp --executor-memory 512m examples/spark/pi.py 10': SPARK_JOB,
  'kubectl kd describe job/spark-pi': NEEDS_JOB,
  'kubectl kd submit -f jobs/ [--atomic]': SYNOPSIS,
  'kubectl kd delete jobs -l schedule=nightly [--wait]': SYNOPSIS,
  'kubectl kd submit -f jobs/ --atomic': BATCH,
  'kubectl kd submit -f jobs/': BATCH,
  'kubectl kd submit -f examples/spark/nightly/ --create-service-account': BATCH,
  'kubectl kd get jobs -l schedule=nightly': BATCH,
  'kubectl kd delete jobs --all --dry-run=client': BATCH,
  'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --name fail-once --restart-policy OnFailure --on-failure-retries 3 --on-failure-retry-interval 2s examples/spark/fail-once.py marker-1': SPARK_JOB,
  'kubectl kd status job/fail-once': NEEDS_JOB,
  'kubectl kd run job/scheduled-pi; kubectl kd suspend job/scheduled-pi; kubectl kd resume job/scheduled-pi': SCHEDULED,
  'kubectl kd status spark4nb -n kd-nb-dev2': NOTEBOOK_NS,
  'kubectl kd open spark4nb jupyter-nb -n kd-nb-dev2 --no-browser': NOTEBOOK_NS,
  'kubectl kd open spark4nb nosuch -n kd-nb-dev2': NOTEBOOK_NS,
  'kubectl kd open job/spark-pi -n kd-nb-dev2': NOTEBOOK_NS,
  'kubectl kd edit cluster/demo': 'opens an interactive editor (edit runs with a scripted editor in the README and kubectl-verbs.test.ts)',
  'KUBE_EDITOR=nano kubectl kd edit demo': 'opens an interactive editor (edit runs with a scripted editor in the README and kubectl-verbs.test.ts)',
  'kubectl kd delete jobs -l schedule=nightly --wait': NEEDS_JOB,
  'kubectl kd delete jobs --all -n nightly': NEEDS_JOB,
  'kubectl kd open spark4nb': OPEN,
  'kubectl kd open spark4nb jupyter-nb --no-browser': OPEN,
  'kubectl kd open spark4nb spark4nb-worker-0': OPEN,
  'kubectl kd open job/spark-pi --port 4041': OPEN,
  'kubectl kd resume job/nightly-report': SCHEDULED,
  'kubectl kd run job/nightly-report': SCHEDULED,
  'kubectl kd suspend job/nightly-report': SCHEDULED,
  'kubectl kd submit -f examples/spark/nightly/ --atomic': SPARK_JOB,
  'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --restart-policy OnFailure --on-failure-retries 3 --on-failure-retry-interval 10s --start-timeout 2m examples/spark/pi.py 10': SPARK_JOB,
  "kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --name nightly --schedule '0 2 * * *' --concurrency-policy Forbid --time-to-live 24h examples/spark/pi.py 10": SCHEDULED,
  'kubectl kd submit -f examples/spark/scheduled-pi.yaml': SCHEDULED,
}

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

const readme = readmeExamples(readFileSync(join(repoRoot, 'README.md'), 'utf8'))
const help = helpExamples()
const skipped = (e: Example) => SKIP[e.line]

/** A directory to run examples in: the repository's examples/ and test/, a kubeconfig whose context is in `ns`. */
function workdir(ns: string): {cwd: string; env: NodeJS.ProcessEnv} {
  const cwd = mkdtempSync(join(tmpdir(), 'kd-examples-'))
  for (const d of ['examples', 'test']) symlinkSync(join(repoRoot, d), join(cwd, d))
  const kubeconfig = join(cwd, 'kubeconfig')
  copyFileSync(env.KUBECONFIG!, kubeconfig)
  kubectl(['config', 'set-context', '--current', `--namespace=${ns}`], {kubeconfig})
  // kubectl finds the plugin (bin/kubectl-kd, the built bundle) on PATH, as after npm link
  const PATH = `${join(repoRoot, 'bin')}:${dirname(env.KD_KUBECTL!)}:${process.env.PATH}`
  // files an example writes under ~ stay in the directory too
  return {cwd, env: {...process.env, CI: '1', KUBECONFIG: kubeconfig, PATH, HOME: cwd}}
}

function sh(line: string, where: {cwd: string; env: NodeJS.ProcessEnv}) {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', line], {cwd: where.cwd, env: where.env, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024})
  return {code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? ''}
}

/** Mutation lines the README shows under an example: printed as shown. */
const MUTATION = /^[a-z]+\/\S+ (created|configured|unchanged|deleted)$|^[a-z]+\/\S+ scaled: /

function runAll(examples: Example[], ns: string): void {
  const where = workdir(ns)
  const readmeNs = (s: string) => s.replaceAll('namespace "readme"', `namespace "${ns}"`).replaceAll('in namespace readme', `in namespace ${ns}`)
  for (const e of examples) {
    if (skipped(e)) continue
    for (const b of BEFORE[e.line] ?? []) {
      const r = sh(b, where)
      assert.is(r.code, 0, `before "${e.line}": ${b}: exit ${r.code}\n${r.stderr}`)
    }
    const started = Date.now()
    try {
      const r = sh(PRELUDE[e.line] ? `${PRELUDE[e.line]}; ${e.line}` : e.line, where)
      const error = e.documented.find((l) => l.startsWith('error: '))
      if (error) {
        assert.is(r.code, 1, `${e.line}: the README shows ${error}, got exit ${r.code}\n${r.stdout}${r.stderr}`)
        const tmpName = (t: string) => t.replace(/\/tmp\/kubectl-kd-edit-[A-Za-z0-9]+\//g, '/tmp/kubectl-kd-edit-XXXXXX/')
        // the error line (a suggestion may follow it, as after a mistyped command)
        assert.is(tmpName(r.stderr.trim().split('\n')[0]!), tmpName(readmeNs(error)), `${e.line}: the error line differs from the README's (stdout: ${JSON.stringify(r.stdout.slice(-2000))}, stderr: ${JSON.stringify(r.stderr.slice(-2000))})`)
      } else assert.is(r.code, 0, `${e.line}: exit ${r.code}\n${r.stdout}${r.stderr}`)
      for (const m of e.documented.filter((l) => MUTATION.test(l))) assert.ok(r.stdout.split('\n').includes(readmeNs(m)), `${e.line}: the README shows "${m}", stdout was:\n${r.stdout}`)
      if (process.env.KD_EXAMPLES_VERBOSE) console.log(`  ${((Date.now() - started) / 1000).toFixed(1)}s ${e.line}`)
    } finally {
      // what a big example made goes, passed or not: the next examples share two CPUs
      for (const a of AFTER[e.line] ?? []) sh(a, where)
    }
  }
}

const test = suite('README and --help examples')
const namespaces: string[] = []
test.after(() => {
  if (!process.env.KD_KEEP) namespaces.forEach(deleteNamespace)
})

test('every example is run or skipped by name with a reason; no stale names in the lists', () => {
  assert.ok(readme.length >= 30, `README examples found: ${readme.length}`)
  assert.ok(help.length >= 40, `help examples found: ${help.length}`)
  const lines = new Set([...readme, ...help].map((e) => e.line))
  for (const name of [...Object.keys(SKIP), ...Object.keys(BEFORE), ...Object.keys(AFTER), ...Object.keys(PRELUDE)]) assert.ok(lines.has(name), `no such example: ${name}`)
  // what runs: everything else
  assert.ok([...readme, ...help].filter((e) => !skipped(e)).length >= 50)
})

test('README examples, in order, in one namespace', () => {
  const ns = createNamespace('kd-e2e-readme')
  namespaces.push(ns)
  runAll(readme, ns)
})

test('--help examples of every command, in order, in one namespace', () => {
  const ns = createNamespace('kd-e2e-help')
  namespaces.push(ns)
  runAll(help, ns)
})

test.run()
