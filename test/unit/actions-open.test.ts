// The notebook token (one Secret per cluster, referenced by the jupyter members, never in the root),
// `open`'s choice of dashboard and its errors, the forwarding listener, and the browser command, against
// the fake kube client.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {connect as tcpConnect} from 'node:net'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import {FakeKube} from '../lib/fake-kube.ts'
import {converge} from '../lib/agent-keeper.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {clusterStatus} from '../../src/actions/cluster/clusters.ts'
import {openDashboard, resolveDashboard} from '../../src/actions/cluster/open.ts'
import {browserCommand, openBrowser} from '../../src/browser.ts'
import {R} from '../../src/kube/client.ts'
import {rejects} from '../lib/user-errors.ts'

const NS = 'team'
const request = (over: Partial<ClusterChangeRequest> = {}): ClusterChangeRequest => ({
  app: 'spark4',
  name: 'nb',
  members: ['worker=1', 'jupyter=1', 'connect=1'],
  images: [],
  packages: [],
  dryRun: 'none',
  allowExisting: false,
  ...over,
})
const running = (name: string) => ({apiVersion: 'v1', kind: 'Pod', metadata: {name, namespace: NS, labels: {}}, status: {phase: 'Running'}})

const token = suite('the notebook token')

token('create makes one Secret owned by the root; jupyter members read it by reference; the root and status never hold it', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  await converge(kube, 'nb')
  const secret = kube.find(R.secrets(NS), 'nb-kd-auth')!
  const value = Buffer.from(secret.data.token, 'base64').toString('utf8')
  assert.match(value, /^[0-9a-f]{48}$/)
  assert.equal(secret.metadata.ownerReferences.map((o: {name: string}) => o.name), ['nb-kd'])
  const env = (sts: string) => kube.find(R.statefulSets(NS), sts)!.spec.template.spec.containers[0].env
  assert.equal(env('nb-jupyter'), [{name: 'KD_AUTH_TOKEN', valueFrom: {secretKeyRef: {name: 'nb-kd-auth', key: 'token'}}}])
  assert.is(env('nb-controller'), undefined)
  assert.is(env('nb-connect'), undefined)
  const everythingElse = JSON.stringify([R.configMaps(NS), R.services(NS), R.statefulSets(NS), R.deployments(NS)].flatMap((r) => kube.all(r)))
  assert.not.ok(everythingElse.includes(value))
  // applied again: the same token
  await changeClusters(kube, request({allowExisting: true, members: ['worker=2', 'jupyter=1', 'connect=1']}))
  assert.is(kube.find(R.secrets(NS), 'nb-kd-auth')!.data.token, secret.data.token)
  const status = await clusterStatus(kube, 'nb')
  assert.equal(status.token, {secret: 'nb-kd-auth', key: 'token'})
  assert.not.ok(JSON.stringify(status).includes(value))
  const {clusterStatusText} = await import('../../src/output/clusters.ts')
  kube.seed(R.services(NS), {apiVersion: 'v1', kind: 'Service', metadata: {name: 'x', namespace: NS}, spec: {}})
  const text = clusterStatusText({...status, endpoints: [{member: 'nb-jupyter-0', service: 'nb-jupyter-0', name: 'jupyter-nb', port: 8888, nodePort: 30001, dashboard: true, authToken: true, url: 'http://10.0.0.1:30001/tree'}]})
  assert.match(text, /nb-jupyter-0\s+jupyter-nb\s+8888:30001\s+http:\/\/10\.0\.0\.1:30001\/tree\s+yes \(token\)/)
  assert.ok(text.includes(`Token:\n  kubectl get secret nb-kd-auth -n team -o jsonpath='{.data.token}' | base64 -d\n  or open it with the token: kubectl kd open nb jupyter-nb -n team`), text)
})

token('a dry run makes no Secret; an app without hasAuthToken services gets none', async () => {
  const dry = new FakeKube(NS)
  await changeClusters(dry, request({dryRun: 'server'}))
  assert.is(dry.all(R.secrets(NS)).length, 0)
  const demo = new FakeKube(NS)
  await changeClusters(demo, request({app: 'shelldemo', name: 'demo', members: []}))
  assert.equal(demo.all(R.secrets(NS)).map((s) => s.metadata.name), ['demo-kd-keys'], 'the cluster\'s key only')
})

const open = suite('open: which dashboard')

open('the first dashboard by default; a service id or a member picks; the token is added to Jupyter', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  kube.seed(R.pods(NS), running('nb-controller-0'), running('nb-worker-0'), running('nb-jupyter-0'), running('nb-connect-0'))
  const first = await resolveDashboard(kube, {kind: 'cluster', name: 'nb'})
  assert.equal(first, {pod: 'nb-controller-0', port: 8080, service: 'spark', label: 'Spark master UI', path: '/'})
  assert.equal(await resolveDashboard(kube, {kind: 'cluster', name: 'nb', select: 'nb-worker-0'}), {pod: 'nb-worker-0', port: 8081, service: 'spark-worker', label: 'Spark worker UI', path: '/'})
  const jupyter = await resolveDashboard(kube, {kind: 'cluster', name: 'nb', select: 'jupyter-nb'})
  const value = Buffer.from(kube.find(R.secrets(NS), 'nb-kd-auth')!.data.token, 'base64').toString('utf8')
  assert.equal(jupyter, {pod: 'nb-jupyter-0', port: 8888, service: 'jupyter-nb', label: 'Jupyter Notebook', path: '/tree', token: value})
  assert.is((await resolveDashboard(kube, {kind: 'cluster', name: 'nb', select: 'spark-ui'})).pod, 'nb-jupyter-0')
})

open('errors name what exists: an unknown dashboard, a member not running, a cluster or job not there', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  await rejects(resolveDashboard(kube, {kind: 'cluster', name: 'nb', select: 'spark-master'}), /^cluster "nb" has no dashboard or member "spark-master" \(dashboards: spark, spark-worker, jupyter-nb, spark-ui; members: nb-controller-0, nb-worker-0, nb-jupyter-0, nb-connect-0\)$/)
  await rejects(resolveDashboard(kube, {kind: 'cluster', name: 'nb'}), /^member nb-controller-0 of cluster "nb" is not there yet: kubectl kd status nb$/)
  kube.seed(R.pods(NS), {...running('nb-controller-0'), status: {phase: 'Pending'}})
  await rejects(resolveDashboard(kube, {kind: 'cluster', name: 'nb'}), /is not running \(Pending\)/)
  await rejects(resolveDashboard(kube, {kind: 'cluster', name: 'nope'}), /^cluster "nope" not found in namespace "team"/)
  await rejects(resolveDashboard(kube, {kind: 'job', name: 'pi'}), /^job "pi" not found in namespace "team"/)
})

open('the listener forwards each connection to the pod and stops on close', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  kube.seed(R.pods(NS), running('nb-controller-0'))
  const seen: string[] = []
  kube.portForwardHandler = async (req, local) => {
    seen.push(`${req.namespace}/${req.pod}:${req.port}`)
    local.end('hello from the pod')
  }
  const fwd = await openDashboard(kube, {kind: 'cluster', name: 'nb', addresses: ['localhost'], port: 0})
  assert.match(fwd.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
  const port = fwd.listening[0]!.port
  const answer = await new Promise<string>((resolve, reject) => {
    let text = ''
    const s = tcpConnect(port, '127.0.0.1')
    s.on('data', (d) => (text += d))
    s.on('end', () => resolve(text))
    s.on('error', reject)
  })
  assert.is(answer, 'hello from the pod')
  assert.equal(seen, ['team/nb-controller-0:8080'])
  // a port in use is one clear error
  await rejects(openDashboard(kube, {kind: 'cluster', name: 'nb', addresses: ['127.0.0.1'], port}), /^cannot listen on 127\.0\.0\.1:\d+: the port is in use \(choose another with --port\)$/)
  fwd.close()
  await fwd.closed
})

open('close ends the connections in flight (a browser\'s open WebSocket must not keep the command alive)', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  kube.seed(R.pods(NS), running('nb-controller-0'))
  let forwarded!: () => void
  const reached = new Promise<void>((resolve) => (forwarded = resolve))
  // a pod that keeps the connection open and never ends it
  kube.portForwardHandler = (_req, local) => new Promise<void>((resolve) => (local.once('close', () => resolve()), forwarded()))
  const fwd = await openDashboard(kube, {kind: 'cluster', name: 'nb', addresses: ['127.0.0.1'], port: 0})
  const client = tcpConnect(fwd.listening[0]!.port, '127.0.0.1')
  client.on('error', () => undefined)
  const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()))
  await reached
  fwd.close()
  await fwd.closed
  const ended = await Promise.race([clientClosed.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))])
  if (!ended) client.destroy()
  assert.ok(ended, 'the connection is still open 2 s after close()')
})

const browser = suite('the browser command')

browser('$BROWSER (with or without %s), else xdg-open when on PATH, else none', () => {
  const url = 'http://127.0.0.1:8888/tree?token=t'
  assert.equal(browserCommand(url, {BROWSER: 'firefox'}, () => true), ['firefox', url])
  assert.equal(browserCommand(url, {BROWSER: 'open -a Safari %s:lynx'}, () => true), ['open', '-a', 'Safari', url])
  assert.equal(browserCommand(url, {}, () => true), ['xdg-open', url])
  assert.is(browserCommand(url, {}, () => false), undefined)
})

browser('the notebook\'s token never reaches a command line: the browser opens a redirect file only this user reads', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  kube.seed(R.pods(NS), running('nb-jupyter-0'))
  // the token's Secret, whoever writes it
  if (!kube.find(R.secrets(NS), 'nb-kd-auth')) kube.seed(R.secrets(NS), {apiVersion: 'v1', kind: 'Secret', metadata: {name: 'nb-kd-auth'}, data: {token: Buffer.from('0123456789abcdef'.repeat(3)).toString('base64')}})
  const fwd = await openDashboard(kube, {kind: 'cluster', name: 'nb', select: 'jupyter-nb', addresses: ['127.0.0.1'], port: 0})
  const token = fwd.dashboard.token!
  assert.ok(token && fwd.url.endsWith(`/tree?token=${token}`), fwd.url)
  const runtime = mkdtempSync(`${tmpdir()}/kd-runtime-`)
  try {
    for (const env of [{BROWSER: 'firefox'}, {XDG_RUNTIME_DIR: runtime}]) {
      const launched: string[][] = []
      const done = openBrowser(fwd.url, {env, has: (cmd) => cmd === 'xdg-open', launch: (cmd) => launched.push(cmd)})
      assert.is(launched.length, 1)
      const argv = launched[0]!
      assert.not.ok(argv.join(' ').includes(token), argv.join(' '))
      assert.is(argv[0], env.BROWSER ?? 'xdg-open')
      assert.match(argv[1]!, /^file:\/\//)
      const file = fileURLToPath(argv[1]!)
      if (env.XDG_RUNTIME_DIR) assert.is(dirname(dirname(file)), runtime)
      // only this user reads it: the file 0600 in a fresh directory 0700
      assert.is(statSync(file).mode & 0o777, 0o600)
      assert.is(statSync(dirname(file)).mode & 0o777, 0o700)
      assert.is(statSync(file).uid, process.getuid!())
      assert.ok(readFileSync(file, 'utf8').includes(`url=${fwd.url.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}"`))
      done!()
      assert.not.ok(existsSync(dirname(file)), 'the redirect file goes when open ends')
    }
  } finally {
    rmSync(runtime, {recursive: true, force: true})
    fwd.close()
  }
  // a URL without a secret is opened as it is; no browser, nothing written
  const launched: string[][] = []
  openBrowser('http://127.0.0.1:8080/', {env: {BROWSER: 'firefox'}, launch: (cmd) => launched.push(cmd)})
  assert.equal(launched, [['firefox', 'http://127.0.0.1:8080/']])
  assert.is(openBrowser(fwd.url, {env: {}, has: () => false, launch: (cmd) => launched.push(cmd)}), undefined)
  assert.is(launched.length, 1)
})

token.run()
open.run()
browser.run()
