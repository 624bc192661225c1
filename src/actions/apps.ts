// The app catalog as users see it: built-in apps plus apps stored in a namespace by `app add`
// (ConfigMaps `kd-app-<id>` holding the normalized definition).
import {builtinApps, findBuiltinApp} from '../app/catalog.ts'
import type {App} from '../app/model.ts'
import {LABEL, MANAGED_BY} from '../cluster/names.ts'
import {UserError} from '../errors.ts'
import type {ConnectionOptions, Kube} from '../kube/connection.ts'

export const appConfigMapName = (id: string) => `kd-app-${id}`
export const APP_KEY = 'app.json'

export interface AppListing {
  apps: App[]
  /** why namespace apps are missing (no cluster reachable), shown as a warning */
  warning?: string
  namespace?: string
}

export async function storedApps(kube: Kube): Promise<App[]> {
  const list = await kube.call('list apps', () =>
    kube.core.listNamespacedConfigMap({namespace: kube.namespace, labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${LABEL.appDefinition}`}),
  )
  return list.items.flatMap((cm) => {
    const text = cm.data?.[APP_KEY]
    if (!text) return []
    return [{...(JSON.parse(text) as App), source: 'namespace' as const}]
  })
}

/** Built-in apps, plus the namespace's apps when `conn` is given and a cluster answers. */
export async function listApps(conn: ConnectionOptions | undefined): Promise<AppListing> {
  const apps = builtinApps()
  if (!conn) return {apps}
  const {connect} = await import('../kube/connection.ts')
  try {
    const kube = await connect(conn)
    const stored = await storedApps(kube)
    const names = new Set(stored.map((a) => a.id))
    return {apps: [...apps.filter((a) => !names.has(a.id)), ...stored], namespace: kube.namespace}
  } catch (err) {
    if (!(err instanceof UserError)) throw err
    return {apps, warning: `showing built-in apps only: ${err.message}`}
  }
}

/** Finds an app by name: the namespace's own apps win over built-in ones of the same name. */
export async function resolveApp(name: string, kube: Kube | undefined): Promise<App> {
  if (kube) {
    const {isNotFound} = await import('../kube/errors.ts')
    try {
      const cm = await kube.call(`get app ${name}`, () => kube.core.readNamespacedConfigMap({name: appConfigMapName(name), namespace: kube.namespace}))
      const text = cm.data?.[APP_KEY]
      if (text) return {...(JSON.parse(text) as App), source: 'namespace'}
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }
  const builtin = findBuiltinApp(name)
  if (builtin) return builtin
  const known = builtinApps().map((a) => a.id)
  const stored = kube ? (await storedApps(kube)).map((a) => a.id) : []
  throw new UserError(`unknown app "${name}": known apps are ${[...known, ...stored].join(', ')} (kubectl kd app list)`)
}
