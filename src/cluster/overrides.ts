// `create`/`apply` flags that change a cluster: --members, --memory, --cpu (on the cluster spec, checked
// against the app's cardinalities and minimum resources) and --image/--package (on the app, through
// app/overrides.ts, the one place roles get other images or packages). Pure.
import type {App} from '../app/model.ts'
import {cardinalityIsOpen, cardinalityMinimum, cardinalityText} from '../app/model.ts'
import {applyOverrides} from '../app/overrides.ts'
import {UserError} from '../errors.ts'
import {belowFloor, DEFAULT_RESOURCES, MIN_MEMBER_LIMITS, type ClusterSpec, type ServiceType} from './model.ts'
import {compareQuantities, isQuantity} from './quantity.ts'

export interface ClusterOverrides {
  members: Record<string, number>
  /** limits.memory / limits.cpu per role (`--memory ROLE=2Gi`, `--cpu ROLE=2`); requests stay small */
  memory?: Record<string, string>
  cpu?: Record<string, string>
  images: Record<string, string>
  packages: Record<string, string>
  serviceType?: ServiceType
  agentImage?: string
}

/** `ROLE=VALUE` flags into a map; `flag` names the flag in errors. */
export function parseRoleAssignments(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq <= 0 || eq === v.length - 1) throw new UserError(`--${flag} ${v}: expected ROLE=VALUE, e.g. --${flag} worker=${flag === 'members' ? '3' : '…'}`)
    out[v.slice(0, eq)] = v.slice(eq + 1)
  }
  return out
}

export function parseMembers(values: string[]): Record<string, number> {
  const raw = parseRoleAssignments(values, 'members')
  return Object.fromEntries(
    Object.entries(raw).map(([role, n]) => {
      if (!/^\d+$/.test(n)) throw new UserError(`--members ${role}=${n}: the member count must be a whole number ≥ 0`)
      return [role, Number(n)]
    }),
  )
}

/** Applies the overrides to an app and its cluster spec; checks roles, cardinalities and quantities. */
export function applyClusterOverrides(app: App, spec: ClusterSpec, o: ClusterOverrides): {app: App; spec: ClusterSpec} {
  const overridden = applyOverrides(app, {images: o.images, packages: o.packages})
  const roleIds = app.roles.map((r) => r.id)
  const checkRole = (flag: string, role: string) => {
    if (!roleIds.includes(role)) throw new UserError(`--${flag} ${role}=…: app ${app.id} has no role "${role}" (roles: ${roleIds.join(', ')})`)
  }
  const specRoles = [...spec.roles]
  for (const [role, members] of Object.entries(o.members)) {
    checkRole('members', role)
    const appRole = app.roles.find((r) => r.id === role)!
    const min = cardinalityMinimum(appRole.cardinality)
    if (cardinalityIsOpen(appRole.cardinality) ? members < min : members !== min)
      throw new UserError(`--members ${role}=${members}: role "${role}" of app ${app.id} has cardinality ${appRole.cardinality} (${cardinalityText(appRole.cardinality)})`)
    const i = specRoles.findIndex((r) => r.id === role)
    if (i >= 0) specRoles[i] = {...specRoles[i]!, members}
    else specRoles.push({id: role, members, env: [], at: {path: `--members ${role}`, idKey: 'id', membersKey: 'members'}})
  }
  for (const [flag, key, values] of [['memory', 'memory', o.memory ?? {}], ['cpu', 'cpu', o.cpu ?? {}]] as const) {
    for (const [role, value] of Object.entries(values)) {
      checkRole(flag, role)
      if (!isQuantity(value)) throw new UserError(`--${flag} ${role}=${value}: not a Kubernetes quantity (e.g. ${flag === 'memory' ? '2Gi or 512Mi' : '2 or 500m'})`)
      if (compareQuantities(value, MIN_MEMBER_LIMITS[key]) < 0) throw new UserError(`--${flag} ${role}=${value}: ${belowFloor(key)}`)
      const appRole = app.roles.find((r) => r.id === role)!
      let i = specRoles.findIndex((r) => r.id === role)
      if (i < 0) i = specRoles.push({id: role, env: [], at: {path: `--${flag} ${role}`, idKey: 'id', membersKey: 'members'}}) - 1
      const given = specRoles[i]!.resources
      const requests = {...(given?.requests ?? withMinimum(DEFAULT_RESOURCES.requests, appRole.minResources))}
      const limits = {...(given?.limits ?? withMinimum(DEFAULT_RESOURCES.limits, appRole.minResources))}
      limits[key] = value
      if (Object.hasOwn(requests, key) && compareQuantities(requests[key]!, value) > 0) requests[key] = value
      specRoles[i] = {...specRoles[i]!, resources: {requests, limits}}
    }
  }
  return {
    app: overridden,
    spec: {...spec, roles: specRoles, ...(o.serviceType ? {serviceType: o.serviceType} : {})},
  }
}

function withMinimum(base: Record<string, string>, min: Record<string, string>): Record<string, string> {
  const out = {...base}
  for (const [k, v] of Object.entries(min)) out[k] = !Object.hasOwn(out, k) || compareQuantities(out[k]!, v) < 0 ? v : out[k]!
  return out
}
