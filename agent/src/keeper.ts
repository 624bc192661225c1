// The agent as the cluster's controller for its objects (DESIGN §4.3): keeps the headless Service, the
// StatefulSets and the member Services at the root's signed spec, level-triggered: every change of the
// spec or of those objects (informers) runs one pass of planConvergence and carries out its actions, a
// bounded number at a time. A write that fails is retried with backoff and said in status (the root's
// agent-problem annotation); an object of a needed name that is not the cluster's is reported and left
// alone. Whatever a command that was interrupted or refused left behind, the next pass finishes.
import type {KubeObject} from '../../src/kube-object.ts'
import {runBounded} from '../../src/kube/bounded.ts'
import {planConvergence, type ObjectAction, type ObservedObject} from '../../src/cluster/member-objects.ts'
import {ANNOTATION} from '../../src/cluster/names.ts'

export interface KeeperIO {
  create(obj: KubeObject): Promise<unknown>
  /** server-side apply */
  apply(obj: KubeObject): Promise<unknown>
  /** undefined: not found */
  get(kind: ObservedObject['kind'], name: string): Promise<ObservedObject | undefined>
  /** with a uid precondition */
  delete(kind: ObservedObject['kind'], name: string, uid: string): Promise<void>
  log(msg: string): void
}

export interface KeeperStatus {
  /** every object is at the spec and every StatefulSet has rolled out */
  converged: boolean
  /** what cannot be done now and why */
  problem?: string
}

/** writes in flight at once (1000 member Services go out 16 at a time, as create sent them) */
const WRITES_IN_FLIGHT = 16
/** a write of ours is not sent again while the informer has not shown it yet, for this long */
const WRITTEN_KEEP_MS = 15_000
const MAX_BACKOFF_MS = 60_000

export class ObjectKeeper {
  private desired: KubeObject[] | undefined
  private rootUid = ''
  private observed = new Map<ObservedObject['kind'], Map<string, ObservedObject>>([
    ['StatefulSet', new Map()],
    ['Service', new Map()],
  ])
  private synced = new Set<ObservedObject['kind']>()
  private running: Promise<void> | undefined
  private again = false
  private failures = 0
  private retry: NodeJS.Timeout | undefined
  private recent = new Map<string, {hash: string; replicas?: number; at: number}>()
  private problem: string | undefined
  private converged = false
  private stopped = false

  constructor(private io: KeeperIO, private cluster: string, private onStatus: () => void) {}

  /** The member objects of the root's signed spec, owned by the root `rootUid`. */
  setDesired(objects: KubeObject[], rootUid: string) {
    this.desired = objects
    this.rootUid = rootUid
    this.kick()
  }

  setObserved(kind: ObservedObject['kind'], objects: Iterable<ObservedObject>) {
    this.observed.set(kind, new Map([...objects].map((o) => [o.name, o])))
    this.synced.add(kind)
    this.kick()
  }

  status(): KeeperStatus {
    return {converged: this.converged, ...(this.problem ? {problem: this.problem} : {})}
  }

  stop() {
    this.stopped = true
    clearTimeout(this.retry)
  }

  /** Resolves once no pass runs or is due (tests; a failed write's retry is not waited for). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  private kick() {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.pass().finally(() => {
      this.running = undefined
      if (this.again) {
        this.again = false
        this.kick()
      }
    })
  }

  private async pass() {
    if (!this.desired || this.synced.size < 2) return
    const observed = [...this.observed.values()].flatMap((m) => [...m.values()])
    const plan = planConvergence(this.desired, observed, this.rootUid, this.cluster)
    // a write the informer now shows (or a delete it shows done), or one too old to wait for, is forgotten
    const now = Date.now()
    for (const [k, w] of this.recent) {
      const [kind, name] = (k.startsWith('delete ') ? k.slice(7) : k).split('/') as [ObservedObject['kind'], string]
      const o = this.observed.get(kind)?.get(name)
      const shown = k.startsWith('delete ') ? !o : o?.specHash === w.hash && (w.replicas === undefined || o.replicas === w.replicas)
      if (shown || now - w.at > WRITTEN_KEEP_MS) this.recent.delete(k)
    }
    // an action already sent for this very render, not yet shown by the informer, is not sent again
    const actions = plan.actions.filter((a) => {
      if (a.op === 'delete') return !this.recent.has(`delete ${a.kind}/${a.name}`)
      const w = this.recent.get(`${a.object.kind}/${a.object.metadata.name}`)
      return !(w && w.hash === hashOf(a.object) && w.replicas === replicasOf(a.object))
    })
    // what waits for the informer is looked at again when the wait is over, even if nothing else changes
    if (actions.length < plan.actions.length) this.retryIn(WRITTEN_KEEP_MS + 100)
    const errors: string[] = []
    await runBounded(actions, WRITES_IN_FLIGHT, async (a) => {
      try {
        await this.carryOut(a)
      } catch (err) {
        errors.push(`${describe(a)}: ${(err as Error).message.split('\n')[0]}`)
      }
    })
    const foreign = plan.foreign.map((f) => `${f} exists and is not this cluster's (no owner reference to its root): rename or remove it`)
    const problems = [...errors.sort(), ...foreign]
    const before = JSON.stringify(this.status())
    this.problem = problems.length ? `${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}` : undefined
    this.converged = plan.actions.length === 0 && problems.length === 0 && plan.rollingOut.length === 0
    if (errors.length) {
      const delay = Math.min(1000 * 2 ** this.failures++, MAX_BACKOFF_MS)
      this.io.log(`objects: ${errors.length} write(s) failed (retry in ${delay} ms): ${errors[0]}`)
      this.retryIn(delay)
    } else this.failures = 0
    if (actions.length) this.io.log(`objects: ${actions.map(describe).slice(0, 5).join(', ')}${actions.length > 5 ? ` and ${actions.length - 5} more` : ''}`)
    if (JSON.stringify(this.status()) !== before) this.onStatus()
  }

  private retryIn(ms: number) {
    clearTimeout(this.retry)
    this.retry = setTimeout(() => this.kick(), ms)
    this.retry.unref?.()
  }

  private async carryOut(a: ObjectAction) {
    if (a.op === 'delete') {
      this.recent.set(`delete ${a.kind}/${a.name}`, {hash: '', at: Date.now()})
      await this.io.delete(a.kind, a.name, a.uid).catch((err) => (isKind(err, 'NotFound') ? undefined : Promise.reject(err)))
      return
    }
    const o = a.object
    const mark = () => this.recent.set(`${o.kind}/${o.metadata.name}`, {hash: hashOf(o), replicas: replicasOf(o), at: Date.now()})
    if (a.op === 'apply') {
      await this.io.apply(o)
      return mark()
    }
    try {
      await this.io.create(o)
      return mark()
    } catch (err) {
      if (!isKind(err, 'AlreadyExists')) throw err
    }
    // the name was taken since the informer last spoke: ours (update it) or someone else's (leave it)
    const found = await this.io.get(o.kind as ObservedObject['kind'], o.metadata.name)
    if (found && found.ownerUids.includes(this.rootUid)) {
      await this.io.apply(o)
      return mark()
    }
    if (found) throw new Error('exists and is not this cluster\'s')
  }
}

const hashOf = (o: KubeObject) => o.metadata.annotations?.[ANNOTATION.specHash] ?? ''
const replicasOf = (o: KubeObject) => (o.spec as {replicas?: number} | undefined)?.replicas

function describe(a: ObjectAction): string {
  if (a.op === 'delete') return `delete ${a.kind.toLowerCase()}/${a.name}`
  return `${a.op === 'apply' ? (a.adopt ? 'adopt' : 'update') : 'create'} ${a.object.kind.toLowerCase()}/${a.object.metadata.name}`
}

const isKind = (err: unknown, kind: string) => (err as {kind?: string})?.kind === kind
