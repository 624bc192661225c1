// Tables the way kubectl prints them: uppercase headers, columns padded to the widest cell plus three
// spaces (cli-runtime's tabwriter), no trailing spaces. Every cell is escaped (terminal.ts), as kubectl's
// table printer does: cells hold what the cluster says.
import {escapeTerminal} from './terminal.ts'

export interface Table {
  headers: string[]
  rows: string[][]
}

/**
 * `widths`: column widths remembered from earlier prints of the same table (`get -w`), as kubectl's
 * watch does: a column is as wide as its widest cell so far, never narrower, and the array is updated.
 */
export function renderTable(table: Table, opts: {noHeaders?: boolean; widths?: number[]} = {}): string {
  const all = (opts.noHeaders ? table.rows : [table.headers.map((h) => h.toUpperCase()), ...table.rows]).map((r) => r.map((cell) => escapeTerminal(cell ?? '')))
  if (all.length === 0) return ''
  const widths = table.headers.map((_, i) => Math.max(opts.widths?.[i] ?? 0, ...all.map((r) => (r[i] ?? '').length)))
  if (opts.widths) opts.widths.splice(0, opts.widths.length, ...widths)
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : (cell ?? '').padEnd(widths[i]! + 3))).join('').trimEnd())
    .join('\n') + '\n'
}

/** Adds kubectl's leading NAMESPACE column for -A. */
export function withNamespaceColumn(table: Table, namespaces: string[]): Table {
  return {headers: ['NAMESPACE', ...table.headers], rows: table.rows.map((r, i) => [namespaces[i] ?? '', ...r])}
}
