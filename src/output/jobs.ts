// How jobs look on a terminal: the `get jobs` table and the `status job/NAME` text. Pure formatters
// over JobStatus; the commands choose between these and -o json|yaml. Reasons, log lines and pod
// messages come from the cluster: the text is escaped for the terminal (terminal.ts).
import {age, humanDuration} from './age.ts'
import {withNamespaceColumn, type Table} from './table.ts'
import {escapeTerminalLines} from './terminal.ts'
import type {JobStatus} from '../spark/status.ts'
import type {ManagedJobStatus} from '../spark/managed-job-status.ts'
import {retryDelaySeconds, type Attempt} from '../spark/lifecycle.ts'

function executorsColumn(s: JobStatus): string {
  const e = s.executors
  return e.requested !== undefined ? `${e.running}/${e.requested}` : String(e.running)
}

/** `in 42s` / `<none>`: when a schedule fires next. */
function nextRun(m: ManagedJobStatus, now: number): string {
  const t = m.schedule?.nextRun
  return t ? `in ${humanDuration(Math.max(0, Date.parse(t) - now))}` : '<none>'
}

/**
 * Jobs with managed ones (restart policy, schedule): ATTEMPTS and NEXT-RUN columns appear when any job
 * listed is managed; a plain job shows <none> there.
 */
export function jobsTable(jobs: JobStatus[], opts: {wide?: boolean; allNamespaces?: boolean; now?: number} = {}, managed: ManagedJobStatus[] = []): Table {
  const now = opts.now ?? Date.now()
  if (managed.length) {
    const headers = ['NAME', 'STATE', 'ATTEMPTS', 'EXECUTORS', 'NEXT-RUN', 'AGE', 'DURATION', ...(opts.wide ? ['RUNNER', 'DRIVER', 'SCHEDULE'] : [])]
    const plain = jobs.map((j) => ({ns: j.namespace, name: j.name, created: j.created ?? '', row: [j.name, j.state, '<none>', executorsColumn(j), '<none>', age(j.created, now), j.durationMs !== undefined ? humanDuration(j.durationMs) : '<none>', ...(opts.wide ? ['<none>', j.driver.pod, '<none>'] : [])]}))
    const mine = managed.map((m) => ({
      ns: m.namespace,
      name: m.name,
      created: m.created ?? '',
      row: [m.name, m.state, m.attemptsText, m.driver ? executorsColumn(m.driver) : '<none>', nextRun(m, now), age(m.created, now), m.driver?.durationMs !== undefined ? humanDuration(m.driver.durationMs) : '<none>', ...(opts.wide ? [`${m.kind.toLowerCase()}.batch/${m.name}`, m.driver?.driver.pod ?? '<none>', m.schedule?.schedule ?? '<none>'] : [])],
    }))
    const all = [...plain, ...mine].sort((a, b) => (a.ns + a.created + a.name < b.ns + b.created + b.name ? -1 : 1))
    const table = {headers, rows: all.map((r) => r.row)}
    return opts.allNamespaces ? withNamespaceColumn(table, all.map((r) => r.ns)) : table
  }
  const headers = ['NAME', 'STATE', 'EXECUTORS', 'AGE', 'DURATION', ...(opts.wide ? ['APP-ID', 'DRIVER', 'NODE', 'SPARK'] : [])]
  const rows = jobs.map((j) => [
    j.name,
    j.state,
    executorsColumn(j),
    age(j.created, now),
    j.durationMs !== undefined ? humanDuration(j.durationMs) : '<none>',
    ...(opts.wide ? [j.appId, j.driver.pod, j.driver.node ?? '<none>', j.sparkVersion ?? '<none>'] : []),
  ])
  const table = {headers, rows}
  return opts.allNamespaces ? withNamespaceColumn(table, jobs.map((j) => j.namespace)) : table
}

export function jobStatusText(s: JobStatus, opts: {now?: number} = {}): string {
  const now = opts.now ?? Date.now()
  const e = s.executors
  const lines = [
    `Job:        ${s.name}`,
    `Namespace:  ${s.namespace}`,
    `State:      ${s.state}${s.stuck ? ' (stuck)' : ''}`,
    ...(s.reason ? [`Reason:     ${s.reason}`] : []),
    `App:        ${s.appName} (${s.appId})${s.sparkVersion ? `, Spark ${s.sparkVersion}` : ''}`,
    `Driver:     pod/${s.driver.pod}, ${s.driver.phase}${s.driver.node ? ` on ${s.driver.node}` : ''}${s.driver.exitCode !== undefined ? `, exit code ${s.driver.exitCode}` : ''}`,
    `Executors:  ${e.requested !== undefined ? `${e.requested} requested, ` : ''}${e.running} running, ${e.pending} pending, ${e.succeeded} succeeded, ${e.failed} failed`,
    `Created:    ${s.created ?? '<unknown>'} (${age(s.created, now)} ago)`,
    ...(s.started ? [`Started:    ${s.started}`] : []),
    ...(s.finished ? [`Finished:   ${s.finished}`] : []),
    ...(s.durationMs !== undefined ? [`Duration:   ${humanDuration(s.durationMs)}`] : []),
    ...(s.uiAddress && s.state === 'RUNNING' ? [`Spark UI:   ${s.uiAddress} (kubectl port-forward pod/${s.driver.pod} 4040)`] : []),
  ]
  if (s.lastLogLines?.length) lines.push('Last driver log lines:', ...s.lastLogLines.map((l) => `  ${l}`))
  return escapeTerminalLines(lines.join('\n')) + '\n'
}

/** `after 10s, doubling to 6m`: the waits a retry interval gives (retryDelaySeconds: the first, doubled per quick attempt in a row up to the cap). */
function retryWaits(intervalSeconds: number): string {
  const first = retryDelaySeconds(intervalSeconds, 1)
  const cap = retryDelaySeconds(intervalSeconds, Number.MAX_SAFE_INTEGER)
  return cap > first ? `after ${first}s, doubling to ${humanDuration(cap * 1000)}` : `after ${first}s`
}

const attemptLine = (a: Attempt) => `  ${String(a.n).padEnd(3)}${a.state.padEnd(18)}pod/${a.driver}${a.ended ? `, ended ${a.ended}` : a.created ? `, created ${a.created}` : ''}${a.reason ? `\n       ${a.reason}` : ''}`

/** `status job/NAME` of a managed job: policy, attempts with their end and reason, schedule and the runs kept. */
export function managedJobStatusText(m: ManagedJobStatus, opts: {now?: number} = {}): string {
  const now = opts.now ?? Date.now()
  const p = m.lifecycle.restartPolicy
  const s = m.schedule
  const policy = p.type === 'Never' ? 'Never' : `${p.type}, ${p.type === 'Always' ? 'always rerun' : `${p.onFailureRetries} retries`} ${retryWaits(p.onFailureRetryInterval)}; submission failures: ${p.onSubmissionFailureRetries} retries ${retryWaits(p.onSubmissionFailureRetryInterval)}`
  const lines = [
    `Job:        ${m.name}`,
    `Namespace:  ${m.namespace}`,
    `Runner:     ${m.kind.toLowerCase()}.batch/${m.name}`,
    `State:      ${m.state}`,
    ...(m.reason ? [`Reason:     ${m.reason}`] : []),
    `Restart:    ${policy}`,
    ...(m.lifecycle.startTimeoutSeconds ? [`Start timeout: ${m.lifecycle.startTimeoutSeconds}s`] : []),
    ...(m.lifecycle.timeToLiveSeconds !== undefined ? [`Time to live: ${m.lifecycle.timeToLiveSeconds}s after it finishes`] : []),
  ]
  if (s) {
    lines.push(
      `Schedule:   ${s.schedule}${s.timeZone ? ` (${s.timeZone})` : ''}, concurrency ${s.concurrencyPolicy}${s.suspend ? ', SUSPENDED' : ''}`,
      `History:    keeps ${s.successfulRunHistoryLimit} completed and ${s.failedRunHistoryLimit} failed run(s)`,
      `Last run:   ${s.lastScheduleTime ?? '<none>'}`,
      `Next run:   ${s.nextRun ? `${s.nextRun} (${nextRun(m, now)})` : '<none>'}`,
      `Active:     ${s.active.length ? s.active.join(', ') : '<none>'}`,
      `Runs:       ${m.runs.length}`,
    )
    for (const r of m.runs) {
      lines.push(`  ${r.name}: ${r.state}, attempts ${r.attemptsText}${r.manual ? ', started by kubectl kd run' : ''}${r.started ? `, started ${r.started}` : ''}${r.reason && r.state === 'FAILED' ? `\n    ${r.reason}` : ''}`)
      for (const a of r.attempts) lines.push('  ' + attemptLine(a))
    }
  } else {
    lines.push(`Attempts:   ${m.attemptsText}`, ...m.attempts.map(attemptLine))
  }
  const d = m.driver
  if (d) lines.push(`Driver:     pod/${d.driver.pod}, ${d.driver.phase}${d.driver.node ? ` on ${d.driver.node}` : ''}`)
  lines.push(`Created:    ${m.created ?? '<unknown>'} (${age(m.created, now)} ago)`)
  return escapeTerminalLines(lines.join('\n')) + '\n'
}
