// Every `kubectl kd …` example in every command's help runs through the real binary (bin/kubectl-kd, the
// built bundle), without a cluster. Offline examples (--help, --dry-run=client, app show, completion,
// version --client, …) must exit 0. The others need a cluster: where the command has --dry-run=client
// they run with it (every local check: files, flags, apps) and must exit 0; otherwise they must get as
// far as connecting, i.e. fail only with the one "no kubeconfig found" line (their flags and arguments
// parsed). The list of examples that need a cluster is checked too, so a new one is a visible change.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {kd, repoRoot} from '../lib/kd.ts'
import {COMMANDS} from '../../src/commands.ts'

const offline = {KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent-home'}
process.chdir(repoRoot)

interface Example {
  id: string
  line: string
  args: string[]
  dryRunClient: boolean
}

/** Shell words of a command line: single and double quotes, nothing else (examples use no more). */
export function shellWords(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: string | undefined
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined
      else word = (word ?? '') + ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      word ??= ''
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? '') + ch
  }
  if (quote) throw new Error(`unterminated quote in ${line}`)
  if (word !== undefined) words.push(word)
  return words
}

function examples(): Example[] {
  const out: Example[] = []
  for (const [id, command] of Object.entries(COMMANDS)) {
    const c = command as {examples?: (string | {command: string})[]; flags?: Record<string, {options?: readonly string[]}>}
    for (const e of c.examples ?? []) {
      for (const raw of (typeof e === 'string' ? e : e.command).split('\n')) {
        const line = raw.replaceAll('<%= config.bin %>', 'kubectl kd')
        // `source <(kubectl kd …)` and `kubectl kd … > FILE` run the kubectl kd part
        const m = /kubectl kd ([^)>]*)/.exec(line)
        assert.ok(m, `${id}: an example that does not run kubectl kd: ${line}`)
        out.push({id, line, args: shellWords(m[1]!.trim()), dryRunClient: c.flags?.['dry-run']?.options?.includes('client') ?? false})
      }
    }
  }
  return out
}

const isOffline = (e: Example) =>
  e.args.includes('--help') ||
  e.args.includes('--dry-run=client') ||
  e.args.includes('--client') ||
  ['app:show', 'completion', '__complete'].includes(e.id) ||
  (e.id === 'app:list' && e.args.includes('--builtin'))

const NO_KUBECONFIG = /^error: (--master \S+: |unable to reach the server: )?no kubeconfig found\b/

const all = examples()

test('examples that need a cluster (listed here, so a new one is a visible change)', () => {
  const needCluster = all.filter((e) => !isOffline(e)).map((e) => e.line)
  assert.equal(needCluster.length + all.filter(isOffline).length, all.length)
  assert.ok(all.filter(isOffline).length >= 8, 'offline examples found')
  assert.equal(needCluster, [
    'kubectl kd app add examples/apps/hello.yaml',
    'kubectl kd app add examples/apps/greeter',
    'kubectl kd app add examples/apps/hello.yaml --package node=examples/packages/tiny',
    'kubectl kd app list',
    'kubectl kd app list -o name',
    'kubectl kd app remove hello',
    'kubectl kd apply -f examples/clusters/shelldemo.yaml',
    'kubectl kd apply -f examples/clusters/spark35.yaml --wait --timeout 5m',
    'kubectl kd create spark221e2',
    'kubectl kd create spark35 sp --members worker=3 --wait',
    'kubectl kd create spark221e2 --image controller=localhost/kubectl-kd/spark:3.5.9 --image worker=localhost/kubectl-kd/spark:3.5.9 --package controller=bundled://spark35 --package worker=bundled://spark35',
    'kubectl kd create -f examples/clusters/shelldemo.yaml',
    'kubectl kd delete spark221e2',
    'kubectl kd delete cluster/spark221e2 --wait',
    'kubectl kd delete job/spark-pi',
    'kubectl kd delete job/spark-pi job/spark-wc cluster/demo',
    'kubectl kd delete -f examples/clusters/shelldemo.yaml',
    'kubectl kd delete demo --ignore-not-found',
    'kubectl kd delete jobs -l schedule=nightly --wait',
    'kubectl kd delete jobs --all -n nightly',
    'kubectl kd describe cluster demo',
    'kubectl kd describe cluster/demo',
    'kubectl kd describe job/spark-pi',
    'kubectl kd edit cluster/demo',
    'KUBE_EDITOR=nano kubectl kd edit demo',
    'kubectl kd get',
    'kubectl kd get cluster spark221e2 -o wide',
    'kubectl kd get clusters -A -o json',
    'kubectl kd get cluster spark221e2 -o yaml > spark.yaml',
    'kubectl kd get jobs',
    "kubectl kd get clusters -l kubectl-kd.io/app=shelldemo -o jsonpath='{.items[*].metadata.name}'",
    'kubectl kd logs spark-pi-7d1c7ea203db3699',
    'kubectl kd logs job/spark-pi-7d1c7ea203db3699 -f',
    'kubectl kd logs spark-pi-7d1c7ea203db3699 --executor 1',
    'kubectl kd logs cluster/demo demo-worker-0 --tail 20',
    'kubectl kd logs cluster/demo agent',
    'kubectl kd open spark4nb',
    'kubectl kd open spark4nb jupyter-nb --no-browser',
    'kubectl kd open spark4nb spark4nb-worker-0',
    'kubectl kd open job/spark-pi --port 4041',
    'kubectl kd resume job/nightly-report',
    'kubectl kd run job/nightly-report',
    'kubectl kd scale cluster/spark221e2 --replicas 4 --role worker',
    'kubectl kd scale spark221e2 worker=2 --wait',
    'kubectl kd scale spark221e2 --replicas 3',
    'kubectl kd status spark221e2',
    'kubectl kd status spark221e2 -w',
    'kubectl kd status job/spark-pi',
    'kubectl kd status cluster/spark221e2 -o json',
    'kubectl kd status cluster/spark221e2 job/spark-pi',
    'kubectl kd submit --master k8s://https://127.0.0.1:6443 --deploy-mode cluster --name spark-pi --class org.apache.spark.examples.SparkPi --conf spark.executor.instances=5 --conf spark.kubernetes.container.image=localhost/kubectl-kd/spark:4.3.0 --conf spark.kubernetes.driver.pod.name=spark-pi-driver --conf spark.kubernetes.driver.request.cores=100m --conf spark.kubernetes.executor.request.cores=100m local:///opt/spark/examples/jars/spark-examples_2.13-4.3.0.jar',
    'kubectl kd submit --status default:spark-pi-driver',
    'kubectl kd submit --kill "default:spark-pi*"',
    'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --class org.apache.spark.examples.SparkPi --num-executors 2 --create-service-account --service-account spark --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m --wait local:///opt/spark/examples/jars/spark-examples_2.12-3.5.9.jar 100',
    'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --conf spark.kubernetes.driver.request.cores=200m --conf spark.kubernetes.executor.request.cores=200m --follow examples/spark/pi.py 20',
    'kubectl kd submit -f examples/spark/spark-pi.yaml --wait',
    'kubectl kd submit -f examples/spark/nightly/ --atomic',
    'kubectl kd submit --cluster sp --executor-memory 512m examples/spark/pi.py 10',
    'kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --restart-policy OnFailure --on-failure-retries 3 --on-failure-retry-interval 10s --start-timeout 2m examples/spark/pi.py 10',
    "kubectl kd submit --image localhost/kubectl-kd/spark:3.5.9 --service-account spark --name nightly --schedule '0 2 * * *' --concurrency-policy Forbid --time-to-live 24h examples/spark/pi.py 10",
    'kubectl kd submit -f examples/spark/scheduled-pi.yaml',
    'kubectl kd suspend job/nightly-report',
    'kubectl kd version',
    'kubectl kd version -A',
    'kubectl kd version -o json',
  ])
})

test('each command\'s help shows its examples as `kubectl kd …`', () => {
  for (const id of Object.keys(COMMANDS)) {
    const mine = all.filter((e) => e.id === id)
    if (mine.length === 0) continue
    const r = kd([...id.split(':'), '--help'], {env: offline})
    assert.is(r.code, 0, `${id} --help: ${r.stderr}`)
    // oclif wraps long example lines with a trailing backslash
    const flat = r.stdout.replace(/ \\\n\s*/g, ' ').replace(/\s+/g, ' ')
    for (const e of mine) assert.ok(flat.includes(e.line), `${id} --help does not show: ${e.line}`)
  }
})

test('offline examples run without a cluster and exit 0', () => {
  for (const e of all.filter(isOffline)) {
    const r = kd(e.args, {env: offline})
    assert.is(r.code, 0, `${e.line}: exit ${r.code}\n${r.stderr}`)
  }
})

test('examples that need a cluster parse: with --dry-run=client they exit 0, else they fail only for want of a kubeconfig', () => {
  for (const e of all.filter((x) => !isOffline(x))) {
    const args = e.dryRunClient ? [...e.args, '--dry-run=client'] : e.args
    const r = kd(args, {env: offline})
    if (r.code === 0) continue
    assert.is(r.code, 1, `${e.line}: exit ${r.code}\n${r.stderr}`)
    assert.match(r.stderr.trim(), NO_KUBECONFIG, `${e.line}${e.dryRunClient ? ' --dry-run=client' : ''}: ${r.stderr}`)
    assert.is(r.stderr.trim().split('\n').length, 1, `${e.line}: ${r.stderr}`)
  }
})

test.run()
