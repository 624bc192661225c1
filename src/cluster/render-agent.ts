// The agent of one app cluster (DESIGN.md §4): ServiceAccount, Role, RoleBinding and a one-replica
// Deployment running the plugin-shipped agent code (ConfigMap NAME-kd-agent, key agent.mjs) on a stock
// Node.js image under restricted pod security. Least privilege, namespaced. Pure.
// The ConfigMap holding the agent code itself is created by the create action, not rendered here.
import type {KubeObject} from './kube-object.ts'
import type {ResolvedCluster} from './model.ts'
import {ANNOTATION, LABEL, agentName} from './names.ts'
import {clusterLabels, ownedByRoot} from './object-meta.ts'
import type {RenderOptions} from './render-options.ts'
import {DEFAULT_AGENT_IMAGE} from './render-options.ts'

export const AGENT_CODE_KEY = 'agent.mjs'
export const AGENT_COMPONENT = 'agent'

export function renderAgent(cluster: ResolvedCluster, options: RenderOptions): KubeObject[] {
  const name = agentName(cluster.name)
  const labels = {...clusterLabels(cluster), [LABEL.component]: AGENT_COMPONENT}
  const metadata = {name, namespace: options.namespace, labels, ...ownedByRoot(cluster, options.rootUid)}
  const selector = {[LABEL.cluster]: cluster.name, [LABEL.component]: AGENT_COMPONENT}

  const serviceAccount: KubeObject = {apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false}
  const role: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata,
    rules: [
      {apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch']},
      {apiGroups: [''], resources: ['pods/status'], verbs: ['patch']},
      // exec over WebSocket is authorized as `get`, and since Kubernetes 1.31 also needs `create`
      {apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create']},
      {apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'patch']},
      {apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch']},
      {apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch']},
    ],
  }
  const roleBinding: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name},
    subjects: [{kind: 'ServiceAccount', name, namespace: options.namespace}],
  }
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      strategy: {type: 'Recreate'},
      selector: {matchLabels: selector},
      template: {
        metadata: {
          labels,
          ...(options.agentCodeHash ? {annotations: {[ANNOTATION.agentVersion]: options.agentCodeHash}} : {}),
        },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: 'RuntimeDefault'}},
          containers: [
            {
              name: 'agent',
              image: options.agentImage ?? DEFAULT_AGENT_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              command: ['node', `/agent/${AGENT_CODE_KEY}`],
              env: [
                {name: 'KD_CLUSTER', value: cluster.name},
                {name: 'KD_NAMESPACE', valueFrom: {fieldRef: {fieldPath: 'metadata.namespace'}}},
              ],
              resources: {requests: {cpu: '50m', memory: '64Mi'}, limits: {cpu: '500m', memory: '256Mi'}},
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: {drop: ['ALL']},
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
              },
              volumeMounts: [
                {name: 'agent-code', mountPath: '/agent', readOnly: true},
                {name: 'tmp', mountPath: '/tmp'},
              ],
            },
          ],
          volumes: [
            {name: 'agent-code', configMap: {name, items: [{key: AGENT_CODE_KEY, path: AGENT_CODE_KEY}]}},
            {name: 'tmp', emptyDir: {}},
          ],
        },
      },
    },
  }
  return [serviceAccount, role, roleBinding, deployment].map((o) => JSON.parse(JSON.stringify(o)) as KubeObject)
}
