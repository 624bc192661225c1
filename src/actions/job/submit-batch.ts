// submitJobs: many SparkApplications from one `submit -f DIR|FILE|-`, through the single submission's
// phases (submit.ts: render, the namespace's checks, the creates), with what a batch shares done once:
// the caller's rights and the driver account's are checked once per namespace and account, not per job;
// only the creates (driver pod, then its Service and ConfigMaps) are per job, a bounded number in flight.
// A bad document fails alone (nothing of it created) unless `atomic`: then nothing is created when any
// document is bad, and a create that fails midway undoes what this run created (by uid), nothing else.
import {UserError, isUserError} from '../../errors.ts'
import {lifecycleOf} from '../../spark/lifecycle.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {errorKind} from '../../kube/errors.ts'
import {runBounded} from '../../kube/bounded.ts'
import type {SubmitArgs} from '../../spark/submission.ts'
import type {SparkAppDocument} from './spark-input.ts'
import {prepareSubmission} from './prepared-submission.ts'
import {checkSubmitAccess, createJobObjects, readyDriverAccount, renderJob, type CreatedObject, type RenderedJob, type SubmitResult} from './submit.ts'

/** Jobs being created at once, each with at most 2 requests in flight (measured: docs/guarantees.md). */
export const BATCH_CONCURRENCY = 32

export interface BatchSubmitOptions {
  /** -n, if given (a manifest naming another namespace is refused, as for one job) */
  namespace?: string
  /** flags given with -f: they override every manifest (e.g. --image) */
  args?: SubmitArgs
  dryRun?: 'none' | 'client' | 'server'
  createServiceAccount?: boolean
  atomic?: boolean
  concurrency?: number
  onProgress?: (p: BatchProgress) => void
  /** injectable for tests */
  now?: () => number
}

export interface BatchProgress {
  total: number
  done: number
  failed: number
}

/** One document's outcome: its result when created (or rendered), else why not, or `skipped` by --atomic. */
export interface BatchJob {
  source: string
  result?: SubmitResult
  error?: string
  /** --atomic: not created (or deleted again) because another document failed */
  skipped?: boolean
}

export interface BatchResult {
  jobs: BatchJob[]
  /** warnings once per namespace and account (and the documents' own, with their source) */
  warnings: string[]
  /** --atomic: jobs of this run deleted again after a create failed */
  undone?: number
  /** --atomic and something failed: nothing of this run is left */
  nothingCreated?: boolean
}

interface Planned {
  source: string
  job?: RenderedJob
  error?: string
  skipped?: boolean
  created?: CreatedObject[]
}

const inPlace = (source: string, err: unknown): string => {
  if (!isUserError(err)) throw err
  return err.message.startsWith(`${source}: `) ? err.message : `${source}: ${err.message}`
}

/**
 * Reads, checks and renders every document without a request: the plan of a batch. Names must be unique
 * within it (a duplicate refuses the batch, naming both places).
 */
export async function planJobs(kube: KubeClient | undefined, docs: SparkAppDocument[], opts: Pick<BatchSubmitOptions, 'namespace' | 'args' | 'createServiceAccount' | 'now'>): Promise<Planned[]> {
  const now = opts.now ?? Date.now
  const planned: Planned[] = []
  for (const d of docs) {
    if (d.error !== undefined) {
      planned.push({source: d.source, error: `${d.source}: ${d.error}`})
      continue
    }
    try {
      const prepared = await prepareSubmission({document: {doc: d.doc, source: d.source}, namespace: opts.namespace, args: opts.args})
      // a job with retries, a TTL or a schedule is made by its own runner (src/actions/job/managed-job.ts), one per submit
      if (prepared.lifecycle && lifecycleOf(prepared.lifecycle, undefined, {})) throw new UserError(`${d.source}: restartPolicy, timeToLiveSeconds and schedules are honoured for one document per submit, not in a batch: submit this document on its own (kubectl kd submit -f FILE)`)
      planned.push({source: d.source, job: renderJob(kube, prepared, {namespace: opts.namespace, createServiceAccount: opts.createServiceAccount}, now())})
    } catch (err) {
      planned.push({source: d.source, error: inPlace(d.source, err)})
    }
  }
  const seen = new Map<string, string>()
  const twice: string[] = []
  for (const p of planned) {
    if (!p.job) continue
    const {namespace, jobName} = p.job.result
    const key = `${namespace}/${p.job.result.driverPod}`
    const first = seen.get(key)
    if (first !== undefined) twice.push(`job "${jobName}" (namespace "${namespace}") is in ${first} and ${p.source}`)
    else seen.set(key, p.source)
  }
  if (twice.length) throw new UserError(`${twice.join('; ')}: a job's name must be unique within one submission; nothing was created`)
  return planned
}

/** Submits every document of the batch; returns each one's outcome in input order. */
export async function submitJobs(kube: KubeClient | undefined, docs: SparkAppDocument[], opts: BatchSubmitOptions = {}): Promise<BatchResult> {
  const planned = await planJobs(kube, docs, opts)
  const warnings = planned.flatMap((p) => (p.job?.result.warnings ?? []).map((w) => `${p.source}: ${w}`))
  for (const p of planned) if (p.job) p.job.result.warnings = []
  const outcome = (undone?: number): BatchResult => ({
    jobs: planned.map((p) => ({source: p.source, ...(p.error !== undefined ? {error: p.error} : p.skipped ? {skipped: true} : {result: p.job!.result})})),
    warnings,
    ...(undone !== undefined ? {undone} : {}),
    ...(opts.atomic && planned.some((p) => p.error !== undefined) ? {nothingCreated: true} : {}),
  })
  const refuseAll = () => {
    for (const p of planned) if (p.error === undefined) p.skipped = true
  }
  if (opts.atomic && planned.some((p) => p.error !== undefined)) {
    refuseAll()
    return outcome()
  }
  if (opts.dryRun === 'client') return outcome()
  if (!kube) throw new Error('submitJobs: a cluster is needed unless --dry-run=client')
  const k = kube
  const serverDryRun = opts.dryRun === 'server'

  // once per namespace and driver account: the caller's rights, the account (all reads first, then
  // --create-service-account's writes), instead of a dozen requests per job
  const groups = new Map<string, {namespace: string; sa: string; saExists?: boolean; error?: string}>()
  const groupOf = (job: RenderedJob) => `${job.result.namespace}\0${job.serviceAccount}`
  for (const p of planned) if (p.job && !groups.has(groupOf(p.job))) groups.set(groupOf(p.job), {namespace: p.job.result.namespace, sa: p.job.serviceAccount})
  const failGroup = (g: {error?: string}, err: unknown) => {
    if (!isUserError(err)) throw err
    g.error = err.message
  }
  await Promise.all([...groups.values()].map((g) => checkSubmitAccess(k, g.namespace, g.sa, opts).then((r) => void (g.saExists = r.saExists), (err) => failGroup(g, err))))
  const ready = async () => {
    await Promise.all(
      [...groups.values()].filter((g) => g.error === undefined).map((g) =>
        readyDriverAccount(k, g.namespace, g.sa, {saExists: g.saExists!, createServiceAccount: opts.createServiceAccount, serverDryRun}).then((w) => void warnings.push(...w), (err) => failGroup(g, err)),
      ),
    )
  }
  // --atomic writes nothing (no service account either) while a check fails
  if (!opts.atomic || !opts.createServiceAccount) await ready()
  for (const p of planned) {
    const g = p.job && groups.get(groupOf(p.job))
    if (g?.error !== undefined && p.error === undefined) p.error = `${p.source}: ${g.error}`
  }
  if (opts.atomic && planned.some((p) => p.error !== undefined)) {
    refuseAll()
    return outcome()
  }
  if (opts.atomic && opts.createServiceAccount) {
    await ready()
    if ([...groups.values()].some((g) => g.error !== undefined)) {
      for (const p of planned) {
        const g = groups.get(groupOf(p.job!))!
        if (g.error !== undefined) p.error = `${p.source}: ${g.error}`
        else p.skipped = true
      }
      return outcome()
    }
  }

  const todo = planned.filter((p) => p.error === undefined)
  const progress: BatchProgress = {total: planned.length, done: 0, failed: planned.length - todo.length}
  opts.onProgress?.({...progress})
  let failedMidway = false
  await runBounded(
    todo,
    opts.concurrency ?? BATCH_CONCURRENCY,
    async (p) => {
      try {
        p.created = await createJobObjects(k, p.job!, {serverDryRun, saExists: groups.get(groupOf(p.job!))!.saExists!})
        progress.done++
      } catch (err) {
        p.error = inPlace(p.source, err)
        progress.failed++
        failedMidway = true
      }
      opts.onProgress?.({...progress})
    },
    () => !!opts.atomic && failedMidway,
  )
  if (!opts.atomic || !failedMidway) return outcome()
  // --atomic: undo what this run created (only that: uid preconditions), then report every job not created
  const made = todo.flatMap((p) => p.created ?? [])
  if (!serverDryRun) {
    await runBounded(made, opts.concurrency ?? BATCH_CONCURRENCY, async (o) => {
      const res = o.kind === 'Pod' ? R.pods(o.namespace) : o.kind === 'Service' ? R.services(o.namespace) : R.configMaps(o.namespace)
      try {
        await k.delete(res, o.name, {uid: o.uid, propagationPolicy: 'Background'})
      } catch (err) {
        // gone already (the pod's dependents go with it) or replaced by another object of the name: left alone
        if (errorKind(err) !== 'NotFound' && errorKind(err) !== 'Conflict') throw err
      }
    })
  }
  for (const p of todo) if (p.error === undefined) p.skipped = true
  return outcome(todo.filter((p) => p.created).length)
}
