// What another subject (a ServiceAccount the Spark driver will run as) may do, asked with a namespaced
// LocalSubjectAccessReview — a namespace admin may create those, unlike cluster-wide SubjectAccessReviews.
import type {Kube} from './connection.ts'
import type {AccessNeed} from './apply.ts'
import {ApiError} from './errors.ts'
import {UserError} from '../errors.ts'

/** Returns the needs the service account lacks, or undefined when the caller may not ask. */
export async function serviceAccountDenied(kube: Kube, namespace: string, serviceAccount: string, needs: AccessNeed[]): Promise<AccessNeed[] | undefined> {
  const user = `system:serviceaccount:${namespace}:${serviceAccount}`
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']
  try {
    const results = await Promise.all(
      needs.map(async (need) => {
        const review = await kube.call(`review access of ${user}: ${need.verb} ${need.resource}`, () =>
          kube.authz.createNamespacedLocalSubjectAccessReview({
            namespace,
            body: {
              apiVersion: 'authorization.k8s.io/v1',
              kind: 'LocalSubjectAccessReview',
              metadata: {namespace},
              spec: {user, groups, resourceAttributes: {namespace, verb: need.verb, resource: need.resource, group: need.group ?? ''}},
            },
          }),
        )
        return review.status?.allowed ? undefined : need
      }),
    )
    return results.filter((n): n is AccessNeed => n !== undefined)
  } catch (err) {
    if ((err instanceof UserError && /^forbidden/.test(err.message)) || (err instanceof ApiError && (err.status === 403 || err.status === 404))) return undefined
    throw err
  }
}
