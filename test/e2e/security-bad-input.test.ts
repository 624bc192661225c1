// The bad-input corpus (test/fixtures/corpus) through every command that reads a file, against the
// real cluster: each input gives exactly one `error: …` line that names the file (or the path/field at
// fault), exit 1, and nothing with the managed-by label appears in the namespace. Also: 2 MB files
// (generated here), names at the length limit accepted and one over rejected.
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, objectsWithLabel} from '../lib/cluster.ts'
import {isOneLineError, kd, repoRoot, type Run} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-badinput')
// submit checks the driver's ServiceAccount first: give it what it needs so the input is what is judged
kubectl(['-n', ns, 'create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${ns}:default`])
const corpusDir = join(repoRoot, 'test/fixtures/corpus')
const managed = 'app.kubernetes.io/managed-by=kubectl-kd'

/** Runs the plugin; retries while another suite has the API server restarting (connection refused). */
async function run(verbArgs: string[]): Promise<Run> {
  // -n right after the command words (a trailing one would become a Spark application argument)
  const at = verbArgs[0] === 'app' ? 2 : 1
  const args = [...verbArgs.slice(0, at), '-n', ns, ...verbArgs.slice(at)]
  let r = kd(args, {env: clusterEnv()})
  for (let i = 0; i < 30 && /is not reachable|ECONNREFUSED|connection refused|Cannot find module .*dist\/|MODULE_NOT_FOUND/.test(r.stderr); i++) {
    await new Promise((res) => setTimeout(res, 2000))
    r = kd(args, {env: clusterEnv()})
  }
  return r
}

function commandsFor(file: string): string[][] {
  if (file.startsWith('cluster-')) return [['create', '-f', file], ['apply', '-f', file]]
  if (file.startsWith('app-')) return [['app', 'add', file]]
  if (file.startsWith('spark-')) return [['submit', '-f', file]]
  return []
}

/** Errors that name the offending value instead of the file (still one line that says what to fix). */
const namesInstead: Record<string, RegExp> = {
  'spark-huge-numbers.yaml': /spark\.executor\.instances/,
  'spark-injection-main-file-subshell.yaml': /\$\(reboot\): the file name must/,
  'spark-injection-main-file-traversal.yaml': /\.\.\/\.\.\/etc\/shadow-does-not-exist\.jar: no such file/,
}

function assertRejected(r: Run, file: string, args: string[]): void {
  const what = `kubectl kd ${args.join(' ')}`
  assert.ok(isOneLineError(r), `${what}: expected one error line and exit 1, got exit ${r.code}: ${r.stderr.slice(0, 500)}`)
  const expected = namesInstead[basename(file)] ?? new RegExp(basename(file).replace(/[.]/g, '\\.'))
  assert.match(r.stderr, expected, `${what}: the error should name ${expected}: ${r.stderr}`)
  assert.not.match(r.stderr, /TypeError|RangeError|Maximum call stack|undefined|\[object Object\]/, `${what}: ${r.stderr}`)
}

const corpus = suite('bad-input corpus: one error line, exit 1, nothing created')
const files = readdirSync(corpusDir).filter((f) => /^(cluster|app|spark)-/.test(f)).sort()

corpus(`the corpus holds ${files.length} cases of each kind`, () => {
  for (const p of ['cluster-', 'app-', 'spark-']) assert.ok(files.filter((f) => f.startsWith(p)).length >= 10, p)
})

for (const kind of ['cluster', 'app', 'spark']) {
  corpus(`${kind}-* files`, async () => {
    const failures: string[] = []
    for (const f of files.filter((x) => x.startsWith(`${kind}-`))) {
      for (const args of commandsFor(f)) {
        const full = args.map((a) => (a === f ? join(corpusDir, f) : a))
        const r = await run(full)
        try {
          assertRejected(r, f, args)
        } catch (err) {
          failures.push((err as Error).message)
        }
      }
    }
    assert.is(failures.length, 0, failures.join('\n'))
    assert.equal(objectsWithLabel(ns, managed), [])
  })
}

const big = suite('2 MB inputs (generated)')
const tmp = mkdtempSync(join(tmpdir(), 'kd-badinput-'))
const twoMB = 'x'.repeat(2 * 1024 * 1024)

big('a cluster with a 2 MB env value: one error line, nothing created', async () => {
  const f = join(tmp, 'big-cluster.yaml')
  writeFileSync(f, `apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: big}\nspec:\n  app: shelldemo\n  roles:\n  - id: controller\n    env: [{name: BIG, value: "${twoMB}"}]\n  - id: worker\n`)
  for (const verb of ['create', 'apply']) {
    const r = await run([verb, '-f', f])
    assert.ok(isOneLineError(r), r.stderr.slice(0, 500))
    assert.match(r.stderr, /too long|too large|too big|1048576|1 MiB/i)
  }
  assert.equal(objectsWithLabel(ns, managed), [])
})

big('an app with a 2 MB description: rejected before anything is stored', async () => {
  const f = join(tmp, 'big-app.yaml')
  writeFileSync(f, `apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorApp\nmetadata: {name: bigapp}\nspec:\n  label: {name: Big, description: "${twoMB}"}\n  distroID: example/big\n  version: "1.0"\n  configSchemaVersion: 8\n  defaultImageRepoTag: localhost/kubectl-kd/shell:1\n  roles: [{id: node, cardinality: 1+}]\n  config: {selectedRoles: [node]}\n`)
  const r = await run(['app', 'add', f])
  assert.ok(isOneLineError(r), r.stderr.slice(0, 500))
  assert.match(r.stderr, /big-app\.yaml: \d+ bytes is too large/)
  assert.equal(objectsWithLabel(ns, managed), [])
})

big('a SparkApplication with a 2 MB argument: one error line, no driver objects', async () => {
  const f = join(tmp, 'big-spark.yaml')
  writeFileSync(f, `apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: bigspark}\nspec:\n  type: Scala\n  image: localhost/kubectl-kd/spark:3.5.9\n  mainClass: x\n  mainApplicationFile: local:///x.jar\n  arguments: ["${twoMB}"]\n`)
  const r = await run(['submit', '-f', f])
  assert.ok(isOneLineError(r), r.stderr.slice(0, 500))
  assert.is(kubectl(['-n', ns, 'get', 'pods,svc,cm', '-l', 'spark-app-name=bigspark', '-o', 'name']).trim(), '')
  assert.equal(objectsWithLabel(ns, managed), [])
})

const limits = suite('names at and over the length limits')
limits('cluster name at the limit is accepted (server dry run), one over is rejected naming the StatefulSet', async () => {
  const at = 'a'.repeat(41) // shelldemo's longest StatefulSet: NAME-controller ≤ 52
  let r = await run(['create', 'shelldemo', at, '--dry-run=server'])
  assert.is(r.code, 0, r.stderr)
  r = await run(['create', 'shelldemo', at + 'a', '--dry-run=server'])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, /metadata\.name: cluster name "a{42}" is too long for role "controller"/)
  const max = 'b'.repeat(63)
  r = await run(['submit', '--name', max, '--class', 'x', '--image', 'localhost/kubectl-kd/spark:3.5.9', '--dry-run=server', 'local:///x.jar'])
  assert.is(r.code, 0, r.stderr)
  assert.equal(objectsWithLabel(ns, managed), [])
})

limits.after(() => deleteNamespace(ns))

corpus.run()
big.run()
limits.run()
