// Reads SparkApplication manifests for `submit -f`: a file or - for stdin (YAML or JSON, one document
// or many), or a directory (its .yaml/.yml/.json files in name order). Each document keeps its place
// (`jobs/a.yaml`, or `jobs/a.yaml[2]` in a file of several) for error lines; a file that does not parse
// is one entry with its error, so the other files' jobs still go.
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {load, loadAll} from 'js-yaml'
import {KUBECTL_YAML_SCHEMA} from '../../app/yaml-schema.ts'
import {UserError} from '../../errors.ts'

/** One document of the input, or why a file could not be read. */
export interface SparkAppDocument {
  source: string
  doc?: unknown
  error?: string
}

export function loadDocuments(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8')
  } catch {
    throw new UserError(`${path}: no such file`)
  }
  try {
    return load(text, {schema: KUBECTL_YAML_SCHEMA})
  } catch (err) {
    throw new UserError(`${path}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`)
  }
}

/** Every document of `-f PATH` (a file, a directory or -), in order; empty documents are skipped. */
export function readSparkApplications(path: string): SparkAppDocument[] {
  if (path === '-') return documentsOf(readFileSync(0, 'utf8'), '<stdin>')
  let isDir: boolean
  try {
    isDir = statSync(path).isDirectory()
  } catch {
    throw new UserError(`-f ${path}: no such file or directory`)
  }
  if (!isDir) return documentsOf(readFileSync(path, 'utf8'), path)
  const files = readdirSync(path).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
  if (files.length === 0) throw new UserError(`-f ${path}: the directory holds no .yaml, .yml or .json file`)
  return files.flatMap((f) => documentsOf(readFileSync(join(path, f), 'utf8'), join(path, f)))
}

function documentsOf(text: string, file: string): SparkAppDocument[] {
  let docs: unknown[]
  try {
    docs = loadAll(text, {schema: KUBECTL_YAML_SCHEMA})
  } catch (err) {
    return [{source: file, error: `not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`}]
  }
  // the index is the document's place in the file (empty documents count), shown when a file has several
  const several = docs.length > 1
  return docs.flatMap((doc, i) => (doc === null || doc === undefined ? [] : [{source: several ? `${file}[${i}]` : file, doc}]))
}
