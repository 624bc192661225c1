// --create-service-account: the driver's ServiceAccount and a least-privilege Role for running
// executors (what Spark's docs ask for), applied server-side so re-running is harmless.
import type {KubeClient} from '../../kube/client.ts'
import {applyObject} from '../../kube/apply.ts'
import {LABEL, MANAGED_BY} from '../../cluster/names.ts'

export function driverRbacObjects(namespace: string, sa: string) {
  const labels = {[LABEL.managedBy]: MANAGED_BY}
  const role = `${sa}-spark-driver`
  const verbs = ['create', 'get', 'list', 'watch', 'delete', 'deletecollection', 'patch', 'update']
  return [
    {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: sa, namespace, labels}},
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: {name: role, namespace, labels},
      rules: [{apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs}],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {name: role, namespace, labels},
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role},
      subjects: [{kind: 'ServiceAccount', name: sa, namespace}],
    },
  ]
}

export async function ensureDriverServiceAccount(kube: KubeClient, namespace: string, sa: string, serverDryRun: boolean): Promise<void> {
  for (const o of driverRbacObjects(namespace, sa)) await applyObject(kube, o, {dryRun: serverDryRun})
}
