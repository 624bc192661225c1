// The agent's Role is exactly what it uses (issue 5): the rules equal a fixed list, every call the
// agent makes works with a ServiceAccount bound to a copy of the Role, and removing any one verb from
// the copy breaks the call that needs it. The calls go through the agent's own src/kube code.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubeconfigWithToken, kubectl, kubectlJson} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
import {httpClient} from '../../src/kube/http-client.ts'
import {leanCredentials} from '../../src/kube/simple-kubeconfig.ts'
import {R, type KubeClient} from '../../src/kube/client.ts'
import {agentIO, keeperIO} from '../../agent/src/main.ts'

const ns = createNamespace('kd-e2e-agent-rbac')
const test = suite('agent RBAC')
test.after(() => {
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

interface Rule {
  apiGroups: string[]
  resources: string[]
  resourceNames?: string[]
  verbs: string[]
}

const expected = (pkgConfigMap: string): Rule[] => [
  {apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'patch']},
  {apiGroups: [''], resources: ['pods/status'], verbs: ['patch']},
  {apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get']},
  {apiGroups: [''], resources: ['configmaps'], resourceNames: ['demo-kd'], verbs: ['list', 'watch', 'patch']},
  {apiGroups: [''], resources: ['configmaps'], resourceNames: [pkgConfigMap], verbs: ['get']},
  {apiGroups: [''], resources: ['secrets'], resourceNames: ['demo-kd-keys'], verbs: ['get']},
  {apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete']},
  {apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete']},
  {apiGroups: [''], resources: ['events'], verbs: ['create']},
]

const io = (api: KubeClient) => agentIO(api, ns, 'demo', () => undefined)
/** The agent's calls, one per (resource, verb) of its Role. */
const calls: Record<string, (api: KubeClient) => Promise<unknown>> = {
  'pods list': (api) => api.list(R.pods(ns), {labelSelector: 'kubectl-kd.io/cluster=demo'}),
  'pods watch': (api) => api.watch(R.pods(ns), {labelSelector: 'kubectl-kd.io/cluster=demo', timeoutSeconds: 1}, () => {}),
  'pods patch': (api) => io(api).patchPod('demo-worker-0', {'kubectl-kd.io/rbac-probe': null}),
  'pods/status patch': (api) => io(api).setCondition('demo-worker-0', 'True', 'Configured', 'config package ran'),
  'pods/exec create': (api) => io(api).exec('demo-worker-0', ['true'], new Uint8Array(1)),
  'pods/exec get': (api) => io(api).exec('demo-worker-0', ['true']),
  'configmaps list': (api) => api.list(R.configMaps(ns), {fieldSelector: 'metadata.name=demo-kd'}),
  'configmaps watch': (api) => api.watch(R.configMaps(ns), {fieldSelector: 'metadata.name=demo-kd', timeoutSeconds: 1}, () => {}),
  'configmaps patch': (api) => io(api).patchRoot({'kubectl-kd.io/rbac-probe': null}),
  'configmaps get': (api) => io(api).readPackageConfigMap(pkgConfigMap),
  'events create': (api) => io(api).event('RbacProbe', 'rbac test'),
  'secrets get': async (api) => {
    if (!(await io(api).readKeysSecret())) throw new Error('no key read')
  },
  // the keeper's calls (agent/src/keeper.ts); writes as server dry runs (authorized like the real ones)
  ...Object.fromEntries(
    (['StatefulSet', 'Service'] as const).flatMap((kind) => {
      const res = kind === 'StatefulSet' ? 'statefulsets' : 'services'
      const r = (ns2: string) => (kind === 'StatefulSet' ? R.statefulSets(ns2) : R.services(ns2))
      const name = kind === 'StatefulSet' ? 'demo-worker' : 'demo-worker-0'
      const probe = () => {
        const o = kubectlJson(['-n', ns, 'get', res, name])
        return {apiVersion: o.apiVersion, kind: o.kind, metadata: {name: `${name}-probe`, namespace: ns, labels: o.metadata.labels}, spec: kind === 'StatefulSet' ? {...o.spec, serviceName: 'demo'} : {...o.spec, clusterIP: undefined, clusterIPs: undefined, ports: o.spec.ports.map((p: {nodePort?: number}) => ({...p, nodePort: undefined}))}}
      }
      return [
        [`${res} get`, (api: KubeClient) => keeperIO(api, ns).get(kind, name)],
        [`${res} list`, (api: KubeClient) => api.list(r(ns), {labelSelector: 'kubectl-kd.io/cluster=demo'})],
        [`${res} watch`, (api: KubeClient) => api.watch(r(ns), {labelSelector: 'kubectl-kd.io/cluster=demo', timeoutSeconds: 1}, () => {})],
        [`${res} create`, (api: KubeClient) => api.create(r(ns), probe(), {dryRun: true})],
        [`${res} patch`, (api: KubeClient) => api.apply(r(ns), probe(), {dryRun: true})],
        [`${res} delete`, (api: KubeClient) => api.delete(r(ns), name, {dryRun: true})],
      ]
    }),
  ),
}
let pkgConfigMap = ''

function transportFor(name: string, rules: Rule[]): KubeClient {
  kubectl(['-n', ns, 'create', 'serviceaccount', name])
  kubectl(['-n', ns, 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: {name, namespace: ns}, rules})})
  kubectl(['-n', ns, 'create', 'rolebinding', name, `--role=${name}`, `--serviceaccount=${ns}:${name}`])
  const token = kubectl(['-n', ns, 'create', 'token', name, '--duration=1h']).trim()
  return httpClient(leanCredentials(kubeconfigWithToken(ns, token)))
}

const denied = async (fn: () => Promise<unknown>) => {
  try {
    await fn()
    return ''
  } catch (err) {
    const e = err as {kind?: string; message: string}
    // exec answers a refused upgrade in the exec's own error (HTTP 403 in its message)
    return e.kind === 'Forbidden' || /\b403\b/.test(e.message) ? 'forbidden' : `other error: ${e.message}`
  }
}

test('the Role equals the fixed list and the agent works with it', () => {
  const r = kd(['create', 'shelldemo', 'demo', '-n', ns, '--wait', '--timeout', '5m'], {env: clusterEnv()})
  assert.is(r.code, 0, r.stderr)
  const role = kubectlJson(['-n', ns, 'get', 'role', 'demo-kd-agent'])
  pkgConfigMap = role.rules.find((x: Rule) => x.verbs.includes('get') && x.resources.includes('configmaps'))?.resourceNames?.[0] ?? ''
  assert.match(pkgConfigMap, /^kd-pkg-/)
  assert.equal(role.rules, expected(pkgConfigMap))
  // nothing cluster-wide, nothing else in the namespace
  assert.is(kubectl(['get', 'clusterrolebindings', '-o', 'json']).includes(`"namespace": "${ns}"`), false)
  const can = (verb: string, res: string) =>
    kubectl(['auth', 'can-i', verb, res, '-n', ns, `--as=system:serviceaccount:${ns}:demo-kd-agent`], {allowFail: true}).trim()
  for (const [verb, res] of [['get', 'secrets'], ['get', 'secrets/other'], ['create', 'pods'], ['delete', 'pods'], ['update', 'configmaps'], ['get', 'configmaps/other'], ['patch', 'deployments'], ['create', 'roles']]) assert.is(can(verb, res!), 'no', `${verb} ${res}`)
})

test('every call works with a copy of the Role, and each verb removed breaks its call', async () => {
  const full = transportFor('probe-full', expected(pkgConfigMap))
  await new Promise((r) => setTimeout(r, 1500)) // RBAC caches catch up
  for (const [what, fn] of Object.entries(calls)) assert.is(await denied(() => fn(full)), '', `${what} with the full Role`)
  const removals: Array<[string, Rule[]]> = []
  for (const [i, rule] of expected(pkgConfigMap).entries()) {
    for (const verb of rule.verbs) {
      const rules = expected(pkgConfigMap)
        .map((r, j) => (j === i ? {...r, verbs: r.verbs.filter((v) => v !== verb)} : r))
        .filter((r) => r.verbs.length > 0)
      removals.push([`${rule.resources[0]} ${verb}`, rules])
    }
  }
  const probes = removals.map(([what, rules], n) => [what, transportFor(`probe-${n}`, rules)] as const)
  await new Promise((r) => setTimeout(r, 1500))
  const outcome: Record<string, string> = {}
  for (const [what, api] of probes) outcome[what] = await denied(() => calls[what]!(api))
  // pods/exec over WebSocket is a GET upgrade: Kubernetes authorizes it as `get` (and, from 1.35 with
  // AuthorizePodWebsocketUpgradeCreatePermission, also as `create`); the Role keeps both
  const needed = Object.fromEntries(Object.keys(outcome).map((k) => [k, 'forbidden']))
  if (outcome['pods/exec create'] === '') needed['pods/exec create'] = ''
  process.stderr.write(`  (this API server: exec without pods/exec create ${outcome['pods/exec create'] ? 'is forbidden' : 'works'}, without get ${outcome['pods/exec get'] ? 'is forbidden' : 'works'})\n`)
  assert.equal(outcome, needed)
  for (const api of [full, ...probes.map(([, a]) => a)]) api.close()
})

test.run()
