// The Spark job actions and the app catalog, version and --cluster actions on the fake client: what
// submit creates and in which order, its refusals before the first write, the undo of a half-made job,
// and how jobs, apps and agents are read back.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {FakeKube} from '../lib/fake-kube.ts'
import {submitJob, type SubmitOptions} from '../../src/actions/job/submit.ts'
import {prepareSubmission} from '../../src/actions/job/prepared-submission.ts'
import {deleteJob, jobStatus, killSubmission, listJobs, parseSubmissionId, submissionStatus} from '../../src/actions/job/jobs.ts'
import {contextOfMaster} from '../../src/actions/job/submit.ts'
import {formatPodState} from '../../src/spark/status.ts'
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {addApp, planAppAdd, removeApp} from '../../src/actions/app/app-store.ts'
import {listApps, resolveApp} from '../../src/actions/app/apps.ts'
import {versions} from '../../src/actions/version.ts'
import {submitToCluster} from '../../src/actions/job/submit-to-cluster.ts'
import {changeClusters} from '../../src/actions/cluster/cluster-change.ts'
import {R} from '../../src/kube/client.ts'
import {ApiError} from '../../src/kube/errors.ts'
import {ANNOTATION, LABEL} from '../../src/cluster/names.ts'
import {UserError} from '../../src/errors.ts'
import {rejects} from '../lib/user-errors.ts'

const NS = 'spark'

const pi = {appResource: 'local:///opt/spark/examples/jars/spark-examples.jar', mainClass: 'org.apache.spark.examples.SparkPi', name: 'spark-pi', image: 'localhost/kubectl-kd/spark:3.5.9', serviceAccount: 'spark'}
const opts = (o: Partial<SubmitOptions> = {}): SubmitOptions => ({dryRun: 'none', now: () => 1_700_000_000_000, ...o})
const withAccount = () => {
  const kube = new FakeKube(NS)
  kube.seed(R.serviceAccounts(NS), {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'spark'}})
  return kube
}

const submit = suite('submit')

submit('creates the driver pod first, then its Service and ConfigMap owned by it (as spark-submit)', async () => {
  const kube = withAccount()
  const prepared = await prepareSubmission({args: pi})
  const r = await submitJob(kube, prepared, opts())
  const writes = kube.requests.filter((x) => (x.verb === 'create' || x.verb === 'apply') && !x.resource.endsWith('accessreviews'))
  assert.equal(writes.map((w) => `${w.verb} ${w.resource}`), ['create pods', 'apply services', 'apply configmaps'])
  const pod = kube.find(R.pods(NS), r.driverPod)!
  assert.is(pod.metadata.labels['spark-role'], 'driver')
  for (const o of [...kube.all(R.services(NS)), ...kube.all(R.configMaps(NS))]) assert.is(o.metadata.ownerReferences[0].uid, pod.metadata.uid)
  assert.is(r.namespace, NS)
})

submit('refusals before the first write: a missing service account, one without the driver\'s rights, the caller\'s rights', async () => {
  const none = new FakeKube(NS)
  await rejects(submitJob(none, await prepareSubmission({args: pi}), opts()), /serviceaccount "spark" not found in namespace "spark".*--create-service-account/)
  const weak = withAccount()
  weak.allow = (a, user) => !(user && a.verb === 'create' && a.resource === 'pods')
  await rejects(submitJob(weak, await prepareSubmission({args: pi}), opts()), /serviceaccount "spark" in namespace "spark" may not create pods/)
  const caller = withAccount()
  caller.allow = (a, user) => !!user || a.resource !== 'services'
  await rejects(submitJob(caller, await prepareSubmission({args: pi}), opts()), /forbidden: you cannot create services/)
  for (const k of [none, weak, caller]) assert.equal(k.all(R.pods(NS)), [])
})

submit('a name clash is refused in one line; a failure after the pod removes that pod (by uid) and nothing else', async () => {
  const kube = withAccount()
  const named = {...pi, conf: ['spark.kubernetes.driver.pod.name=pi-driver']}
  const first = await submitJob(kube, await prepareSubmission({args: named}), opts())
  await rejects(submitJob(kube, await prepareSubmission({args: named}), opts()), /job "pi" already exists in namespace "spark" \(pod\/pi-driver\)/)
  const failing = withAccount()
  failing.fail = (x) => (x.verb === 'apply' && x.resource === 'services' ? new ApiError('Invalid', 422, 'apply service: bad port') : undefined)
  await rejects(submitJob(failing, await prepareSubmission({args: pi}), opts()), /bad port/)
  assert.equal(failing.all(R.pods(NS)), [])
  assert.ok(failing.made('delete', 'pods')[0])
  assert.ok(kube.find(R.pods(NS), first.driverPod))
})

/** A submit killed after its driver pod: its Service/ConfigMap applies and its undo never reach the API server. */
async function interruptedSubmit(kube: FakeKube, args: typeof pi & {conf?: string[]}): Promise<void> {
  kube.fail = (x) => (x.verb === 'apply' || (x.verb === 'delete' && x.resource === 'pods') ? new ApiError('Unreachable', 0, 'connection refused (the CLI was killed)') : undefined)
  await submitJob(kube, await prepareSubmission({args}), opts()).then(() => assert.unreachable('the submit was to be cut short'), () => undefined)
  kube.fail = () => undefined
}

submit('a submit killed after the driver pod: status says why it is stuck; re-running the same submit completes the job (no second pod) and a third says already exists', async () => {
  const kube = withAccount()
  const named = {...pi, conf: ['spark.kubernetes.driver.pod.name=pi-driver']}
  await interruptedSubmit(kube, named)
  const half = kube.find(R.pods(NS), 'pi-driver')!
  assert.equal([kube.all(R.services(NS)), kube.all(R.configMaps(NS))], [[], []])
  kube.seed(R.pods(NS), {...half, status: {phase: 'Pending', containerStatuses: [{name: 'spark-kubernetes-driver', state: {waiting: {reason: 'ContainerCreating'}}}]}})
  const stuck = await jobStatus(kube, 'pi')
  assert.match(stuck.reason!, /^half-made: configmap\/spark-drv-[0-9a-f]+-conf-map is missing \(its submit was interrupted\); re-run the same kubectl kd submit to complete the job, or delete it/)
  assert.ok(stuck.stuck)

  const creates = kube.made('create', 'pods').length
  const r = await submitJob(kube, await prepareSubmission({args: named}), opts({now: () => 1_700_000_999_000}))
  assert.is(kube.made('create', 'pods').length, creates, 'no second driver pod')
  const cmName = half.spec.volumes.find((v: any) => v.name === 'spark-conf-volume-driver').configMap.name
  const svc = kube.all(R.services(NS))[0]!
  assert.equal(r.completed, [`service/${svc.metadata.name}`, `configmap/${cmName}`])
  const cm = kube.find(R.configMaps(NS), cmName)!
  for (const o of [svc, cm]) assert.is(o.metadata.ownerReferences[0].uid, half.metadata.uid)
  // rendered with the pod's own ids: its app id and submit time, the host its Service answers on
  assert.is(r.appId, half.metadata.labels['spark-app-selector'])
  assert.match(cm.data['spark.properties'], new RegExp(`spark.app.id=${r.appId}`))
  assert.match(cm.data['spark.properties'], /spark\.app\.submitTime=1700000000000/)
  assert.match(cm.data['spark.properties'], new RegExp(`spark.driver.host=${svc.metadata.name}\\.${NS}\\.svc`))
  assert.is(kube.find(R.pods(NS), 'pi-driver')!.metadata.uid, half.metadata.uid)
  // now whole: the same submit again is a name clash, as before
  await rejects(submitJob(kube, await prepareSubmission({args: named}), opts()), /job "pi" already exists in namespace "spark" \(pod\/pi-driver\)/)
  // a driver that ran to its end deleted its Service (Spark's deleteOnTermination): still whole, nothing made again
  kube.seed(R.pods(NS), {...kube.find(R.pods(NS), 'pi-driver')!, status: {phase: 'Succeeded'}})
  await kube.delete(R.services(NS), svc.metadata.name)
  const from = kube.requests.length
  await rejects(submitJob(kube, await prepareSubmission({args: named}), opts()), /job "pi" already exists in namespace "spark" \(pod\/pi-driver\)/)
  assert.equal(kube.requests.slice(from).filter((x) => x.verb === 'create' && x.resource !== 'pods' && !x.resource.endsWith('accessreviews')), [], 'no Service made again for a finished driver')
  assert.equal(kube.all(R.services(NS)), [])
})

submit("a half-made job is completed only by the same submission: another spec of the name is refused, and an object of the name it does not own is never written over", async () => {
  const kube = withAccount()
  const named = {...pi, conf: ['spark.kubernetes.driver.pod.name=pi-driver']}
  await interruptedSubmit(kube, named)
  await rejects(submitJob(kube, await prepareSubmission({args: {...named, conf: [...named.conf, 'spark.executor.instances=5']}}), opts()), /job "pi" already exists/)
  assert.equal(kube.all(R.configMaps(NS)), [])
  // a pod someone else made (kubectl create -f of a copy: not written by kubectl-kd) is not completed either
  const copy = kube.find(R.pods(NS), 'pi-driver')!
  const foreign = new FakeKube(NS)
  foreign.seed(R.serviceAccounts(NS), {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'spark'}})
  foreign.seed(R.pods(NS), {...copy, metadata: {...copy.metadata, managedFields: [{manager: 'kubectl-create'}]}})
  await rejects(submitJob(foreign, await prepareSubmission({args: named}), opts()), /job "pi" already exists/)
  assert.equal(foreign.all(R.configMaps(NS)), [])
  // the driver's ConfigMap name taken by an object the pod does not own: refused, left as it was
  const cmName = copy.spec.volumes.find((v: any) => v.name === 'spark-conf-volume-driver').configMap.name
  kube.seed(R.configMaps(NS), {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: cmName, namespace: NS}, data: {mine: 'yes'}})
  const from = kube.requests.length
  await rejects(submitJob(kube, await prepareSubmission({args: named}), opts()), new RegExp(`configmap/${cmName} in namespace "spark" exists but is not owned by pod/pi-driver`))
  assert.equal(kube.find(R.configMaps(NS), cmName)!.data, {mine: 'yes'})
  assert.equal(kube.requests.slice(from).filter((x) => ['apply', 'patch', 'create'].includes(x.verb) && x.name === cmName), [], 'never written over')
})

submit('--dry-run=client needs no cluster; --create-service-account makes a dedicated account and Role', async () => {
  const r = await submitJob(undefined, await prepareSubmission({args: pi}), opts({dryRun: 'client'}))
  assert.equal(r.objects.map((o) => o.kind), ['Pod', 'Service', 'ConfigMap'])
  const kube = new FakeKube(NS)
  await submitJob(kube, await prepareSubmission({args: pi}), opts({createServiceAccount: true}))
  assert.ok(kube.find(R.serviceAccounts(NS), 'spark'))
  assert.ok(kube.find(R.roles(NS), 'spark-spark-driver'))
  assert.ok(kube.find(R.roleBindings(NS), 'spark-spark-driver'))
})

submit('--create-service-account without --service-account: a dedicated account "spark", never the namespace\'s default', async () => {
  const {serviceAccount: _none, ...anonymous} = pi
  const kube = new FakeKube(NS)
  const r = await submitJob(kube, await prepareSubmission({args: anonymous}), opts({createServiceAccount: true}))
  const pod = kube.find(R.pods(NS), r.driverPod)!
  assert.is(pod.spec.serviceAccountName, 'spark')
  assert.ok(kube.find(R.serviceAccounts(NS), 'spark'))
  assert.equal(kube.all(R.roleBindings(NS)).map((b) => b.subjects.map((x: {name: string}) => x.name)), [['spark']])
  assert.not.ok(kube.find(R.roles(NS), 'default-spark-driver'))
  const conf = kube.all(R.configMaps(NS)).map((c) => JSON.stringify(c.data)).join('')
  assert.match(conf, /spark\.kubernetes\.authenticate\.driver\.serviceAccountName=spark/)
  const dry = await submitJob(undefined, await prepareSubmission({args: anonymous}), opts({dryRun: 'client', createServiceAccount: true}))
  assert.is((dry.objects[0] as {spec?: {serviceAccountName?: string}}).spec?.serviceAccountName, 'spark')
  // without the flag nothing is chosen for the user: the driver runs as the namespace's default
  const plain = await submitJob(undefined, await prepareSubmission({args: anonymous}), opts({dryRun: 'client'}))
  assert.is((plain.objects[0] as {spec?: {serviceAccountName?: string}}).spec?.serviceAccountName, undefined)
})

submit('pod templates: the driver template merged into the pod, the executor template sent to the driver in a ConfigMap it owns', async () => {
  const kube = withAccount()
  const dir = mkdtempSync(join(tmpdir(), 'kd-tpl-'))
  writeFileSync(join(dir, 'd.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {labels: {team: data}}\nspec:\n  volumes: [{name: scratch, emptyDir: {}}]\n  containers: [{name: side, image: busybox}, {name: spark, volumeMounts: [{name: scratch, mountPath: /s}]}]\n')
  writeFileSync(join(dir, 'e.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {labels: {team: data}}\n')
  writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: apps/v1\nkind: Deployment\n')
  const conf = [`spark.kubernetes.driver.podTemplateFile=${dir}/d.yaml`, 'spark.kubernetes.driver.podTemplateContainerName=spark', `spark.kubernetes.executor.podTemplateFile=${dir}/e.yaml`]
  const r = await submitJob(kube, await prepareSubmission({args: {...pi, conf}}), opts())
  const pod = kube.find(R.pods(NS), r.driverPod)!
  assert.equal(pod.spec.containers.map((c: {name: string}) => c.name), ['side', 'spark'])
  assert.is(pod.metadata.labels.team, 'data')
  assert.equal(pod.spec.volumes.map((v: {name: string}) => v.name), ['scratch', 'pod-template-volume', 'spark-local-dir-1', 'spark-conf-volume-driver'])
  const tpl = kube.all(R.configMaps(NS)).find((c) => c.metadata.name.endsWith('-driver-podspec-conf-map'))!
  assert.match(tpl.data['podspec-configmap-key'], /team: data/)
  assert.is(tpl.metadata.ownerReferences[0].uid, pod.metadata.uid)
  await rejects(prepareSubmission({args: {...pi, conf: [`spark.kubernetes.driver.podTemplateFile=${dir}/bad.yaml`]}}), /bad.yaml: Could not load pod from template file: kind is "Deployment", not Pod/)
  await rejects(prepareSubmission({args: {...pi, conf: [`spark.kubernetes.executor.podTemplateFile=${dir}/none.yaml`]}}), /none.yaml: no such file/)
})

submit('a SparkApplication\'s pod fields become pod templates (driver merged, executor shipped)', async () => {
  const kube = withAccount()
  const dir = mkdtempSync(join(tmpdir(), 'kd-app-'))
  const role = {volumeMounts: [{name: 'data', mountPath: '/data'}], sidecars: [{name: 'side', image: 'busybox'}], initContainers: [{name: 'init', image: 'busybox'}], tolerations: [{key: 'k', operator: 'Exists'}],
    securityContext: {runAsNonRoot: true}, podSecurityContext: {fsGroup: 185}, env: [{name: 'P', valueFrom: {fieldRef: {fieldPath: 'metadata.name'}}}], envFrom: [{configMapRef: {name: 'cfg'}}], affinity: {nodeAffinity: {}}}
  writeFileSync(join(dir, 'app.yaml'), JSON.stringify({apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: {name: 'app'},
    spec: {type: 'Python', sparkVersion: '4.3.0', image: 'localhost/kubectl-kd/spark:4.3.0', mainApplicationFile: 'local:///x.py', volumes: [{name: 'data', emptyDir: {}}, {name: 'unused', emptyDir: {}}],
      driver: {serviceAccount: 'spark', labels: {l: 'd'}, ...role}, executor: {instances: 1, ...role}}}))
  const r = await submitJob(kube, await prepareSubmission({file: join(dir, 'app.yaml')}), opts())
  const pod = kube.find(R.pods(NS), r.driverPod)!
  assert.equal(pod.spec.containers.map((c: {name: string}) => c.name), ['side', 'spark-kubernetes-driver'])
  const c = pod.spec.containers[1]
  assert.equal(c.securityContext, {runAsNonRoot: true, allowPrivilegeEscalation: false})
  assert.is(c.env[0].name, 'P')
  assert.equal(c.envFrom, [{configMapRef: {name: 'cfg'}}])
  assert.is(c.volumeMounts[0].mountPath, '/data')
  assert.equal(pod.spec.volumes.map((v: {name: string}) => v.name).slice(0, 1), ['data'])
  assert.equal(pod.spec.initContainers.map((x: {name: string}) => x.name), ['init'])
  assert.equal(pod.spec.securityContext, {fsGroup: 185})
  assert.equal(pod.spec.tolerations, [{key: 'k', operator: 'Exists'}])
  assert.is(pod.metadata.labels.l, 'd')
  const tpl = JSON.parse(kube.all(R.configMaps(NS)).find((x) => x.metadata.name.endsWith('-driver-podspec-conf-map'))!.data['podspec-configmap-key'])
  assert.equal(tpl.spec.containers.map((x: {name: string}) => x.name), ['spark-kubernetes-executor', 'side'])
  assert.equal(tpl.spec.volumes, [{name: 'data', emptyDir: {}}])
  // fields not honoured: refused by name
  for (const [field, re] of [[{gpu: {name: 'nvidia.com/gpu', quantity: 1}}, /spec.driver.gpu is not supported/], [{memoryLimit: '1g'}, /spec.driver.memoryLimit is not supported/], [{volumeMounts: [{name: 'nope', mountPath: '/n'}]}, /volume "nope" is not in spec.volumes/], [{bogus: 1}, /spec.driver.bogus is not a SparkApplication/]] as const) {
    writeFileSync(join(dir, 'bad.yaml'), JSON.stringify({apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: {name: 'app'}, spec: {type: 'Python', mainApplicationFile: 'local:///x.py', driver: field}}))
    await rejects(prepareSubmission({file: join(dir, 'bad.yaml')}), re)
  }
  writeFileSync(join(dir, 'bad.yaml'), JSON.stringify({apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: {name: 'app'}, spec: {type: 'Python', mainApplicationFile: 'local:///x.py', monitoring: {}}}))
  await rejects(prepareSubmission({file: join(dir, 'bad.yaml')}), /spec.monitoring is an operator feature/)
})

submit('the example SparkApplications prepare (no field refused); pythonVersion 3 only', async () => {
  for (const f of readdirSync('examples/spark').filter((n) => n.endsWith('.yaml'))) assert.ok(await prepareSubmission({file: join('examples/spark', f)}), f)
  const dir = mkdtempSync(join(tmpdir(), 'kd-py-'))
  writeFileSync(join(dir, 'py2.yaml'), JSON.stringify({apiVersion: 'sparkoperator.k8s.io/v1beta2', kind: 'SparkApplication', metadata: {name: 'a'}, spec: {type: 'Python', pythonVersion: '2', image: 'i:3.5.9', mainApplicationFile: 'local:///x.py'}}))
  await rejects(prepareSubmission({file: join(dir, 'py2.yaml')}), /spec.pythonVersion "2": Spark 3 and 4 run Python 3 only/)
})

submit('--master names the API server: its kubeconfig context is used; no such server, a wrong --context: one clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-kc-'))
  const kc = join(dir, 'config')
  writeFileSync(kc, JSON.stringify({apiVersion: 'v1', kind: 'Config', 'current-context': 'b',
    clusters: [{name: 'one', cluster: {server: 'https://10.0.0.1:6443'}}, {name: 'two', cluster: {server: 'https://k8s.example.com'}}],
    contexts: [{name: 'a', context: {cluster: 'one'}}, {name: 'b', context: {cluster: 'two'}}, {name: 'c', context: {cluster: 'one'}}]}))
  assert.is(contextOfMaster('k8s://https://k8s.example.com:443/', kc), 'b')
  assert.is(contextOfMaster('k8s://k8s.example.com', kc), 'b')
  assert.is(contextOfMaster('k8s://https://10.0.0.1:6443', kc, {context: 'c', from: '--context'}), 'c')
  assert.throws(() => contextOfMaster('k8s://https://10.0.0.1:6443', kc), /contexts a, c all name the API server https:\/\/10.0.0.1:6443; pick one with --context/)
  assert.throws(() => contextOfMaster('k8s://https://10.9.9.9', kc), /no context in the kubeconfig has the API server https:\/\/10.9.9.9 \(contexts: a → https:\/\/10.0.0.1:6443/)
  assert.throws(() => contextOfMaster('k8s://https://10.0.0.1:6443', kc, {context: 'b', from: '--context'}), /context "b" \(--context\) is for https:\/\/k8s.example.com/)
  assert.throws(() => contextOfMaster('spark://m:7077', kc), /use --cluster NAME/)
  assert.throws(() => contextOfMaster('mesosx://m', kc), /Master must either be yarn or start with spark, mesos, k8s, or local/)
})

submit.run()

const jobs = suite('jobs')

const driver = (name: string, phase: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: `${name}-driver`, labels: {'spark-role': 'driver', 'spark-app-selector': `spark-${name}`, 'spark-app-name': name}, creationTimestamp: '2026-01-01T00:00:00Z'},
  spec: {volumes: []},
  status: {phase, containerStatuses: [{name: 'spark-kubernetes-driver', state: phase === 'Running' ? {running: {}} : {terminated: {exitCode: phase === 'Succeeded' ? 0 : 1}}}]},
})

jobs('list, status and delete read jobs back from driver pods', async () => {
  const kube = new FakeKube(NS)
  kube.seed(R.pods(NS), driver('a', 'Running'), driver('b', 'Succeeded'))
  kube.texts.set('/api/v1/namespaces/spark/pods/b-driver/log', 'done\n')
  const all = await listJobs(kube)
  assert.equal(all.map((j) => `${j.name}:${j.state}`), ['a:RUNNING', 'b:COMPLETED'])
  assert.is((await jobStatus(kube, 'a')).state, 'RUNNING')
  await rejects(jobStatus(kube, 'zz'), /job "zz" not found in namespace "spark"/)
  await deleteJob(kube, 'a')
  assert.equal((await listJobs(kube)).map((j) => j.name), ['b'])
})

jobs('--status/--kill by submission ID: namespace:pod, a glob over driver pods, nothing matching is an error', async () => {
  const kube = new FakeKube(NS)
  kube.seed(R.pods(NS), driver('pi-1', 'Running'), driver('pi-2', 'Succeeded'), driver('other', 'Running'))
  kube.seed(R.pods('elsewhere'), {...driver('pi-9', 'Running'), metadata: {...driver('pi-9', 'Running').metadata, namespace: 'elsewhere'}})
  assert.equal(parseSubmissionId('ns:spark-pi*', 'd'), {namespace: 'ns', name: 'spark-pi', glob: true})
  assert.equal(parseSubmissionId('pod', 'd'), {namespace: 'd', name: 'pod', glob: false})
  const st = await submissionStatus(kube, 'pi-1-driver')
  assert.equal(st.map((s) => s.status.state), ['RUNNING'])
  assert.match(formatPodState(st[0]!.pod), /\n\t pod name: pi-1-driver\n\t namespace: spark\n\t labels: spark-role -> driver, /)
  assert.equal((await submissionStatus(kube, `${NS}:pi-*`)).map((s) => s.pod.metadata.name), ['pi-1-driver', 'pi-2-driver'])
  await rejects(submissionStatus(kube, 'nope-driver'), /Application not found: no pod "nope-driver" in namespace "spark"/)
  await rejects(killSubmission(kube, 'zz*'), /No applications found: no driver pod in namespace "spark" starts with "zz"/)
  const killed = await killSubmission(kube, 'pi-*', {gracePeriodSeconds: 3})
  assert.equal(killed.map((k) => k.pod), ['pi-1-driver', 'pi-2-driver'])
  assert.equal(kube.all(R.pods(NS)).map((p) => p.metadata.name), ['other-driver'])
  assert.equal(kube.all(R.pods('elsewhere')).length, 1)
  assert.equal((await killSubmission(kube, 'elsewhere:pi-9-driver')).map((k) => k.namespace), ['elsewhere'])
})

jobs.run()

const apps = suite('apps, version, --cluster')

apps('app add stores the app and its packages (owned by it); a cluster then resolves it; remove refuses while in use', async () => {
  const kube = new FakeKube('team')
  const plan = planAppAdd('examples/apps/greeter', {}, 'team')
  assert.is(await addApp(kube, plan, 'none'), 'created')
  assert.is(await addApp(kube, plan, 'none'), 'configured')
  const stored = kube.all(R.configMaps('team'))
  const root = stored.find((c) => c.metadata.name === `kd-app-${plan.app.id}`)!
  for (const p of stored.filter((c) => c.metadata.name.startsWith('kd-pkg-'))) assert.is(p.metadata.ownerReferences[0].uid, root.metadata.uid)
  assert.is((await resolveApp(plan.app.id, kube)).source, 'namespace')
  const listing = await listApps(async () => kube)
  assert.ok(listing.apps.some((a) => a.id === plan.app.id && a.source === 'namespace'))
  const noCluster = await listApps(async () => {
    throw new UserError('the cluster at https://x is not reachable (ECONNREFUSED)')
  })
  assert.match(noCluster.warning!, /showing built-in apps only/)
  await changeClusters(kube, {app: plan.app.id, name: 'g', members: [], images: [], packages: [], dryRun: 'none', allowExisting: false})
  await rejects(removeApp(kube, plan.app.id), /is used by cluster\(s\) g; delete them first/)
  await rejects(removeApp(kube, 'nosuch'), /app "nosuch" is not stored in namespace "team"/)
})

apps('version: server and every agent in the namespace; an unreachable server is reported, not thrown', async () => {
  const kube = new FakeKube('team')
  kube.texts.set('/version', JSON.stringify({gitVersion: 'v1.32.3'}))
  await changeClusters(kube, {app: 'shelldemo', name: 'demo', members: [], images: [], packages: [], dryRun: 'none', allowExisting: false})
  const info = await versions('0.1.0', async () => kube)
  assert.is(info.serverVersion, 'v1.32.3')
  assert.is(info.agents!.length, 1)
  assert.match(info.agents![0]!.version, /^[0-9a-f]{8,}$/)
  assert.is((await versions('0.1.0', undefined)).serverVersion, undefined)
  const down = await versions('0.1.0', async () => {
    throw new UserError('the cluster at https://x is not reachable (ECONNREFUSED)')
  })
  assert.match(down.serverError!, /unable to reach the server: the cluster at https:\/\/x is not reachable/)
})

apps('submit --cluster: spark-submit runs in the running controller against its master; its exit code is the result', async () => {
  const kube = new FakeKube('team')
  kube.seed(R.pods('team'), {apiVersion: 'v1', kind: 'Pod', metadata: {name: 's-controller-0', labels: {[LABEL.cluster]: 's', [LABEL.role]: 'controller'}, annotations: {[ANNOTATION.state]: 'configured'}}, status: {phase: 'Running'}})
  const commands: string[][] = []
  kube.execHandler = (req) => {
    commands.push(req.command)
    return {code: 0, stdout: 'Pi is roughly 3.14\n', stderr: 'Connected to Spark cluster with app ID app-20260101000000-0000\n'}
  }
  const r = await submitToCluster(kube, {cluster: 's', args: {appResource: 'local:///opt/spark/examples/src/main/python/pi.py', appArgs: ['10']}})
  assert.is(r.code, 0)
  assert.is(r.appId, 'app-20260101000000-0000')
  assert.is(r.masterUrl, 'spark://s-controller-0.s.team.svc.cluster.local:7077')
  assert.match(commands[0]!.at(-1)!, /'\/opt\/spark\/bin\/spark-submit' '--master' 'spark:\/\/s-controller-0\.s\.team\.svc\.cluster\.local:7077'/)
  await rejects(submitToCluster(kube, {cluster: 'none', args: {appResource: 'x.py'}}), /cluster "none" has no controller pod in namespace "team"/)
  // the master's JSON (through the pod proxy) says no worker can take a 4g executor
  kube.texts.set('/api/v1/namespaces/team/pods/s-controller-0:8080/proxy/json/', JSON.stringify({workers: [{state: 'ALIVE', memory: 1024}]}))
  await rejects(submitToCluster(kube, {cluster: 's', args: {appResource: 'local:///x.py', executorMemory: '4g'}}), /--executor-memory 4g is more than any worker of cluster "s" offers/)
  // right after create --wait no worker has registered yet: the master is asked again until one has
  const json = '/api/v1/namespaces/team/pods/s-controller-0:8080/proxy/json/'
  kube.texts.set(json, JSON.stringify({workers: []}))
  setTimeout(() => kube.texts.set(json, JSON.stringify({workers: [{state: 'ALIVE', memory: 256}]})), 1500)
  await rejects(submitToCluster(kube, {cluster: 's', args: {appResource: 'local:///x.py'}}), /the default executor memory \(1g\) is more than any worker of cluster "s" offers \(at most 256 MiB\)/)
})

apps.run()
