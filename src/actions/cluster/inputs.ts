// `-f FILE|DIR|-`: the text of every cluster or app definition given, with its source for error lines.
import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {UserError} from '../../errors.ts'

/** Reads `-f` inputs: files, directories (their .yaml/.yml/.json files) and `-` (stdin). */
export function readInputs(paths: string[]): {text: string; source: string}[] {
  return paths.flatMap((p) => {
    if (p === '-') {
      const text = readFileSync(0, 'utf8')
      if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new UserError(`<stdin>: ${Buffer.byteLength(text)} bytes is too large for a cluster or app definition (at most ${MAX_INPUT_BYTES})`)
      return [{text, source: '<stdin>'}]
    }
    if (!existsSync(p)) throw new UserError(`-f ${p}: no such file or directory`)
    if (statSync(p).isDirectory()) {
      const files = readdirSync(p).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
      if (files.length === 0) throw new UserError(`-f ${p}: the directory holds no .yaml, .yml or .json file`)
      return files.map((f) => ({text: readText(join(p, f)), source: join(p, f)}))
    }
    return [{text: readText(p), source: p}]
  })
}

// the definitions end up in a ConfigMap, and Kubernetes objects hold at most 1 MiB
const MAX_INPUT_BYTES = 1024 * 1024

function readText(file: string): string {
  const size = statSync(file).size
  if (size > MAX_INPUT_BYTES) throw new UserError(`${file}: ${size} bytes is too large for a cluster or app definition (at most ${MAX_INPUT_BYTES})`)
  return readFileSync(file, 'utf8')
}
