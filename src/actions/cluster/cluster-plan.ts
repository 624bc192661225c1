// Planning a create/apply: app names or KubeDirectorCluster files → apps, cluster specs, overrides →
// the rendered objects of each cluster. Every check runs here, before anything is written; the only
// API reads are the namespace's own apps. Objects carry no ownerReferences until the root exists
// (cluster-apply.ts renders them again with its uid).
import {readFileSync, statSync, existsSync} from 'node:fs'
import {resolve} from 'node:path'
import type {App} from '../../app/model.ts'
import type {ClusterSpec, ResolvedCluster} from '../../cluster/model.ts'
import {LABEL, MANAGED_BY, SECRET_KEYS_KEY, keysSecretName, rootConfigMapName} from '../../cluster/names.ts'
import {readRoot} from '../../cluster/root.ts'
import {OPTIONS_KEY} from '../../cluster/spec-signature.ts'
import {hasSecretKeys, newClusterKey, renderKeysSecret, sealSecretKeys} from '../../cluster/secret-keys.ts'
import {ownedByRoot} from '../../cluster/object-meta.ts'
import {applyClusterOverrides, type ClusterOverrides} from '../../cluster/overrides.ts'
import {parseManifests} from '../../cluster/parse.ts'
import {checkClusterName, resolveCluster} from '../../cluster/validate.ts'
import {renderCluster} from '../../cluster/render.ts'
import {agentCodeHash, renderAgentCode} from '../../cluster/render-agent.ts'
import {packDirectory, packageConfigMapName, configMapPackageURL, renderPackageConfigMap} from '../../cluster/package.ts'
import {UserError} from '../../errors.ts'
import {R, type DryRun, type KubeClient, type KubeObject} from '../../kube/client.ts'
import {isNotFound} from '../../kube/errors.ts'
import {agentBundlePath, bundledPackageDir} from '../../paths.ts'
import {resolveApp, UnknownAppError} from '../app/apps.ts'
import {findBuiltinApp} from '../../app/catalog.ts'
import {readInputs} from './inputs.ts'
import type {ClusterPlan, StoredOptions} from '../../cluster/cluster-change.ts'

export interface CreateOptions extends ClusterOverrides {
  app?: string
  name?: string
  files?: string[]
  /** the namespace -n gave, if any (a file's metadata.namespace must agree with it) */
  namespace?: string
  dryRun: DryRun
}

// a Kubernetes object holds at most 1 MiB
const MAX_OBJECT_BYTES = 1024 * 1024

/** A cluster spec for `create APP [NAME]`: every selected role at its default member count. */
function specFromApp(app: App, name: string): ClusterSpec {
  return {
    name,
    app: app.id,
    form: 'v1beta1',
    roles: app.roles
      .filter((r) => app.defaultConfig.selectedRoles.includes(r.id))
      .map((r, i) => ({id: r.id, env: [], at: {path: `spec.roles[${i}]`, idKey: 'id' as const, membersKey: 'members' as const}})),
  }
}

/** A default cluster name for `create APP`: the app id, made a valid name. */
const defaultClusterName = (app: string) => app.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '') || 'cluster'

/** Moves local / bundled packages into ConfigMaps owned by the cluster; returns the app with configmap:// URLs. */
function planPackages(app: App, cluster: string): {app: App; packages: Record<string, string>} {
  const packages: Record<string, string> = {}
  const roles = app.roles.map((r) => {
    const url = r.configPackage?.packageURL
    if (!r.configPackage || !url) return r
    let dir: string | undefined
    if (url.startsWith('bundled://')) dir = bundledPackageDir(url.slice('bundled://'.length))
    else if (!/^[a-z]+:\/\//.test(url)) dir = resolve(url)
    if (!dir) return r
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`config package of role "${r.id}": ${url} is not a directory`)
    const name = packageConfigMapName(cluster, dir)
    packages[name] = dir
    // the URL carries the content's hash: a changed package is a changed spec the agent takes up
    return {...r, configPackage: {...r.configPackage, packageURL: configMapPackageURL(name, packDirectory(dir))}}
  })
  return {app: {...app, roles}, packages}
}

/** `kube` undefined: a client-side dry run without a cluster (built-in apps only). */
export async function planClusters(opts: CreateOptions, kube: KubeClient | undefined, namespace: string): Promise<ClusterPlan[]> {
  // a client-side dry run falls back to the built-in catalog when the cluster does not answer
  const lookup = async (name: string) => {
    try {
      return await resolveApp(name, kube)
    } catch (err) {
      const builtin = opts.dryRun === 'client' ? findBuiltinApp(name) : undefined
      if (builtin && !(err instanceof UnknownAppError)) return builtin
      throw err
    }
  }
  const inputs: {app: App; spec: ClusterSpec; source: string}[] = []
  if (opts.files?.length) {
    if (opts.app) throw new UserError('give either an app name or -f FILE, not both')
    const docs = readInputs(opts.files).map((i) => ({...i, ...parseManifests(i.text, i.source)}))
    const fileApps = new Map(docs.flatMap((d) => d.apps.map((a) => [a.id, a] as const)))
    for (const d of docs) {
      for (const spec of d.clusters) {
        // an unknown app named in a file: say which file and field
        const app =
          fileApps.get(spec.app) ??
          (await lookup(spec.app).catch((err: Error) => {
            throw err instanceof UnknownAppError ? new UserError(`${d.source}: spec.app: ${err.message}`) : err
          }))
        inputs.push({app, spec, source: d.source})
      }
    }
    if (inputs.length === 0) throw new UserError(`-f ${opts.files.join(', ')}: no KubeDirectorCluster found`)
  } else {
    if (!opts.app) throw new UserError('missing APP: give an app name (kubectl kd app list) or -f FILE')
    const app = await lookup(opts.app)
    const name = opts.name ?? defaultClusterName(app.id)
    try {
      checkClusterName(name, 'NAME')
    } catch (err) {
      throw new UserError(`invalid cluster name ${(err as Error).message.replace(/^NAME: metadata\.name: ("(?:[^"\\]|\\.)*") /, '$1: ')}`)
    }
    inputs.push({app, spec: specFromApp(app, name), source: 'command line'})
  }
  if (kube && opts.dryRun !== 'client') await checkConnectedClusters(kube, inputs)
  // each cluster's key (its spec is signed with it, its secretKeys sealed): its key Secret's, or a new one
  const keys = new Map<string, ClusterKey>()
  for (const {spec} of inputs) {
    const ns = spec.namespace ?? namespace
    keys.set(`${ns}/${spec.name}`, await clusterKey(opts.dryRun === 'client' ? undefined : kube, ns, spec.name))
  }
  const seen = new Map<string, string>()
  return inputs.map(({app: baseApp, spec: fileSpec, source}) => {
    // what the file recorded (get -o yaml of a cluster created with --image/--package/--agent-image), flags winning
    const recorded = fileSpec.overrides
    const merged = {
      ...opts,
      images: {...recorded?.images, ...opts.images},
      packages: {...recorded?.packages, ...opts.packages},
      agentImage: opts.agentImage ?? recorded?.agentImage,
    }
    const {overrides: _recorded, ...baseSpec} = fileSpec
    const {app: overridden, spec} = applyClusterOverrides(baseApp, baseSpec, merged)
    if (spec.namespace && spec.namespace !== namespace && opts.namespace && spec.namespace !== opts.namespace)
      throw new UserError(`${source}: metadata.namespace: "${spec.namespace}" does not match --namespace "${opts.namespace}"`)
    const ns = spec.namespace ?? namespace
    const sealing = keys.get(`${ns}/${spec.name}`)
    const pathOf = (role: string) => spec.roles.find((r) => r.id === role)?.at.path ?? 'spec.roles'
    const resolved = resolveCluster(overridden, spec, source)
    const cluster = sealing && hasSecretKeys(resolved) ? sealSecretKeys(resolved, sealing.key, sealing.stored, source, pathOf) : resolved
    const first = seen.get(`${ns}/${cluster.name}`)
    if (first !== undefined)
      throw new UserError(`${source}: cluster "${cluster.name}" is defined twice${first === source ? '' : ` (also in ${first})`}: give each cluster its own metadata.name`)
    seen.set(`${ns}/${cluster.name}`, source)
    const {app, packages} = planPackages(overridden, cluster.name)
    // kept with the cluster (get -o yaml writes them back): packages as the cluster runs them (a local
    // directory became a configmap:// URL)
    const packageURLs = Object.fromEntries(Object.keys(merged.packages).map((r) => [r, app.roles.find((x) => x.id === r)?.configPackage?.packageURL ?? merged.packages[r]!]))
    const kept = {
      ...(Object.keys(merged.images).length ? {images: merged.images} : {}),
      ...(Object.keys(packageURLs).length ? {packages: packageURLs} : {}),
      ...(merged.agentImage ? {agentImage: merged.agentImage} : {}),
    }
    if (Object.keys(kept).length) cluster.overrides = kept
    const options: StoredOptions = {agentImage: merged.agentImage}
    const objects = renderPlanObjects(app, cluster, ns, options)
    for (const o of objects) {
      const size = Buffer.byteLength(JSON.stringify(o))
      if (size > MAX_OBJECT_BYTES)
        throw new UserError(`${source}: cluster "${cluster.name}" renders ${o.kind.toLowerCase()}/${o.metadata.name} of ${size} bytes; a Kubernetes object holds at most ${MAX_OBJECT_BYTES}`)
    }
    return {app, cluster, namespace: ns, objects, packages, options, clusterKey: sealing!.key}
  })
}

interface ClusterKey {
  key: Buffer
  /** the cluster as its root holds it now, if it exists */
  stored?: ResolvedCluster
}

/** The key in the cluster's Secret NAME-kd-keys; undefined when there is none. */
export async function readClusterKey(kube: KubeClient, namespace: string, cluster: string): Promise<Buffer | undefined> {
  const secret = await kube.get<{data?: Record<string, string>}>(R.secrets(namespace), keysSecretName(cluster)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
  const b64 = secret?.data?.[SECRET_KEYS_KEY]
  return b64 ? Buffer.from(b64, 'base64') : undefined
}

/** The existing cluster's key (from its key Secret) and stored spec, or a new key; `kube` undefined: a new key. */
async function clusterKey(kube: KubeClient | undefined, namespace: string, cluster: string): Promise<ClusterKey> {
  if (!kube) return {key: newClusterKey()}
  const [key, root] = await Promise.all([
    readClusterKey(kube, namespace, cluster),
    kube.get<KubeObject & {data?: Record<string, string>}>(R.configMaps(namespace), rootConfigMapName(cluster)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
  ])
  const stored = root ? readRoot(root.data).cluster : undefined
  if (key && key.length === 32) return {key, stored}
  // a cluster without its key Secret yet: values stored before cannot be kept, only given again
  return {key: newClusterKey(), stored: undefined}
}

/** Every cluster a spec connects exists in the namespace, or is created by the same command. */
async function checkConnectedClusters(kube: KubeClient, inputs: {spec: ClusterSpec; source: string}[]): Promise<void> {
  const created = new Set(inputs.map((i) => i.spec.name))
  for (const {spec, source} of inputs) {
    for (const [i, name] of (spec.connections?.clusters ?? []).entries()) {
      if (created.has(name)) continue
      const root = await kube.get<KubeObject>(R.configMaps(kube.namespace), rootConfigMapName(name)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)))
      if (root?.metadata.labels?.[LABEL.cluster] !== name || root.metadata.labels?.[LABEL.managedBy] !== MANAGED_BY)
        throw new UserError(`${source}: spec.connections.clusters[${i}]: cluster "${name}" does not exist in namespace "${kube.namespace}" (create it first; kubectl kd get clusters lists them)`)
    }
  }
}

export {OPTIONS_KEY}

/** Renders a cluster (owned by the root `rootUid` once it exists) and records on its root the options a later scale must render with again. */
export function renderPlanObjects(app: App, cluster: ResolvedCluster, namespace: string, options: StoredOptions, rootUid?: string): KubeObject[] {
  const objects = renderCluster(app, cluster, {
    namespace,
    serviceType: cluster.serviceType ?? 'NodePort',
    agentImage: options.agentImage,
    agentCodeHash: agentCodeHash(agentBundle()),
    rootUid,
  }) as KubeObject[]
  const root = objects[0] as KubeObject & {data?: Record<string, string>}
  root.data = {...root.data, [OPTIONS_KEY]: JSON.stringify(options)}
  return objects
}

let bundle: Buffer | undefined

/** The bundled agent program, shipped to the cluster in a ConfigMap. */
function agentBundle(): Buffer {
  if (!bundle) {
    if (!existsSync(agentBundlePath())) throw new UserError(`the agent bundle ${agentBundlePath()} is missing: run npm run build`)
    bundle = readFileSync(agentBundlePath())
  }
  return bundle
}

/** The ConfigMaps that carry packages and the agent code, rendered from local files. */
export function supportObjects(plan: ClusterPlan, rootUid?: string): KubeObject[] {
  const clusterLabels = {[LABEL.cluster]: plan.cluster.name, [LABEL.app]: plan.app.id, [LABEL.managedBy]: MANAGED_BY}
  const pkgs = Object.entries(plan.packages).map(([name, dir]) => {
    const cm = renderPackageConfigMap({name, namespace: plan.namespace, app: plan.app.id, tgz: packDirectory(dir)}) as KubeObject
    cm.metadata = {...cm.metadata, labels: {...cm.metadata.labels, ...clusterLabels}, ...ownedByRoot(plan.cluster, rootUid)}
    return cm
  })
  const agentCode = renderAgentCode(plan.cluster, {namespace: plan.namespace, rootUid}, agentBundle()) as KubeObject
  // the key Secret before anything that reads it (the agent)
  const keys = [renderKeysSecret(plan.cluster.name, plan.namespace, plan.clusterKey, {labels: clusterLabels, ...ownedByRoot(plan.cluster, rootUid)}) as KubeObject]
  return [...keys, ...pkgs, agentCode]
}
