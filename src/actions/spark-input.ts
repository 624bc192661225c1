// Reads a SparkApplication manifest for `submit -f` (a file or - for stdin; YAML or JSON, one document).
import {readFileSync} from 'node:fs'
import {load} from 'js-yaml'
import {UserError} from '../errors.ts'

export function loadDocuments(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8')
  } catch {
    throw new UserError(`${path}: no such file`)
  }
  try {
    return load(text)
  } catch (err) {
    throw new UserError(`${path}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`)
  }
}
