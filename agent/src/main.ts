// Entry point of the in-cluster agent (bundled to dist/agent.mjs, shipped in ConfigMap NAME-kd-agent and
// run by `node /agent/agent.mjs` on a stock Node.js image). Wires the Agent to two informers (the
// cluster's member pods, the root ConfigMap) and to src/kube's client for exec, patches and Events, over
// http-client.ts: nothing here may load @kubernetes/client-node (a unit test checks the bundle), which
// would triple the agent's memory.
// Env: KD_CLUSTER (required), KD_NAMESPACE (default: the ServiceAccount's), KD_CLUSTER_DOMAIN, KD_AGENT_KUBECONFIG
// (run outside a cluster for tests), KD_CONCURRENCY.
import {httpClient} from '../../src/kube/http-client.ts'
import {inClusterCredentials} from '../../src/kube/in-cluster.ts'
import {leanCredentials} from '../../src/kube/simple-kubeconfig.ts'
import {R, type KubeClient} from '../../src/kube/client.ts'
import {recordEvent} from '../../src/kube/events.ts'
import {startInformer} from '../../src/kube/informer.ts'
import {ANNOTATION, APP_CONTAINER, CONFIGURED_CONDITION, LABEL, agentName, SECRET_KEYS_KEY, keysSecretName, rootConfigMapName} from '../../src/cluster/names.ts'
import {errorKind} from '../../src/kube/errors.ts'
import {formatBytes, PACKAGE_KEY, PACKAGE_MAX_UNPACKED_BYTES, PackageLimitError} from '../../src/cluster/package.ts'
import type {App} from '../../src/app/model.ts'
import type {Connections, ResolvedCluster} from '../../src/cluster/model.ts'
import type {ConnectedCluster, ConnectedObject} from '../../src/cluster/connections.ts'
import {ROOT_KEYS} from '../../src/cluster/names.ts'
import {isMemberPod, leanPod} from '../../src/cluster/member-state.ts'
import {Agent, type AgentIO, type PodLike, type RootLike} from './agent.ts'
import {ObjectKeeper, type KeeperIO} from './keeper.ts'
import {SignedSpec} from './signed-spec.ts'
import {observeObject, type ObservedObject} from '../../src/cluster/member-objects.ts'
import {applyObject} from '../../src/kube/apply.ts'
import type {KubeObject} from '../../src/kube-object.ts'

/** The agent's writes, on any KubeClient (the real one, or a fake in tests). */
export function agentIO(kube: KubeClient, namespace: string, cluster: string, rootUid: () => string | undefined): AgentIO {
  const root = rootConfigMapName(cluster)
  const annotate = (body: Record<string, string | null>) => ({metadata: {annotations: body}})
  return {
    exec: (pod, command, stdin, timeoutMs) => kube.exec({namespace, pod, container: APP_CONTAINER, command, stdin, timeoutMs}),
    patchPod: (pod, annotations) => kube.patch<PodLike>(R.pods(namespace), pod, 'merge', annotate(annotations)),
    // conditions merge by type (strategic merge) through the status subresource
    // (pods/status takes metadata.annotations too: the outcome and its condition in one request)
    setCondition: (pod, status, reason, message, annotations) =>
      kube.patch<PodLike>(R.pods(namespace), pod, 'strategic', {
        ...(annotations && Object.keys(annotations).length ? {metadata: {annotations}} : {}),
        status: {conditions: [{type: CONFIGURED_CONDITION, status, reason, message, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z')}]},
      }, {subresource: 'status'}),
    patchRoot: async (annotations) => void (await kube.patch(R.configMaps(namespace), root, 'merge', annotate(annotations))),
    event: (reason, message, type) =>
      recordEvent(kube, {apiVersion: 'v1', kind: 'ConfigMap', name: root, namespace, uid: rootUid()}, {reason, message, type, component: 'kubectl-kd-agent'}),
    readPackageConfigMap: async (name) => {
      const cm = await kube.get<{binaryData?: Record<string, string>}>(R.configMaps(namespace), name)
      const b64 = cm.binaryData?.[PACKAGE_KEY]
      if (!b64) throw new Error(`ConfigMap ${name} has no binaryData ${PACKAGE_KEY}`)
      return new Uint8Array(Buffer.from(b64, 'base64'))
    },
    readKeysSecret: async () => {
      const secret = await kube.get<{data?: Record<string, string>}>(R.secrets(namespace), keysSecretName(cluster)).catch((err) => (errorKind(err) === 'NotFound' ? undefined : Promise.reject(err)))
      const b64 = secret?.data?.[SECRET_KEYS_KEY]
      return b64 ? Buffer.from(b64, 'base64') : undefined
    },
    fetchURL: async (url) => {
      const res = await fetch(url, {redirect: 'follow', signal: AbortSignal.timeout(60_000)})
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`)
      // read no more than a package may be unpacked: the agent's memory stays bounded
      const chunks: Uint8Array[] = []
      let size = 0
      for await (const chunk of res.body ?? []) {
        size += chunk.byteLength
        if (size > PACKAGE_MAX_UNPACKED_BYTES) {
          throw new PackageLimitError(`is more than ${formatBytes(PACKAGE_MAX_UNPACKED_BYTES)}, the limit for a config package`)
        }
        chunks.push(chunk)
      }
      return new Uint8Array(Buffer.concat(chunks))
    },
    log,
  }
}

/** The keeper's writes (keeper.ts), on any KubeClient. */
export function keeperIO(kube: KubeClient, namespace: string): KeeperIO {
  const res = (kind: ObservedObject['kind']) => (kind === 'StatefulSet' ? R.statefulSets(namespace) : R.services(namespace))
  return {
    create: (obj: KubeObject) => kube.create(res(obj.kind as ObservedObject['kind']), obj),
    apply: (obj: KubeObject) => applyObject(kube, obj),
    get: async (kind, name) => {
      const o = await kube.get<LeanObject>(res(kind), name).catch((err) => (errorKind(err) === 'NotFound' ? undefined : Promise.reject(err)))
      return o ? observeObject(kind, o) : undefined
    },
    delete: (kind, name, uid) => kube.delete(res(kind), name, {uid, propagationPolicy: 'Background'}),
    log,
  }
}

type LeanObject = Parameters<typeof observeObject>[1] & {metadata?: {namespace?: string; resourceVersion?: string}}

/** What the informers keep of a StatefulSet or Service: what observeObject reads. */
function leanObject(o: LeanObject): LeanObject {
  const m = o.metadata ?? {}
  const hash = m.annotations?.[ANNOTATION.specHash]
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      generation: m.generation,
      labels: m.labels,
      ...(hash ? {annotations: {[ANNOTATION.specHash]: hash}} : {}),
      ownerReferences: (m.ownerReferences ?? []).map((r) => ({uid: r.uid})),
    },
    ...(o.spec?.replicas !== undefined ? {spec: {replicas: o.spec.replicas}} : {}),
    ...(o.status ? {status: {observedGeneration: o.status.observedGeneration, updatedReplicas: o.status.updatedReplicas, currentRevision: o.status.currentRevision, updateRevision: o.status.updateRevision}} : {}),
  }
}

/** Ends the agent (its pod then shows restarting, with the reason in its log). */
function fatal(msg: string): never {
  log(`fatal: ${msg}`)
  process.exit(1)
}

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`)

export async function main(env = process.env): Promise<Agent> {
  const cluster = env.KD_CLUSTER
  if (!cluster) throw new Error('KD_CLUSTER is not set')
  const kube = httpClient(env.KD_AGENT_KUBECONFIG ? leanCredentials(env.KD_AGENT_KUBECONFIG, {namespace: env.KD_NAMESPACE}) : inClusterCredentials(env.KD_NAMESPACE))
  const namespace = kube.namespace
  const root = rootConfigMapName(cluster)
  let rootUid: string | undefined
  const base = agentIO(kube, namespace, cluster, () => rootUid)
  const roleGone = (err: unknown) => `${(err as Error).message.split('\n')[0]} (is the agent's Role ${agentName(cluster)} or its RoleBinding missing? kubectl kd apply puts them back)`
  // the root is the one object the agent always may write: refused, its Role or binding is gone
  const io: AgentIO = {...base, patchRoot: (a) => base.patchRoot(a).catch((err) => (errorKind(err) === 'Forbidden' ? fatal(roleGone(err)) : Promise.reject(err)))}
  const agent = new Agent(io, {cluster, namespace, domain: env.KD_CLUSTER_DOMAIN, concurrency: Number(env.KD_CONCURRENCY) || undefined})
  const onError = (what: string) => (err: unknown, attempt: number) => {
    if (attempt === 1 || attempt % 10 === 0) log(`${what} watch interrupted (attempt ${attempt}): ${(err as Error).message?.split('\n')[0]}`)
  }
  const pods = startInformer<PodLike>(kube, {resource: R.pods(namespace), labelSelector: `${LABEL.cluster}=${cluster}`}, {
    onChange: () => agent.setPods([...pods.cache.values()].filter((p) => isMemberPod(p, cluster))),
    onError: onError('pods'),
    keep: leanPod,
  })
  const keeper = new ObjectKeeper(keeperIO(kube, namespace), cluster, () => agent.schedule())
  agent.setObjects(() => keeper.status())
  const spec = new SignedSpec(io, namespace)
  const rootInf = startInformer<RootLike>(kube, {resource: R.configMaps(namespace), fieldSelector: `metadata.name=${root}`}, {
    onChange: () => {
      const r = rootInf.cache.get(`${namespace}/${root}`)
      rootUid = r?.metadata?.uid
      void spec.take(r).then((taken) => {
        agent.setSpecProblem(taken.problem)
        agent.setRoot(taken.root)
        if (taken.members && rootUid) keeper.setDesired(taken.members, rootUid)
      })
    },
    onError: onError('root'),
  })
  const objectInformer = (kind: 'StatefulSet' | 'Service') => {
    const inf = startInformer<LeanObject>(kube, {resource: kind === 'StatefulSet' ? R.statefulSets(namespace) : R.services(namespace), labelSelector: `${LABEL.cluster}=${cluster}`}, {
      onChange: () => keeper.setObserved(kind, [...inf.cache.values()].map((o) => observeObject(kind, o))),
      onError: onError(kind === 'StatefulSet' ? 'statefulsets' : 'services'),
      keep: leanObject,
    })
    return inf
  }
  const statefulSets = objectInformer('StatefulSet')
  const services = objectInformer('Service')
  const connected = watchConnections(kube, namespace, agent, env.KD_CONNECTIONS, onError)
  // an informer ends only when the credentials stop working (its Role or binding deleted or cut): an agent
  // that can no longer see its cluster exits, so its pod shows restarting with why, never a healthy agent
  // doing nothing (apply puts the Role back)
  for (const inf of [pods, rootInf, statefulSets, services])
    inf.done.catch((err: Error) => fatal(roleGone(err)))
  log(`agent for cluster ${cluster} in ${namespace} started (pid ${process.pid})`)
  const shutdown = () => {
    agent.stop()
    keeper.stop()
    pods.stop()
    rootInf.stop()
    statefulSets.stop()
    services.stop()
    for (const inf of connected) inf.stop()
    kube.close()
    process.exit(0)
  }
  // `kubectl exec deploy/NAME-kd-agent -- kill -USR2 1` logs where the memory is
  process.on('SIGUSR2', () => {
    const m = process.memoryUsage()
    log(`memory: ${Object.entries(m).map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)} MiB`).join(', ')}`)
  })
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  return agent
}

type ObjectLike = RootLike & {metadata?: RootLike['metadata'] & {labels?: Record<string, string>}}

/**
 * spec.connections (KD_CONNECTIONS, JSON): one informer per connected cluster root, ConfigMap and Secret;
 * setups wait until each has listed once, so configure sees the connections.
 */
function watchConnections(kube: KubeClient, namespace: string, agent: Agent, json: string | undefined, onError: (what: string) => (err: unknown, attempt: number) => void) {
  if (!json) return []
  const wanted = JSON.parse(json) as Connections
  agent.awaitConnections()
  const one = (kind: 'clusters' | 'configmaps' | 'secrets', name: string) => {
    const objectName = kind === 'clusters' ? rootConfigMapName(name) : name
    const inf = startInformer<ObjectLike>(kube, {resource: kind === 'secrets' ? R.secrets(namespace) : R.configMaps(namespace), fieldSelector: `metadata.name=${objectName}`}, {
      onChange: () => {
        const o = inf.cache.get(`${namespace}/${objectName}`)
        if (kind === 'clusters') agent.setConnected('clusters', name, o ? connectedCluster(o, name, namespace) : undefined)
        else agent.setConnected(kind, name, o ? connectedObject(o) : undefined)
      },
      onError: onError(`${kind} ${name}`),
    })
    return inf
  }
  const informers = [...wanted.clusters.map((n) => one('clusters', n)), ...wanted.configmaps.map((n) => one('configmaps', n)), ...wanted.secrets.map((n) => one('secrets', n))]
  void Promise.all(informers.map((i) => i.synced)).then(() => agent.setConnectionsReady())
  return informers
}

/** A connected cluster from its root ConfigMap; undefined when it is not the root of cluster `name`. */
function connectedCluster(o: ObjectLike, name: string, namespace: string): ConnectedCluster | undefined {
  if (o.metadata?.labels?.[LABEL.cluster] !== name || !o.data) return undefined
  try {
    const app = JSON.parse(o.data[ROOT_KEYS.app] ?? 'null') as App | null
    const cluster = JSON.parse(o.data[ROOT_KEYS.cluster] ?? 'null') as ResolvedCluster | null
    return app && cluster ? {name, uid: o.metadata?.uid ?? '', namespace, app, cluster} : undefined
  } catch {
    return undefined
  }
}

function connectedObject(o: ObjectLike): ConnectedObject {
  return {
    name: o.metadata?.name ?? '',
    ...(o.metadata?.labels ? {labels: o.metadata.labels} : {}),
    ...(o.metadata?.annotations ? {annotations: o.metadata.annotations} : {}),
    ...(o.data ? {data: o.data} : {}),
  }
}

if (process.argv[1] && /agent(\.mjs|\/src\/main\.ts)$/.test(process.argv[1])) {
  main().catch((err) => {
    log(`fatal: ${(err as Error).message}`)
    process.exit(1)
  })
}
