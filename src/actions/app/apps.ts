// The app catalog as users see it: built-in apps plus apps stored in a namespace by `app add`
// (ConfigMaps `kd-app-<id>` holding the normalized definition).
import {builtinApps, findBuiltinApp} from '../../app/catalog.ts'
import type {App, AppListing} from '../../app/model.ts'
import {LABEL, MANAGED_BY} from '../../cluster/names.ts'
import {UserError} from '../../errors.ts'
import {R, type KubeClient} from '../../kube/client.ts'
import {isNotFound} from '../../kube/errors.ts'

export const appConfigMapName = (id: string) => `kd-app-${id}`
export const APP_KEY = 'app.json'

/** An app name that is neither built in nor stored in the namespace. */
export class UnknownAppError extends UserError {}

async function storedApps(kube: KubeClient): Promise<App[]> {
  const list = await kube.list<{data?: Record<string, string>}>(R.configMaps(kube.namespace), {labelSelector: `${LABEL.managedBy}=${MANAGED_BY},${LABEL.appDefinition}`})
  return list.items.flatMap((cm) => {
    const text = cm.data?.[APP_KEY]
    if (!text) return []
    return [{...(JSON.parse(text) as App), source: 'namespace' as const}]
  })
}

/** Built-in apps, plus the namespace's apps when a cluster is given and answers. */
export async function listApps(connect: (() => Promise<KubeClient>) | undefined): Promise<AppListing> {
  const apps = builtinApps()
  if (!connect) return {apps}
  try {
    const kube = await connect()
    const stored = await storedApps(kube)
    const names = new Set(stored.map((a) => a.id))
    return {apps: [...apps.filter((a) => !names.has(a.id)), ...stored], namespace: kube.namespace}
  } catch (err) {
    if (!(err instanceof UserError)) throw err
    return {apps, warning: `showing built-in apps only: ${err.message}`}
  }
}

/** Finds an app by name: the namespace's own apps win over built-in ones of the same name. */
export async function resolveApp(name: string, kube: KubeClient | undefined): Promise<App> {
  if (kube) {
    try {
      const cm = await kube.get<{data?: Record<string, string>}>(R.configMaps(kube.namespace), appConfigMapName(name))
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
  throw new UnknownAppError(`unknown app "${name}": known apps are ${[...known, ...stored].join(', ')} (kubectl kd app list)`)
}
