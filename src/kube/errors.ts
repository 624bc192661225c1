// One error type for everything the API (or the way to it) answers with: an HTTP status, the API's
// reason, and a kind that actions and commands branch on (never the message text). Its message is a
// single line a user can act on, so an ApiError that reaches the top is printed as it is.
import {UserError} from '../errors.ts'

export type ApiErrorKind =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Invalid'
  | 'TooLarge'
  | 'Gone'
  | 'TooManyRequests'
  | 'ServerError'
  | 'Timeout'
  | 'Unreachable'
  | 'BadCertificate'
  | 'Other'

/** The API's Status object (what a non-2xx answer carries). */
export interface ApiStatus {
  code?: number
  reason?: string
  message?: string
  details?: {name?: string; kind?: string; group?: string; causes?: Array<{reason?: string; message?: string; field?: string}>}
}

export class ApiError extends UserError {
  constructor(
    readonly kind: ApiErrorKind,
    /** HTTP status; 0 when no answer came */
    readonly status: number,
    message: string,
    readonly details?: ApiStatus,
  ) {
    super(message)
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.kind === 'NotFound'
export const isAlreadyExists = (err: unknown) => err instanceof ApiError && err.kind === 'AlreadyExists'
export const isConflict = (err: unknown) => err instanceof ApiError && err.kind === 'Conflict'
export const errorKind = (err: unknown): ApiErrorKind | undefined => (err instanceof ApiError ? err.kind : undefined)

/** Answers worth another try of an idempotent request: the server was busy, restarting or briefly away. */
export const isTransient = (err: unknown) =>
  err instanceof ApiError && (err.kind === 'TooManyRequests' || err.kind === 'ServerError' || err.kind === 'Unreachable' || err.kind === 'Timeout')

/** The ApiError for a non-2xx answer; `what` names the request ("get configmap/x"), `server` the API server. */
export function errorFromAnswer(code: number, body: string, what: string, server: string): ApiError {
  let status: ApiStatus | undefined
  try {
    const parsed = JSON.parse(body) as ApiStatus
    if (parsed && typeof parsed === 'object') status = parsed
  } catch {}
  const text = status?.message?.trim() || body.trim().split('\n')[0]?.slice(0, 300) || ''
  const said = text ? `: ${text}` : ''
  switch (code) {
    case 401:
      return new ApiError('Unauthorized', code, `the server ${server} rejected the credentials (401 Unauthorized): they are missing or expired; log in again or pick another --context`, status)
    case 403:
      return new ApiError('Forbidden', code, `forbidden${said || ` (403)`} (needed for: ${what})`, status)
    case 404:
      if (/namespaces "[^"]+" not found/.test(text)) return new ApiError('NotFound', code, `${text}: create it first (kubectl create namespace …) or pick another with -n`, status)
      return new ApiError('NotFound', code, text ? `${what}: ${text}` : `${what}: not found (404) at ${server}; is this a Kubernetes API server?`, status)
    case 409:
      return new ApiError(status?.reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict', code, `${what}${said || ': conflict (409)'}`, status)
    case 410:
      return new ApiError('Gone', code, `${what}${said || ': gone (410)'}`, status)
    case 413:
      return new ApiError('TooLarge', code, `${what}: the object is too large for the API server${said}`, status)
    case 422:
    case 400:
      return new ApiError('Invalid', code, `${what}${said || `: rejected as invalid (${code})`}`, status)
    case 429:
      return new ApiError('TooManyRequests', code, `${what}: the API server is busy (429 Too Many Requests)${said}`, status)
    case 504:
      return new ApiError('Timeout', code, `${what}: the API server timed out (504)${said}`, status)
    default:
      if (code >= 500) return new ApiError('ServerError', code, `${what}: the API server failed (${code})${said}`, status)
      return new ApiError('Other', code, `${what}: HTTP ${code}${said}`, status)
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED'])

/** The ApiError for a request that got no answer (refused, reset, TLS failure, timeout). */
export function errorFromNetwork(err: unknown, what: string, server: string): ApiError {
  if (err instanceof ApiError) return err
  let code: string | undefined
  for (let e = err as {code?: unknown; cause?: unknown} | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string') {
      code = e.code
      break
    }
  }
  const message = (err as Error)?.message?.split('\n')[0] || String(err)
  if (code && (/CERT|SELF_SIGNED|SIGNATURE|^UNABLE_TO_/.test(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')))
    return new ApiError('BadCertificate', 0, `the server ${server} presented a certificate that the kubeconfig does not trust (${code}: ${message.split(';')[0]})`)
  if (code === 'KD_TIMEOUT') return new ApiError('Timeout', 0, `${what}: ${message}`)
  const why = code && NETWORK_CODES.has(code) ? code : message
  return new ApiError('Unreachable', 0, `the cluster at ${server} is not reachable (${why}); is it running, and is the kubeconfig context right?`)
}

/** A timeout raised by the client itself (TLS handshake, no answer): a network failure of kind Timeout. */
export function timeoutError(message: string): Error {
  return Object.assign(new Error(message), {code: 'KD_TIMEOUT'})
}
