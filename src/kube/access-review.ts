// What another subject (a ServiceAccount the Spark driver will run as) may do, asked with a namespaced
// LocalSubjectAccessReview — a namespace admin may create those, unlike cluster-wide SubjectAccessReviews.
import type {AccessNeed} from './apply.ts'
import {R, type KubeClient} from './client.ts'
import {errorKind} from './errors.ts'

/** Returns the needs the service account lacks, or undefined when the caller may not ask. */
export async function serviceAccountDenied(kube: KubeClient, namespace: string, serviceAccount: string, needs: AccessNeed[]): Promise<AccessNeed[] | undefined> {
  const user = `system:serviceaccount:${namespace}:${serviceAccount}`
  const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']
  try {
    const results = await Promise.all(
      needs.map(async (need) => {
        const review = await kube.create<{status?: {allowed?: boolean}}>(R.localSubjectAccessReviews(namespace), {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'LocalSubjectAccessReview',
          metadata: {namespace},
          spec: {user, groups, resourceAttributes: {namespace, verb: need.verb, resource: need.resource, group: need.group ?? ''}},
        })
        return review.status?.allowed ? undefined : need
      }),
    )
    return results.filter((n): n is AccessNeed => n !== undefined)
  } catch (err) {
    if (errorKind(err) === 'Forbidden' || errorKind(err) === 'NotFound') return undefined
    throw err
  }
}
