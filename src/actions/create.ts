// `kubectl kd create` / `apply`: turns an app name or KubeDirectorCluster files into the objects of an
// app cluster and applies them server-side: the root ConfigMap first, then everything else owned by
// it, so deleting the root removes the cluster. Every check runs before the first write; if a write
// fails midway, what was created is removed again.
import {readFileSync, readdirSync, statSync, existsSync} from 'node:fs'
import {join, resolve} from 'node:path'
import type {App} from '../app/model.ts'
import {cardinalityIsOpen, cardinalityMinimum} from '../app/model.ts'
import {DEFAULT_RESOURCES, type ClusterSpec, type ResolvedCluster, type ServiceType} from '../cluster/model.ts'
import {compareQuantities, isQuantity} from '../cluster/quantity.ts'
import {ANNOTATION, LABEL, MANAGED_BY, ROOT_KEYS, rootConfigMapName} from '../cluster/names.ts'
import {parseManifests} from '../cluster/parse.ts'
import {checkClusterName, resolveCluster} from '../cluster/validate.ts'
import {renderCluster} from '../cluster/render.ts'
import {agentCodeHash, renderAgentCode} from '../cluster/render-agent.ts'
import {packDirectory, packageConfigMapName, configMapPackageURL, renderPackageConfigMap} from '../cluster/package.ts'
import {UserError} from '../errors.ts'
import type {ConnectionOptions, Kube} from '../kube/connection.ts'
import type {DryRun, KubeObject} from '../kube/apply.ts'
import {agentBundlePath, bundledPackageDir} from '../paths.ts'
import {resolveApp} from './apps.ts'
import {findBuiltinApp} from '../app/catalog.ts'

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

export interface CreateOptions extends ClusterOverrides {
  conn: ConnectionOptions
  app?: string
  name?: string
  files?: string[]
  /** `apply`: update clusters that exist instead of refusing */
  allowExisting?: boolean
  dryRun: DryRun
}

export interface ClusterPlan {
  app: App
  cluster: ResolvedCluster
  namespace: string
  /** root ConfigMap first, then the rest (ownerReferences are added at apply time) */
  objects: KubeObject[]
  /** local package directories to pack, by ConfigMap name */
  packages: Record<string, string>
}

export interface AppliedObject {
  kind: string
  name: string
  action: 'created' | 'configured' | 'unchanged'
}

/** Reads `-f` inputs: files, directories (their .yaml/.yml/.json files) and `-` (stdin). */
export function readInputs(paths: string[]): {text: string; source: string}[] {
  return paths.flatMap((p) => {
    if (p === '-') {
      const text = readFileSync(0, 'utf8')
      if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new UserError(`<stdin>: ${Buffer.byteLength(text)} bytes is too large for a cluster or app definition (at most ${MAX_INPUT_BYTES})`)
      return [{text, source: '<stdin>'}]
    }
    if (!existsSync(p)) throw new UserError(`-f ${p}: no such file or directory`)
    if (statSync(p).isDirectory()) {
      const files = readdirSync(p).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
      if (files.length === 0) throw new UserError(`-f ${p}: the directory holds no .yaml, .yml or .json file`)
      return files.map((f) => ({text: readText(join(p, f)), source: join(p, f)}))
    }
    return [{text: readText(p), source: p}]
  })
}

// the definitions end up in a ConfigMap, and Kubernetes objects hold at most 1 MiB
const MAX_INPUT_BYTES = 1024 * 1024
const MAX_OBJECT_BYTES = 1024 * 1024

function readText(file: string): string {
  const size = statSync(file).size
  if (size > MAX_INPUT_BYTES) throw new UserError(`${file}: ${size} bytes is too large for a cluster or app definition (at most ${MAX_INPUT_BYTES})`)
  return readFileSync(file, 'utf8')
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

/** Applies --image / --package / --members to an app and its cluster spec; checks roles and cardinalities. */
export function applyOverrides(app: App, spec: ClusterSpec, o: ClusterOverrides): {app: App; spec: ClusterSpec} {
  const roleIds = app.roles.map((r) => r.id)
  const checkRole = (flag: string, role: string) => {
    if (!roleIds.includes(role)) throw new UserError(`--${flag} ${role}=…: app ${app.id} has no role "${role}" (roles: ${roleIds.join(', ')})`)
  }
  const roles = app.roles.map((r) => ({...r}))
  for (const [role, image] of Object.entries(o.images)) {
    checkRole('image', role)
    roles.find((r) => r.id === role)!.imageRepoTag = image
  }
  for (const [role, pkg] of Object.entries(o.packages)) {
    checkRole('package', role)
    const r = roles.find((x) => x.id === role)!
    r.configPackage = {packageURL: pkg, useNewSetupLayout: r.configPackage?.useNewSetupLayout ?? true}
  }
  const specRoles = [...spec.roles]
  for (const [role, members] of Object.entries(o.members)) {
    checkRole('members', role)
    const appRole = app.roles.find((r) => r.id === role)!
    const min = cardinalityMinimum(appRole.cardinality)
    if (cardinalityIsOpen(appRole.cardinality) ? members < min : members !== min)
      throw new UserError(`--members ${role}=${members}: role "${role}" of app ${app.id} has cardinality ${appRole.cardinality} (${cardinalityIsOpen(appRole.cardinality) ? `at least ${min}` : `exactly ${min}`})`)
    const i = specRoles.findIndex((r) => r.id === role)
    if (i >= 0) specRoles[i] = {...specRoles[i]!, members}
    else specRoles.push({id: role, members, env: [], at: {path: `--members ${role}`, idKey: 'id', membersKey: 'members'}})
  }
  for (const [flag, key, values] of [['memory', 'memory', o.memory ?? {}], ['cpu', 'cpu', o.cpu ?? {}]] as const) {
    for (const [role, value] of Object.entries(values)) {
      checkRole(flag, role)
      if (!isQuantity(value)) throw new UserError(`--${flag} ${role}=${value}: not a Kubernetes quantity (e.g. ${flag === 'memory' ? '2Gi or 512Mi' : '2 or 500m'})`)
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
    app: {...app, roles},
    spec: {...spec, roles: specRoles, ...(o.serviceType ? {serviceType: o.serviceType} : {})},
  }
}

function withMinimum(base: Record<string, string>, min: Record<string, string>): Record<string, string> {
  const out = {...base}
  for (const [k, v] of Object.entries(min)) out[k] = !Object.hasOwn(out, k) || compareQuantities(out[k]!, v) < 0 ? v : out[k]!
  return out
}

/** A cluster spec for `create APP [NAME]`: every selected role at its default member count. */
export function specFromApp(app: App, name: string): ClusterSpec {
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
export const defaultClusterName = (app: string) => app.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '') || 'cluster'

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
    return {...r, configPackage: {...r.configPackage, packageURL: configMapPackageURL(name)}}
  })
  return {app: {...app, roles}, packages}
}

export async function planClusters(opts: CreateOptions, kube: Kube | undefined, namespace: string): Promise<ClusterPlan[]> {
  // a client-side dry run falls back to the built-in catalog when the cluster does not answer
  const lookup = async (name: string) => {
    try {
      return await resolveApp(name, kube)
    } catch (err) {
      const builtin = opts.dryRun === 'client' ? findBuiltinApp(name) : undefined
      if (builtin && !/unknown app/.test((err as Error).message)) return builtin
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
            throw err instanceof UserError && err.message.startsWith('unknown app') ? new UserError(`${d.source}: spec.app: ${err.message}`) : err
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
      throw new UserError(`invalid cluster name ${(err as Error).message.replace(/^NAME: metadata\.name: /, '')}`)
    }
    inputs.push({app, spec: specFromApp(app, name), source: 'command line'})
  }
  const seen = new Set<string>()
  return inputs.map(({app: baseApp, spec: baseSpec, source}) => {
    const {app: overridden, spec} = applyOverrides(baseApp, baseSpec, opts)
    if (spec.namespace && spec.namespace !== namespace && opts.conn.namespace && spec.namespace !== opts.conn.namespace)
      throw new UserError(`${source}: metadata.namespace: "${spec.namespace}" does not match --namespace "${opts.conn.namespace}"`)
    const ns = spec.namespace ?? namespace
    const cluster = resolveCluster(overridden, spec, source)
    if (seen.has(`${ns}/${cluster.name}`)) throw new UserError(`${source}: cluster "${cluster.name}" is defined twice`)
    seen.add(`${ns}/${cluster.name}`)
    const {app, packages} = planPackages(overridden, cluster.name)
    const objects = renderPlanObjects(app, cluster, ns, {agentImage: opts.agentImage})
    for (const o of objects) {
      const size = Buffer.byteLength(JSON.stringify(o))
      if (size > MAX_OBJECT_BYTES)
        throw new UserError(`${source}: cluster "${cluster.name}" renders ${o.kind.toLowerCase()}/${o.metadata.name} of ${size} bytes; a Kubernetes object holds at most ${MAX_OBJECT_BYTES}`)
    }
    return {app, cluster, namespace: ns, objects, packages}
  })
}

export const OPTIONS_KEY = 'options.json'

export interface StoredOptions {
  agentImage?: string
}

/** Renders a cluster and records on its root the options a later scale must render with again. */
export function renderPlanObjects(app: App, cluster: ResolvedCluster, namespace: string, options: StoredOptions): KubeObject[] {
  const objects = renderCluster(app, cluster, {
    namespace,
    serviceType: cluster.serviceType ?? 'NodePort',
    agentImage: options.agentImage,
    agentCodeHash: agentCodeHash(agentBundle()),
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
export function supportObjects(plan: ClusterPlan): KubeObject[] {
  const clusterLabels = {[LABEL.cluster]: plan.cluster.name, [LABEL.app]: plan.app.id, [LABEL.managedBy]: MANAGED_BY}
  const pkgs = Object.entries(plan.packages).map(([name, dir]) => {
    const cm = renderPackageConfigMap({name, namespace: plan.namespace, app: plan.app.id, tgz: packDirectory(dir)}) as KubeObject
    cm.metadata.labels = {...cm.metadata.labels, ...clusterLabels}
    return cm
  })
  const agentCode = renderAgentCode(plan.cluster, {namespace: plan.namespace}, agentBundle()) as KubeObject
  return [...pkgs, agentCode]
}

const ownedBy = (obj: KubeObject, root: KubeObject & {metadata: {uid?: string}}): KubeObject => ({
  ...obj,
  metadata: {
    ...obj.metadata,
    ownerReferences: [{apiVersion: 'v1', kind: 'ConfigMap', name: root.metadata.name, uid: root.metadata.uid!, controller: true, blockOwnerDeletion: true}],
  },
})

/** Applies one plan. Root first; on a failure after that, a new cluster is removed again. */
export async function applyPlan(kube: Kube, plan: ClusterPlan, opts: {allowExisting?: boolean; dryRun: DryRun}): Promise<AppliedObject[]> {
  const {applyObject, checkAccess, checkGrants, applyNeeds} = await import('../kube/apply.ts')
  const {isNotFound} = await import('../kube/errors.ts')
  const scoped = {...kube, namespace: plan.namespace}
  const [rootRendered, ...rest] = plan.objects
  if (!rootRendered || rootRendered.metadata.name !== rootConfigMapName(plan.cluster.name)) throw new Error('render did not put the root ConfigMap first')
  const support = supportObjects(plan)
  let existing: KubeObject | undefined
  try {
    existing = (await kube.call(`get cluster ${plan.cluster.name}`, () =>
      kube.core.readNamespacedConfigMap({name: rootRendered.metadata.name, namespace: plan.namespace}),
    )) as unknown as KubeObject
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
  if (existing && !opts.allowExisting)
    throw new UserError(
      `cluster "${plan.cluster.name}" already exists in namespace "${plan.namespace}": choose another name, change it with kubectl kd apply -f / kubectl kd scale, or remove it with kubectl kd delete ${plan.cluster.name}`,
    )
  await checkAccess(scoped, applyNeeds([rootRendered, ...rest, ...support]), plan.namespace)
  await checkGrants(scoped, rest, plan.namespace)

  const previousGeneration = Number(existing?.metadata.annotations?.[ANNOTATION.generation] ?? 0)
  const root: KubeObject = {
    ...rootRendered,
    metadata: {
      ...rootRendered.metadata,
      annotations: {
        ...rootRendered.metadata.annotations,
        [ANNOTATION.generation]: String(previousGeneration + 1),
        [ANNOTATION.state]: existing ? 'updating' : 'creating',
      },
    },
  }
  const appliedRoot = await applyObject(scoped, root, {dryRun: opts.dryRun})
  const uid = appliedRoot.metadata.uid ?? 'dry-run'
  const results: AppliedObject[] = [{kind: 'ConfigMap', name: root.metadata.name, action: existing ? 'configured' : 'created'}]
  try {
    const owned = [...support, ...rest].map((o) => ownedBy(o, {...appliedRoot, metadata: {...appliedRoot.metadata, uid}}))
    // a RoleBinding after its Role (binding a Role that does not exist yet is refused), the agent last
    const stage = (o: KubeObject) => (o.kind === 'RoleBinding' ? 1 : o.kind === 'Deployment' ? 2 : 0)
    for (const s of [0, 1, 2]) await inBatches(owned.filter((o) => stage(o) === s), 8, (o) => applyObject(scoped, o, {dryRun: opts.dryRun}))
    for (const o of owned) results.push({kind: o.kind, name: o.metadata.name, action: existing ? 'configured' : 'created'})
    if (existing && opts.dryRun !== 'server') await pruneMemberServices(scoped, plan)
  } catch (err) {
    if (!existing && opts.dryRun !== 'server') {
      await kube
        .call(`remove partial cluster ${plan.cluster.name}`, () =>
          kube.core.deleteNamespacedConfigMap({name: root.metadata.name, namespace: plan.namespace, propagationPolicy: 'Background'}),
        )
        .catch(() => undefined)
    }
    throw err
  }
  if (!existing) return results
  return results
}

/** After a scale-down, member Services of members that no longer exist are deleted. */
async function pruneMemberServices(kube: Kube, plan: ClusterPlan): Promise<void> {
  const wanted = new Set(plan.objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name))
  const services = await kube.call('list member services', () =>
    kube.core.listNamespacedService({namespace: plan.namespace, labelSelector: `${LABEL.cluster}=${plan.cluster.name},${LABEL.role}`}),
  )
  for (const svc of services.items) {
    const name = svc.metadata?.name
    if (name && !wanted.has(name)) await kube.call(`delete service ${name}`, () => kube.core.deleteNamespacedService({name, namespace: plan.namespace}))
  }
}

async function inBatches<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  return out
}

export {ROOT_KEYS}
