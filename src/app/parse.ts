// Reads a KubeDirectorApp in any of the three forms users have (kubedirector.hpe.com/v1beta1 camelCase,
// the 2018 kubedirector.bluedata.io/v1alpha1 snake_case form, the announcement's form with
// `node_services`/`systemctlMounts`), checks it with KubeDirector's rules while the user's own field
// paths are known, and returns the normalized App with defaults pushed into the roles. Pure; no I/O.
import {UserError} from '../errors.ts'
import {isRecord, loadDocuments, manifestsOf} from './documents.ts'
import {FieldReader} from './field-reader.ts'
import type {App, AppForm, AppRole, AppService, AppSource, ConfigPackage, LifecycleEvent} from './model.ts'
import {DEFAULT_MAX_LOG_SIZE_DUMP, LIFECYCLE_EVENTS} from './model.ts'
import * as rule from './validate.ts'
import {readScriptTimeout, SCRIPT_TIMEOUT_ANNOTATION} from './script-timeout.ts'

const APP_API_VERSIONS = ['kubedirector.hpe.com/v1beta1', 'kubedirector.bluedata.io/v1alpha1'] as const
export const APP_KIND = 'KubeDirectorApp'

/** Parses one app definition (YAML or JSON text); `source` names the file in error messages. */
export function parseApp(text: string, source: string, origin: AppSource = 'file'): App {
  return appFromDocuments(loadDocuments(text, source), source, origin)
}

/** The app in already-parsed documents (loadDocuments' result). */
export function appFromDocuments(documents: unknown[], source: string, origin: AppSource = 'file'): App {
  const manifests = documents.flatMap(manifestsOf)
  if (manifests.length === 0) throw new UserError(`${source}: no ${APP_KIND} found (the file is empty)`)
  if (manifests.length > 1) throw new UserError(`${source}: holds ${manifests.length} documents; an app definition file holds exactly one ${APP_KIND}`)
  return appFromObject(manifests[0], source, origin)
}

/** Normalizes an already-parsed KubeDirectorApp object. */
export function appFromObject(obj: unknown, source: string, origin: AppSource = 'file'): App {
  const doc = FieldReader.of(obj, source, '')
  const form = appForm(doc)
  const name = doc.requiredChild('metadata').requiredString('name')
  // checked before anything is stored under it (ConfigMap kd-app-NAME, label kubectl-kd.io/app=NAME)
  if (name.length > 63 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
    throw doc.requiredChild('metadata').error('name', `app name ${JSON.stringify(name)} must be a DNS name of at most 63 characters (a-z, 0-9, '-', '.')`)
  const app = readSpec(doc.requiredChild('spec'), name, form, origin)
  doc.rejectUnknown('spec', `a ${APP_KIND} (${form} form)`)
  const timeout = readScriptTimeout(doc.requiredChild('metadata').child('annotations')?.string(SCRIPT_TIMEOUT_ANNOTATION), source)
  if (timeout !== undefined) app.scriptTimeoutSeconds = timeout
  return app
}

/** Which input form a document is in; unknown apiVersion/kind is a UserError listing the allowed ones. */
export function appForm(doc: FieldReader): AppForm {
  const apiVersion = doc.string('apiVersion')
  const kind = doc.string('kind')
  if (kind !== APP_KIND) throw doc.error('kind', `${JSON.stringify(kind ?? '')} is not allowed: use ${APP_KIND}`)
  if (!(APP_API_VERSIONS as readonly string[]).includes(apiVersion ?? ''))
    throw doc.error('apiVersion', `${JSON.stringify(apiVersion ?? '')} is not allowed: use one of ${APP_API_VERSIONS.join(', ')}`)
  if (apiVersion === APP_API_VERSIONS[0]) return 'v1beta1'
  const spec = doc.child('spec')
  const config = spec?.child('config')
  if (spec?.has('systemctlMounts') || config?.has('node_services')) return 'announcement'
  return 'v1alpha1'
}

function readSpec(spec: FieldReader, id: string, form: AppForm, origin: AppSource): App {
  const legacy = form !== 'v1beta1'
  /** 2018 service ids used '_' (spark_master); KubeDirector's own catalog renamed them with '-' when ids became port names. */
  const serviceIdOf = (raw: string) => (legacy ? raw.replace(/_/g, '-') : raw)
  const src = spec.source

  const label = spec.requiredChild('label')
  const distroKey = spec.pick('distroID', 'distro_id') ?? (legacy ? 'distro_id' : 'distroID')
  const setupPackage = spec.child('setup_package') // 2018 v0.1: {config_api_version, import_url}
  const schemaKey = spec.pick('configSchemaVersion', 'config_schema_version', 'schema_version')
  const configSchemaVersion = schemaKey ? spec.integer(schemaKey)! : (setupPackage?.integer('config_api_version') ?? (legacy ? 7 : undefined))
  if (configSchemaVersion === undefined) throw spec.error('configSchemaVersion', 'is required (7 or 8)')
  rule.checkConfigSchemaVersion(configSchemaVersion, src, spec.at(schemaKey ?? 'setup_package.config_api_version'))

  // services
  const services: AppService[] = (spec.list('services') ?? []).map((s) => readService(s, serviceIdOf))
  rule.checkUnique(services.map((s) => s.id), src, (i) => `${spec.at('services')}[${i}].id`, 'service id')
  const serviceIds = services.map((s) => s.id)

  // app-level defaults
  const defaultImage =
    spec.string(spec.pick('defaultImageRepoTag', 'default_image_repo_tag') ?? 'defaultImageRepoTag') ?? spec.child('image')?.string('repoTag')
  const defaultPackageKey = spec.pick('defaultConfigPackage', 'default_config_package', 'setup_package') ?? 'defaultConfigPackage'
  const defaultPackage = readPackage(spec, defaultPackageKey)
  const defaultPersistKey = spec.pick('defaultPersistDirs', 'default_persist_dirs', 'persist_dirs') ?? 'defaultPersistDirs'
  const defaultPersistDirs = spec.stringList(defaultPersistKey) ?? []
  defaultPersistDirs.forEach((d, i) => rule.checkPersistDir(d, src, `${spec.at(defaultPersistKey)}[${i}]`))
  const defaultEventKey = spec.pick('defaultEventList', 'default_event_list') ?? 'defaultEventList'
  const defaultEventList = readEvents(spec, defaultEventKey) ?? [...LIFECYCLE_EVENTS]
  const defaultMaxLog = spec.integer(spec.pick('defaultMaxLogSizeDump', 'default_max_log_size_dump') ?? 'defaultMaxLogSizeDump') ?? DEFAULT_MAX_LOG_SIZE_DUMP

  // roles
  const roleReaders = spec.list('roles') ?? []
  if (roleReaders.length === 0) throw spec.error('roles', 'at least one role is required')
  const roles: AppRole[] = roleReaders.map((r) => {
    const roleId = r.requiredString('id')
    rule.checkRoleId(roleId, src, r.at('id'))
    const cardinality = r.requiredString('cardinality')
    rule.checkCardinality(cardinality, src, r.at('cardinality'))
    const imageKey = r.pick('imageRepoTag', 'image_repo_tag') ?? (legacy ? 'image_repo_tag' : 'imageRepoTag')
    const imageRepoTag = r.string(imageKey) ?? r.child('image')?.string('repoTag') ?? defaultImage
    if (!imageRepoTag) throw r.error(imageKey, `role ${roleId} has no image and no top-level default image is given`)
    if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(imageRepoTag) || imageRepoTag.length > 512)
      throw r.error(imageKey, `image ${JSON.stringify(imageRepoTag)} is not an image reference (registry/repository:tag or @sha256:…)`)
    const packageKey = r.pick('configPackage', 'config_package', 'setup_package') ?? 'configPackage'
    const explicitNull = Object.hasOwn(r.value, packageKey) && r.value[packageKey] === null
    const configPackage = explicitNull ? undefined : (readPackage(r, packageKey) ?? defaultPackage)
    const persistKey = r.pick('persistDirs', 'persist_dirs') ?? 'persistDirs'
    const persistDirs = r.stringList(persistKey) ?? defaultPersistDirs
    persistDirs.forEach((d, i) => rule.checkPersistDir(d, src, `${r.at(persistKey)}[${i}]`))
    const minKey = r.pick('minResources', 'min_resources') ?? 'minResources'
    const minResources = r.stringMap(minKey) ?? {}
    for (const [k, v] of Object.entries(minResources)) rule.checkQuantity(v, src, `${r.at(minKey)}.${k}`)
    const role: AppRole = {
      id: roleId,
      cardinality,
      imageRepoTag,
      ...(configPackage ? {configPackage} : {}),
      persistDirs,
      eventList: readEvents(r, r.pick('eventList', 'event_list') ?? 'eventList') ?? defaultEventList,
      minResources,
      serviceIds: [],
      maxLogSizeDump: r.integer('maxLogSizeDump') ?? defaultMaxLog,
    }
    const containerSpec = r.child('containerSpec')
    if (containerSpec) {
      role.containerSpec = {stdin: containerSpec.boolean('stdin') ?? false, tty: containerSpec.boolean('tty') ?? false}
      if (role.containerSpec.tty && !role.containerSpec.stdin) throw containerSpec.error('tty', `role ${roleId} requests a TTY without stdin; set stdin: true`)
    }
    const minStorage = r.child('minStorage')
    if (minStorage) {
      const size = minStorage.requiredString('size')
      rule.checkQuantity(size, src, minStorage.at('size'))
      role.minStorage = {size, ephemeralModeSupported: minStorage.boolean('ephemeralModeSupported') ?? false}
    }
    return role
  })
  rule.checkUnique(roles.map((r) => r.id), src, (i) => `${spec.at('roles')}[${i}].id`, 'role id')
  const roleIds = roles.map((r) => r.id)

  // config: roleServices and selectedRoles
  const config = spec.requiredChild('config')
  const roleServicesKey = config.pick('roleServices', 'role_services', 'node_services') ?? (legacy ? 'role_services' : 'roleServices')
  const roleServices = config.list(roleServicesKey) ?? []
  const seenRoles: string[] = []
  for (const rs of roleServices) {
    const roleKey = rs.pick('roleID', 'role_id') ?? (legacy ? 'role_id' : 'roleID')
    const roleId = rs.requiredString(roleKey)
    rule.checkReference(roleId, roleIds, src, rs.at(roleKey), 'role')
    if (seenRoles.includes(roleId)) throw rs.error(roleKey, `duplicate role ${JSON.stringify(roleId)} (each roleID in ${roleServicesKey} must be unique)`)
    seenRoles.push(roleId)
    const idsKey = rs.pick('serviceIDs', 'service_ids') ?? (legacy ? 'service_ids' : 'serviceIDs')
    const ids = (rs.stringList(idsKey) ?? []).map(serviceIdOf)
    ids.forEach((s, i) => rule.checkReference(s, serviceIds, src, `${rs.at(idsKey)}[${i}]`, 'service id'))
    const role = roles.find((r) => r.id === roleId)!
    role.serviceIds = serviceIds.filter((s) => ids.includes(s))
  }
  const selectedKey = config.pick('selectedRoles', 'selected_roles') ?? (legacy ? 'selected_roles' : 'selectedRoles')
  const selectedRoles = config.stringList(selectedKey)
  if (!selectedRoles) throw config.error(selectedKey, 'is required (the roles that make up the app)')
  rule.checkUnique(selectedRoles, src, (i) => `${config.at(selectedKey)}[${i}]`, 'selected role')
  selectedRoles.forEach((r, i) => rule.checkReference(r, roleIds, src, `${config.at(selectedKey)}[${i}]`, 'role'))
  const configMeta = config.stringMap(config.pick('configMeta', 'config_meta') ?? 'configMeta') ?? {}

  const systemdKey = spec.pick('systemdRequired', 'systemd_required', 'systemctlMounts') ?? 'systemdRequired'
  const app: App = {
    id,
    label: {name: label.requiredString('name'), description: label.string('description') ?? ''},
    distroID: spec.requiredString(distroKey),
    version: spec.requiredString('version'),
    configSchemaVersion,
    systemdRequired: spec.boolean(systemdKey) ?? false,
    capabilities: spec.stringList('capabilities') ?? [],
    ...(spec.string('logoURL') ? {logoURL: spec.string('logoURL')} : {}),
    defaultConfig: {selectedRoles, configMeta},
    services,
    roles,
    source: origin,
  }
  return app

  function readService(s: FieldReader, idOf: (raw: string) => string): AppService {
    const rawId = s.requiredString('id')
    const sid = idOf(rawId)
    rule.checkServiceId(sid, src, s.at('id'))
    const slabel = s.child('label')
    const service: AppService = {
      id: sid,
      label: {name: slabel?.string('name') ?? sid, ...(slabel?.string('description') ? {description: slabel.string('description')} : {})},
    }
    const endpoint = s.child('endpoint')
    if (endpoint) {
      const port = endpoint.integer('port')
      if (port === undefined) throw endpoint.error('port', 'is required when an endpoint is given')
      rule.checkPort(port, src, endpoint.at('port'))
      const schemeKey = endpoint.pick('urlScheme', 'url_scheme') ?? 'urlScheme'
      const urlScheme = endpoint.string(schemeKey)
      if (urlScheme) rule.checkUrlScheme(urlScheme, src, endpoint.at(schemeKey))
      const isDashboard = endpoint.boolean(endpoint.pick('isDashboard', 'is_dashboard') ?? 'isDashboard') ?? false
      if (isDashboard && !urlScheme) throw endpoint.error(schemeKey, `is required because the endpoint of service ${sid} is a dashboard`)
      const path = endpoint.string('path')
      service.endpoint = {
        port,
        ...(urlScheme ? {urlScheme} : {}),
        ...(path ? {path} : {}),
        isDashboard,
        hasAuthToken: endpoint.boolean(endpoint.pick('hasAuthToken', 'has_auth_token') ?? 'hasAuthToken') ?? false,
      }
    }
    const exported = s.string('exported_service') ?? s.string('exportedService')
    if (exported) service.exportedService = exported
    return service
  }
}

function readPackage(parent: FieldReader, key: string): ConfigPackage | undefined {
  const pkg = parent.child(key)
  if (!pkg) return undefined
  const urlKey = pkg.pick('packageURL', 'package_url', 'import_url') ?? 'packageURL'
  const packageURL = pkg.requiredString(urlKey)
  rule.checkPackageURL(packageURL, parent.source, pkg.at(urlKey))
  return {packageURL, useNewSetupLayout: pkg.boolean(pkg.pick('useNewSetupLayout', 'use_new_setup_layout') ?? 'useNewSetupLayout') ?? false}
}

function readEvents(parent: FieldReader, key: string): LifecycleEvent[] | undefined {
  const events = parent.stringList(key)
  events?.forEach((e, i) => rule.checkEvent(e, parent.source, `${parent.at(key)}[${i}]`))
  return events as LifecycleEvent[] | undefined
}

/** True when `obj` looks like a KubeDirectorApp manifest (used to sort files of mixed kinds). */
export function isAppManifest(obj: unknown): boolean {
  return isRecord(obj) && obj.kind === APP_KIND
}

