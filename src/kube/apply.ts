// Server-side apply of rendered objects (fieldManager kubectl-kd), and the access check that runs
// before anything is created, so a missing permission never leaves a half-created cluster behind.
import {FIELD_MANAGER} from '../cluster/names.ts'
import {UserError} from '../errors.ts'
import type {Kube} from './connection.ts'
import {isNotFound} from './errors.ts'

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {name: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown}
  [k: string]: unknown
}

export type DryRun = 'none' | 'client' | 'server'

export async function applyObject<T extends KubeObject>(kube: Kube, obj: T, opts: {dryRun?: DryRun} = {}): Promise<T> {
  const body = {...obj, metadata: {...obj.metadata, namespace: obj.metadata.namespace ?? kube.namespace}}
  try {
    return await serverSideApply(kube, body, opts)
  } catch (err) {
    // RBAC objects: for a user without the `escalate`/`bind` verbs (a namespace admin) the API server
    // refuses to create a Role or RoleBinding through apply ("not found"), but allows a plain create.
    if (!(isNotFound(err) && (obj.kind === 'Role' || obj.kind === 'RoleBinding'))) throw err
    return kube.call(`create ${obj.kind.toLowerCase()}/${obj.metadata.name}`, () =>
      kube.objects.create(body, undefined, opts.dryRun === 'server' ? 'All' : undefined, FIELD_MANAGER) as Promise<T>,
    )
  }
}

function serverSideApply<T extends KubeObject>(kube: Kube, body: T, opts: {dryRun?: DryRun}): Promise<T> {
  const obj = body
  return kube.call(`apply ${obj.kind.toLowerCase()}/${obj.metadata.name}`, () =>
    kube.objects.patch(
      body,
      undefined,
      opts.dryRun === 'server' ? 'All' : undefined,
      FIELD_MANAGER,
      true,
      kube.k8s.PatchStrategy.ServerSideApply,
    ) as Promise<T>,
  )
}

export interface AccessNeed {
  verb: string
  resource: string
  group?: string
  subresource?: string
  name?: string
}

export const describeNeed = (n: AccessNeed) =>
  `${n.verb} ${n.resource}${n.subresource ? '/' + n.subresource : ''}${n.group ? '.' + n.group : ''}`

/** Checks every permission with SelfSubjectAccessReviews (in parallel); throws one UserError naming all that are missing. */
export async function checkAccess(kube: Kube, needs: AccessNeed[], namespace = kube.namespace): Promise<void> {
  const denied: AccessNeed[] = []
  await Promise.all(
    needs.map(async (need) => {
      const review = await kube.call(`check access: ${describeNeed(need)}`, () =>
        kube.authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {resourceAttributes: {namespace, verb: need.verb, resource: need.resource, group: need.group ?? '', subresource: need.subresource, name: need.name}},
          },
        }),
      )
      if (!review.status?.allowed) denied.push(need)
    }),
  )
  if (denied.length > 0) {
    throw new UserError(
      `forbidden: you cannot ${denied.map(describeNeed).join(', ')} in namespace "${namespace}" (ask for the "admin" role in that namespace, or a Role granting these); nothing was created`,
    )
  }
}

interface PolicyRule {
  apiGroups?: string[]
  resources?: string[]
  verbs?: string[]
  resourceNames?: string[]
}

/**
 * Kubernetes lets a user grant in a Role only what the user holds (or with the `escalate` verb on
 * roles): every verb of every rule of the Roles being applied, checked before anything is created.
 */
export async function checkGrants(kube: Kube, objects: KubeObject[], namespace = kube.namespace): Promise<void> {
  const rules = objects.filter((o) => o.kind === 'Role').flatMap((o) => (o.rules as PolicyRule[] | undefined) ?? [])
  if (rules.length === 0) return
  try {
    await checkAccess(kube, [{verb: 'escalate', resource: 'roles', group: 'rbac.authorization.k8s.io'}], namespace)
    return
  } catch {
    // no escalate: every granted permission must be held
  }
  const needs = rules.flatMap((r) =>
    (r.resources ?? []).flatMap((res) =>
      (r.verbs ?? []).flatMap((verb) => {
        const [resource, subresource] = res.split('/') as [string, string | undefined]
        const base = {verb, resource, subresource, group: r.apiGroups?.[0] ?? ''}
        return r.resourceNames?.length ? r.resourceNames.map((name) => ({...base, name})) : [base]
      }),
    ),
  )
  try {
    await checkAccess(kube, needs, namespace)
  } catch (err) {
    throw new UserError(
      `${(err as Error).message.replace(/ \(ask for .*$/, '')}: the cluster's agent needs these, and Kubernetes lets you grant only what you hold. ` +
        'A cluster admin can add them to the namespace "admin" role once: kubectl apply -f plugin-manifest/aggregate-to-admin.yaml',
    )
  }
}

/** Permissions needed to apply (server-side) objects of these kinds. */
export function applyNeeds(objects: KubeObject[]): AccessNeed[] {
  const seen = new Map<string, AccessNeed>()
  for (const o of objects) {
    const {resource, group} = resourceOf(o)
    for (const verb of ['create', 'patch']) seen.set(`${verb} ${resource}.${group}`, {verb, resource, group})
  }
  return [...seen.values()]
}

const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps',
  Service: 'services',
  StatefulSet: 'statefulsets',
  Deployment: 'deployments',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  Pod: 'pods',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
}

export function resourceOf(o: {apiVersion: string; kind: string}): {resource: string; group: string} {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : ''
  return {resource: PLURALS[o.kind] ?? o.kind.toLowerCase() + 's', group}
}
