// The closed set of -o values, checked up front with kubectl's wording, and the printers for
// json / yaml / name / jsonpath. Tables are printed by each command from src/output/table.ts.
import {UserError} from '../errors.ts'
import {jsonpath} from './jsonpath.ts'
import {jsonSafe} from './terminal.ts'

export type Format = 'table' | 'wide' | 'json' | 'yaml' | 'name' | `jsonpath=${string}`

export function parseFormat(value: string | undefined, allowed: readonly string[]): Format {
  if (value === undefined || value === '') return 'table'
  if (value.startsWith('jsonpath=') && allowed.includes('jsonpath')) return value as Format
  if (allowed.includes(value)) return value as Format
  const list = allowed.map((a) => (a === 'jsonpath' ? 'jsonpath=...' : a)).sort().join(',')
  throw new UserError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${list}`)
}

export const isDataFormat = (f: Format) => f !== 'table' && f !== 'wide'

/** A list as kubectl prints it: `kind: List` with items. */
export function asList(items: unknown[]): unknown {
  return {apiVersion: 'v1', kind: 'List', items, metadata: {resourceVersion: ''}}
}

export interface Named {
  kind: string
  group?: string
  name: string
}

/** `kind.group/name`, lower-case kind, as kubectl's name printer. */
export function formatName(n: Named): string {
  const kind = n.kind.toLowerCase()
  return n.group ? `${kind}.${n.group}/${n.name}` : `${kind}/${n.name}`
}

/** Prints data (one object or a list) in a data format. */
export async function formatData(data: unknown, format: Format, names?: Named[]): Promise<string> {
  if (format === 'json') return jsonSafe(JSON.stringify(data, null, 4)) + '\n'
  // js-yaml only when printing YAML: loading it is a noticeable part of a command's start-up
  if (format === 'yaml') return (await import('./yaml.ts')).dumpYaml(data)
  if (format === 'name') return (names ?? []).map((n) => formatName(n) + '\n').join('')
  // as kubectl: the template's text and nothing more (no newline after it), not escaped (the values asked for)
  if (format.startsWith('jsonpath=')) return jsonpath(data, format.slice('jsonpath='.length))
  throw new Error(`formatData called with ${format}`)
}
