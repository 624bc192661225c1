// Limits that hold under hostile config packages, on the local cluster (issue 20, items 3 and 5):
// a configure that hangs is killed at the script timeout (kubectl-kd.io/script-timeout) and its members
// show `config error` with the timeout and their last output; a fixed package applied afterwards is taken
// up by the same pods. A package that is tiny gzipped but huge unpacked is `config error` naming the
// limit, and the agent keeps running (no OOM, no restart).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
import {ANNOTATION} from '../../src/cluster/names.ts'
import {writeTar} from '../../src/cluster/package.ts'
import {eventually} from './agent-members.ts'

const ns = createNamespace('kd-e2e-agent-limits')
const run = (args: string[], input?: string) => kd([...args, '-n', ns], {env: clusterEnv(), input})
const pod = (name: string) => kubectlJson(['-n', ns, 'get', 'pod', name])
const ann = (name: string) => (pod(name).metadata.annotations ?? {}) as Record<string, string>
const agentPods = (cluster: string) =>
  kubectlJson(['-n', ns, 'get', 'pods', '-l', `kubectl-kd.io/cluster=${cluster},app.kubernetes.io/component=agent`]).items.filter((p: any) => !p.metadata.deletionTimestamp)
const tmp = mkdtempSync(join(tmpdir(), 'kd-e2e-limits-'))

/** A package directory `DIR/workerpkg` whose startscript runs `body` on --configure. */
function writePackage(body: string): string {
  const dir = join(tmp, 'workerpkg')
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'startscript'), `#!/bin/sh\n[ "$1" = --configure ] || exit 0\n${body}\n`)
  chmodSync(join(dir, 'startscript'), 0o755)
  return dir
}

const limits = suite('agent limits')
limits.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

limits('a hung configure is killed at the script timeout; a fixed package applied later configures the same pods', async () => {
  const timeout = 15
  const spec = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata:
  name: hang
  annotations: {kubectl-kd.io/script-timeout: "${timeout}s"}
spec:
  app: shelldemo
  roles:
  - {id: controller, members: 1}
  - {id: worker, members: 2}
`
  const file = join(tmp, 'hang.yaml')
  writeFileSync(file, spec)
  const dir = writePackage('echo "configuring worker, then waiting forever"\nsleep 100000 &\nwait')
  let r = run(['create', '-f', file, '--package', `worker=${dir}`])
  assert.is(r.code, 0, r.stderr)
  const workers = ['hang-worker-0', 'hang-worker-1']
  // configure starts once the container runs: time the error from then
  await eventually('workers running', () => workers.every((w) => pod(w).status?.containerStatuses?.[0]?.state?.running), 180_000)
  const t0 = Date.now()
  await eventually('workers config error', () => workers.every((w) => ann(w)[ANNOTATION.state] === 'config error'), (timeout + 60) * 1000)
  const took = (Date.now() - t0) / 1000
  console.log(`  hung configure → config error in ${took.toFixed(1)} s (timeout ${timeout} s)`)
  assert.ok(took < timeout + 45, `config error after ${took} s`)
  for (const w of workers) {
    const a = ann(w)
    assert.is(a[ANNOTATION.lastError], `execution of app config failed: configure timed out after ${timeout} s and was killed`)
    assert.match(a[ANNOTATION.lastOutput]!, 'configuring worker, then waiting forever')
    // the whole process group went: no sleep left behind
    const ps = kubectl(['-n', ns, 'exec', w, '-c', 'app', '--', 'ps'])
    assert.not.match(ps, 'sleep 100000', w)
  }
  assert.is(ann('hang-controller-0')[ANNOTATION.state], 'configured')
  const status = run(['status', 'hang'])
  assert.match(status.stdout, 'configure timed out after 15 s')
  assert.match(status.stdout, /Agent: +running/)
  const uids = workers.map((w) => pod(w).metadata.uid)
  // the fix, under the same directory: apply takes it up without deleting a pod
  writePackage('echo "configured worker"; mkdir -p /var/tmp/kd-record; echo fixed >>/var/tmp/kd-record/fixed')
  r = run(['apply', '-f', file, '--package', `worker=${dir}`])
  assert.is(r.code, 0, r.stderr)
  const t1 = Date.now()
  await eventually('workers configured', () => workers.every((w) => ann(w)[ANNOTATION.state] === 'configured'), 120_000)
  console.log(`  fixed package applied → workers configured in ${((Date.now() - t1) / 1000).toFixed(1)} s`)
  assert.equal(workers.map((w) => pod(w).metadata.uid), uids, 'the same pods')
  for (const w of workers) {
    assert.is(kubectl(['-n', ns, 'exec', w, '-c', 'app', '--', 'cat', '/var/tmp/kd-record/fixed']).trim(), 'fixed', 'the fixed configure ran once')
    assert.is(ann(w)[ANNOTATION.lastError], undefined)
  }
  await eventually('cluster configured', () => kubectlJson(['-n', ns, 'get', 'configmap', 'hang-kd']).metadata.annotations?.[ANNOTATION.state] === 'configured')
  // the controller's configure ran once (its package did not change)
  assert.is(kubectl(['-n', ns, 'exec', 'hang-controller-0', '-c', 'app', '--', 'sh', '-c', 'grep -c -- --configure /var/tmp/kd-record/calls.log']).trim(), '1')
  r = run(['delete', 'hang', '--wait'])
  assert.is(r.code, 0, r.stderr)
})

limits('a package tiny gzipped but over the limit unpacked: config error naming the limit, the agent not restarted', async () => {
  // 200 MB of zeros: about 200 KB gzipped, under the ConfigMap limit
  const tar = writeTar([{path: 'big', type: 'dir', mode: 0o755}, {path: 'big/startscript', type: 'file', mode: 0o755, data: new TextEncoder().encode('#!/bin/sh\nexit 0\n')}, {path: 'big/zeros', type: 'file', mode: 0o644, data: new Uint8Array(200 * 1000 * 1000)}])
  const tgz = gzipSync(tar, {level: 9})
  assert.ok(tgz.byteLength < 1000 * 1024, `${tgz.byteLength} bytes gzipped`)
  const f = join(tmp, 'package.tgz')
  writeFileSync(f, tgz)
  kubectl(['-n', ns, 'create', 'configmap', 'kd-pkg-big', `--from-file=package.tgz=${f}`])
  let r = run(['create', 'shelldemo', 'big', '--package', 'worker=configmap://kd-pkg-big'])
  assert.is(r.code, 0, r.stderr)
  const workers = ['big-worker-0', 'big-worker-1']
  await eventually('workers config error', () => workers.every((w) => ann(w)[ANNOTATION.state] === 'config error'), 240_000)
  for (const w of workers) assert.is(ann(w)[ANNOTATION.lastError], 'config package configmap://kd-pkg-big unpacks to more than 16 MiB, the limit for a config package')
  await eventually('controller configured', () => ann('big-controller-0')[ANNOTATION.state] === 'configured')
  const [agent] = agentPods('big')
  assert.is(agent.status.containerStatuses[0].restartCount, 0, 'the agent was not restarted')
  r = run(['status', 'big'])
  assert.match(r.stdout, /Agent: +running\n/)
  assert.match(r.stdout, 'unpacks to more than 16 MiB')
  // status says when the agent is not running
  kubectl(['-n', ns, 'scale', 'deployment', 'big-kd-agent', '--replicas=0'])
  await eventually('agent pod gone', () => agentPods('big').length === 0)
  r = run(['status', 'big'])
  assert.match(r.stdout, /Agent: +not running: no agent pod/)
  // the CLI refuses the same package from a directory, before writing anything
  const dir = join(tmp, 'bigdir')
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'startscript'), '#!/bin/sh\n', {mode: 0o755})
  writeFileSync(join(dir, 'zeros'), new Uint8Array(20 * 1024 * 1024))
  r = run(['create', 'shelldemo', 'big2', '--package', `worker=${dir}`])
  assert.is(r.code, 1)
  assert.is(r.stderr.trim(), `error: config package ${dir} is more than 16 MiB unpacked, the limit for a config package: leave large files out of it (put them in the image or fetch them from startscript)`)
  r = run(['delete', 'big', '--wait'])
  assert.is(r.code, 0, r.stderr)
})

limits.run()
