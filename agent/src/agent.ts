// The agent's runtime: turns informer changes into plan() actions and runs them, one task per member at
// a time, members in parallel (a slow or failing member never blocks another), failed tasks retried with
// backoff. All I/O goes through AgentIO, so tests can drive it with fakes and main.ts wires in src/kube.
import {DEFAULT_MAX_LOG_SIZE_DUMP, type App} from '../../src/app/model.ts'
import type {ResolvedCluster} from '../../src/cluster/model.ts'
import {ANNOTATION, CONFIGURED_CONDITION, ROOT_KEYS, memberFqdn, memberPodName, type ClusterState} from '../../src/cluster/names.ts'
import {packageConfigMapFromURL, packageConfigMapName, packageHash, packageHashFromURL, PackageLimitError, prefixEntries, readTar, writeTar, type TarEntry} from '../../src/cluster/package.ts'
import {scriptTimeoutOf} from '../../src/app/script-timeout.ts'
import {configmeta, configmetaEnv, type MemberInfo} from '../../src/cluster/configmeta.ts'
import {connectionsMeta, connectionsVersion, type ConfigmetaConnections, type ConnectedCluster, type ConnectedObject, type ConnectedState} from '../../src/cluster/connections.ts'
import {configcliKeyFile} from './configcli-keys.ts'
import {hasSecretKeys, openSecretKeys} from '../../src/cluster/secret-keys.ts'
import {observePod, type PodLike} from '../../src/cluster/member-state.ts'
import type {KeeperStatus} from './keeper.ts'
import {CONFIGCLI_SH, INJECT_SH, LIMITED_SH, NOTIFY_SH, SETUP_SH} from './member-scripts.ts'
import {CONNECTIONS_ANNOTATION, KNOWN_MEMBERS_ANNOTATION, encodeMembers, membershipSignature, plan, rollup, type Action, type DesiredMember, type ObservedPod, type PlanInput, type RolePolicy} from './plan.ts'

export type {PodLike}

export interface RootLike {
  metadata?: {name?: string; uid?: string; annotations?: Record<string, string>; resourceVersion?: string}
  data?: Record<string, string>
}

export interface ExecOutcome {
  code: number
  stdout: string
  stderr: string
}

export interface AgentIO {
  /** `timeoutMs`: give up (an error, so retried) when no result came by then */
  exec(pod: string, command: string[], stdin?: Uint8Array, timeoutMs?: number): Promise<ExecOutcome>
  /** both resolve to the patched pod (kept locally until the informer catches up) */
  patchPod(pod: string, annotations: Record<string, string | null>): Promise<PodLike | void>
  /** through pods/status, with `annotations` in the same patch (one request for a member's outcome) */
  setCondition(pod: string, status: 'True' | 'False', reason: string, message: string, annotations?: Record<string, string | null>): Promise<PodLike | void>
  patchRoot(annotations: Record<string, string | null>): Promise<void>
  event(reason: string, message: string, type?: 'Normal' | 'Warning'): Promise<void>
  /** bytes of a package ConfigMap's package.tgz */
  readPackageConfigMap(name: string): Promise<Uint8Array>
  fetchURL(url: string): Promise<Uint8Array>
  /** the key of the cluster's secretKeys (its Secret NAME-kd-keys), undefined when there is none */
  readKeysSecret(): Promise<Uint8Array | undefined>
  log(msg: string): void
}

export interface AgentOptions {
  cluster: string
  namespace: string
  domain?: string
  /** max members set up / notified at once */
  concurrency?: number
  /** bytes of setup archives in flight at once (one alone may be bigger) */
  stdinBudget?: number
}

interface Model {
  rv: string
  /** the root's generation annotation (what `observed-generation` reports back) */
  generation: string
  app: App
  cluster: ResolvedCluster
  desired: DesiredMember[]
  roles: Record<string, RolePolicy>
  /** seconds configure/addnodes/delnodes may run */
  timeout: number
}

/** `invalid`: a package that breaks a limit; its members get `config error` until the package changes. */
type PackageSource = {mode: 'none'} | {mode: 'file'; url: string} | {mode: 'stream'; entries: TarEntry[]; bytes: number} | {mode: 'invalid'; message: string}

/** members set up or notified at once: more only queue up in the kubelet and hold memory (TLS, exec frames) */
export const DEFAULT_CONCURRENCY = 16
/** how long a write of ours is laid over pods the informer delivers without it (a relist may skip it) */
const WRITTEN_KEEP_MS = 10_000

/**
 * A change of the rollup alone (member counts) is written to the root at most this often; a change of the
 * cluster's state at once. While 1000 members came up the counts changed with nearly every pod event: one
 * root patch per round trip, 1.3 requests per member.
 */
const ROLLUP_EVERY_MS = 1000

interface Written {
  uid: string | undefined
  at: number
  annotations: Record<string, string | null>
  condition?: 'True' | 'False'
}
/**
 * Setup archives held at once: each stays in memory (and is copied into WebSocket frames) until its exec
 * ends, so with a large package setups go one by one instead of 16 at a time, within the agent's memory.
 */
const DEFAULT_STDIN_BUDGET = 16 * 1024 * 1024
/** how much longer than the script timeout an exec may take (archive transfer, shell start-up, the KILL grace) */
const EXEC_GRACE_MS = 30_000

export class Agent {
  /** member pods as the informer last delivered them */
  private pods = new Map<string, PodLike>()
  /**
   * What our own writes set on each pod (annotations, the Configured condition), laid over the informer's
   * copy until that copy shows it: without it a finished task would be started again from a copy older than
   * its own write. Only those fields are overlaid, so the informer's newer facts (a container that started,
   * a new pod of that name) are never hidden.
   */
  private written = new Map<string, Written>()
  private writtenTimer: NodeJS.Timeout | undefined
  private root: RootLike | undefined
  private model: Model | undefined
  private busy = new Set<string>()
  private waiting = new Map<string, NodeJS.Timeout>()
  private attempts = new Map<string, number>()
  private packages = new Map<string, Promise<PackageSource>>()
  private scheduled = false
  /** how long the last reconcile pass took (ms) */
  private lastPassMs = 0
  private running = 0
  private queue: Array<() => void> = []
  private stdinBytes = 0
  private stdinQueue: Array<{bytes: number; go: () => void}> = []
  private lastRootState: string | undefined
  /** the root as the informer last delivered it (this.root may carry annotations being patched) */
  private observedRoot: RootLike | undefined
  private rootRetry: NodeJS.Timeout | undefined
  private rootFailures = 0
  private rootInFlight = false
  private lastRootWriteAt = 0
  private rollupTimer: NodeJS.Timeout | undefined
  /** annotations to write once the patch in flight is done (the newest wins) */
  private rootWanted: Record<string, string> | undefined
  /** the connected clusters, ConfigMaps and Secrets as their informers last delivered them */
  private connected: ConnectedState = {clusters: {}, configmaps: {}, secrets: {}}
  /** false until every connection informer has listed once (no member is set up with connections missing) */
  private connectionsReady = true
  private connectionsCache: {key: unknown; model: unknown; meta: ConfigmetaConnections; version: string} | undefined
  private clusterKey: Promise<Buffer | undefined> | undefined
  private objects: () => KeeperStatus = () => ({converged: true})
  private specProblem: string | undefined
  stopped = false

  constructor(private io: AgentIO, private opts: AgentOptions) {}

  /** Informer callbacks feed these; each schedules one reconcile. */
  setPods(pods: Iterable<PodLike>) {
    this.pods = new Map([...pods].map((p) => [p.metadata?.name ?? '', p]))
    this.schedule()
  }

  /** main.ts: the cluster connects objects; hold setups until setConnectionsReady(). */
  awaitConnections() {
    this.connectionsReady = false
  }

  setConnectionsReady() {
    this.connectionsReady = true
    this.schedule()
  }

  /** A connected object as its informer delivers it (undefined: it does not exist). */
  setConnected(kind: 'clusters', name: string, obj: ConnectedCluster | undefined): void
  setConnected(kind: 'configmaps' | 'secrets', name: string, obj: ConnectedObject | undefined): void
  setConnected(kind: keyof ConnectedState, name: string, obj: ConnectedCluster | ConnectedObject | undefined) {
    this.connected = {...this.connected, [kind]: {...this.connected[kind], [name]: obj}}
    this.schedule()
  }

  /** configmeta's connections now, and their version; undefined when the cluster connects nothing. */
  private connections(): {meta: ConfigmetaConnections; version: string} | undefined {
    const wanted = this.model?.cluster.connections
    if (!wanted) return undefined
    const key = this.connected
    if (this.connectionsCache?.key !== key || this.connectionsCache.model !== this.model) {
      const meta = connectionsMeta(wanted, this.connected, this.opts.domain)
      this.connectionsCache = {key, model: this.model, meta, version: connectionsVersion(meta)}
    }
    return this.connectionsCache
  }

  /** Records a write of ours on `pod` (the object the API server returned), to overlay until the informer shows it. */
  private wrote(pod: PodLike | void, fields: Omit<Written, 'uid' | 'at'>) {
    const name = pod?.metadata?.name
    if (!name) return
    const prev = this.written.get(name)
    const same = prev && prev.uid === pod.metadata?.uid ? prev : undefined
    this.written.set(name, {
      uid: pod.metadata?.uid,
      at: Date.now(),
      annotations: {...same?.annotations, ...fields.annotations},
      condition: fields.condition ?? same?.condition,
    })
    // an overlay the informer never confirms expires: look again then, even if nothing else changes
    clearTimeout(this.writtenTimer)
    this.writtenTimer = setTimeout(() => this.schedule(), WRITTEN_KEEP_MS + 100)
    this.writtenTimer.unref?.()
  }

  /** The informer's pod with our writes it does not show yet laid over it. */
  private withWrites(p: PodLike): PodLike {
    const name = p.metadata?.name ?? ''
    const w = this.written.get(name)
    if (!w) return p
    if (w.uid !== p.metadata?.uid || Date.now() - w.at > WRITTEN_KEEP_MS) {
      this.written.delete(name)
      return p
    }
    const annotations = {...p.metadata?.annotations}
    let pending = false
    for (const [k, v] of Object.entries(w.annotations)) {
      if ((annotations[k] ?? null) === v) continue
      pending = true
      if (v === null) delete annotations[k]
      else annotations[k] = v
    }
    let conditions = p.status?.conditions ?? []
    const cond = conditions.find((c) => c.type === CONFIGURED_CONDITION)
    if (w.condition && cond?.status !== w.condition) {
      pending = true
      conditions = [...conditions.filter((c) => c.type !== CONFIGURED_CONDITION), {type: CONFIGURED_CONDITION, status: w.condition}]
    }
    if (!pending) {
      this.written.delete(name)
      return p
    }
    return {...p, metadata: {...p.metadata, annotations}, status: {...p.status, conditions}}
  }

  private async patchPod(pod: string, annotations: Record<string, string | null>) {
    this.wrote(await this.io.patchPod(pod, annotations), {annotations})
  }

  private async setCondition(pod: string, status: 'True' | 'False', reason: string, message: string, annotations: Record<string, string | null> = {}) {
    this.wrote(await this.io.setCondition(pod, status, reason, message, annotations), {annotations, condition: status})
  }
  setRoot(root: RootLike | undefined) {
    this.root = root
    this.observedRoot = root
    this.noteStateWrittenByOthers(root)
    this.schedule()
  }

  /**
   * A state another writer put on the root (create/apply/scale write `creating`/`updating`) is a transition
   * too: it gets its ClusterState event, and the agent's next state (`configured`) gets one after it, so the
   * newest state event always says the state the root shows. Not while a patch of the agent's own is on its
   * way (the root delivered then may predate it), nor for the first root the agent sees (it was evented then).
   */
  private noteStateWrittenByOthers(root: RootLike | undefined) {
    const state = root?.metadata?.annotations?.[ANNOTATION.state]
    if (!state || this.rootInFlight || this.rootWanted) return
    if (this.lastRootState !== undefined && state !== this.lastRootState) void this.io.event('ClusterState', `cluster ${this.opts.cluster} is ${state}`).catch(() => {})
    this.lastRootState = state
  }

  schedule() {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    const pass = () => {
      this.scheduled = false
      const t0 = performance.now()
      try {
        this.reconcile()
      } catch (err) {
        this.io.log(`reconcile failed: ${(err as Error).message}`)
      }
      this.lastPassMs = performance.now() - t0
    }
    // a pass over a big cluster (milliseconds at 1000 members) is not run again at once for every pod
    // event: the events of twice its time are taken together, so the agent's CPU stays at most ~half a core
    if (this.lastPassMs < 1) setImmediate(pass)
    else setTimeout(pass, Math.min(2 * this.lastPassMs, 200))
  }

  stop() {
    this.stopped = true
    for (const t of this.waiting.values()) clearTimeout(t)
    clearTimeout(this.rootRetry)
    clearTimeout(this.writtenTimer)
    clearTimeout(this.rollupTimer)
  }

  private loadModel(): Model | undefined {
    const root = this.root
    if (!root?.data) return undefined
    const rv = root.metadata?.resourceVersion ?? ''
    if (this.model?.rv === rv) return this.model
    const app = JSON.parse(root.data[ROOT_KEYS.app] ?? 'null') as App
    const cluster = JSON.parse(root.data[ROOT_KEYS.cluster] ?? 'null') as ResolvedCluster
    if (!app || !cluster) return undefined
    const desired: DesiredMember[] = []
    for (const role of cluster.roles) {
      for (let index = 0; index < role.members; index++) {
        const pod = memberPodName(cluster.name, role.id, index)
        desired.push({role: role.id, index, pod, fqdn: memberFqdn(pod, cluster.name, this.opts.namespace, this.opts.domain)})
      }
    }
    const timeout = scriptTimeoutOf(app, cluster)
    const roles: Record<string, RolePolicy> = {}
    for (const r of app.roles) {
      roles[r.id] = {
        hasPackage: !!r.configPackage,
        ...(r.configPackage ? {setupSpec: setupSpecOf(r.configPackage.packageURL, timeout)} : {}),
        configure: r.eventList.includes('configure'),
        addnodes: r.eventList.includes('addnodes'),
        delnodes: r.eventList.includes('delnodes'),
      }
    }
    const changed = this.model !== undefined && membershipSignature(this.model.desired) !== membershipSignature(desired)
    this.model = {rv, generation: root.metadata?.annotations?.[ANNOTATION.generation] ?? '', app, cluster, desired, roles, timeout}
    // packages no role uses any more are dropped (a changed package has a new URL)
    const urls = new Set(app.roles.map((r) => r.configPackage?.packageURL))
    for (const url of this.packages.keys()) if (!urls.has(url)) this.packages.delete(url)
    if (changed) void this.io.event('MembershipChanged', `members now ${membershipSignature(desired) || 'none'}`).catch(() => {})
    return this.model
  }

  private observed(): ObservedPod[] {
    return [...this.pods.values()].flatMap((p) => observePod(this.withWrites(p)) ?? []).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  planInput(): PlanInput | undefined {
    const model = this.loadModel()
    if (!model || !this.connectionsReady) return undefined
    const cluster = model.cluster.name
    const connections = this.connections()
    return {
      ...(connections ? {connections: connections.version} : {}),
      desired: model.desired,
      pods: this.observed(),
      roles: model.roles,
      fqdnOf: (m) => memberFqdn(memberPodName(cluster, m.role, m.index), cluster, this.opts.namespace, this.opts.domain),
    }
  }

  /** The keeper of the cluster's objects (keeper.ts): the cluster is configured only once they are at the spec. */
  setObjects(status: () => KeeperStatus) {
    this.objects = status
    this.schedule()
  }

  /** What keeps the agent from acting on the root (an unsigned spec), or undefined. */
  setSpecProblem(problem: string | undefined) {
    this.specProblem = problem
    this.schedule()
  }

  reconcile() {
    const objects = this.objects()
    const problem = [this.specProblem, objects.problem].filter(Boolean).join('; ')
    const ann = this.root?.metadata?.annotations ?? {}
    const input = this.planInput()
    if (!input) {
      // no spec to act on: still say why
      if ((ann[ANNOTATION.agentProblem] ?? '') !== problem && this.root) this.writeRoot({[ANNOTATION.agentProblem]: problem})
      return
    }
    const blocked = new Set([...this.busy, ...this.waiting.keys()])
    for (const action of plan(input, blocked)) this.start(action)
    const current = (ann[ANNOTATION.state] as ClusterState | undefined) ?? undefined
    const r = rollup(input, new Set([...this.busy, ...this.waiting.keys()]), current)
    const {state: membersState, ...rest} = r
    // members configured while their StatefulSets are not yet at the spec (or rolling out) is not the end
    const state: ClusterState = membersState === 'configured' && !objects.converged ? (current === 'creating' ? 'creating' : 'updating') : membersState
    const rollupJson = JSON.stringify(rest)
    const generation = this.model?.generation ?? ''
    const stateChanged = ann[ANNOTATION.state] !== state || (ann[ANNOTATION.observedGeneration] ?? '') !== generation || (ann[ANNOTATION.agentProblem] ?? '') !== problem
    const sinceWrite = Date.now() - this.lastRootWriteAt
    if (!stateChanged && ann[ANNOTATION.rollup] !== rollupJson && sinceWrite < ROLLUP_EVERY_MS) {
      this.rollupTimer ??= setTimeout(() => {
        this.rollupTimer = undefined
        this.schedule()
      }, ROLLUP_EVERY_MS - sinceWrite)
    } else if (stateChanged || ann[ANNOTATION.rollup] !== rollupJson) {
      this.lastRootWriteAt = Date.now()
      if (stateChanged && this.lastRootState !== state) {
        this.lastRootState = state
        const mem = process.memoryUsage()
        const mib = (n: number) => `${Math.round(n / 1048576)} MiB`
        this.io.log(`cluster ${state} (${input.desired.length} members; rss ${mib(mem.rss)}, heap ${mib(mem.heapUsed)})`)
        void this.io.event('ClusterState', `cluster ${this.opts.cluster} is ${state}`).catch(() => {})
      }
      const written = {[ANNOTATION.state]: state, [ANNOTATION.rollup]: rollupJson, [ANNOTATION.observedGeneration]: generation, [ANNOTATION.agentProblem]: problem}
      // optimistic: the informer brings the patched root back
      this.root = {...this.root, metadata: {...this.root?.metadata, annotations: {...ann, ...written}}}
      this.writeRoot(written)
    }
  }

  /**
   * One root patch at a time, the newest last: patches sent side by side can reach the API server in any
   * order, and an older `creating` landing after `configured` made a configured cluster flap back.
   */
  private writeRoot(annotations: Record<string, string>) {
    this.rootWanted = annotations
    if (this.rootInFlight) return
    this.rootWanted = undefined
    this.rootInFlight = true
    const optimistic = this.root
    void this.io
      .patchRoot(annotations)
      .then(
        () => (this.rootFailures = 0),
        (e) => {
          // nothing else may change (the root only comes back through the informer when it changes):
          // drop the unwritten annotations and try again after a backoff
          const delay = Math.min(500 * 2 ** this.rootFailures++, 30_000)
          this.io.log(`patch root failed (retry in ${delay} ms): ${(e as Error).message}`)
          if (this.root === optimistic && !this.rootWanted) this.root = this.observedRoot
          clearTimeout(this.rootRetry)
          this.rootRetry = setTimeout(() => this.schedule(), delay)
        },
      )
      .finally(() => {
        this.rootInFlight = false
        if (this.rootWanted && !this.stopped) this.writeRoot(this.rootWanted)
      })
  }

  private start(action: Action) {
    const pod = action.pod
    this.busy.add(pod)
    const run = async () => {
      try {
        await this.runAction(action)
        this.attempts.delete(pod)
      } catch (err) {
        const n = (this.attempts.get(pod) ?? 0) + 1
        this.attempts.set(pod, n)
        const delay = Math.min(500 * 2 ** (n - 1), 60_000)
        this.io.log(`${pod}: ${action.kind} failed (attempt ${n}, retry in ${delay} ms): ${(err as Error).message}`)
        // say in status why a member stays `creating`
        if (action.kind === 'setup') void this.patchPod(pod, {[ANNOTATION.lastError]: `${(err as Error).message} (retrying)`.slice(0, 256)}).catch(() => {})
        this.waiting.set(pod, setTimeout(() => {
          this.waiting.delete(pod)
          this.schedule()
        }, delay))
      } finally {
        this.busy.delete(pod)
        this.release()
        this.schedule()
      }
    }
    // annotation/condition fixes are cheap: no slot needed
    if (action.kind === 'state' || action.kind === 'condition') void (async () => { this.running++; await run() })()
    else this.acquire(() => void run())
  }

  private acquire(fn: () => void) {
    if (this.running < (this.opts.concurrency ?? DEFAULT_CONCURRENCY)) {
      this.running++
      fn()
    } else this.queue.push(fn)
  }

  private release() {
    this.running--
    const next = this.queue.shift()
    if (next) {
      this.running++
      next()
    }
  }

  /** Holds `bytes` of the stdin budget until the returned function is called. */
  private async reserveStdin(bytes: number): Promise<() => void> {
    const budget = this.opts.stdinBudget ?? DEFAULT_STDIN_BUDGET
    // a waiter's bytes are counted by the release that lets it go
    if (this.stdinBytes > 0 && this.stdinBytes + bytes > budget) await new Promise<void>((go) => this.stdinQueue.push({bytes, go}))
    else this.stdinBytes += bytes
    return () => {
      this.stdinBytes -= bytes
      while (this.stdinQueue.length && (this.stdinBytes === 0 || this.stdinBytes + this.stdinQueue[0]!.bytes <= budget)) {
        const next = this.stdinQueue.shift()!
        this.stdinBytes += next.bytes
        next.go()
      }
    }
  }

  private async runAction(a: Action) {
    switch (a.kind) {
      case 'state':
        return this.patchPod(a.pod, {[ANNOTATION.state]: a.state})
      case 'condition':
        return this.setCondition(a.pod, a.status, a.reason, a.status === 'True' ? 'config package ran' : 'config package failed')
      case 'setup':
        return this.setup(a.pod, a.container)
      case 'notify':
        return this.notify(a)
    }
  }

  private member(pod: string): MemberInfo {
    const d = this.model!.desired.find((m) => m.pod === pod)
    if (!d) throw new Error(`${pod} is no longer a member`)
    return d
  }

  /**
   * The roles' secret keys in clear, for configmeta (none: undefined). The key is read once, when first
   * needed; it never changes for a cluster's life. Values are never logged or written anywhere but members.
   */
  private async secretKeyValues(): Promise<{values?: Record<string, Record<string, string>>; problem?: string}> {
    const cluster = this.model!.cluster
    if (!hasSecretKeys(cluster)) return {}
    // a failed read is retried with the member's setup; a missing key is the member's config error
    this.clusterKey ??= this.io.readKeysSecret().then((k) => (k ? Buffer.from(k) : undefined))
    const key = await this.clusterKey.catch((err) => {
      this.clusterKey = undefined
      throw err
    })
    if (!key) this.clusterKey = undefined
    try {
      return {values: openSecretKeys(cluster, key)}
    } catch (err) {
      return {problem: (err as Error).message}
    }
  }

  /** configmeta.json, .env and the configcli key file of one member, as tar entries under etc/. */
  private configEntries(pod: string, secretKeys: Record<string, Record<string, string>> | undefined): TarEntry[] {
    const model = this.model!
    const connections = this.connections()?.meta
    const meta = configmeta(model.app, {...model.cluster, namespace: this.opts.namespace}, model.desired, this.member(pod), {
      clusterId: this.root?.metadata?.uid,
      domain: this.opts.domain,
      ...(connections ? {connections} : {}),
      ...(secretKeys ? {secretKeys} : {}),
    })
    const enc = (s: string) => new TextEncoder().encode(s)
    return [
      {path: 'etc', type: 'dir', mode: 0o700},
      {path: 'etc/configmeta.json', type: 'file', mode: 0o600, data: enc(`${JSON.stringify(meta, null, 2)}\n`)},
      {path: 'etc/configmeta.env', type: 'file', mode: 0o600, data: enc(configmetaEnv(meta))},
      {path: 'etc/configcli.keys', type: 'file', mode: 0o600, data: enc(configcliKeyFile(meta))},
    ]
  }

  private packageFor(role: string): Promise<PackageSource> {
    const appRole = this.model!.app.roles.find((r) => r.id === role)
    const url = appRole?.configPackage?.packageURL
    if (!url) return Promise.resolve({mode: 'none'})
    if (url.startsWith('file://')) return Promise.resolve({mode: 'file', url})
    let p = this.packages.get(url)
    if (!p) {
      p = this.loadPackage(url)
      p.catch(() => this.packages.delete(url))
      this.packages.set(url, p)
    }
    return p
  }

  /** Reads and unpacks a package, within the limits; one that breaks them is `invalid` (kept, so not read again). */
  private async loadPackage(url: string): Promise<PackageSource> {
    const cm = packageConfigMapFromURL(url) ?? (url.startsWith('bundled://') ? packageConfigMapName(this.model!.app.id, url.slice('bundled://'.length)) : undefined)
    let bytes: Uint8Array
    try {
      bytes = cm ? await this.io.readPackageConfigMap(cm) : /^https?:\/\//.test(url) ? await this.io.fetchURL(url) : await Promise.reject(new Error(`unsupported package URL ${url}`))
    } catch (e) {
      if (e instanceof PackageLimitError) return {mode: 'invalid', message: `config package ${shownURL(url)} ${e.message}`}
      throw e
    }
    // the ConfigMap is rewritten in place by apply: make sure it holds the content the spec names
    const want = packageHashFromURL(url)
    if (cm && want && packageHash(bytes) !== want)
      throw new Error(`ConfigMap ${cm} does not hold the package the cluster spec names (sha256 ${want}): run kubectl kd apply again if this lasts`)
    try {
      const entries = prefixEntries(readTar(bytes), 'pkg')
      return {mode: 'stream', entries, bytes: entries.reduce((n, e) => n + 1024 + (e.data?.byteLength ?? 0), 0)}
    } catch (e) {
      if (e instanceof PackageLimitError) return {mode: 'invalid', message: `config package ${shownURL(url)} ${e.message}`}
      return {mode: 'invalid', message: `config package ${shownURL(url)}: ${(e as Error).message}`}
    }
  }

  private async setup(pod: string, container: string) {
    const m = this.member(pod)
    const model = this.model!
    const policy = model.roles[m.role]
    const signature = membershipSignature(model.desired)
    const known = encodeMembers(model.desired.filter((d) => d.pod !== pod))
    // the connections the configmeta below carries: configure saw them, no --reconnect for them
    const connectionsSeen = this.connections()?.version
    const injected = await this.inject(pod, m.role)
    if (injected !== undefined) return this.fail(pod, container, injected, '', policy?.setupSpec)
    if (!policy?.hasPackage) return this.configuredWithoutPackage(pod, container, signature, known)
    const spec = policy.setupSpec ?? ''
    const timeout = model.timeout
    // a member set up again (new container, new package) says `creating` and drops its last error while it
    // is; a new member shows `creating` without it (its state is read from its running container), which
    // saves a request per member (awaited before the outcome is written)
    const current = this.pods.get(pod)
    const ann = (current ? this.withWrites(current) : undefined)?.metadata?.annotations ?? {}
    const stale = ann[ANNOTATION.state] !== undefined || ann[ANNOTATION.lastError] !== undefined || ann[ANNOTATION.lastOutput] !== undefined
    const marked = stale ? this.patchPod(pod, {[ANNOTATION.state]: 'creating', [ANNOTATION.lastError]: null, [ANNOTATION.lastOutput]: null}) : Promise.resolve()
    marked.catch(() => {})
    const pkg = await this.packageFor(m.role)
    if (pkg.mode === 'invalid') {
      await marked
      return this.fail(pod, container, pkg.message, '', spec)
    }
    const secretKeys = await this.secretKeyValues()
    if (secretKeys.problem) {
      await marked
      return this.fail(pod, container, secretKeys.problem, '', spec)
    }
    const release = await this.reserveStdin(pkg.mode === 'stream' ? pkg.bytes : 0)
    let r: ExecOutcome
    const started = Date.now()
    try {
      const entries: TarEntry[] = [
        ...this.configEntries(pod, secretKeys.values),
        {path: 'bin', type: 'dir', mode: 0o755},
        {path: 'bin/configcli', type: 'file', mode: 0o755, data: new TextEncoder().encode(CONFIGCLI_SH)},
        ...(pkg.mode === 'stream' ? [{path: 'pkg', type: 'dir' as const, mode: 0o700}, ...pkg.entries] : []),
      ]
      const args = [container, pkg.mode === 'file' ? pkg.url : pkg.mode, policy.configure === false ? '0' : '1', spec, String(timeout)]
      // the member kills configure at the timeout; this bound is for a member that cannot
      r = await this.io.exec(pod, ['sh', '-c', LIMITED_SH + SETUP_SH, 'kd-setup', ...args], writeTar(entries), timeout * 1000 + EXEC_GRACE_MS)
    } finally {
      release()
    }
    if (r.code !== 0) {
      await marked
      const msg = lastLine(r.stderr) || `setup exited with ${r.code}`
      if (r.code === 3) return this.fail(pod, container, msg, r.stderr, spec)
      throw new Error(msg)
    }
    await marked
    const result = parseSetupOutput(r.stdout)
    if (result.container !== container) throw new Error(`configure.status names container ${result.container || '(none)'}, expected ${container}`)
    // the spec configure actually ran with (an earlier one when it was already running or done)
    const ran = result.spec || spec
    if (result.code === '0') {
      await this.markConfigured(pod, container, signature, known, 'config package ran', ran, connectionsSeen)
      this.io.log(`${pod}: configured (${Date.now() - started} ms)`)
      void this.io.event('MemberConfigured', `member ${pod} configured`).catch(() => {})
      return
    }
    const what =
      result.code === 'interrupted' ? 'configure was interrupted'
      : result.code === 'timeout' ? `configure timed out after ${timeoutOfSpec(ran) ?? timeout} s and was killed`
      : `configure failed with exit status ${result.code}`
    await this.fail(pod, container, `execution of app config failed: ${what}`, joinOutput(result.stdout, result.stderr, this.maxLog(pod)), ran)
  }

  /**
   * The role's fileInjections, before configure (KubeDirector's order): each srcURL fetched by the agent
   * and put into destDir with its permissions. A member that cannot take a file: the message for
   * `config error`; a fetch that fails is thrown (retried with backoff).
   */
  private async inject(pod: string, role: string): Promise<string | undefined> {
    const injections = this.model!.cluster.roles.find((r) => r.id === role)?.fileInjections ?? []
    for (const [i, f] of injections.entries()) {
      let bytes: Uint8Array
      try {
        bytes = await this.io.fetchURL(f.srcURL)
      } catch (e) {
        if (e instanceof PackageLimitError) return `fileInjections[${i}] (${f.srcURL}) ${e.message.replace('a config package', 'an injected file')}`
        throw new Error(`fileInjections[${i}] (${f.srcURL}): ${(e as Error).message}`)
      }
      const name = injectedFileName(f.srcURL)
      const p = f.permissions
      const args = [f.destDir, name, p?.fileMode !== undefined ? p.fileMode.toString(8) : '', p?.fileOwner ?? '', p?.fileGroup ?? '']
      const r = await this.io.exec(pod, ['sh', '-c', INJECT_SH, 'kd-inject', ...args], writeTar([{path: name, type: 'file', mode: 0o644, data: bytes}]), EXEC_GRACE_MS * 2)
      if (r.code === 3) return `fileInjections[${i}] (${f.srcURL}): ${lastLine(r.stderr)}`
      if (r.code !== 0) throw new Error(`fileInjections[${i}]: exit ${r.code}: ${lastLine(r.stderr)}`)
    }
    return undefined
  }

  /** A role without a config package has nothing to run: no exec at all, so its members work on any node. */
  private async configuredWithoutPackage(pod: string, container: string, signature: string, known: string) {
    await this.markConfigured(pod, container, signature, known, 'no config package to run')
    void this.io.event('MemberConfigured', `member ${pod} configured (no config package)`).catch(() => {})
  }

  /** The member's outcome: annotations and the readiness condition (separate subresources, written at once). */
  private async markConfigured(pod: string, container: string, signature: string, known: string, message: string, spec?: string, connections?: string) {
    await this.setCondition(pod, 'True', 'Configured', message, {
      ...(spec !== undefined ? {[ANNOTATION.setupSpec]: spec} : {}),
      ...(connections !== undefined ? {[CONNECTIONS_ANNOTATION]: connections} : {}),
      [ANNOTATION.state]: 'configured',
      [ANNOTATION.configuredContainer]: container,
      [ANNOTATION.configGeneration]: signature,
      [KNOWN_MEMBERS_ANNOTATION]: known,
      [ANNOTATION.lastError]: null,
      [ANNOTATION.lastOutput]: null,
    })
  }

  /**
   * Characters of a failed script's stdout and of its stderr kept in the member's status: the role's
   * maxLogSizeDump (KubeDirector's default 256), at most MAX_KEPT_OUTPUT (annotations share 256 KiB).
   */
  private maxLog(pod: string): number {
    const role = this.model?.desired.find((m) => m.pod === pod)?.role
    const max = this.model?.app.roles.find((r) => r.id === role)?.maxLogSizeDump ?? DEFAULT_MAX_LOG_SIZE_DUMP
    return Math.max(1, Math.min(max, MAX_KEPT_OUTPUT))
  }

  /** `spec`: what the failed setup ran with (a notification failure leaves it as it is) */
  private async fail(pod: string, container: string, message: string, output: string, spec?: string) {
    await this.setCondition(pod, 'False', 'ConfigError', message.slice(0, 256), {
      ...(spec !== undefined ? {[ANNOTATION.setupSpec]: spec} : {}),
      [ANNOTATION.state]: 'config error',
      [ANNOTATION.configuredContainer]: container,
      [ANNOTATION.lastError]: message.slice(0, 256),
      [ANNOTATION.lastOutput]: output.slice(-(2 * this.maxLog(pod) + 20)),
    })
    this.io.log(`${pod}: config error: ${message}`)
    void this.io.event('MemberConfigError', `member ${pod}: ${message}`, 'Warning').catch(() => {})
  }

  private async notify(a: Extract<Action, {kind: 'notify'}>) {
    const signature = membershipSignature(this.model!.desired)
    const args = a.ops.flatMap((o) => [o.op, o.role, o.fqdns.join(',')])
    const timeout = this.model!.timeout
    // the configmeta written with the notification keeps the member's secret keys
    const secretKeys = await this.secretKeyValues()
    if (secretKeys.problem) return this.fail(a.pod, a.container, secretKeys.problem, '')
    const r = await this.io.exec(a.pod, ['sh', '-c', LIMITED_SH + NOTIFY_SH, 'kd-notify', a.container, String(timeout), ...args], writeTar(this.configEntries(a.pod, secretKeys.values)), timeout * 1000 * Math.max(1, a.ops.length) + EXEC_GRACE_MS)
    if (r.code === 4) return // another container now: the next plan sets it up again
    if (r.code !== 0) {
      const last = /@@kd notify (\d+) (\S+)/.exec(r.stdout.split('\n').reverse().find((l) => l.startsWith('@@kd notify')) ?? '')
      const failed = a.ops[Number(last?.[1] ?? 0)]
      // a hung script was killed: running it again would hang again, so the member shows it as config error
      if (failed && last?.[2] === 'timeout') {
        const out = parseSetupOutput(r.stdout)
        return this.fail(a.pod, a.container, `--${failed.op} --role ${failed.role} timed out after ${timeout} s and was killed`, joinOutput(out.stdout, out.stderr, this.maxLog(a.pod)))
      }
      const msg = failed?.op === 'reconnect' ? `--reconnect failed (exit ${r.code})` : failed ? `--${failed.op} --role ${failed.role} failed (exit ${r.code})` : `membership update failed (exit ${r.code}): ${lastLine(r.stderr)}`
      await this.patchPod(a.pod, {[ANNOTATION.lastError]: msg.slice(0, 256)}).catch(() => {})
      throw new Error(msg)
    }
    await this.patchPod(a.pod, {
      [ANNOTATION.configGeneration]: signature,
      [KNOWN_MEMBERS_ANNOTATION]: a.known,
      [ANNOTATION.lastError]: null,
      ...(a.connections !== undefined ? {[CONNECTIONS_ANNOTATION]: a.connections} : {}),
    })
    for (const o of a.ops) this.io.log(o.op === 'reconnect' ? `${a.pod}: --reconnect` : `${a.pod}: --${o.op} --role ${o.role} --fqdns ${o.fqdns.join(',')}`)
    if (a.ops.length) void this.io.event('MembersNotified', `member ${a.pod}: ${a.ops.map((o) => `--${o.op} ${o.role} ${o.fqdns.length}`).join(', ')}`).catch(() => {})
  }
}

export interface SetupOutput {
  container: string
  code: string
  /** the spec configure ran with (configure.spec) */
  spec: string
  stdout: string
  stderr: string
}

/** Parses setup.sh's stdout (`@@kd status` / `@@kd stdout` / `@@kd stderr` sections). */
export function parseSetupOutput(out: string): SetupOutput {
  const sections: Record<string, string[]> = {}
  let cur = ''
  for (const line of out.split('\n')) {
    const m = /^@@kd (status|spec|stdout|stderr)$/.exec(line)
    if (m) {
      cur = m[1]!
      sections[cur] = []
    } else if (cur) sections[cur]!.push(line)
  }
  const status = (sections.status ?? []).find((l) => l.includes('=')) ?? ''
  const eq = status.lastIndexOf('=')
  return {
    container: eq >= 0 ? status.slice(0, eq) : '',
    code: eq >= 0 ? status.slice(eq + 1).trim() : '',
    spec: (sections.spec ?? []).join('\n').trim(),
    stdout: (sections.stdout ?? []).join('\n').trim(),
    stderr: (sections.stderr ?? []).join('\n').trim(),
  }
}

/** What a setup runs with: the package URL (with its content hash) and the script timeout. */
const setupSpecOf = (packageURL: string, timeoutSeconds: number) => `${packageURL} timeout=${timeoutSeconds}s`

const timeoutOfSpec = (spec: string) => /timeout=(\d+)s$/.exec(spec)?.[1]

/** The file name a srcURL is saved as (curl -o basename, as KubeDirector fetches it). */
export function injectedFileName(url: string): string {
  const path = new URL(url).pathname
  const base = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
  return base && base !== '.' && base !== '..' && !base.includes('/') ? base : 'index.html'
}

/** A package URL as messages show it (without its content hash). */
const shownURL = (url: string) => url.replace(/#.*$/, '')

function lastLine(s: string): string {
  return s.trim().split('\n').pop()?.trim() ?? ''
}

/** Last lines of stdout and stderr, at most `max` characters, for status. */
/** The last `max` characters of each stream, labelled (KubeDirector keeps them as two messages). */
export function joinOutput(stdout: string, stderr: string, max: number): string {
  const parts = [stdout && `stdout: ${stdout.slice(-max)}`, stderr && `stderr: ${stderr.slice(-max)}`].filter(Boolean)
  return parts.join('\n')
}

/** the most of each stream a member's status keeps, whatever maxLogSizeDump asks */
const MAX_KEPT_OUTPUT = 8192
