// The agent end to end against fake members: every exec runs the real member scripts (setup.sh,
// notify.sh, configcli) in a local sh with per-member directories, so the protocol (configure once,
// --addnodes/--delnodes with exact FQDNs, config error output, agent restart mid-configure) is checked
// without a cluster. Pod and root objects are plain in-memory objects patched like the API would.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Agent, type AgentIO, type PodLike, type RootLike} from '../../agent/src/agent.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL, memberFqdn} from '../../src/cluster/names.ts'
import {configMapPackageURL, packDirectory, writeTar} from '../../src/cluster/package.ts'
import {gzipSync} from 'node:zlib'
import {newClusterKey, sealValue} from '../../src/cluster/secret-keys.ts'

const base = mkdtempSync(join(tmpdir(), 'kd-agent-proto-'))
const pkgDir = join(base, 'pkg', 'demo')
mkdirSync(pkgDir, {recursive: true})
writeFileSync(join(pkgDir, 'startscript'), `#!/bin/sh
log=$KD_GUESTCONFIG_ETC/../calls.log
echo "$* self=$(configcli --get node.fqdn) all=$(configcli --get_all_fqdns)" >>"$log"
[ "$1" = --configure ] && [ -e "$KD_GUESTCONFIG_ETC/../slow" ] && sleep "$(cat "$KD_GUESTCONFIG_ETC/../slow")"
[ "$1" = --configure ] && [ -e "$KD_GUESTCONFIG_ETC/../fail" ] && { echo "configuring"; echo "boom: bad config" >&2; exit 7; }
exit 0
`)
chmodSync(join(pkgDir, 'startscript'), 0o755)
const tgz = packDirectory(pkgDir)

const app = {
  id: 'demo', label: {name: 'd', description: ''}, distroID: 'x/demo', version: '1', configSchemaVersion: 8, systemdRequired: false, capabilities: [],
  defaultConfig: {selectedRoles: ['a', 'b'], configMeta: {}}, source: 'builtin',
  services: [{id: 'web', label: {name: 'web'}, endpoint: {port: 80, urlScheme: 'http', isDashboard: false, hasAuthToken: false}}],
  roles: ['a', 'b'].map((id) => ({id, cardinality: '0+', imageRepoTag: 'img', configPackage: {packageURL: 'configmap://kd-pkg-demo', useNewSetupLayout: true}, persistDirs: [], eventList: ['configure', 'addnodes', 'delnodes'], minResources: {}, serviceIds: ['web'], maxLogSizeDump: 256})),
}
const resources = {requests: {cpu: '1', memory: '64Mi'}, limits: {cpu: '1', memory: '64Mi'}}
const clusterJson = (a: number, b: number) => ({name: 'c', namespace: 'ns', app: 'demo', labels: {}, roles: [['a', a], ['b', b]].map(([id, members]) => ({id, members, resources, env: [], podLabels: {}, podAnnotations: {}, serviceLabels: {}, serviceAnnotations: {}}))})

class World {
  pods = new Map<string, PodLike>()
  /** package ConfigMaps by name (readPackageConfigMap); the default one holds the demo package */
  packages = new Map<string, Uint8Array>()
  root: RootLike
  rv = 1
  agent!: Agent
  dir: string
  /** the next this many root patches fail, as while the API server is unreachable */
  failRootPatches = 0
  /** root patches take this long (so that several could be in flight); the most ever in flight at once */
  rootPatchMs = 0
  rootInFlight = 0
  maxRootInFlight = 0
  rootPatches = 0
  /** Events recorded, as `REASON: message` */
  events: string[] = []
  logs: string[] = []
  /** the key in the cluster's key Secret (readKeysSecret) */
  clusterKey: Uint8Array | undefined
  constructor(name: string, a: number, b: number, appDef: object = app, cluster: object = clusterJson(a, b)) {
    this.dir = join(base, name)
    this.root = {metadata: {name: 'c-kd', uid: 'root-uid', annotations: {}, resourceVersion: '1'}, data: {'app.json': JSON.stringify(appDef), 'cluster.json': JSON.stringify(cluster)}}
  }
  fqdn(pod: string) {
    return memberFqdn(pod, 'c', 'ns')
  }
  addPod(role: string, index: number, container = 'cid-1') {
    const name = `c-${role}-${index}`
    mkdirSync(join(this.dir, name, 'opt'), {recursive: true})
    mkdirSync(join(this.dir, name, 'etc'), {recursive: true})
    this.pods.set(name, {metadata: {name, uid: `${name}-uid`, labels: {[LABEL.cluster]: 'c', [LABEL.role]: role}, annotations: {}, resourceVersion: String(++this.rv)}, status: {phase: 'Running', conditions: [], containerStatuses: [{name: 'app', containerID: `${container}-${name}`, state: {running: {}}}]}})
    this.agent?.setPods(this.pods.values())
  }
  deletePod(name: string) {
    this.pods.delete(name)
    this.agent.setPods(this.pods.values())
  }
  /** a new app definition on the root (as `kubectl kd apply` writes it) */
  setApp(next: object) {
    this.root = {...this.root, metadata: {...this.root.metadata, resourceVersion: String(++this.rv)}, data: {...this.root.data, 'app.json': JSON.stringify(next)}}
    this.agent.setRoot(this.root)
  }
  scale(a: number, b: number) {
    this.root = {...this.root, metadata: {...this.root.metadata, resourceVersion: String(++this.rv)}, data: {...this.root.data, 'cluster.json': JSON.stringify(clusterJson(a, b))}}
    this.agent.setRoot(this.root)
  }
  /** a scale as `kubectl kd scale` writes it: the new cluster and the state `updating` */
  scaleAsTheCli(a: number, b: number) {
    const annotations = {...this.root.metadata!.annotations, [ANNOTATION.state]: 'updating'}
    this.root = {...this.root, metadata: {...this.root.metadata, annotations, resourceVersion: String(++this.rv)}, data: {...this.root.data, 'cluster.json': JSON.stringify(clusterJson(a, b))}}
    this.agent.setRoot(this.root)
  }
  calls(pod: string): string[] {
    const f = join(this.dir, pod, 'calls.log')
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : []
  }
  io(): AgentIO {
    const patchPod = (name: string, ann: Record<string, string | null>) => {
      const p = this.pods.get(name)
      if (!p) throw new Error('not found')
      const a = {...p.metadata!.annotations}
      for (const [k, v] of Object.entries(ann)) if (v === null) delete a[k]; else a[k] = v
      const next = {...p, metadata: {...p.metadata, annotations: a, resourceVersion: String(++this.rv)}}
      this.pods.set(name, next)
      setImmediate(() => this.agent.setPods(this.pods.values()))
      return next
    }
    return {
      exec: (pod, command, stdin) => new Promise((resolve) => {
        const d = join(this.dir, pod)
        const child = spawn(command[0]!, command.slice(1), {env: {PATH: process.env.PATH, KD_GUESTCONFIG_DIR: join(d, 'opt'), KD_GUESTCONFIG_ETC: join(d, 'etc')}})
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (b) => (stdout += b))
        child.stderr.on('data', (b) => (stderr += b))
        child.on('close', (code) => resolve({code: code ?? 1, stdout, stderr}))
        child.stdin.on('error', () => {})
        child.stdin.end(stdin ? Buffer.from(stdin) : undefined)
      }),
      patchPod: async (pod, ann) => patchPod(pod, ann),
      setCondition: async (pod, status, reason, _message, ann = {}) => {
        const p = this.pods.get(pod)!
        const conditions = [...(p.status!.conditions ?? []).filter((c) => c.type !== CONFIGURED_CONDITION), {type: CONFIGURED_CONDITION, status, reason}]
        const annotations = {...p.metadata!.annotations}
        for (const [k, v] of Object.entries(ann)) if (v === null) delete annotations[k]; else annotations[k] = v
        const next = {...p, metadata: {...p.metadata, annotations, resourceVersion: String(++this.rv)}, status: {...p.status, conditions}}
        this.pods.set(pod, next)
        setImmediate(() => this.agent.setPods(this.pods.values()))
        return next
      },
      patchRoot: async (ann) => {
        if (this.failRootPatches > 0 && this.failRootPatches--) throw new Error('connect ETIMEDOUT')
        this.rootPatches++
        this.maxRootInFlight = Math.max(this.maxRootInFlight, ++this.rootInFlight)
        await new Promise((r) => setTimeout(r, this.rootPatchMs))
        this.rootInFlight--
        this.root = {...this.root, metadata: {...this.root.metadata, annotations: {...this.root.metadata!.annotations, ...(ann as Record<string, string>)}, resourceVersion: String(++this.rv)}}
        setImmediate(() => this.agent.setRoot(this.root))
      },
      event: async (reason, message) => void this.events.push(`${reason}: ${message}`),
      readPackageConfigMap: async (name) => this.packages.get(name) ?? tgz,
      fetchURL: async () => { throw new Error('no network') },
      readKeysSecret: async () => this.clusterKey,
      log: (m) => void this.logs.push(m),
    }
  }
  start() {
    this.agent = new Agent(this.io(), {cluster: 'c', namespace: 'ns'})
    this.agent.setRoot(this.root)
    this.agent.setPods(this.pods.values())
  }
  state() {
    return this.root.metadata?.annotations?.[ANNOTATION.state]
  }
  async until(what: string, fn: () => boolean, ms = 15000) {
    const end = Date.now() + ms
    while (!fn()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; root ${JSON.stringify(this.root.metadata?.annotations)}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

const podState = (w: World, pod: string) => w.pods.get(pod)?.metadata?.annotations?.[ANNOTATION.state]

test('configure runs once per member with the right configmeta; scale up/down notify exactly the changed FQDNs', async () => {
  const w = new World('scale', 1, 2)
  w.addPod('a', 0)
  w.addPod('b', 0)
  w.addPod('b', 1)
  w.start()
  await w.until('configured', () => w.state() === 'configured')
  const all = ['c-a-0', 'c-b-0', 'c-b-1'].map((p) => w.fqdn(p)).join(',')
  for (const p of ['c-a-0', 'c-b-0', 'c-b-1']) {
    assert.equal(w.calls(p), [`--configure self=${w.fqdn(p)} all=${all}`], p)
    assert.is(w.pods.get(p)!.status!.conditions![0]!.status, 'True')
  }
  // scale b up to 3
  w.scale(1, 3)
  w.addPod('b', 2)
  await w.until('b-2 configured and others notified', () => w.state() === 'configured' && w.calls('c-a-0').length === 2)
  assert.is(w.calls('c-a-0')[1], `--addnodes --nodegroup 1 --role b --fqdns ${w.fqdn('c-b-2')} self=${w.fqdn('c-a-0')} all=${all},${w.fqdn('c-b-2')}`)
  assert.is(w.calls('c-b-0')[1]!.split(' self=')[0], `--addnodes --nodegroup 1 --role b --fqdns ${w.fqdn('c-b-2')}`)
  assert.equal(w.calls('c-b-2').length, 1, 'the new member is configured, not notified about itself')
  // scale b down to 1
  w.scale(1, 1)
  w.deletePod('c-b-2')
  w.deletePod('c-b-1')
  await w.until('delnodes', () => w.state() === 'configured' && w.calls('c-a-0').length === 3)
  assert.is(w.calls('c-a-0')[2]!.split(' self=')[0], `--delnodes --nodegroup 1 --role b --fqdns ${w.fqdn('c-b-1')},${w.fqdn('c-b-2')}`)
  assert.is(w.calls('c-b-0')[2]!.split(' self=')[0], `--delnodes --nodegroup 1 --role b --fqdns ${w.fqdn('c-b-1')},${w.fqdn('c-b-2')}`)
  w.agent.stop()
})

test('cluster state events: the state the CLI writes (updating) and the one after it (configured) each get one, the newest says the state', async () => {
  const w = new World('state-events', 1, 1)
  w.addPod('a', 0)
  w.addPod('b', 0)
  w.start()
  await w.until('configured', () => w.state() === 'configured')
  w.scaleAsTheCli(1, 2)
  w.addPod('b', 1)
  await w.until('configured again', () => w.state() === 'configured' && w.calls('c-b-1').length === 1 && w.calls('c-a-0').length === 2)
  await new Promise((r) => setTimeout(r, 50))
  const states = w.events.filter((e) => e.startsWith('ClusterState: '))
  // (this root starts without a state, so the agent's first one, creating, is a transition of its own)
  assert.equal(states, ['ClusterState: cluster c is creating', 'ClusterState: cluster c is configured', 'ClusterState: cluster c is updating', 'ClusterState: cluster c is configured'])
  w.agent.stop()
})

test('a failing startscript gives config error with its output; a new pod recovers', async () => {
  const w = new World('fail', 1, 0)
  w.addPod('a', 0)
  writeFileSync(join(w.dir, 'c-a-0', 'fail'), '')
  w.start()
  await w.until('config error', () => podState(w, 'c-a-0') === 'config error' && w.state() === 'configured')
  const ann = w.pods.get('c-a-0')!.metadata!.annotations!
  assert.is(ann[ANNOTATION.lastError], 'execution of app config failed: configure failed with exit status 7')
  assert.match(ann[ANNOTATION.lastOutput]!, 'boom: bad config')
  assert.is(w.pods.get('c-a-0')!.status!.conditions![0]!.status, 'False')
  // fix, then "delete the pod": a new pod object with a new container and fresh directories
  w.deletePod('c-a-0')
  w.dir = join(base, 'fail-2')
  w.addPod('a', 0, 'cid-2')
  await w.until('configured', () => podState(w, 'c-a-0') === 'configured')
  w.agent.stop()
})

test("a role's maxLogSizeDump bounds what its status keeps of each stream", async () => {
  const short = {...app, roles: app.roles.map((r) => ({...r, maxLogSizeDump: 6}))}
  const w = new World('fail-short', 1, 0, short)
  w.addPod('a', 0)
  writeFileSync(join(w.dir, 'c-a-0', 'fail'), '')
  w.start()
  await w.until('config error', () => podState(w, 'c-a-0') === 'config error')
  const out = w.pods.get('c-a-0')!.metadata!.annotations![ANNOTATION.lastOutput]!
  const [stdout, stderr] = out.split('\n').filter((l) => l.startsWith('stdout: ') || l.startsWith('stderr: '))
  assert.ok(stdout!.length - 'stdout: '.length <= 6 && stderr!.length - 'stderr: '.length <= 6, JSON.stringify(out))
  assert.match(out, 'config')
  w.agent.stop()
})

test('agent restarted mid-configure: no second configure, the running one is not lost', async () => {
  const w = new World('restart', 1, 0)
  w.addPod('a', 0)
  writeFileSync(join(w.dir, 'c-a-0', 'slow'), '1')
  w.start()
  await w.until('configure started', () => w.calls('c-a-0').length === 1)
  w.agent.stop() // the first agent dies; its exec (the member's sh) keeps running, as on a real cluster
  w.start()
  await w.until('configured', () => podState(w, 'c-a-0') === 'configured', 10000)
  await new Promise((r) => setTimeout(r, 300))
  assert.is(w.calls('c-a-0').length, 1, 'configure ran exactly once')
  assert.match(readFileSync(join(w.dir, 'c-a-0', 'opt', 'configure.status'), 'utf8'), /^cid-1-c-a-0=0$/)
  w.agent.stop()
})

test('a root patch that fails (API server unreachable) is written again, with no further change to trigger it', async () => {
  const w = new World('root-patch', 1, 0)
  w.addPod('a', 0)
  w.failRootPatches = 2
  w.start()
  await w.until('member configured', () => podState(w, 'c-a-0') === 'configured')
  await w.until('cluster configured on the root', () => w.state() === 'configured', 5000)
  assert.is(w.failRootPatches, 0)
  w.agent.stop()
})

test('root patches go one at a time, the newest last (side by side they can land out of order)', async () => {
  const w = new World('root-order', 4, 4)
  for (let i = 0; i < 4; i++) {
    w.addPod('a', i)
    w.addPod('b', i)
  }
  w.rootPatchMs = 30
  w.start()
  await w.until('configured', () => w.state() === 'configured' && w.rootInFlight === 0)
  assert.is(w.maxRootInFlight, 1)
  await new Promise((r) => setTimeout(r, 100))
  assert.is(w.state(), 'configured')
  w.agent.stop()
})

test('member counts alone reach the root at most once a second; the state at once, with the final counts', async () => {
  const w = new World('root-rate', 12, 12)
  for (let i = 0; i < 12; i++) {
    w.addPod('a', i)
    w.addPod('b', i)
  }
  const t0 = Date.now()
  w.start()
  await w.until('configured', () => w.state() === 'configured' && w.rootInFlight === 0)
  const seconds = (Date.now() - t0) / 1000
  // creating, configured, and a counts-only write per second at most (24 members changed it 48 times)
  assert.ok(w.rootPatches <= 2 + Math.ceil(seconds) + 1, `${w.rootPatches} root patches in ${seconds.toFixed(1)} s`)
  const rollup = JSON.parse(w.root.metadata!.annotations![ANNOTATION.rollup]!)
  assert.equal(rollup.counts, {configured: 24})
  w.agent.stop()
})

/** A package directory `name` whose startscript is `body`, packed. */
function makePackage(name: string, body: string): Uint8Array {
  const dir = join(base, 'pkgs', name, 'appconfig')
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'startscript'), `#!/bin/sh\necho "$*" >>"$KD_GUESTCONFIG_ETC/../calls.log"\n${body}\n`)
  chmodSync(join(dir, 'startscript'), 0o755)
  return packDirectory(dir)
}

/** The demo app with a package ConfigMap per role (URLs carry the content hash, as `create` writes them) and a script timeout. */
function appWith(packages: Record<'a' | 'b', {cm: string; tgz: Uint8Array}>, timeout?: number) {
  return {
    ...app,
    ...(timeout ? {scriptTimeoutSeconds: timeout} : {}),
    roles: app.roles.map((r) => ({...r, configPackage: {packageURL: configMapPackageURL(packages[r.id as 'a' | 'b'].cm, packages[r.id as 'a' | 'b'].tgz), useNewSetupLayout: true}})),
  }
}

/** A process that runs (a killed one may linger as a zombie until its reaper gets to it). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

test('a hung configure is killed at the script timeout (with its children): config error with its output; a changed package sets the same pod up again', async () => {
  const hang = makePackage('hang', 'echo "configuring, then hanging"\necho $$ >"$KD_GUESTCONFIG_ETC/../script.pid"\nsleep 1000 &\necho $! >"$KD_GUESTCONFIG_ETC/../child.pid"\nwait')
  const ok = makePackage('ok', 'exit 0')
  const w = new World('hang', 1, 1, appWith({a: {cm: 'kd-pkg-a', tgz: hang}, b: {cm: 'kd-pkg-b', tgz: ok}}, 2))
  w.packages.set('kd-pkg-a', hang)
  w.packages.set('kd-pkg-b', ok)
  w.addPod('a', 0)
  w.addPod('b', 0)
  const t0 = Date.now()
  w.start()
  await w.until('config error', () => podState(w, 'c-a-0') === 'config error', 15000)
  const took = (Date.now() - t0) / 1000
  assert.ok(took < 2 + 6, `config error after ${took} s`)
  const ann = w.pods.get('c-a-0')!.metadata!.annotations!
  assert.is(ann[ANNOTATION.lastError], 'execution of app config failed: configure timed out after 2 s and was killed')
  assert.match(ann[ANNOTATION.lastOutput]!, 'configuring, then hanging')
  const pid = (f: string) => Number(readFileSync(join(w.dir, 'c-a-0', f), 'utf8'))
  assert.not.ok(alive(pid('script.pid')), 'the startscript is gone')
  assert.not.ok(alive(pid('child.pid')), 'its child (same process group) is gone')
  assert.is(podState(w, 'c-b-0'), 'configured')
  // the fixed package under the same ConfigMap name: a new hash in the URL, the same pod and container
  const fixed = makePackage('fixed', 'echo fixed')
  w.packages.set('kd-pkg-a', fixed)
  const b2 = makePackage('ok2', 'exit 0')
  w.packages.set('kd-pkg-b', b2)
  w.setApp(appWith({a: {cm: 'kd-pkg-a', tgz: fixed}, b: {cm: 'kd-pkg-b', tgz: b2}}, 2))
  await w.until('configured with the fixed package', () => podState(w, 'c-a-0') === 'configured' && w.state() === 'configured')
  assert.equal(w.calls('c-a-0'), ['--configure', '--configure'], 'configure ran again for the same container')
  assert.match(readFileSync(join(w.dir, 'c-a-0', 'opt', 'configure.status'), 'utf8'), /^cid-1-c-a-0=0$/)
  assert.is(w.pods.get('c-a-0')!.metadata!.annotations![ANNOTATION.lastError], undefined)
  // a configured member is not disturbed by its role's new package: configure ran once for its container
  assert.equal(w.calls('c-b-0'), ['--configure'])
  w.agent.stop()
})

test('a package that unpacks beyond the limit: its role is config error naming the package and the limit; the other role is configured', async () => {
  const big = new Uint8Array(gzipSync(writeTar([{path: 'big', type: 'dir', mode: 0o755}, {path: 'big/startscript', type: 'file', mode: 0o755, data: new Uint8Array(20 * 1024 * 1024)}])))
  assert.ok(big.byteLength < 100 * 1024, 'tiny gzipped')
  const ok = makePackage('ok3', 'exit 0')
  const w = new World('big', 2, 1, appWith({a: {cm: 'kd-pkg-big', tgz: big}, b: {cm: 'kd-pkg-b', tgz: ok}}))
  w.packages.set('kd-pkg-big', big)
  w.packages.set('kd-pkg-b', ok)
  w.addPod('a', 0)
  w.addPod('a', 1)
  w.addPod('b', 0)
  w.start()
  await w.until('settled', () => w.state() === 'configured')
  for (const p of ['c-a-0', 'c-a-1']) {
    assert.is(podState(w, p), 'config error')
    assert.is(w.pods.get(p)!.metadata!.annotations![ANNOTATION.lastError], 'config package configmap://kd-pkg-big unpacks to more than 16 MiB, the limit for a config package')
    assert.equal(w.calls(p), [], 'nothing ran in the member')
  }
  assert.is(podState(w, 'c-b-0'), 'configured')
  w.agent.stop()
})

test('a hung --addnodes is killed at the timeout and its member shows config error with its output', async () => {
  const pkg = makePackage('hang-add', '[ "$1" = --addnodes ] && { echo adding; sleep 1000; }\nexit 0')
  const w = new World('hang-add', 1, 0, appWith({a: {cm: 'kd-pkg-a', tgz: pkg}, b: {cm: 'kd-pkg-a', tgz: pkg}}, 1))
  w.packages.set('kd-pkg-a', pkg)
  w.addPod('a', 0)
  w.start()
  await w.until('configured', () => w.state() === 'configured')
  w.scale(2, 0)
  w.addPod('a', 1)
  await w.until('config error', () => podState(w, 'c-a-0') === 'config error', 15000)
  const ann = w.pods.get('c-a-0')!.metadata!.annotations!
  assert.match(ann[ANNOTATION.lastError]!, /^--addnodes --role a timed out after 1 s and was killed$/)
  assert.match(ann[ANNOTATION.lastOutput]!, 'adding')
  w.agent.stop()
})


test('a pod that starts while our own patch of it is in flight is set up (the informer copy is newer than the patched one)', async () => {
  const w = new World('starts-during-patch', 1, 0)
  w.addPod('a', 0)
  // the member's container has not started yet; its `creating` mark is from a container that is gone
  const name = 'c-a-0'
  const running = w.pods.get(name)!
  w.pods.set(name, {...running, metadata: {...running.metadata, annotations: {[ANNOTATION.state]: 'creating'}}, status: {phase: 'Pending', conditions: []}})
  const io = w.io()
  const patchPod = io.patchPod
  io.patchPod = async (pod, ann) => {
    const patched = await patchPod(pod, ann)
    // the kubelet reports the container running right after our `create pending` patch: the informer's
    // next (and last) delivery is that newer copy, never the patched one alone
    if (ann[ANNOTATION.state] === 'create pending') {
      const p = w.pods.get(pod)!
      w.pods.set(pod, {...p, metadata: {...p.metadata, resourceVersion: String(++w.rv)}, status: running.status})
    }
    return patched
  }
  w.agent = new Agent(io, {cluster: 'c', namespace: 'ns'})
  w.agent.setRoot(w.root)
  w.agent.setPods(w.pods.values())
  await w.until('configured', () => podState(w, name) === 'configured' && w.state() === 'configured', 15000)
  w.agent.stop()
})


test("secretKeys: the role's keys reach its members' configmeta in clear, sealed everywhere else; a missing key Secret is a config error naming it", async () => {
  const key = newClusterKey()
  const sealed = sealValue(key, 'pa55-w0rd')
  const cluster = clusterJson(1, 1)
  cluster.roles[0] = {...cluster.roles[0]!, secretKeys: [{name: 'db', encryptedValue: sealed}]} as (typeof cluster.roles)[number]
  const w = new World('secret-keys', 1, 1, app, cluster)
  w.clusterKey = key
  w.addPod('a', 0)
  w.addPod('b', 0)
  w.start()
  await w.until('configured', () => w.state() === 'configured')
  const meta = (pod: string) => JSON.parse(readFileSync(join(w.dir, pod, 'etc', 'configmeta.json'), 'utf8'))
  assert.equal(meta('c-a-0').nodegroups['1'].roles.a.secret_keys, {db: 'pa55-w0rd'})
  assert.is(meta('c-a-0').nodegroups['1'].roles.b.secret_keys, undefined)
  const everywhere = JSON.stringify({root: w.root, pods: [...w.pods.values()], events: w.events, logs: w.logs})
  assert.not.ok(everywhere.includes('pa55-w0rd'))
  w.agent.stop()

  const broken = new World('secret-keys-missing', 1, 0, app, cluster)
  broken.addPod('a', 0)
  broken.start()
  await broken.until('config error', () => podState(broken, 'c-a-0') === 'config error')
  assert.match(broken.pods.get('c-a-0')!.metadata!.annotations![ANNOTATION.lastError]!, /key Secret c-kd-keys is missing/)
  broken.agent.stop()
})

test.run()
