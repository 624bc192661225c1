// The agent's runtime: turns informer changes into plan() actions and runs them, one task per member at
// a time, members in parallel (a slow or failing member never blocks another), failed tasks retried with
// backoff. All I/O goes through AgentIO, so tests can drive it with fakes and main.ts wires in src/kube.
import type {App} from '../../src/app/model.ts'
import type {ResolvedCluster} from '../../src/cluster/model.ts'
import {ANNOTATION, ROOT_KEYS, memberFqdn, memberPodName, type ClusterState} from '../../src/cluster/names.ts'
import {packageConfigMapFromURL, packageConfigMapName, prefixEntries, readTar, writeTar, type TarEntry} from '../../src/cluster/package.ts'
import {configmeta, configmetaEnv, type MemberInfo} from '../../src/cluster/configmeta.ts'
import {configcliKeyFile} from './configcli-keys.ts'
import {observePod, type PodLike} from '../../src/cluster/member-state.ts'
import {CONFIGCLI_SH, NOTIFY_SH, SETUP_SH} from './member-scripts.ts'
import {KNOWN_MEMBERS_ANNOTATION, encodeMembers, membershipSignature, plan, rollup, type Action, type DesiredMember, type ObservedPod, type PlanInput, type RolePolicy} from './plan.ts'

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
  exec(pod: string, command: string[], stdin?: Uint8Array): Promise<ExecOutcome>
  /** both resolve to the patched pod (kept locally until the informer catches up) */
  patchPod(pod: string, annotations: Record<string, string | null>): Promise<PodLike | void>
  setCondition(pod: string, status: 'True' | 'False', reason: string, message: string): Promise<PodLike | void>
  patchRoot(annotations: Record<string, string | null>): Promise<void>
  event(reason: string, message: string, type?: 'Normal' | 'Warning'): Promise<void>
  /** bytes of a package ConfigMap's package.tgz */
  readPackageConfigMap(name: string): Promise<Uint8Array>
  fetchURL(url: string): Promise<Uint8Array>
  log(msg: string): void
}

export interface AgentOptions {
  cluster: string
  namespace: string
  domain?: string
  /** max members set up / notified at once */
  concurrency?: number
  /** characters of startscript output kept on a config error */
  maxOutput?: number
}

interface Model {
  rv: string
  app: App
  cluster: ResolvedCluster
  desired: DesiredMember[]
  roles: Record<string, RolePolicy>
}

type PackageSource = {mode: 'none'} | {mode: 'file'; url: string} | {mode: 'stream'; entries: TarEntry[]}

/** members set up or notified at once: more only queue up in the kubelet and hold memory (TLS, exec frames) */
export const DEFAULT_CONCURRENCY = 16
const PATCHED_KEEP_MS = 10_000

export const ROLLUP_KEYS = {state: ANNOTATION.state, rollup: ANNOTATION.rollup}

export class Agent {
  private pods = new Map<string, PodLike>()
  /** pods as our own patches returned them, until the informer catches up */
  private patched = new Map<string, {pod: PodLike; at: number}>()
  private root: RootLike | undefined
  private model: Model | undefined
  private busy = new Set<string>()
  private waiting = new Map<string, NodeJS.Timeout>()
  private attempts = new Map<string, number>()
  private packages = new Map<string, Promise<PackageSource>>()
  private scheduled = false
  private running = 0
  private queue: Array<() => void> = []
  private lastRootState: string | undefined
  /** the root as the informer last delivered it (this.root may carry annotations being patched) */
  private observedRoot: RootLike | undefined
  private rootRetry: NodeJS.Timeout | undefined
  private rootFailures = 0
  private rootInFlight = false
  /** annotations to write once the patch in flight is done (the newest wins) */
  private rootWanted: Record<string, string> | undefined
  stopped = false

  constructor(private io: AgentIO, private opts: AgentOptions) {}

  /** Informer callbacks feed these; each schedules one reconcile. */
  setPods(pods: Iterable<PodLike>) {
    const next = new Map<string, PodLike>()
    for (const p of pods) {
      const name = p.metadata?.name ?? ''
      const mine = this.patched.get(name)
      // a pod we patched may be newer than the informer's copy for a moment: keep ours until the informer
      // delivers it (resourceVersions are opaque: only equality says the informer caught up), a new pod of
      // that name appears, or a few seconds pass (a relist may skip over our version)
      if (mine && mine.pod.metadata?.uid === p.metadata?.uid && mine.pod.metadata?.resourceVersion !== p.metadata?.resourceVersion && Date.now() - mine.at < PATCHED_KEEP_MS) {
        next.set(name, mine.pod)
      } else {
        this.patched.delete(name)
        next.set(name, p)
      }
    }
    this.pods = next
    this.schedule()
  }

  private keep(p: PodLike | void) {
    const name = p?.metadata?.name
    if (!p || !name) return
    const cur = this.pods.get(name)
    if (cur && cur.metadata?.uid !== p.metadata?.uid) return
    this.patched.set(name, {pod: p, at: Date.now()})
    this.pods.set(name, p)
  }

  private async patchPod(pod: string, annotations: Record<string, string | null>) {
    this.keep(await this.io.patchPod(pod, annotations))
  }

  private async setCondition(pod: string, status: 'True' | 'False', reason: string, message: string) {
    this.keep(await this.io.setCondition(pod, status, reason, message))
  }
  setRoot(root: RootLike | undefined) {
    this.root = root
    this.observedRoot = root
    this.schedule()
  }

  schedule() {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      try {
        this.reconcile()
      } catch (err) {
        this.io.log(`reconcile failed: ${(err as Error).message}`)
      }
    })
  }

  stop() {
    this.stopped = true
    for (const t of this.waiting.values()) clearTimeout(t)
    clearTimeout(this.rootRetry)
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
    const roles: Record<string, RolePolicy> = {}
    for (const r of app.roles) {
      roles[r.id] = {hasPackage: !!r.configPackage, configure: r.eventList.includes('configure'), addnodes: r.eventList.includes('addnodes'), delnodes: r.eventList.includes('delnodes')}
    }
    const changed = this.model !== undefined && membershipSignature(this.model.desired) !== membershipSignature(desired)
    this.model = {rv, app, cluster, desired, roles}
    if (changed) void this.io.event('MembershipChanged', `members now ${membershipSignature(desired) || 'none'}`).catch(() => {})
    return this.model
  }

  private observed(): ObservedPod[] {
    return [...this.pods.values()].flatMap((p) => observePod(p) ?? []).sort((a, b) => a.name.localeCompare(b.name))
  }

  planInput(): PlanInput | undefined {
    const model = this.loadModel()
    if (!model) return undefined
    const cluster = model.cluster.name
    return {
      desired: model.desired,
      pods: this.observed(),
      roles: model.roles,
      fqdnOf: (m) => memberFqdn(memberPodName(cluster, m.role, m.index), cluster, this.opts.namespace, this.opts.domain),
    }
  }

  reconcile() {
    const input = this.planInput()
    if (!input) return
    const blocked = new Set([...this.busy, ...this.waiting.keys()])
    for (const action of plan(input, blocked)) this.start(action)
    const r = rollup(input, new Set([...this.busy, ...this.waiting.keys()]), (this.root?.metadata?.annotations?.[ANNOTATION.state] as ClusterState | undefined) ?? undefined)
    const {state, ...rest} = r
    const rollupJson = JSON.stringify(rest)
    const ann = this.root?.metadata?.annotations ?? {}
    if (ann[ANNOTATION.state] !== state || ann[ANNOTATION.rollup] !== rollupJson) {
      if (ann[ANNOTATION.state] !== state && this.lastRootState !== state) {
        this.lastRootState = state
        const mem = process.memoryUsage()
        const mib = (n: number) => `${Math.round(n / 1048576)} MiB`
        this.io.log(`cluster ${state} (${input.desired.length} members; rss ${mib(mem.rss)}, heap ${mib(mem.heapUsed)})`)
        void this.io.event('ClusterState', `cluster ${this.opts.cluster} is ${state}`).catch(() => {})
      }
      // optimistic: the informer brings the patched root back
      this.root = {...this.root, metadata: {...this.root?.metadata, annotations: {...ann, [ANNOTATION.state]: state, [ANNOTATION.rollup]: rollupJson}}}
      this.writeRoot({[ANNOTATION.state]: state, [ANNOTATION.rollup]: rollupJson})
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

  /** configmeta.json, .env and the configcli key file of one member, as tar entries under etc/. */
  private configEntries(pod: string): TarEntry[] {
    const model = this.model!
    const meta = configmeta(model.app, {...model.cluster, namespace: this.opts.namespace}, model.desired, this.member(pod), {clusterId: this.root?.metadata?.uid, domain: this.opts.domain})
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
      const cm = packageConfigMapFromURL(url) ?? (url.startsWith('bundled://') ? packageConfigMapName(this.model!.app.id, url.slice('bundled://'.length)) : undefined)
      const bytes = cm ? this.io.readPackageConfigMap(cm) : /^https?:\/\//.test(url) ? this.io.fetchURL(url) : Promise.reject(new Error(`unsupported package URL ${url}`))
      p = bytes.then((b) => ({mode: 'stream' as const, entries: prefixEntries(readTar(b), 'pkg')}))
      p.catch(() => this.packages.delete(url))
      this.packages.set(url, p)
    }
    return p
  }

  private async setup(pod: string, container: string) {
    const m = this.member(pod)
    const policy = this.model!.roles[m.role]
    const signature = membershipSignature(this.model!.desired)
    const known = encodeMembers(this.model!.desired.filter((d) => d.pod !== pod))
    if (!policy?.hasPackage) return this.configuredWithoutPackage(pod, container, signature, known)
    // the `creating` mark travels while the member is set up (awaited before the outcome is written)
    const marked = this.patchPod(pod, {[ANNOTATION.state]: 'creating', [ANNOTATION.lastError]: null, [ANNOTATION.lastOutput]: null})
    marked.catch(() => {})
    const pkg = await this.packageFor(m.role)
    const entries: TarEntry[] = [
      ...this.configEntries(pod),
      {path: 'bin', type: 'dir', mode: 0o755},
      {path: 'bin/configcli', type: 'file', mode: 0o755, data: new TextEncoder().encode(CONFIGCLI_SH)},
      ...(pkg.mode === 'stream' ? [{path: 'pkg', type: 'dir' as const, mode: 0o700}, ...pkg.entries] : []),
    ]
    const started = Date.now()
    const r = await this.io.exec(pod, ['sh', '-c', SETUP_SH, 'kd-setup', container, pkg.mode === 'file' ? pkg.url : pkg.mode, policy?.configure === false ? '0' : '1'], writeTar(entries))
    if (r.code !== 0) {
      await marked
      const msg = lastLine(r.stderr) || `setup exited with ${r.code}`
      if (r.code === 3) return this.fail(pod, container, msg, r.stderr)
      throw new Error(msg)
    }
    await marked
    const result = parseSetupOutput(r.stdout)
    if (result.container !== container) throw new Error(`configure.status names container ${result.container || '(none)'}, expected ${container}`)
    if (result.code === '0') {
      await this.markConfigured(pod, container, signature, known, 'config package ran')
      this.io.log(`${pod}: configured (${Date.now() - started} ms)`)
      void this.io.event('MemberConfigured', `member ${pod} configured`).catch(() => {})
      return
    }
    const what = result.code === 'interrupted' ? 'configure was interrupted' : `configure failed with exit status ${result.code}`
    await this.fail(pod, container, `execution of app config failed: ${what}`, joinOutput(result.stdout, result.stderr, this.opts.maxOutput ?? 512))
  }

  /** A role without a config package has nothing to run: no exec at all, so its members work on any node. */
  private async configuredWithoutPackage(pod: string, container: string, signature: string, known: string) {
    await this.markConfigured(pod, container, signature, known, 'no config package to run')
    void this.io.event('MemberConfigured', `member ${pod} configured (no config package)`).catch(() => {})
  }

  /** The member's outcome: annotations and the readiness condition (separate subresources, written at once). */
  private async markConfigured(pod: string, container: string, signature: string, known: string, message: string) {
    await Promise.all([
      this.patchPod(pod, {
        [ANNOTATION.state]: 'configured',
        [ANNOTATION.configuredContainer]: container,
        [ANNOTATION.configGeneration]: signature,
        [KNOWN_MEMBERS_ANNOTATION]: known,
        [ANNOTATION.lastError]: null,
        [ANNOTATION.lastOutput]: null,
      }),
      this.setCondition(pod, 'True', 'Configured', message),
    ])
  }

  private async fail(pod: string, container: string, message: string, output: string) {
    await this.patchPod(pod, {
      [ANNOTATION.state]: 'config error',
      [ANNOTATION.configuredContainer]: container,
      [ANNOTATION.lastError]: message.slice(0, 256),
      [ANNOTATION.lastOutput]: output.slice(-(this.opts.maxOutput ?? 512)),
    })
    await this.setCondition(pod, 'False', 'ConfigError', message.slice(0, 256))
    this.io.log(`${pod}: config error: ${message}`)
    void this.io.event('MemberConfigError', `member ${pod}: ${message}`, 'Warning').catch(() => {})
  }

  private async notify(a: Extract<Action, {kind: 'notify'}>) {
    const signature = membershipSignature(this.model!.desired)
    const args = a.ops.flatMap((o) => [o.op, o.role, o.fqdns.join(',')])
    const r = await this.io.exec(a.pod, ['sh', '-c', NOTIFY_SH, 'kd-notify', a.container, ...args], writeTar(this.configEntries(a.pod)))
    if (r.code === 4) return // another container now: the next plan sets it up again
    if (r.code !== 0) {
      const failed = a.ops[Number(/@@kd notify (\d+) /.exec(r.stdout.split('\n').reverse().find((l) => l.startsWith('@@kd notify')) ?? '')?.[1] ?? 0)]
      const msg = failed ? `--${failed.op} --role ${failed.role} failed (exit ${r.code})` : `membership update failed (exit ${r.code}): ${lastLine(r.stderr)}`
      await this.patchPod(a.pod, {[ANNOTATION.lastError]: msg.slice(0, 256)}).catch(() => {})
      throw new Error(msg)
    }
    await this.patchPod(a.pod, {[ANNOTATION.configGeneration]: signature, [KNOWN_MEMBERS_ANNOTATION]: a.known, [ANNOTATION.lastError]: null})
    for (const o of a.ops) this.io.log(`${a.pod}: --${o.op} --role ${o.role} --fqdns ${o.fqdns.join(',')}`)
    if (a.ops.length) void this.io.event('MembersNotified', `member ${a.pod}: ${a.ops.map((o) => `--${o.op} ${o.role} ${o.fqdns.length}`).join(', ')}`).catch(() => {})
  }
}

export interface SetupOutput {
  container: string
  code: string
  stdout: string
  stderr: string
}

/** Parses setup.sh's stdout (`@@kd status` / `@@kd stdout` / `@@kd stderr` sections). */
export function parseSetupOutput(out: string): SetupOutput {
  const sections: Record<string, string[]> = {}
  let cur = ''
  for (const line of out.split('\n')) {
    const m = /^@@kd (status|stdout|stderr)$/.exec(line)
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
    stdout: (sections.stdout ?? []).join('\n').trim(),
    stderr: (sections.stderr ?? []).join('\n').trim(),
  }
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop()?.trim() ?? ''
}

/** Last lines of stdout and stderr, at most `max` characters, for status. */
export function joinOutput(stdout: string, stderr: string, max: number): string {
  const parts = [stdout && `stdout: ${stdout.slice(-max)}`, stderr && `stderr: ${stderr.slice(-max)}`].filter(Boolean)
  return parts.join('\n').slice(-max)
}
