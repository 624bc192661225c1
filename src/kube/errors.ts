// Turns API and network failures into one-line UserErrors that say what failed and how to fix it:
// unreachable cluster, rejected credentials, RBAC denials (naming verb and resource), not found, conflicts.
import {UserError, isUserError} from '../errors.ts'

export interface ApiStatus {
  code?: number
  reason?: string
  message?: string
  details?: {name?: string; kind?: string; group?: string}
}

/** The HTTP status code of an API error, if it is one. */
export function statusCode(err: unknown): number | undefined {
  const code = (err as {code?: unknown})?.code
  return typeof code === 'number' ? code : undefined
}

export function apiStatus(err: unknown): ApiStatus | undefined {
  const body = (err as {body?: unknown})?.body
  if (body === undefined) return undefined
  if (typeof body === 'object' && body !== null) return body as ApiStatus
  try {
    return JSON.parse(String(body)) as ApiStatus
  } catch {
    return {message: String(body)}
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'])

function networkCode(err: unknown): string | undefined {
  for (let e = err as {code?: unknown; cause?: unknown} | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || e.code.startsWith('ERR_TLS') || e.code.includes('CERT'))) return e.code
  }
  return undefined
}

export function translateApiError(err: unknown, what: string, server: string): Error {
  if (isUserError(err)) return err
  const net = networkCode(err)
  if (net) {
    if (net.includes('CERT') || net.startsWith('ERR_TLS')) return new UserError(`the server ${server} presented a certificate that does not match the kubeconfig (${net})`)
    return new UserError(`the cluster at ${server} is not reachable (${net}); is it running, and is the kubeconfig context right?`)
  }
  const code = statusCode(err)
  if (code === undefined) {
    const e = err as {message?: string; cause?: {message?: string}}
    if (e?.message === 'fetch failed') return new UserError(`the cluster at ${server} is not reachable (${e.cause?.message ?? 'fetch failed'}); is it running, and is the kubeconfig context right?`)
    return err as Error
  }
  const status = apiStatus(err)
  const message = status?.message ?? (err as Error).message.split('\n')[0]
  switch (code) {
    case 401:
      return new UserError(`the server ${server} rejected the credentials (401 Unauthorized): they are missing or expired; log in again or pick another --context`)
    case 403:
      return new UserError(`forbidden: ${message} (needed for: ${what})`)
    case 404:
      if (/namespaces "[^"]+" not found/.test(message ?? '')) return new UserError(`${message}: create it first (kubectl create namespace …) or pick another with -n`)
      return new ApiError(code, message ?? 'not found', status)
    default:
      return new ApiError(code, message ?? `HTTP ${code}`, status)
  }
}

/** An API error the caller may want to handle (404, 409, 422 …); printed as-is if it reaches the top. */
export class ApiError extends UserError {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: ApiStatus,
  ) {
    super(message)
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.status === 404
export const isConflict = (err: unknown) => err instanceof ApiError && err.status === 409
