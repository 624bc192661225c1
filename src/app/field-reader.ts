// Typed, path-aware access to a parsed YAML/JSON object. Every wrong type becomes one UserError line
// `SOURCE: PATH: what is wrong`, so parsers read fields without repeating checks. Pure; no I/O.
import {UserError} from '../errors.ts'
import {isRecord} from './documents.ts'

export function fieldError(source: string, path: string, message: string): UserError {
  return new UserError(`${source}: ${path}: ${message}`)
}

export class FieldReader {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly value: Record<string, unknown>,
  ) {}

  static of(value: unknown, source: string, path: string): FieldReader {
    if (!isRecord(value)) throw fieldError(source, path, `must be an object, got ${describe(value)}`)
    return new FieldReader(source, path, value)
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key
  }

  error(key: string, message: string): UserError {
    return fieldError(this.source, this.at(key), message)
  }

  has(key: string): boolean {
    return this.value[key] !== undefined
  }

  /** The first of `keys` present in the object (aliases across API versions), or undefined. */
  pick(...keys: string[]): string | undefined {
    return keys.find((k) => this.value[k] !== undefined)
  }

  child(key: string): FieldReader | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    return FieldReader.of(v, this.source, this.at(key))
  }

  requiredChild(key: string): FieldReader {
    const c = this.child(key)
    if (!c) throw this.error(key, 'is required')
    return c
  }

  string(key: string): string | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    if (typeof v !== 'string') throw this.error(key, `must be a string, got ${describe(v)}`)
    return v
  }

  requiredString(key: string): string {
    const v = this.string(key)
    if (v === undefined || v === '') throw this.error(key, 'is required')
    return v
  }

  integer(key: string): number | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v
    if (typeof n !== 'number' || !Number.isInteger(n)) throw this.error(key, `must be an integer, got ${describe(v)}`)
    return n
  }

  boolean(key: string): boolean | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false, got ${describe(v)}`)
    return v
  }

  stringList(key: string): string[] | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) throw this.error(key, `must be a list of strings, got ${describe(v)}`)
    return v.map((item, i) => {
      if (typeof item !== 'string') throw fieldError(this.source, `${this.at(key)}[${i}]`, `must be a string, got ${describe(item)}`)
      return item
    })
  }

  list(key: string): FieldReader[] | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) throw this.error(key, `must be a list, got ${describe(v)}`)
    return v.map((item, i) => FieldReader.of(item, this.source, `${this.at(key)}[${i}]`))
  }

  /** A map of string values (labels, configMeta, resource lists); numbers are turned into strings. */
  stringMap(key: string): Record<string, string> | undefined {
    const c = this.child(key)
    if (!c) return undefined
    const out: Record<string, string> = {}
    for (const k of Object.keys(c.value)) {
      const s = c.string(k)
      if (s !== undefined) out[k] = s
    }
    return out
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return String(value)
}
