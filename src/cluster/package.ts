// Config packages as data: the names and format of the ConfigMaps that store them, and a small tar
// writer/reader (ustar; reads GNU long names and pax paths too). The agent re-packs every package into
// one uncompressed tar streamed over exec stdin, so a member needs only `sh` and `tar` (no gzip, no curl).
// Pure except packDirectory(), which reads a local directory for `create`/`app add`.
import {createHash} from 'node:crypto'
import {gunzipSync, gzipSync} from 'node:zlib'
import {lstatSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {UserError} from '../errors.ts'
import {LABEL, MANAGED_BY} from './names.ts'

/** binaryData key of a package ConfigMap: a gzipped tar whose top-level directory holds `startscript`. */
export const PACKAGE_KEY = 'package.tgz'
/** ConfigMaps are limited to 1 MiB in total; keep room for metadata. */
export const PACKAGE_MAX_BYTES = 1000 * 1024
/**
 * A package unpacked (its tar) is at most this big: the agent holds a package in memory while it
 * streams it to members, so a small .tgz that unpacks to hundreds of MiB must be refused, not unpacked.
 */
export const PACKAGE_MAX_UNPACKED_BYTES = 16 * 1024 * 1024
export const CONFIGMAP_SCHEME = 'configmap://'

/** `16 MiB`, `512 KiB`, `300 bytes` */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1048576).toFixed(1)} MiB`
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`
  return `${n} bytes`
}

/** A package that breaks a limit (too big unpacked, not a tar): the same input always fails the same way. */
export class PackageLimitError extends Error {
  override name = 'PackageLimitError'
}

/** `kd-pkg-APP-DIR`: the ConfigMap holding the package DIR of app APP (DNS subdomain, ≤ 253 chars). */
export function packageConfigMapName(app: string, dir: string): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
  const base = dir.replace(/\/+$/, '').split('/').pop() ?? dir
  return `kd-pkg-${slug(app)}-${slug(base)}`.slice(0, 253).replace(/[-.]+$/, '')
}

/** The content hash that identifies a packed package: 16 hex digits of the .tgz's SHA-256. */
export const packageHash = (tgz: Uint8Array) => createHash('sha256').update(tgz).digest('hex').slice(0, 16)

/**
 * The package URL a role gets when its package lives in a ConfigMap. With the package's bytes, the URL
 * carries their hash (`configmap://NAME#sha256=HASH`): the ConfigMap keeps its name when its content
 * changes, the URL in the cluster spec does not, so the agent sees a new package and never mixes up
 * an old and a new one.
 */
export const configMapPackageURL = (name: string, tgz?: Uint8Array) => `${CONFIGMAP_SCHEME}${name}${tgz ? `#sha256=${packageHash(tgz)}` : ''}`

/** Name of the ConfigMap a `configmap://NAME` URL points to, else undefined. */
export function packageConfigMapFromURL(url: string): string | undefined {
  return url.startsWith(CONFIGMAP_SCHEME) ? url.slice(CONFIGMAP_SCHEME.length).replace(/#.*$/, '').replace(/\/+$/, '') : undefined
}

/** The content hash a package URL pins (`#sha256=HASH`), else undefined. */
export function packageHashFromURL(url: string): string | undefined {
  return /#sha256=([0-9a-f]+)$/.exec(url)?.[1]
}

export interface PackageConfigMapInput {
  name: string
  namespace: string
  app: string
  tgz: Uint8Array
}

/** The ConfigMap object that stores one package (create/app add apply it; the agent reads it). */
export function renderPackageConfigMap(p: PackageConfigMapInput) {
  if (p.tgz.byteLength > PACKAGE_MAX_BYTES) {
    throw new Error(`config package ${p.name} is ${p.tgz.byteLength} bytes gzipped; a ConfigMap holds at most ${PACKAGE_MAX_BYTES}: serve it over http(s):// or put it in the image (file://)`)
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: {[LABEL.app]: p.app, [LABEL.managedBy]: MANAGED_BY, [LABEL.package]: 'true'},
    },
    binaryData: {[PACKAGE_KEY]: Buffer.from(p.tgz).toString('base64')},
  }
}

export interface TarEntry {
  /** relative path, `/`-separated; directories end without a slash */
  path: string
  type: 'file' | 'dir' | 'symlink'
  mode: number
  data?: Uint8Array
  linkname?: string
}

const BLOCK = 512
const RECORD = 20 * BLOCK

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0'
}

function header(name: string, e: TarEntry, size: number, typeflag: string, prefix = ''): Uint8Array {
  const h = new Uint8Array(BLOCK)
  const put = (s: string, off: number, len: number) => h.set(Buffer.from(s, 'utf8').subarray(0, len), off)
  put(name, 0, 100)
  put(octal(e.mode & 0o7777, 8), 100, 8)
  put(octal(0, 8), 108, 8)
  put(octal(0, 8), 116, 8)
  put(octal(size, 12), 124, 12)
  put(octal(0, 12), 136, 12)
  put('        ', 148, 8)
  put(typeflag, 156, 1)
  put(e.linkname ?? '', 157, 100)
  put('ustar\0', 257, 6)
  put('00', 263, 2)
  put(prefix, 345, 155)
  let sum = 0
  for (const b of h) sum += b
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
  return h
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.byteLength % BLOCK
  return rest ? [data, new Uint8Array(BLOCK - rest)] : [data]
}

/**
 * An uncompressed tar, padded to a whole 10 KiB record after the end-of-archive blocks, so that
 * `tar -x -f -` stops at the end marker even if stdin is never closed. Deterministic: mtime 0, uid 0.
 */
export function writeTar(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = []
  for (const e of entries) {
    const name = e.type === 'dir' ? `${e.path.replace(/\/+$/, '')}/` : e.path
    const data = e.type === 'file' ? (e.data ?? new Uint8Array()) : new Uint8Array()
    const typeflag = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2'
    if (Buffer.byteLength(name) > 100) {
      const long = Buffer.from(`${name}\0`)
      parts.push(header('././@LongLink', {...e, mode: 0o644, linkname: ''}, long.byteLength, 'L'), ...padded(long))
    }
    parts.push(header(name, e, data.byteLength, typeflag), ...padded(data))
  }
  parts.push(new Uint8Array(2 * BLOCK))
  const total = parts.reduce((n, p) => n + p.byteLength, 0)
  const size = Math.ceil(total / RECORD) * RECORD
  const out = new Uint8Array(size)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.byteLength
  }
  return out
}

function field(h: Uint8Array, off: number, len: number): string {
  const raw = h.subarray(off, off + len)
  const end = raw.indexOf(0)
  return Buffer.from(end >= 0 ? raw.subarray(0, end) : raw).toString('utf8')
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {}
  const text = Buffer.from(data).toString('utf8')
  let i = 0
  while (i < text.length) {
    const sp = text.indexOf(' ', i)
    if (sp < 0) break
    const len = Number.parseInt(text.slice(i, sp), 10)
    if (!len) break
    const rec = text.slice(sp + 1, i + len - 1)
    const eq = rec.indexOf('=')
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1)
    i += len
  }
  return out
}

/**
 * Reads a tar (gzipped or not), at most `maxBytes` unpacked (the gunzip stops there: memory stays
 * bounded whatever the input). Skips device files; rejects absolute paths and `..`.
 */
export function readTar(bytes: Uint8Array, maxBytes = PACKAGE_MAX_UNPACKED_BYTES): TarEntry[] {
  let buf = bytes
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      buf = new Uint8Array(gunzipSync(bytes, {maxOutputLength: maxBytes}))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new PackageLimitError(`unpacks to more than ${formatBytes(maxBytes)}, the limit for a config package`)
      throw new PackageLimitError(`is not a readable .tgz: ${(e as Error).message}`)
    }
  }
  if (buf.byteLength > maxBytes) throw new PackageLimitError(`unpacks to more than ${formatBytes(maxBytes)}, the limit for a config package`)
  const out: TarEntry[] = []
  let off = 0
  let longName: string | undefined
  let pax: Record<string, string> = {}
  while (off + BLOCK <= buf.byteLength) {
    const h = buf.subarray(off, off + BLOCK)
    if (h.every((b) => b === 0)) break
    const size = Number.parseInt(field(h, 124, 12).trim() || '0', 8)
    const type = String.fromCharCode(h[156] || 48)
    const data = buf.subarray(off + BLOCK, off + BLOCK + size)
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK
    if (type === 'L') {
      longName = field(data, 0, data.byteLength)
      continue
    }
    if (type === 'x') {
      pax = parsePax(data)
      continue
    }
    if (type === 'g') continue
    const prefix = field(h, 345, 155)
    let path = longName ?? pax.path ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100))
    longName = undefined
    const linkname = pax.linkpath ?? field(h, 157, 100)
    pax = {}
    path = path.replace(/^\.\/+/, '').replace(/\/+$/, '')
    if (!path || path === '.') continue
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`tar entry ${path} escapes the package directory`)
    const mode = Number.parseInt(field(h, 100, 8).trim() || '644', 8)
    if (type === '0' || type === '\0' || type === '7') out.push({path, type: 'file', mode, data: new Uint8Array(data)})
    else if (type === '5') out.push({path, type: 'dir', mode})
    else if (type === '2') out.push({path, type: 'symlink', mode, linkname})
  }
  return out
}

/** The entries of a package tar moved under `prefix/` (e.g. `pkg`). */
export function prefixEntries(entries: TarEntry[], prefix: string): TarEntry[] {
  return entries.map((e) => ({...e, path: `${prefix}/${e.path}`}))
}

/**
 * Packs a local package directory as KubeDirector expects: one top-level dir (its basename) with
 * startscript. Refuses a directory whose tar would exceed `maxBytes` before reading the files.
 */
export function packDirectory(dir: string, maxBytes = PACKAGE_MAX_UNPACKED_BYTES): Uint8Array {
  const base = dir.replace(/\/+$/, '').split('/').pop() || 'appconfig'
  const entries: TarEntry[] = []
  // tar size so far: a header per entry (two with a long name) and the data padded to 512 bytes
  let size = 2 * BLOCK
  const tooLarge = () => new UserError(`config package ${dir} is more than ${formatBytes(maxBytes)} unpacked, the limit for a config package: leave large files out of it (put them in the image or fetch them from startscript)`)
  const add = (bytes: number) => {
    size += 2 * BLOCK + Math.ceil(bytes / BLOCK) * BLOCK
    if (size > maxBytes) throw tooLarge()
  }
  const walk = (abs: string, rel: string) => {
    const st = lstatSync(abs)
    if (st.isDirectory()) {
      add(0)
      entries.push({path: rel, type: 'dir', mode: st.mode & 0o7777})
      for (const name of readdirSync(abs).sort()) walk(join(abs, name), `${rel}/${name}`)
    } else if (st.isFile()) {
      add(st.size)
      entries.push({path: rel, type: 'file', mode: st.mode & 0o7777, data: readFileSync(abs)})
    }
  }
  walk(dir, base)
  if (!entries.some((e) => e.type === 'file' && e.path === `${base}/startscript`)) {
    throw new UserError(`${dir}: a config package needs an executable startscript at its top level`)
  }
  const tar = writeTar(entries)
  if (tar.byteLength > maxBytes) throw tooLarge()
  return new Uint8Array(gzipSync(tar, {level: 9}))
}
