// Retries that back off and clean up after themselves, and jobs an interrupted submit half-made, on the
// local cluster (docs/job-lifecycle.md, docs/guarantees.md). The drivers run the small shell image through
// a driver pod template (its command, with Spark's arguments after it): one that fails at once, one that
// succeeds at once; no Spark is needed. A submit is cut short between its writes by a ResourceQuota that
// refuses its next object and a user who may not delete what it made (so its undo fails, as a killed CLI's
// never runs).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {clusterEnv, createNamespace, deleteNamespace, env, kubeconfigWithToken, kubectl, kubectlJson} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
import {eventually} from './agent-members.ts'

const ns = createNamespace('kd-e2e-retries')
const dir = mkdtempSync(join(tmpdir(), 'kd-retries-'))
const template = (name: string, script: string) => {
  const file = join(dir, `${name}.yaml`)
  writeFileSync(file, `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: driver\n    command: [/bin/sh, -c, ${JSON.stringify(script)}]\n`)
  return file
}
const failsAtOnce = template('fails', 'echo "flap: failing on purpose" >&2; exit 1')
const succeeds = template('succeeds', 'echo "half-made job completed"')
const shellJob = (tpl: string, pod?: string) => [...(pod ? ['--conf', `spark.kubernetes.driver.pod.name=${pod}`] : []), '--image', env.KD_SHELL_IMAGE!, '--service-account', 'spark', '--driver-memory', '100m', '--conf', 'spark.kubernetes.driver.request.cores=10m', '--conf', `spark.kubernetes.driver.podTemplateFile=${tpl}`, 'local:///opt/x.py']
const run = (args: string[], kubeconfig = env.KUBECONFIG!) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: {...clusterEnv(), KUBECONFIG: kubeconfig}, timeoutMs: 120_000})
const status = (job: string) => JSON.parse(run(['status', `job/${job}`, '-o', 'json']).stdout || '{}')
const names = (kind: string, selector?: string) => kubectl(['get', kind, '-n', ns, ...(selector ? ['-l', selector] : []), '-o', 'name']).trim().split('\n').filter(Boolean)

/** A user who may create what submit makes but delete nothing (its undo and rollback are refused). */
function cannotDelete(): string {
  kubectl(['-n', ns, 'create', 'serviceaccount', 'no-delete'])
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: {name: 'no-delete', namespace: ns},
    rules: [
      {apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create']},
      {apiGroups: [''], resources: ['pods/log'], verbs: ['get']},
      {apiGroups: [''], resources: ['services', 'configmaps'], verbs: ['get', 'list', 'create', 'patch']},
      {apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'create']},
      // the runner's Role holds pods delete, which this user lacks: escalate lets it create that Role anyway
      {apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'escalate', 'bind']},
      {apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get', 'list', 'create', 'patch']},
      {apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create']},
    ],
  }
  kubectl(['apply', '-f', '-'], {input: JSON.stringify(role)})
  kubectl(['-n', ns, 'create', 'rolebinding', 'no-delete', '--role=no-delete', `--serviceaccount=${ns}:no-delete`])
  return kubeconfigWithToken(ns, kubectl(['-n', ns, 'create', 'token', 'no-delete', '--duration=1h']).trim())
}

/**
 * A quota that admits no more objects of `resource` (count/…) than `expected` (the namespace's, once the
 * garbage collector has removed an earlier job's); ready once the controller has counted them.
 */
async function quotaAt(resource: string, plural: string, expected: string[]): Promise<void> {
  await eventually(`only ${expected.join(', ')} left`, () => JSON.stringify(names(plural)) === JSON.stringify(expected), 120_000, 1000)
  kubectl(['-n', ns, 'create', 'quota', 'hold', `--hard=count/${resource}=${expected.length}`])
  await eventually('the quota counted', () => kubectlJson<any>(['get', 'resourcequota', '-n', ns, 'hold']).status?.used?.[`count/${resource}`] === String(expected.length), 60_000)
}

const t = suite('retries back off and keep the last attempts; a re-run submit completes a half-made job')
let limited = ''

t('Always with a 0s interval and a driver that fails at once: the waits double from 1 s, and only the last 3 attempts keep their pod, Service and ConfigMap', async () => {
  kubectl(['-n', ns, 'create', 'serviceaccount', 'spark'])
  kubectl(['-n', ns, 'create', 'rolebinding', 'spark-edit', '--clusterrole=edit', `--serviceaccount=${ns}:spark`])
  limited = cannotDelete()
  const submitted = run(['submit', '--name', 'flap', '--restart-policy', 'Always', '--on-failure-retry-interval', '0s', ...shellJob(failsAtOnce)])
  assert.is(submitted.code, 0, submitted.stderr)
  try {
    await backsOffAndCleans()
  } finally {
    // (also when an assertion failed: the next tests count the namespace's ConfigMaps and Roles)
    run(['delete', 'job/flap'])
  }
})

async function backsOffAndCleans(): Promise<void> {
  // a pod of the user's with the run's labels: the clean-up selects by label, deletes by owner
  kubectl(['-n', ns, 'run', 'users-pod', `--image=${env.KD_SHELL_IMAGE}`, '--labels=kubectl-kd.io/run=flap,kubectl-kd.io/attempt=1', '--restart=Never', '--', 'sleep', '3600'])
  const s = await eventually('7 attempts', () => {
    const st = status('flap')
    return st.attempts?.filter((a: any) => a.state === 'FAILED').length >= 6 && st.attempts.length >= 7 && st
  }, 420_000, 2000)
  const a = s.attempts as {n: number; created: string; ended?: string; reason?: string}[]
  assert.match(a[0]!.reason!, /exit code 1/)
  // the wait before attempt k+1 is at least 2^(k-1) s (times at 1 s resolution: 1 s less)
  const gaps = a.slice(1, 6).map((x, i) => (Date.parse(x.created) - Date.parse(a[i]!.ended!)) / 1000)
  gaps.forEach((g, i) => assert.ok(g >= 2 ** i - 1, `wait before attempt ${i + 2}: ${g} s < ${2 ** i} s (${JSON.stringify(gaps)})`))
  assert.ok(gaps[4]! >= 15, `the fifth wait has doubled four times: ${JSON.stringify(gaps)}`)
  console.log(`  waits before attempts 2-6 (failed container's end → next attempt made): ${gaps.map((g) => `${g} s`).join(', ')}`)
  // the drivers of attempts older than the last 3, with what they owned, are deleted
  await eventually('only the last 3 attempts\' objects left', () => {
    const latest = Math.max(...status('flap').attempts.map((x: any) => x.n))
    const drivers = names('pods', 'kubectl-kd.io/job=flap,spark-role=driver')
    const numbers = drivers.map((d) => Number(/flap-(\d+)-driver$/.exec(d)?.[1]))
    const services = names('services')
    const confs = names('configmaps').filter((c) => c.startsWith('configmap/spark-drv-'))
    return drivers.length <= 3 && numbers.every((n) => n > latest - 3) && services.length <= 3 && confs.length <= 3
  }, 120_000, 1000)
  assert.equal(names('pods', 'kubectl-kd.io/attempt=1').filter((p) => p === 'pod/users-pod'), ['pod/users-pod'], "the user's pod is left alone")
  const kept = {drivers: names('pods', 'kubectl-kd.io/job=flap,spark-role=driver').length, services: names('services').length, confs: names('configmaps').filter((c) => c.startsWith('configmap/spark-drv-')).length}
  console.log(`  after ${status('flap').attempts.length} attempts: ${kept.drivers} driver pods, ${kept.services} Services, ${kept.confs} driver ConfigMaps kept`)
  assert.match(run(['delete', 'job/flap']).stdout, /^job\/flap deleted$/m)
}

t('submit cut short after its driver pod: status says why it is stuck; re-running the same submit completes it and it runs; a third run says already exists', async () => {
  await quotaAt('configmaps', 'configmaps', ['configmap/kube-root-ca.crt'])
  const cut = run(['submit', '--name', 'half', ...shellJob(succeeds, 'half-driver')], limited)
  assert.is(cut.code, 1, cut.stdout)
  assert.match(cut.stderr, /exceeded quota/)
  assert.equal(names('pods', 'spark-role=driver'), ['pod/half-driver'])
  kubectl(['-n', ns, 'delete', 'resourcequota', 'hold'])
  const stuck = JSON.parse(run(['status', 'job/half', '-o', 'json']).stdout)
  assert.match(stuck.reason, /^half-made: configmap\/spark-drv-\S+-conf-map is missing \(its submit was interrupted\); re-run the same kubectl kd submit/)
  const uid = kubectlJson<any>(['get', 'pod', '-n', ns, 'half-driver']).metadata.uid
  const again = run(['submit', '--name', 'half', ...shellJob(succeeds, 'half-driver')])
  assert.is(again.code, 0, again.stderr)
  assert.match(again.stdout, /^job\/half configured$/m)
  assert.match(again.stderr, /pod\/half-driver was half-made by an interrupted submit: (service\/\S+, )?configmap\/spark-drv-\S+ created/)
  await eventually('the completed job to succeed', () => kubectlJson<any>(['get', 'pod', '-n', ns, 'half-driver']).status.phase === 'Succeeded', 180_000, 1000)
  assert.is(kubectlJson<any>(['get', 'pod', '-n', ns, 'half-driver']).metadata.uid, uid, 'the same pod, not a second one')
  assert.match(kubectl(['logs', '-n', ns, 'half-driver']), /half-made job completed/)
  const third = run(['submit', '--name', 'half', ...shellJob(succeeds, 'half-driver')])
  assert.is(third.code, 1)
  assert.match(third.stderr, /^error: job "half" already exists in namespace/m)
})

t('a managed submit cut short after its root: PENDING with the reason; re-running the same submit completes and resumes it, and it runs to COMPLETED', async () => {
  await quotaAt('roles.rbac.authorization.k8s.io', 'roles', ['role.rbac.authorization.k8s.io/no-delete'])
  const args = ['submit', '--name', 'mhalf', '--restart-policy', 'OnFailure', '--on-failure-retries', '2', ...shellJob(succeeds)]
  const cut = run(args, limited)
  assert.is(cut.code, 1, cut.stdout)
  assert.match(cut.stderr, /exceeded quota/)
  const root = kubectlJson<any>(['get', 'job', '-n', ns, 'mhalf'])
  assert.is(root.spec.suspend, true)
  kubectl(['-n', ns, 'delete', 'resourcequota', 'hold'])
  const stuck = status('mhalf')
  assert.is(stuck.state, 'PENDING')
  assert.match(stuck.reason, /^half-made: its submit was interrupted before the job was whole/)
  const again = run(args)
  assert.is(again.code, 0, again.stderr)
  assert.match(again.stdout, /^job\/mhalf configured$/m)
  const s = await eventually('mhalf to complete', () => {
    const st = status('mhalf')
    return ['COMPLETED', 'FAILED'].includes(st.state) && st
  }, 300_000, 2000)
  assert.is(s.state, 'COMPLETED', JSON.stringify(s))
  assert.is(kubectlJson<any>(['get', 'job', '-n', ns, 'mhalf']).metadata.uid, root.metadata.uid, 'the same root')
  const third = run(args)
  assert.is(third.code, 1)
  assert.match(third.stderr, /already exists/)
})

t.after(() => deleteNamespace(ns))
t.run()
