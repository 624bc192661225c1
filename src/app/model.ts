// The normalized KubeDirectorApp model every other module works with, whatever form the user wrote
// (v1beta1, the 2018 v1alpha1 snake_case form, or the announcement form). Defaults are already pushed
// into the roles, as KubeDirector's admission webhook does, so consumers never look at app-level defaults.
import {count} from '../plural.ts'

export type AppSource = 'builtin' | 'namespace' | 'file'

/** The input form an app was written in (decides the field names used in error messages). */
export type AppForm = 'v1beta1' | 'v1alpha1' | 'announcement'

export const LIFECYCLE_EVENTS = ['configure', 'addnodes', 'delnodes'] as const
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number]

export interface ConfigPackage {
  /** file:// (inside the image), http(s)://, configmap://NAME (added by `app add`) or bundled://DIR (ships with the plugin) */
  packageURL: string
  useNewSetupLayout: boolean
}

export interface ServiceEndpoint {
  port: number
  urlScheme?: string
  path?: string
  isDashboard: boolean
  hasAuthToken: boolean
}

export interface AppService {
  id: string
  label: {name: string; description?: string}
  /** absent: the service exposes no port but still appears in configmeta */
  endpoint?: ServiceEndpoint
  exportedService?: string
}

export interface AppRole {
  id: string
  /** 'N' (exactly N members) or 'N+' (at least N) */
  cardinality: string
  imageRepoTag: string
  /** absent: the role has no config package */
  configPackage?: ConfigPackage
  persistDirs: string[]
  eventList: LifecycleEvent[]
  /** enforced against the cluster role's resource requests */
  minResources: Record<string, string>
  /** the services this role runs (config.roleServices), in app service order */
  serviceIds: string[]
  containerSpec?: {stdin: boolean; tty: boolean}
  minStorage?: {size: string; ephemeralModeSupported: boolean}
  maxLogSizeDump: number
}

export interface App {
  /** metadata.name: what `kubectl kd create APP` and a cluster's spec.app refer to */
  id: string
  label: {name: string; description: string}
  distroID: string
  version: string
  configSchemaVersion: number
  systemdRequired: boolean
  capabilities: string[]
  logoURL?: string
  defaultConfig: {selectedRoles: string[]; configMeta: Record<string, string>}
  services: AppService[]
  roles: AppRole[]
  source: AppSource
  /** timeout of configure/addnodes/delnodes: annotation kubectl-kd.io/script-timeout (script-timeout.ts) */
  scriptTimeoutSeconds?: number
}

export const DEFAULT_MAX_LOG_SIZE_DUMP = 256

/** Numeric part of a cardinality: the default member count and the minimum. */
export function cardinalityMinimum(cardinality: string): number {
  return Number.parseInt(cardinality, 10)
}

/** True when the cardinality allows more than its number ('N+'). */
/** What a cardinality allows, in words: `exactly 1 member`, `at least 2 members`. */
export function cardinalityText(cardinality: string): string {
  const min = cardinalityMinimum(cardinality)
  return `${cardinalityIsOpen(cardinality) ? 'at least' : 'exactly'} ${count(min, 'member')}`
}

export function cardinalityIsOpen(cardinality: string): boolean {
  return cardinality.endsWith('+')
}

export function findRole(app: App, roleId: string): AppRole | undefined {
  return app.roles.find((r) => r.id === roleId)
}

export function findService(app: App, serviceId: string): AppService | undefined {
  return app.services.find((s) => s.id === serviceId)
}

/** The services of a role that expose a port, in the app's service order. */
export function roleEndpointServices(app: App, role: AppRole): Array<AppService & {endpoint: ServiceEndpoint}> {
  return app.services.filter(
    (s): s is AppService & {endpoint: ServiceEndpoint} => s.endpoint !== undefined && role.serviceIds.includes(s.id),
  )
}

/** The apps `app list` shows: the built-in ones, and the namespace's when a cluster answered. */
export interface AppListing {
  apps: App[]
  /** why namespace apps are missing (no cluster reachable), shown as a warning */
  warning?: string
  namespace?: string
}
