// Turns the text of a YAML or JSON file into plain documents, and a malformed file into one
// UserError line naming the file and the line. Shared by the app and cluster parsers; no I/O.
import {loadAll} from 'js-yaml'
import {KUBECTL_YAML_SCHEMA} from './yaml-schema.ts'
import {UserError} from '../errors.ts'

/** Every non-empty document in `text` (YAML `---` streams, a JSON object, or a JSON array of objects is one document). */
export function loadDocuments(text: string, source: string): unknown[] {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart()
  const looksLikeJson = trimmed.startsWith('{') || trimmed.startsWith('[')
  if (looksLikeJson) {
    try {
      return [JSON.parse(text)]
    } catch (jsonError) {
      // maybe a YAML stream of JSON documents (`{…}\n---\n{…}`): YAML reads those; if not, report the JSON error
      try {
        return loadAll(text, {filename: source, schema: KUBECTL_YAML_SCHEMA}).filter((d) => d !== null && d !== undefined)
      } catch {
        throw jsonSyntaxError(jsonError as Error, text, source)
      }
    }
  }
  let docs: unknown[]
  try {
    docs = loadAll(text, {filename: source, schema: KUBECTL_YAML_SCHEMA})
  } catch (err) {
    const e = err as {reason?: string; mark?: {line?: number}; message?: string}
    const line = e.mark?.line !== undefined ? ` line ${e.mark.line + 1}:` : ''
    const reason = e.reason ?? String(e.message ?? err).split('\n')[0]
    throw new UserError(`${source}:${line} malformed YAML: ${reason}`)
  }
  return docs.filter((d) => d !== null && d !== undefined)
}

function jsonSyntaxError(err: Error, text: string, source: string): UserError {
  const message = err.message
  const lineCol = /\(line (\d+) column \d+\)/.exec(message)
  const position = /at position (\d+)/.exec(message)
  let line = lineCol ? Number(lineCol[1]) : undefined
  if (line === undefined && position) line = text.slice(0, Number(position[1])).split('\n').length
  const reason = message.replace(/ in JSON at position.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')
    // V8 quotes the text around the error, newlines included: keep the message on one line
    .replace(/\s+/g, ' ')
  return new UserError(`${source}:${line !== undefined ? ` line ${line}:` : ''} malformed JSON: ${reason}`)
}

/** The manifests in a document: a JSON array or a `kind: List` yields its items. */
export function manifestsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc
  if (isRecord(doc) && typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) return doc.items
  return [doc]
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
