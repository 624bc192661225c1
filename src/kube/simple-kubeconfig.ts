// A kubeconfig read without @kubernetes/client-node, for the common case that needs none of its machinery:
// the context (current or --context) of one file, whose user has a client certificate or a bearer token.
// Anything else (exec and auth-provider plugins, basic auth, impersonation, proxies, token files, an entry
// client-node would reject, a file that cannot be read) answers undefined: the caller then uses client-node,
// so behaviour and error messages stay the same. Mirrors client-node's config.ts and config_types.ts.
import {readFileSync} from 'node:fs'
import {dirname, isAbsolute, join} from 'node:path'
import {load} from 'js-yaml'
import type {Credentials} from './http-client.ts'

type Fields = Record<string, unknown>
type Named = {name?: unknown} & Record<string, unknown>

// fields the lean client implements; `extensions` carries nothing the client acts on
const CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'extensions'])
const USER_FIELDS = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'extensions'])

export function simpleKubeconfig(file: string, opts: {context?: string; namespace?: string}): {context: string; credentials: Credentials} | undefined {
  try {
    const doc = load(readFileSync(file, 'utf8')) as {clusters?: unknown; users?: unknown; contexts?: unknown; 'current-context'?: unknown}
    const clusters = list(doc.clusters, 'cluster', 'server')
    const users = list(doc.users, 'user')
    const contexts = list(doc.contexts, 'context', 'cluster')
    if (!clusters || !users || !contexts) return undefined
    const context = opts.context || doc['current-context']
    const ctx = find(contexts, context, 'context')
    const cluster = find(clusters, ctx?.cluster, 'cluster')
    const user = find(users, ctx?.user || undefined, 'user')
    if (typeof context !== 'string' || !ctx || !cluster || !user) return undefined
    if (!only(cluster, CLUSTER_FIELDS) || !only(user, USER_FIELDS) || !String(cluster.server).startsWith('https://')) return undefined
    const base = dirname(file)
    // a file wins over inline data, relative to the kubeconfig's directory (client-node's bufferFromFileOrString)
    const bytes = (path: unknown, data: unknown) =>
      path ? readFileSync(isAbsolute(String(path)) ? String(path) : join(base, String(path))) : data ? Buffer.from(String(data), 'base64') : undefined
    const cert = bytes(user['client-certificate'], user['client-certificate-data'])
    const key = bytes(user['client-key'], user['client-key-data'])
    if (!cert !== !key) return undefined
    const token = user.token ? String(user.token) : undefined
    return {
      context,
      credentials: {
        server: String(cluster.server).replace(/\/$/, ''),
        namespace: opts.namespace || (ctx.namespace as string | undefined) || 'default',
        ca: bytes(cluster['certificate-authority'], cluster['certificate-authority-data']),
        cert,
        key,
        context,
        authorization: token ? () => `Bearer ${token}` : undefined,
        insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
      },
    }
  } catch {
    return undefined
  }
}

/** The entries of clusters/users/contexts; undefined where client-node throws: an entry without a name or a required field. */
function list(value: unknown, key: string, required?: string): Named[] | undefined {
  if (!Array.isArray(value)) return []
  return value.every((e: Named | null) => e?.name && (!required || (e[key] as Fields | undefined)?.[required])) ? value : undefined
}

/** client-node's findObject: the first entry of that name; its fields ({} for a user without any). */
function find(entries: Named[], name: unknown, key: string): Fields | undefined {
  const entry = entries.find((e) => e.name === name)
  return entry ? ((entry[key] as Fields | undefined) ?? {}) : undefined
}

/** The credentials of a simple kubeconfig (the agent run from a workstation, tests), or why not. */
export function leanCredentials(file: string, opts: {context?: string; namespace?: string} = {}): Credentials {
  const simple = simpleKubeconfig(file, opts)
  if (!simple) throw new Error(`kubeconfig ${file}: the context${opts.context ? ` "${opts.context}"` : ''} must authenticate with a client certificate or a token (exec plugins, auth providers and proxies need client-node)`)
  return simple.credentials
}

const only = (fields: Fields, allowed: Set<string>) => Object.keys(fields).every((k) => allowed.has(k))
