// KubeDirector's kdapp rules (admission webhook + CRD schema), as small checks that take the value and
// the field path it came from, so errors name the user's own field: the parser calls them while reading
// any input form, and validateApp() re-checks a normalized App (apps stored in a namespace, overrides).
import type {App} from './model.ts'
import {LIFECYCLE_EVENTS} from './model.ts'
import {fieldError} from './field-reader.ts'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const ROLE_ID = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/
const CARDINALITY = /^\d+\+?$/
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/
const PACKAGE_SCHEMES = ['file://', 'http://', 'https://', 'configmap://', 'bundled://'] as const

export function checkServiceId(id: string, source: string, path: string): void {
  if (id.length < 1 || id.length > 15 || !DNS_LABEL.test(id) || !/[a-z]/.test(id) || id.includes('--'))
    throw fieldError(source, path, `service id ${JSON.stringify(id)} must be 1-15 characters of a-z, 0-9 and '-' with at least one letter, starting and ending with a letter or digit, no '--' (it names a container port)`)
}

export function checkUrlScheme(scheme: string, source: string, path: string): void {
  if (scheme.length > 15 || !DNS_LABEL.test(scheme))
    throw fieldError(source, path, `urlScheme ${JSON.stringify(scheme)} must be 1-15 characters of a-z, 0-9 and '-' (e.g. http, https, spark, cql)`)
}

export function checkRoleId(id: string, source: string, path: string): void {
  if (id.length < 1 || id.length > 63 || !ROLE_ID.test(id))
    throw fieldError(source, path, `role id ${JSON.stringify(id)} must be 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`)
}

export function checkCardinality(cardinality: string, source: string, path: string): void {
  if (!CARDINALITY.test(cardinality))
    throw fieldError(source, path, `cardinality ${JSON.stringify(cardinality)} is not allowed: use "N" (exactly N members) or "N+" (at least N), e.g. "1" or "0+"`)
  // a cluster has at most 1000 members (MAX_TOTAL_MEMBERS in src/cluster/model.ts)
  if (Number.parseInt(cardinality, 10) > 1000) throw fieldError(source, path, `cardinality ${JSON.stringify(cardinality)} is above the maximum of 1000 members per cluster`)
}

export function checkPort(port: number, source: string, path: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw fieldError(source, path, `port ${port} is out of range 1-65535`)
}

/** Why a package URL is not allowed, or undefined when it is. */
export function packageURLProblem(url: string): string | undefined {
  const scheme = PACKAGE_SCHEMES.find((s) => url.startsWith(s))
  if (!scheme || url.length === scheme.length) return `package URL ${JSON.stringify(url)} must start with ${PACKAGE_SCHEMES.join(', ')}`
  if ((scheme === 'file://' || scheme.startsWith('http')) && !/\.(tgz|tar\.gz)$/.test(url)) return `package URL ${JSON.stringify(url)} must name a .tgz file`
  // bundled://DIR is a directory next to the app file: never one outside it (`../../etc`, `/root`)
  if (scheme === 'bundled://' && (url.slice(scheme.length).startsWith('/') || url.slice(scheme.length).split(/[\\/]/).includes('..')))
    return `package URL ${JSON.stringify(url)} must name a directory next to the app file (no '..' or absolute path)`
  return undefined
}

// an image reference as the container runtime parses it: [host[:port]/]path[:tag][@digest]
const IMAGE_REFERENCE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/

/** Why a string is not an image reference, or undefined. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (!ref) return 'the image must not be empty'
  if (ref.length > 4096 || !IMAGE_REFERENCE.test(ref)) return `${JSON.stringify(ref)} is not an image reference (e.g. registry.example.com/team/spark:3.5.9; lower case, no spaces)`
  return undefined
}

export function checkPackageURL(url: string, source: string, path: string): void {
  const problem = packageURLProblem(url)
  if (problem) throw fieldError(source, path, problem)
}

export function checkPersistDir(dir: string, source: string, path: string): void {
  if (!/^\/.*[^/]$/.test(dir)) throw fieldError(source, path, `persist dir ${JSON.stringify(dir)} must be an absolute path without a trailing '/'`)
}

export function checkEvent(event: string, source: string, path: string): void {
  if (!(LIFECYCLE_EVENTS as readonly string[]).includes(event))
    throw fieldError(source, path, `event ${JSON.stringify(event)} is not allowed: use ${LIFECYCLE_EVENTS.join(', ')}`)
}

export function checkQuantity(value: string, source: string, path: string): void {
  if (!QUANTITY.test(value)) throw fieldError(source, path, `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 4Gi)`)
}

export function checkConfigSchemaVersion(version: number, source: string, path: string): void {
  if (version < 7) throw fieldError(source, path, `configSchemaVersion ${version} is below the minimum 7`)
}

/** Throws on the first duplicate in `ids`, naming the path of the second occurrence. */
export function checkUnique(ids: string[], source: string, pathOf: (i: number) => string, what: string): void {
  const seen = new Set<string>()
  ids.forEach((id, i) => {
    if (seen.has(id)) throw fieldError(source, pathOf(i), `duplicate ${what} ${JSON.stringify(id)} (each must be unique)`)
    seen.add(id)
  })
}

export function checkReference(id: string, allowed: string[], source: string, path: string, what: string): void {
  if (!allowed.includes(id)) throw fieldError(source, path, `unknown ${what} ${JSON.stringify(id)}; valid ${what}s: ${allowed.join(', ')}`)
}

/** Re-checks a normalized App (v1beta1 field paths), e.g. one read back from a namespace or with overrides applied. */
export function validateApp(app: App, source: string): App {
  if (!app.id || app.id.length > 63 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(app.id))
    throw fieldError(source, 'metadata.name', `app name ${JSON.stringify(app.id)} must be a DNS name of at most 63 characters`)
  if (!app.label.name) throw fieldError(source, 'spec.label.name', 'is required')
  if (!app.distroID) throw fieldError(source, 'spec.distroID', 'is required')
  if (!app.version) throw fieldError(source, 'spec.version', 'is required')
  checkConfigSchemaVersion(app.configSchemaVersion, source, 'spec.configSchemaVersion')
  if (app.roles.length === 0) throw fieldError(source, 'spec.roles', 'at least one role is required')
  const serviceIds = app.services.map((s) => s.id)
  const roleIds = app.roles.map((r) => r.id)
  app.services.forEach((s, i) => {
    checkServiceId(s.id, source, `spec.services[${i}].id`)
    if (s.endpoint) {
      checkPort(s.endpoint.port, source, `spec.services[${i}].endpoint.port`)
      if (s.endpoint.urlScheme) checkUrlScheme(s.endpoint.urlScheme, source, `spec.services[${i}].endpoint.urlScheme`)
      if (s.endpoint.isDashboard && !s.endpoint.urlScheme)
        throw fieldError(source, `spec.services[${i}].endpoint.urlScheme`, `is required because isDashboard is true (service ${s.id})`)
    }
  })
  checkUnique(serviceIds, source, (i) => `spec.services[${i}].id`, 'service id')
  checkUnique(roleIds, source, (i) => `spec.roles[${i}].id`, 'role id')
  app.roles.forEach((r, i) => {
    const at = `spec.roles[${i}]`
    checkRoleId(r.id, source, `${at}.id`)
    checkCardinality(r.cardinality, source, `${at}.cardinality`)
    if (!r.imageRepoTag)
      throw fieldError(source, `${at}.imageRepoTag`, `role ${r.id} has no image and no spec.defaultImageRepoTag is given`)
    if (r.configPackage) checkPackageURL(r.configPackage.packageURL, source, `${at}.configPackage.packageURL`)
    r.persistDirs.forEach((d, j) => checkPersistDir(d, source, `${at}.persistDirs[${j}]`))
    r.eventList.forEach((e, j) => checkEvent(e, source, `${at}.eventList[${j}]`))
    for (const [k, v] of Object.entries(r.minResources)) checkQuantity(v, source, `${at}.minResources.${k}`)
    r.serviceIds.forEach((s, j) => checkReference(s, serviceIds, source, `${at}.serviceIds[${j}]`, 'service id'))
    if (r.containerSpec?.tty && !r.containerSpec.stdin)
      throw fieldError(source, `${at}.containerSpec.tty`, `role ${r.id} requests a TTY without stdin; set stdin: true`)
  })
  checkUnique(app.defaultConfig.selectedRoles, source, (i) => `spec.config.selectedRoles[${i}]`, 'selected role')
  app.defaultConfig.selectedRoles.forEach((r, i) => checkReference(r, roleIds, source, `spec.config.selectedRoles[${i}]`, 'role'))
  return app
}
