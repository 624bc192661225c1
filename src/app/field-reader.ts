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
    /** every field path read so far in this document, shared by all readers of it (unknownFields) */
    readonly seen: Set<string> = new Set(),
  ) {}

  static of(value: unknown, source: string, path: string, seen?: Set<string>): FieldReader {
    if (!isRecord(value)) throw fieldError(source, path, `must be an object, got ${describe(value)}`)
    return new FieldReader(source, path, value, seen)
  }

  /** A subtree taken as a whole (e.g. a Kubernetes affinity): known, not checked field by field. */
  opaque(key: string): unknown {
    this.seen.add(`${this.at(key)}/*`)
    return this.read(key)
  }

  private read(key: string): unknown {
    this.seen.add(this.at(key))
    return this.value[key]
  }

  /**
   * Rejects the first field under `key` that no reader asked for, the way kubectl's strict validation
   * rejects unknown fields: a misspelt `membersz` must not be ignored silently.
   */
  rejectUnknown(key: string, what: string): void {
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`))
      else if (isRecord(v))
        for (const [k, child] of Object.entries(v)) {
          const p = `${path}.${k}`
          if (!this.seen.has(p)) {
            // odd keys (spaces, newlines, quotes) are shown quoted, so the error stays one line
            const shown = /^[\w.-]+$/.test(k) ? p : `${path}[${JSON.stringify(k)}]`
            throw fieldError(this.source, shown, `unknown field in ${what}`)
          }
          if (!this.seen.has(`${p}/*`)) walk(child, p)
        }
    }
    if (this.seen.has(this.at(key))) walk(this.value[key], this.at(key))
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key
  }

  error(key: string, message: string): UserError {
    return fieldError(this.source, this.at(key), message)
  }

  has(key: string): boolean {
    const present = this.value[key] !== undefined
    if (present) this.read(key)
    return present
  }

  /** The first of `keys` present in the object (aliases across API versions), or undefined. */
  pick(...keys: string[]): string | undefined {
    return keys.find((k) => this.has(k))
  }

  child(key: string): FieldReader | undefined {
    const v = this.read(key)
    if (v === undefined || v === null) return undefined
    return FieldReader.of(v, this.source, this.at(key), this.seen)
  }

  requiredChild(key: string): FieldReader {
    const c = this.child(key)
    if (!c) throw this.error(key, 'is required')
    return c
  }

  string(key: string): string | undefined {
    const v = this.read(key)
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
    const v = this.read(key)
    if (v === undefined || v === null) return undefined
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v
    if (typeof n !== 'number' || !Number.isInteger(n)) throw this.error(key, `must be an integer, got ${describe(v)}`)
    return n
  }

  boolean(key: string): boolean | undefined {
    const v = this.read(key)
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false, got ${describe(v)}`)
    return v
  }

  stringList(key: string): string[] | undefined {
    const v = this.read(key)
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) throw this.error(key, `must be a list of strings, got ${describe(v)}`)
    return v.map((item, i) => {
      if (typeof item !== 'string') throw fieldError(this.source, `${this.at(key)}[${i}]`, `must be a string, got ${describe(item)}`)
      return item
    })
  }

  list(key: string): FieldReader[] | undefined {
    const v = this.read(key)
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) throw this.error(key, `must be a list, got ${describe(v)}`)
    return v.map((item, i) => FieldReader.of(item, this.source, `${this.at(key)}[${i}]`, this.seen))
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
