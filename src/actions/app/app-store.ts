// `kubectl kd app add|remove`: stores an app definition in the namespace (ConfigMap kd-app-<id>) with
// its config packages (ConfigMaps kd-pkg-<id>-<dir>, owned by the app's ConfigMap). In an added app,
// `bundled://DIR` names a package directory next to the app file, which is packed and stored too (or,
// when there is none, a package that ships with the plugin).
import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import type {App} from '../../app/model.ts'
import {parseApp, isAppManifest} from '../../app/parse.ts'
import {loadDocuments} from '../../app/documents.ts'
import {LABEL, MANAGED_BY} from '../../cluster/names.ts'
import {configMapPackageURL, packDirectory, packageConfigMapName, renderPackageConfigMap} from '../../cluster/package.ts'
import {UserError} from '../../errors.ts'
import {applyNeeds, applyObject, checkAccess} from '../../kube/apply.ts'
import {R, type KubeClient, type KubeObject} from '../../kube/client.ts'
import {isNotFound} from '../../kube/errors.ts'
import {bundledPackageDir} from '../../paths.ts'
import {APP_KEY, appConfigMapName} from './apps.ts'

/** Finds the app definition: FILE itself, or the one KubeDirectorApp file in DIR. */
function findAppFile(path: string): string {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or directory`)
  if (!statSync(path).isDirectory()) return path
  const candidates = readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => join(path, f))
    .filter((f) => {
      try {
        return loadDocuments(readFileSync(f, 'utf8'), f).some(isAppManifest)
      } catch {
        return false
      }
    })
  if (candidates.length === 0) throw new UserError(`${path}: the directory holds no KubeDirectorApp file (.yaml, .yml or .json)`)
  if (candidates.length > 1) throw new UserError(`${path}: the directory holds ${candidates.length} app definitions (${candidates.join(', ')}); give the file`)
  return candidates[0]!
}

export interface AppAddPlan {
  app: App
  objects: KubeObject[]
}

/** Reads the app and its local packages; pure apart from reading files. */
export function planAppAdd(path: string, packages: Record<string, string>, namespace: string): AppAddPlan {
  const file = findAppFile(path)
  const text = readFileSync(file, 'utf8')
  if (text.length > 512 * 1024) throw new UserError(`${file}: ${text.length} bytes is too large for an app definition (at most 524288)`)
  const parsed = parseApp(text, file, 'namespace')
  const base = dirname(resolve(file))
  const pkgObjects = new Map<string, KubeObject>()
  const packed = new Map<string, Uint8Array>()
  const roles = parsed.roles.map((role) => {
    const given = packages[role.id]
    const url = given ?? role.configPackage?.packageURL
    if (!url) return role
    const local = given && !/^[a-z]+:\/\//.test(given) ? resolve(given) : url.startsWith('bundled://') ? join(base, url.slice('bundled://'.length)) : undefined
    // no such directory next to the file, but a package that ships with the plugin (an app written by
    // `app show -o yaml`): the URL stays, create packs it as for a built-in app
    const shipped = !given && url.startsWith('bundled://') && !existsSync(local!) && existsSync(bundledPackageDir(url.slice('bundled://'.length)))
    if (!local || shipped) return {...role, configPackage: {packageURL: url, useNewSetupLayout: role.configPackage?.useNewSetupLayout ?? true}}
    if (!existsSync(local) || !statSync(local).isDirectory()) throw new UserError(`config package of role "${role.id}": ${local} is not a directory`)
    const name = packageConfigMapName(parsed.id, local)
    if (!packed.has(name)) {
      let tgz: Uint8Array
      try {
        tgz = packDirectory(local)
      } catch (err) {
        throw new UserError((err as Error).message)
      }
      packed.set(name, tgz)
      pkgObjects.set(name, renderPackageConfigMap({name, namespace, app: parsed.id, tgz}) as KubeObject)
    }
    // the URL carries the content's hash, as create's does: clusters made from the app take up a changed package
    return {...role, configPackage: {packageURL: configMapPackageURL(name, packed.get(name)), useNewSetupLayout: role.configPackage?.useNewSetupLayout ?? true}}
  })
  for (const role of Object.keys(packages)) {
    if (!parsed.roles.some((r) => r.id === role)) throw new UserError(`--package ${role}=…: app ${parsed.id} has no role "${role}"`)
  }
  const app: App = {...parsed, roles}
  const appObject: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: appConfigMapName(app.id),
      namespace,
      labels: {[LABEL.managedBy]: MANAGED_BY, [LABEL.appDefinition]: app.id, [LABEL.app]: app.id},
    },
    data: {[APP_KEY]: JSON.stringify(app, null, 2)},
  }
  return {app, objects: [appObject, ...pkgObjects.values()]}
}

export async function addApp(kube: KubeClient, plan: AppAddPlan, dryRun: 'none' | 'server'): Promise<'created' | 'configured'> {
  await checkAccess(kube, applyNeeds(plan.objects))
  const existed = await kube.get(R.configMaps(kube.namespace), appConfigMapName(plan.app.id)).then(
    () => true,
    (err) => (isNotFound(err) ? false : Promise.reject(err)),
  )
  const [appObject, ...pkgs] = plan.objects
  const root = await applyObject(kube, appObject!, {dryRun: dryRun === 'server'})
  for (const p of pkgs) {
    const owner = {apiVersion: 'v1', kind: 'ConfigMap', name: root.metadata.name, uid: root.metadata.uid ?? 'dry-run', controller: true}
    await applyObject(kube, {...p, metadata: {...p.metadata, ownerReferences: [owner]}}, {dryRun: dryRun === 'server'})
  }
  return existed ? 'configured' : 'created'
}

export async function removeApp(kube: KubeClient, id: string): Promise<void> {
  const {listClusters} = await import('../cluster/clusters.ts')
  const {summaries} = await listClusters(kube, {selector: `${LABEL.app}=${id}`})
  if (summaries.length > 0)
    throw new UserError(`app "${id}" is used by cluster(s) ${summaries.map((s) => s.name).join(', ')}; delete them first`)
  try {
    await kube.delete(R.configMaps(kube.namespace), appConfigMapName(id), {propagationPolicy: 'Background'})
  } catch (err) {
    if (isNotFound(err)) throw new UserError(`app "${id}" is not stored in namespace "${kube.namespace}" (built-in apps cannot be removed)`)
    throw err
  }
}
