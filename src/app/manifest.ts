// The normalized App written back as a KubeDirectorApp (kubedirector.hpe.com/v1beta1), in KubeDirector's
// field names and in the shape its admission webhook stores: defaults pushed into every role, a role
// without a package carries `configPackage: null`. parseApp() of the result gives the same App again,
// so `app show -o yaml` is a file `app add` takes back. Pure.
import type {App, AppRole, AppService} from './model.ts'
import {APP_KIND} from './parse.ts'
import {scriptTimeoutAnnotations} from './script-timeout.ts'

export const APP_API_VERSION = 'kubedirector.hpe.com/v1beta1'

export interface AppManifest {
  apiVersion: typeof APP_API_VERSION
  kind: typeof APP_KIND
  metadata: {name: string; namespace?: string; annotations?: Record<string, string>}
  spec: Record<string, unknown>
}

/** `namespace`: where the app is stored (apps added with `app add`); built-in apps have none. */
export function appToManifest(app: App, opts: {namespace?: string} = {}): AppManifest {
  const annotations = scriptTimeoutAnnotations(app.scriptTimeoutSeconds)
  return {
    apiVersion: APP_API_VERSION,
    kind: APP_KIND,
    metadata: {name: app.id, ...(opts.namespace ? {namespace: opts.namespace} : {}), ...(annotations ? {annotations} : {})},
    spec: {
      label: {name: app.label.name, ...(app.label.description ? {description: app.label.description} : {})},
      distroID: app.distroID,
      version: app.version,
      configSchemaVersion: app.configSchemaVersion,
      systemdRequired: app.systemdRequired,
      ...(app.capabilities.length ? {capabilities: [...app.capabilities]} : {}),
      ...(app.logoURL ? {logoURL: app.logoURL} : {}),
      services: app.services.map(serviceManifest),
      roles: app.roles.map(roleManifest),
      config: {
        roleServices: app.roles.filter((r) => r.serviceIds.length).map((r) => ({roleID: r.id, serviceIDs: [...r.serviceIds]})),
        selectedRoles: [...app.defaultConfig.selectedRoles],
        ...(Object.keys(app.defaultConfig.configMeta).length ? {configMeta: {...app.defaultConfig.configMeta}} : {}),
      },
    },
  }
}

function serviceManifest(s: AppService): Record<string, unknown> {
  return {
    id: s.id,
    label: {name: s.label.name, ...(s.label.description ? {description: s.label.description} : {})},
    ...(s.endpoint
      ? {
          endpoint: {
            port: s.endpoint.port,
            ...(s.endpoint.urlScheme ? {urlScheme: s.endpoint.urlScheme} : {}),
            ...(s.endpoint.path ? {path: s.endpoint.path} : {}),
            isDashboard: s.endpoint.isDashboard,
            hasAuthToken: s.endpoint.hasAuthToken,
          },
        }
      : {}),
    // KubeDirector's Go type spells this one in snake_case
    ...(s.exportedService ? {exported_service: s.exportedService} : {}),
  }
}

function roleManifest(r: AppRole): Record<string, unknown> {
  return {
    id: r.id,
    cardinality: r.cardinality,
    imageRepoTag: r.imageRepoTag,
    configPackage: r.configPackage ? {packageURL: r.configPackage.packageURL, useNewSetupLayout: r.configPackage.useNewSetupLayout} : null,
    persistDirs: [...r.persistDirs],
    eventList: [...r.eventList],
    ...(Object.keys(r.minResources).length ? {minResources: {...r.minResources}} : {}),
    ...(r.containerSpec ? {containerSpec: {...r.containerSpec}} : {}),
    ...(r.minStorage ? {minStorage: {...r.minStorage}} : {}),
    maxLogSizeDump: r.maxLogSizeDump,
  }
}
