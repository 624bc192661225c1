// YAML output with kubectl's look (no line folding, no anchors) and multi-document output. Very long
// strings (base64 binaryData of the agent code) overflow js-yaml's scanner, so they are written as JSON
// strings, which are valid double-quoted YAML scalars. js-yaml double-quotes any string with a control
// character in it, escaped (`"\e]0;…\a"`), so YAML on a terminal is as safe as JSON.
import {dump} from 'js-yaml'
import {jsonSafe} from './terminal.ts'

const LONG = 32 * 1024

export function dumpYaml(data: unknown): string {
  const long: string[] = []
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string' && v.length > LONG) return `__kd_long_${long.push(v) - 1}__`
    if (Array.isArray(v)) return v.map(swap)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]))
    return v
  }
  const text = dump(swap(data), {lineWidth: -1, noRefs: true, sortKeys: false})
  return long.length ? text.replace(/__kd_long_(\d+)__/g, (_, i: string) => jsonSafe(JSON.stringify(long[Number(i)]))) : text
}

export function dumpYamlDocuments(docs: unknown[]): string {
  return docs.map(dumpYaml).join('---\n')
}
