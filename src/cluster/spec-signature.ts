// The root ConfigMap's spec is signed: an HMAC-SHA256 over its generation and spec keys (app, cluster,
// options), under the cluster's own key in the Secret NAME-kd-keys. The root is an ordinary ConfigMap,
// so anyone allowed to write ConfigMaps could otherwise change what runs in members (an image, a package
// and its hash); with the signature, only someone who may read the cluster's Secret can. The agent acts
// only on a signed spec; scale and edit refuse to sign over an unsigned change. Pure.
import {createHmac, timingSafeEqual} from 'node:crypto'
import {ANNOTATION, ROOT_KEYS} from './names.ts'

/** data key of the options the cluster was rendered with (agent image) */
export const OPTIONS_KEY = 'options.json'
const PREFIX = 'hmac-sha256:'

interface RootLike {
  metadata?: {annotations?: Record<string, string>}
  data?: Record<string, string>
}

/** What is signed: every key that decides what runs, and the generation (an old spec cannot be put back under a new one's generation). */
function signedText(generation: string, data: Record<string, string> | undefined): string {
  return [generation, ...[ROOT_KEYS.app, ROOT_KEYS.cluster, OPTIONS_KEY].map((k) => `${k}\0${data?.[k] ?? ''}`)].join('\0\0')
}

export function specSignature(key: Uint8Array, generation: string, data: Record<string, string> | undefined): string {
  return PREFIX + createHmac('sha256', key).update(signedText(generation, data)).digest('base64')
}

/** The root with its signature annotation set for its current generation and data. */
export function signRoot<T extends RootLike>(key: Uint8Array, root: T): T {
  const annotations = root.metadata?.annotations ?? {}
  const signature = specSignature(key, annotations[ANNOTATION.generation] ?? '', root.data)
  return {...root, metadata: {...root.metadata, annotations: {...annotations, [ANNOTATION.specSignature]: signature}}}
}

/** undefined when the root's spec is signed with `key`; else why not, in words for status and errors. */
export function rootSignatureProblem(key: Uint8Array | undefined, root: RootLike): string | undefined {
  const have = root.metadata?.annotations?.[ANNOTATION.specSignature]
  if (!key) return 'the cluster has no key (its Secret is missing), so its spec cannot be checked'
  if (!have) return 'its spec is not signed'
  const want = specSignature(key, root.metadata?.annotations?.[ANNOTATION.generation] ?? '', root.data)
  const a = Buffer.from(have)
  const b = Buffer.from(want)
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'its spec was changed by someone who cannot read the cluster\'s key (the signature does not match)'
  return undefined
}
