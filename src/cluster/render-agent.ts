// The agent of one app cluster (docs/architecture.md): ServiceAccount, Role, RoleBinding and a one-replica
// Recreate Deployment running the plugin-shipped agent code on a stock Node.js image under the
// "restricted" pod security standard. The Role grants exactly what agent/src uses, nothing cluster-wide.
// The agent code travels in ConfigMap NAME-kd-agent (renderAgentCode): the esbuild bundle gzipped
// (136 KB → ~40 KB: no @kubernetes/client-node, see src/kube/http-client.ts) plus a 5-line loader that
// unpacks it to /tmp.
// Pure.
import {createHash} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import type {App} from '../app/model.ts'
import type {KubeObject} from '../kube-object.ts'
import type {ResolvedCluster} from './model.ts'
import {AGENT_COMPONENT, ANNOTATION, LABEL, agentName, keysSecretName, rootConfigMapName} from './names.ts'
import {clusterLabels, ownedByRoot} from './object-meta.ts'
import {packageConfigMapFromURL} from './package.ts'
import type {RenderOptions} from './render-options.ts'
import {DEFAULT_AGENT_IMAGE} from './render-options.ts'

const AGENT_CODE_KEY = 'agent.mjs.gz'
const CODE_DIR = '/agent'

/**
 * The loader of a plugin-shipped bundle run on the stock Node image (the agent, a managed job's runner),
 * given on the pod's command line (`node --input-type=module -e LOADER`): unpacks the gzipped bundle
 * mounted at `mounted` into `unpacked` under /tmp (an emptyDir: the root FS is read-only), checks it is
 * the code whose SHA-256 the pod spec names, and runs its main(). The code travels in a ConfigMap, which
 * more people may write than Deployments or Jobs: a replaced bundle is refused, never run.
 */
export const bundleLoader = (mounted: string, unpacked: string, sha256: string) =>
  `import {gunzipSync} from 'node:zlib'
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
const code = gunzipSync(readFileSync('${mounted}'))
const have = createHash('sha256').update(code).digest('hex')
if (have !== '${sha256}') { console.error('refusing to run ${mounted}: its SHA-256 is ' + have + ', the pod spec names ${sha256} (the ConfigMap was changed)'); process.exit(3) }
writeFileSync('${unpacked}', code)
await (await import('${unpacked}')).main()
`

/** The command that runs a plugin-shipped bundle through bundleLoader. */
export const bundleCommand = (nodeFlags: string[], mounted: string, unpacked: string, sha256: string) => ['node', ...nodeFlags, '--input-type=module', '-e', bundleLoader(mounted, unpacked, sha256)]

/** SHA-256 of the agent code: on the pod template, so new code rolls the agent, and checked by its loader. */
export function agentCodeHash(bundle: Uint8Array): string {
  return createHash('sha256').update(bundle).digest('hex')
}

/** ConfigMaps the agent reads packages from: the configmap:// packages of the app's roles. */
function packageConfigMaps(app: App | undefined): string[] {
  const names = (app?.roles ?? []).map((r) => (r.configPackage ? packageConfigMapFromURL(r.configPackage.packageURL) : undefined))
  return [...new Set(names.filter((n): n is string => !!n))].sort()
}

/** The Role's rules: exactly the calls agent/src/main.ts makes. */
function agentRules(cluster: ResolvedCluster, app?: App) {
  const root = rootConfigMapName(cluster.name)
  const packages = packageConfigMaps(app)
  const c = cluster.connections
  // spec.connections: an informer each (field selector metadata.name) on the connected clusters' roots and
  // the named ConfigMaps and Secrets, nothing else of the namespace
  const connectedConfigMaps = c ? [...c.clusters.map(rootConfigMapName), ...c.configmaps].sort() : []
  const connectedSecrets = c ? [...c.secrets].sort() : []
  return [
    // informer on member pods (list + watch, label selector), annotations (merge patch)
    {apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'patch']},
    // the kubectl-kd.io/configured readiness-gate condition
    {apiGroups: [''], resources: ['pods/status'], verbs: ['patch']},
    // the member protocol; exec over WebSocket is a GET upgrade: authorized as `get` (verified on 1.32 by
    // test/e2e/agent-rbac.test.ts), and also as `create` from 1.35 (AuthorizePodWebsocketUpgradeCreatePermission)
    {apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get']},
    // informer on the root ConfigMap (field selector metadata.name) and its state/rollup annotations
    {apiGroups: [''], resources: ['configmaps'], resourceNames: [root], verbs: ['list', 'watch', 'patch']},
    // config packages stored in the namespace
    ...(packages.length ? [{apiGroups: [''], resources: ['configmaps'], resourceNames: packages, verbs: ['get']}] : []),
    ...(connectedConfigMaps.length ? [{apiGroups: [''], resources: ['configmaps'], resourceNames: connectedConfigMaps, verbs: ['list', 'watch']}] : []),
    ...(connectedSecrets.length ? [{apiGroups: [''], resources: ['secrets'], resourceNames: connectedSecrets, verbs: ['list', 'watch']}] : []),
    // the cluster's key: checks the root's spec signature (spec-signature.ts) and opens the roles' secretKeys
    {apiGroups: [''], resources: ['secrets'], resourceNames: [keysSecretName(cluster.name)], verbs: ['get']},
    // the objects it keeps at the spec (member-objects.ts): informers (list, watch), create, server-side
    // apply (patch), get after a create found the name taken, delete of what the root owns and the spec no
    // longer names. A create cannot be limited to names; every write checks the root's ownership first
    {apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete']},
    {apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete']},
    {apiGroups: [''], resources: ['events'], verbs: ['create']},
  ]
}

export function renderAgent(cluster: ResolvedCluster, options: RenderOptions, app?: App): KubeObject[] {
  const name = agentName(cluster.name)
  const labels = {...clusterLabels(cluster), [LABEL.component]: AGENT_COMPONENT}
  const metadata = {name, namespace: options.namespace, labels, ...ownedByRoot(cluster, options.rootUid)}
  const selector = {[LABEL.cluster]: cluster.name, [LABEL.component]: AGENT_COMPONENT}

  const serviceAccount: KubeObject = {apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false}
  const role: KubeObject = {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: agentRules(cluster, app)}
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
          terminationGracePeriodSeconds: 5,
          securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: 'RuntimeDefault'}},
          containers: [
            {
              name: 'agent',
              image: options.agentImage ?? DEFAULT_AGENT_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              // a small young generation: the agent allocates little and steadily (working set ~25 MiB idle, ~53 MiB
              // right after setting up 100 members: bench/agent-overhead.bench.ts)
              command: bundleCommand(['--max-old-space-size=96', '--max-semi-space-size=1'], `${CODE_DIR}/${AGENT_CODE_KEY}`, '/tmp/kd-agent.mjs', options.agentCodeHash ?? ''),
              env: [
                {name: 'KD_CLUSTER', value: cluster.name},
                {name: 'KD_NAMESPACE', valueFrom: {fieldRef: {fieldPath: 'metadata.namespace'}}},
                ...(options.domain ? [{name: 'KD_CLUSTER_DOMAIN', value: options.domain}] : []),
                // spec.connections: the objects the agent watches (a change of them restarts it)
                ...(cluster.connections ? [{name: 'KD_CONNECTIONS', value: JSON.stringify(cluster.connections)}] : []),
                // buffers of 32 KiB and more (exec frames, TLS records) go back to the OS when freed instead of
                // fragmenting malloc's heap: at 100 members 43 MiB anonymous memory after a burst of setups, not 115
                {name: 'MALLOC_MMAP_THRESHOLD_', value: '32768'},
              ],
              resources: {requests: {cpu: '50m', memory: '64Mi'}, limits: {cpu: '1', memory: '192Mi'}},
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: {drop: ['ALL']},
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                seccompProfile: {type: 'RuntimeDefault'},
              },
              volumeMounts: [
                {name: 'agent-code', mountPath: CODE_DIR, readOnly: true},
                {name: 'tmp', mountPath: '/tmp'},
              ],
            },
          ],
          volumes: [
            {name: 'agent-code', configMap: {name}},
            {name: 'tmp', emptyDir: {sizeLimit: '64Mi'}},
          ],
        },
      },
    },
  }
  return [serviceAccount, role, roleBinding, deployment].map((o) => JSON.parse(JSON.stringify(o)) as KubeObject)
}

/**
 * ConfigMap NAME-kd-agent with the agent code: binaryData agent.mjs.gz (the dist/agent.mjs bundle,
 * gzipped) and data loader.mjs. `create` applies it and passes agentCodeHash(bundle) as
 * RenderOptions.agentCodeHash so the Deployment restarts when the code changes.
 */
export function renderAgentCode(cluster: ResolvedCluster, options: RenderOptions, bundle: Uint8Array): KubeObject {
  const gz = gzipSync(bundle, {level: 9})
  if (gz.byteLength > 1000 * 1024) throw new Error(`agent bundle is ${gz.byteLength} bytes gzipped; a ConfigMap holds at most 1 MiB`)
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: agentName(cluster.name),
      namespace: options.namespace,
      labels: {...clusterLabels(cluster), [LABEL.component]: AGENT_COMPONENT},
      annotations: {[ANNOTATION.agentVersion]: agentCodeHash(bundle)},
      ...ownedByRoot(cluster, options.rootUid),
    },
    binaryData: {[AGENT_CODE_KEY]: Buffer.from(gz).toString('base64')},
  } as KubeObject
}
