// How jobs look on a terminal: the `get jobs` table and the `status job/NAME` text. Pure formatters
// over JobStatus; the commands choose between these and -o json|yaml.
import {age, humanDuration} from './age.ts'
import {withNamespaceColumn, type Table} from './table.ts'
import type {JobStatus} from '../spark/status.ts'

function executorsColumn(s: JobStatus): string {
  const e = s.executors
  return e.requested !== undefined ? `${e.running}/${e.requested}` : String(e.running)
}

export function jobsTable(jobs: JobStatus[], opts: {wide?: boolean; allNamespaces?: boolean; now?: number} = {}): Table {
  const now = opts.now ?? Date.now()
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
  return lines.join('\n') + '\n'
}
