// delete on the real cluster: a cluster's deletion removes only what the cluster owns (issue 26: a user's
// StatefulSet, Deployment and pod that merely carry the cluster's labels were deleted with it), and
// commands given several targets act on every one and report each missing one.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson, objectsWithLabel} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-delete-own')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const IMAGE = 'localhost/kubectl-kd/shell:1'

/** Re-checks a condition a controller makes true, for at most `seconds`. */
async function until(what: string, cond: () => boolean, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 2 && !cond(); i++) await new Promise((r) => setTimeout(r, 500))
  assert.ok(cond(), `${what}: not within ${seconds} s`)
}

const podSpec = {containers: [{name: 'c', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600']}], terminationGracePeriodSeconds: 0}
const uidOf = (kind: string, name: string) => kubectl(['-n', ns, 'get', kind, name, '-o', 'jsonpath={.metadata.uid}'], {allowFail: true})
const exists = (kind: string, name: string) => uidOf(kind, name) !== ''

const own = suite('delete removes only what the cluster owns')

own('a StatefulSet, a Deployment and a bare pod with the cluster\'s labels survive delete --wait; the cluster is gone', async () => {
  const r = run(['create', 'shelldemo', 'v', '--members', 'worker=2'])
  assert.is(r.code, 0, r.stderr)
  // the probe's objects: a user's StatefulSet with only the cluster and a role label, a Deployment
  // labelled like an agent, a bare pod labelled like a member
  const cluster = {'kubectl-kd.io/cluster': 'v'}
  const foreign = [
    {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name: 'db', labels: {...cluster, 'kubectl-kd.io/role': 'db'}}, spec: {replicas: 1, serviceName: 'db', selector: {matchLabels: {user: 'db'}}, template: {metadata: {labels: {...cluster, 'kubectl-kd.io/role': 'db', user: 'db'}}, spec: podSpec}}},
    {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'lookalike', labels: {...cluster, 'app.kubernetes.io/component': 'agent', 'app.kubernetes.io/managed-by': 'kubectl-kd'}}, spec: {replicas: 1, selector: {matchLabels: {user: 'lookalike'}}, template: {metadata: {labels: {...cluster, 'app.kubernetes.io/component': 'agent', 'app.kubernetes.io/managed-by': 'kubectl-kd', user: 'lookalike'}}, spec: podSpec}}},
    {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'bare', labels: {...cluster, 'kubectl-kd.io/role': 'worker', 'app.kubernetes.io/managed-by': 'kubectl-kd'}}, spec: podSpec},
  ]
  kubectl(['-n', ns, 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: foreign})})
  const foreignPods = () => kubectlJson<{items: {metadata: {name: string; uid: string}}[]}>(['-n', ns, 'get', 'pods', '-l', 'user']).items
  await until('the foreign StatefulSet and Deployment have their pods', () => foreignPods().length === 2)
  await until('the cluster has its member pods', () => exists('pod', 'v-worker-1') && exists('pod', 'v-controller-0'))
  const before = {db: uidOf('statefulset', 'db'), lookalike: uidOf('deployment', 'lookalike'), bare: uidOf('pod', 'bare'), pods: foreignPods().map((p) => p.metadata.uid).sort()}

  const del = run(['delete', 'v', '--wait', '--timeout', '3m'])
  assert.is(del.code, 0, del.stderr)
  assert.is(del.stdout, 'cluster/v deleted\n')
  // the same objects (uids), not new ones a controller made again
  assert.equal({db: uidOf('statefulset', 'db'), lookalike: uidOf('deployment', 'lookalike'), bare: uidOf('pod', 'bare'), pods: foreignPods().map((p) => p.metadata.uid).sort()}, before)
  // of the cluster itself nothing is left
  const left = objectsWithLabel(ns, 'kubectl-kd.io/cluster=v').filter((o) => !['statefulset.apps/db', 'deployment.apps/lookalike', 'pod/bare'].includes(o) && !foreignPods().some((p) => o === `pod/${p.metadata.name}`))
  assert.equal(left, [])
  assert.match(run(['get', 'cluster', 'v']).stderr, /cluster "v" not found/)
  kubectl(['-n', ns, 'delete', 'statefulset/db', 'deployment/lookalike', 'pod/bare', '--wait=false'])
})

own('create --dry-run=client -o yaml | kubectl apply -f -: delete removes its unowned objects, not an unowned ConfigMap with its labels and another name', () => {
  const printed = run(['create', 'shelldemo', 'piped', '--members', 'worker=2', '--dry-run=client', '-o', 'yaml'])
  assert.is(printed.code, 0, printed.stderr)
  kubectl(['apply', '-n', ns, '-f', '-'], {input: printed.stdout})
  const labels = {'kubectl-kd.io/cluster': 'piped', 'app.kubernetes.io/managed-by': 'kubectl-kd'}
  kubectl(['-n', ns, 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'piped-notes', labels}, data: {a: 'b'}})})
  const del = run(['delete', 'piped', '--wait', '--timeout', '3m'])
  assert.is(del.code, 0, del.stderr)
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=piped'), ['configmap/piped-notes'])
  kubectl(['-n', ns, 'delete', 'configmap/piped-notes'])
})

own.run()

const several = suite('several targets')

/** A driver pod as spark-submit makes it: enough for a job to exist. */
const driverPod = (job: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: `${job}-driver`, labels: {'spark-role': 'driver', 'spark-app-name': job, 'spark-app-selector': `spark-${job}`}},
  spec: {...podSpec, containers: [{...podSpec.containers[0], name: 'spark-kubernetes-driver'}]},
})

several('delete job/a job/b deletes both; delete cluster/x cluster/missing deletes x and reports missing, exit 1', async () => {
  kubectl(['-n', ns, 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: [driverPod('ja'), driverPod('jb'), driverPod('jc')]})})
  let r = run(['delete', 'job/ja', 'job/jb'])
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'job/ja deleted\njob/jb deleted\n')
  assert.not.ok(exists('pod', 'ja-driver'))
  assert.not.ok(exists('pod', 'jb-driver'))
  assert.ok(exists('pod', 'jc-driver'))

  r = run(['create', 'shelldemo', 'x', '--members', 'worker=2'])
  assert.is(r.code, 0, r.stderr)
  // status and describe of several: each found one, an error line for the missing one, exit 1
  for (const verb of [['status', 'cluster/x', 'job/jc', 'cluster/missing'], ['describe', 'cluster', 'missing', 'x']]) {
    r = run(verb)
    assert.is(r.code, 1, `${verb.join(' ')}: ${r.stderr}`)
    assert.match(r.stdout, /^Cluster:\s+x$/m, verb.join(' '))
    assert.equal(r.stderr.trim().split('\n'), ['error: cluster "missing" not found in namespace "' + ns + '" (kubectl kd get clusters lists them)'])
  }
  const json = JSON.parse(run(['status', 'cluster/x', 'job/jc', '-o', 'json']).stdout)
  assert.equal([json.kind, json.items.length, json.items[0].name], ['List', 2, 'x'])
  r = run(['get', 'clusters', 'x', 'missing'])
  assert.is(r.code, 1)
  assert.match(r.stdout, /^x\s+shelldemo/m)
  assert.match(r.stderr, /^error: cluster "missing" not found/m)

  r = run(['delete', 'cluster/x', 'cluster/missing', 'job/jc', 'job/gone', '--wait', '--timeout', '3m'])
  assert.is(r.code, 1, r.stderr)
  assert.is(r.stdout, 'cluster/x deleted\njob/jc deleted\n')
  assert.equal(r.stderr.trim().split('\n'), [`error: cluster "missing" not found in namespace "${ns}" (kubectl kd get clusters lists them)`, `error: job "gone" not found in namespace "${ns}" (kubectl kd get jobs lists them)`])
  assert.equal(objectsWithLabel(ns, 'kubectl-kd.io/cluster=x'), [])
  assert.not.ok(exists('pod', 'jc-driver'))

  r = run(['delete', 'cluster', 'x', 'missing', '--ignore-not-found'])
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout + r.stderr, '')
})

several.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})
several.run()
