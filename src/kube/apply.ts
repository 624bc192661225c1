// Server-side apply of rendered objects (fieldManager kubectl-kd), and the access checks that run
// before anything is created, so a missing permission never leaves a half-created cluster behind.
import {UserError} from '../errors.ts'
import {R, resourceFor, type KubeClient, type KubeObject} from './client.ts'
import {isNotFound} from './errors.ts'

/** Server-side apply of one object (its namespace, else the client's). */
export async function applyObject<T extends KubeObject>(kube: KubeClient, obj: T, opts: {dryRun?: boolean} = {}): Promise<T> {
  const body = {...obj, metadata: {...obj.metadata, namespace: obj.metadata.namespace ?? kube.namespace}}
  const res = resourceFor(body)
  try {
    return await kube.apply<T>(res, body, opts)
  } catch (err) {
    // RBAC objects: for a user without the `escalate`/`bind` verbs (a namespace admin) the API server
    // refuses to create a Role or RoleBinding through apply ("not found"), but allows a plain create.
    if (!(isNotFound(err) && (obj.kind === 'Role' || obj.kind === 'RoleBinding'))) throw err
    return kube.create<T>(res, body, opts)
  }
}

export interface AccessNeed {
  verb: string
  resource: string
  group?: string
  subresource?: string
  name?: string
}

const describeNeed = (n: AccessNeed) =>
  `${n.verb} ${n.resource}${n.subresource ? '/' + n.subresource : ''}${n.group ? '.' + n.group : ''}`

/** Checks every permission with SelfSubjectAccessReviews (in parallel); throws one UserError naming all that are missing. */
export async function checkAccess(kube: KubeClient, needs: AccessNeed[], namespace = kube.namespace, untouched = 'nothing was created'): Promise<void> {
  const denied = await deniedNeeds(kube, needs, namespace)
  if (denied.length > 0) {
    throw new UserError(
      `forbidden: you cannot ${denied.map(describeNeed).join(', ')} in namespace "${namespace}" (ask for the "admin" role in that namespace, or a Role granting these); ${untouched}`,
    )
  }
}

/** The needs the caller lacks, asked with SelfSubjectAccessReviews (in parallel). */
async function deniedNeeds(kube: KubeClient, needs: AccessNeed[], namespace = kube.namespace): Promise<AccessNeed[]> {
  const denied: AccessNeed[] = []
  await Promise.all(
    needs.map(async (need) => {
      const review = await kube.create<{status?: {allowed?: boolean}}>(R.selfSubjectAccessReviews(), {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {resourceAttributes: {namespace, verb: need.verb, resource: need.resource, group: need.group ?? '', subresource: need.subresource, name: need.name}},
      })
      if (!review.status?.allowed) denied.push(need)
    }),
  )
  return denied
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
export async function checkGrants(kube: KubeClient, objects: KubeObject[], namespace = kube.namespace): Promise<void> {
  const rules = objects.filter((o) => o.kind === 'Role').flatMap((o) => (o.rules as PolicyRule[] | undefined) ?? [])
  if (rules.length === 0) return
  // with escalate, a user may grant anything; without, every granted permission must be held
  if ((await deniedNeeds(kube, [{verb: 'escalate', resource: 'roles', group: 'rbac.authorization.k8s.io'}], namespace)).length === 0) return
  const needs = rules.flatMap((r) =>
    (r.resources ?? []).flatMap((res) =>
      (r.verbs ?? []).flatMap((verb) => {
        const [resource, subresource] = res.split('/') as [string, string | undefined]
        const base = {verb, resource, subresource, group: r.apiGroups?.[0] ?? ''}
        return r.resourceNames?.length ? r.resourceNames.map((name) => ({...base, name})) : [base]
      }),
    ),
  )
  const denied = await deniedNeeds(kube, needs, namespace)
  if (denied.length > 0) {
    throw new UserError(
      `forbidden: you cannot ${denied.map(describeNeed).join(', ')} in namespace "${namespace}"; nothing was created: the cluster's agent needs these, and Kubernetes lets you grant only what you hold. ` +
        'A cluster admin can add them to the namespace "admin" role once: kubectl apply -f plugin-manifest/aggregate-to-admin.yaml',
    )
  }
}

/** Permissions needed to apply (server-side) objects of these kinds. */
export function applyNeeds(objects: KubeObject[]): AccessNeed[] {
  const seen = new Map<string, AccessNeed>()
  for (const o of objects) {
    const {resource, apiVersion} = resourceFor(o)
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : ''
    for (const verb of ['create', 'patch']) seen.set(`${verb} ${resource}.${group}`, {verb, resource, group})
  }
  return [...seen.values()]
}

