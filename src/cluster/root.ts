// Reading a cluster's root ConfigMap back: the stored app and cluster, checked for the shape the rest
// of the code relies on. Roots are ordinary ConfigMaps anyone with edit rights can change, so a damaged
// one is reported (what is wrong, in which key) instead of failing whatever reads it. Pure.
import type {App} from '../app/model.ts'
import type {ResolvedCluster} from './model.ts'
import {ROOT_KEYS} from './names.ts'

export type RootContent = {cluster: ResolvedCluster; app: App; problem?: undefined} | {problem: string; cluster?: undefined; app?: undefined}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function readRoot(data: Record<string, string> | undefined): RootContent {
  const parsed: Record<string, unknown> = {}
  for (const key of [ROOT_KEYS.cluster, ROOT_KEYS.app]) {
    const text = data?.[key]
    if (text === undefined) return {problem: `${key} is missing`}
    try {
      parsed[key] = JSON.parse(text)
    } catch (err) {
      return {problem: `${key} is not JSON (${(err as Error).message.split('\n')[0]})`}
    }
  }
  const cluster = parsed[ROOT_KEYS.cluster]
  const app = parsed[ROOT_KEYS.app]
  if (!isObject(cluster) || typeof cluster.name !== 'string' || typeof cluster.app !== 'string' || !Array.isArray(cluster.roles))
    return {problem: `${ROOT_KEYS.cluster} is not a cluster (name, app and roles are required)`}
  for (const [i, r] of (cluster.roles as unknown[]).entries()) {
    if (!isObject(r) || typeof r.id !== 'string' || !Number.isInteger(r.members) || (r.members as number) < 0)
      return {problem: `${ROOT_KEYS.cluster}: roles[${i}] needs an id and a whole number of members`}
  }
  if (!isObject(app) || typeof app.id !== 'string' || !Array.isArray(app.roles) || !Array.isArray(app.services) || !isObject(app.defaultConfig))
    return {problem: `${ROOT_KEYS.app} is not an app (id, roles, services and defaultConfig are required)`}
  for (const [i, r] of (app.roles as unknown[]).entries()) {
    if (!isObject(r) || typeof r.id !== 'string' || typeof r.cardinality !== 'string') return {problem: `${ROOT_KEYS.app}: roles[${i}] needs an id and a cardinality`}
  }
  return {cluster: cluster as unknown as ResolvedCluster, app: app as unknown as App}
}
