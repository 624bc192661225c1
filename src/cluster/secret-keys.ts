// A role's secretKeys (KubeDirector v1beta1): values members read through configcli, never stored in clear.
// As KubeDirector does, each value is kept encrypted (AES-256-GCM) in the cluster spec, here cluster.json of
// the root and `get -o yaml`; the key is the cluster's own, in the Secret NAME-kd-keys that only the agent
// (and whoever may read the namespace's Secrets) can read. The agent decrypts into the members' configmeta.
// An `encryptedValue` written by hand is refused unless it is the one stored for that key (KubeDirector's
// webhook rule), so a file from `get -o yaml` applies back unchanged. Pure, apart from randomness.
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto'
import {UserError} from '../errors.ts'
import type {ResolvedCluster, SecretKey} from './model.ts'
import {SECRET_KEYS_KEY, keysSecretName} from './names.ts'

const PREFIX = 'kd1:'
const IV_BYTES = 12
const TAG_BYTES = 16

export const newClusterKey = (): Buffer => randomBytes(32)

export function sealValue(key: Buffer, value: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const sealed = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return PREFIX + sealed.toString('base64')
}

/** The value, or undefined when `sealed` was not made with `key` (or is not a sealed value at all). */
export function openValue(key: Buffer, sealed: string): string | undefined {
  if (!sealed.startsWith(PREFIX)) return undefined
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64')
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES))
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES))
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}

export const hasSecretKeys = (cluster: ResolvedCluster) => cluster.roles.some((r) => r.secretKeys?.length)

/**
 * The cluster with every secret key sealed under `key`. A value equal to the stored one keeps the stored
 * encryptedValue (an apply of the same file is `unchanged`); an encryptedValue must be the stored one.
 * `stored`: the cluster as its root holds it now; `pathOf`: where a role was written, for errors.
 */
export function sealSecretKeys(cluster: ResolvedCluster, key: Buffer, stored: ResolvedCluster | undefined, source: string, pathOf: (role: string) => string): ResolvedCluster {
  if (!hasSecretKeys(cluster)) return cluster
  const roles = cluster.roles.map((role) => {
    if (!role.secretKeys?.length) return role
    const before = new Map((stored?.roles.find((r) => r.id === role.id)?.secretKeys ?? []).map((k) => [k.name, k.encryptedValue ?? '']))
    const secretKeys = role.secretKeys.map((k, i): SecretKey => {
      const kept = before.get(k.name)
      if (k.value !== undefined) return {name: k.name, encryptedValue: kept !== undefined && openValue(key, kept) === k.value ? kept : sealValue(key, k.value)}
      if (kept !== undefined && k.encryptedValue === kept) return {name: k.name, encryptedValue: kept}
      throw new UserError(
        `${source}: ${pathOf(role.id)}.secretKeys[${i}].encryptedValue: is not the value stored for secret key ${JSON.stringify(k.name)} of this cluster; give its value instead (encrypted values are made by kubectl kd, not by hand)`,
      )
    })
    return {...role, secretKeys}
  })
  return {...cluster, roles}
}

/** The cluster's key Secret (owned by the root, like every other object of the cluster). */
export function renderKeysSecret(cluster: string, namespace: string, key: Buffer, metadata: {labels: Record<string, string>; ownerReferences?: unknown[]}) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {name: keysSecretName(cluster), namespace, ...metadata},
    type: 'Opaque',
    data: {[SECRET_KEYS_KEY]: key.toString('base64')},
  }
}

/** role → name → value, as configmeta's secret_keys; a value that does not open is an error naming the key. */
export function openSecretKeys(cluster: ResolvedCluster, key: Buffer | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const role of cluster.roles) {
    if (!role.secretKeys?.length) continue
    if (!key) throw new Error(`the cluster's key Secret ${keysSecretName(cluster.name)} is missing or has no ${SECRET_KEYS_KEY}: the secret keys of role ${role.id} cannot be read`)
    out[role.id] = {}
    for (const k of role.secretKeys) {
      const value = openValue(key, k.encryptedValue ?? '')
      if (value === undefined) throw new Error(`secret key ${JSON.stringify(k.name)} of role ${role.id} does not open with the key in ${keysSecretName(cluster.name)}`)
      out[role.id]![k.name] = value
    }
  }
  return out
}
