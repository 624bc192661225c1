import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync, readdirSync} from 'node:fs'
import {cases} from './spark-render-cases.ts'
import {parsePodTemplate} from '../../src/spark/pod-template.ts'
import {buildSubmission} from '../../src/spark/submission.ts'
import {renderDriver, ownedByDriver} from '../../src/spark/render.ts'
import {loadProperties} from '../../src/spark/java-properties.ts'
import {idsOf, normalize} from './spark-compare.ts'

const EXAMPLES = 'local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar'
const IMAGE = 'localhost/kubectl-kd/spark:3.5.3'
const GOLDEN = new URL('./spark-golden/', import.meta.url)

const goldens = readdirSync(GOLDEN).map((f) => /^spark-submit-(\d+\.\d+\.\d+)-(\w+)\.json$/.exec(f)).filter((m) => m !== null)
for (const [file, version, name] of goldens) {
  test(`renderDriver matches spark-submit ${version}: ${name}`, () => {
    const golden = JSON.parse(readFileSync(new URL(file, GOLDEN), 'utf8'))
    const real = {pod: golden.Pod.body, service: golden.Service.body, configMap: golden.ConfigMap.body}
    const ids = idsOf(real.pod, real.configMap)
    const realProps = loadProperties(real.configMap.data['spark.properties'])
    const args = cases(version)[name!]!
    const sub = buildSubmission({...args, conf: [...(args.conf ?? []), 'spark.kubernetes.namespace=default', 'spark.kubernetes.submission.waitAppCompletion=false'], image: `localhost/kubectl-kd/spark:${version}`})
    const read = (p?: string) => (p ? readFileSync(p, 'utf8') : undefined)
    const ours = renderDriver(sub, {
      namespace: 'default',
      server: 'https://example:6443',
      user: 'root', userFromEnv: true,
      ids: {appId: ids.appId, prefixId: ids.prefixIds[0]!, configMapId: ids.configMapId, localDirUuid: ids.localDirUuid, submitTime: Number(realProps.get('spark.app.submitTime'))},
      driverTemplate: sub.podTemplateFiles.driver ? parsePodTemplate(read(sub.podTemplateFiles.driver)!, 'driver.yaml') : undefined,
      executorTemplate: read(sub.podTemplateFiles.executor),
    })
    const fakePod = {metadata: {name: ours.pod.metadata.name, uid: 'u'}}
    const a = normalize({pod: ours.pod, service: ownedByDriver(ours.service, fakePod), configMap: ownedByDriver(ours.configMap, fakePod)}, {user: true})
    const b = normalize(real, {user: true})
    if (name === 'volumes') for (const n of [a, b]) sortUserVolumes(n.pod) // Spark lists them in a hash order (docs/spark-differences.md)
    assert.equal(a.pod, b.pod)
    assert.equal(a.service, b.service)
    assert.equal(a.configMap, b.configMap)
    assert.equal(a.properties, b.properties)
    assert.is(ours.pod.metadata.name, real.pod.metadata.name)
    assert.is(ours.configMap.metadata.name, real.configMap.metadata.name)
    if (golden.PodTemplateConfigMap) {
      const t = golden.PodTemplateConfigMap.body
      const owned = ownedByDriver(ours.templateConfigMap!, {metadata: {name: real.pod.metadata.name, uid: t.metadata.ownerReferences[0].uid}})
      assert.equal({...owned, metadata: {...owned.metadata, namespace: undefined}}, {...t, metadata: {...t.metadata, namespace: undefined}})
    } else assert.is(ours.templateConfigMap, undefined)
  })
}

/** Sorts the volumes and mounts between the secrets and Spark's own by name. */
function sortUserVolumes(pod: any) {
  const own = (n: string) => n.endsWith('-volume') || n.startsWith('spark-')
  const sort = (list: any[]) => [...list.filter((v) => own(v.name) && v.name.endsWith('-volume')), ...list.filter((v) => !own(v.name)).sort((x, y) => (x.name < y.name ? -1 : 1)), ...list.filter((v) => own(v.name) && !v.name.endsWith('-volume'))]
  pod.spec.volumes = sort(pod.spec.volumes)
  pod.spec.containers[0].volumeMounts = sort(pod.spec.containers[0].volumeMounts)
}

test('a long app name falls back to spark-<id>-driver-svc, as spark-submit does', () => {
  const sub = buildSubmission({name: 'x'.repeat(70), mainClass: 'C', appResource: EXAMPLES, image: IMAGE})
  const o = renderDriver(sub, {namespace: 'ns', server: 's', user: 'u', ids: {appId: 'spark-1', prefixId: 'abcdef0123456789', configMapId: 'c', localDirUuid: 'l', submitTime: 0}})
  assert.is(o.service.metadata.name, 'spark-abcdef0123456789-driver-svc')
  assert.is(o.pod.metadata.labels!['spark-app-name']!.length, 63)
})

test('shipped local files: a ConfigMap volume in the driver, URIs rewritten', () => {
  const sub = buildSubmission({appResource: './job.py', pyFiles: 'lib/dep.py,local:///x.py', image: IMAGE})
  assert.equal(sub.shippedFiles.map((f) => f.key), ['job.py', 'dep.py'])
  const o = renderDriver(sub, {namespace: 'ns', server: 's', user: 'u', shippedData: {'job.py': 'YQ==', 'dep.py': 'Yg=='}, ids: {appId: 'spark-1', prefixId: 'p', configMapId: 'c', localDirUuid: 'l', submitTime: 0}})
  const c = (o.pod.spec as any).containers[0]
  assert.ok(c.args.includes('file:///opt/spark/kd-files/job.py'))
  assert.is(o.properties.get('spark.submit.pyFiles'), 'file:///opt/spark/kd-files/dep.py,local:///x.py')
  assert.is(o.filesConfigMap!.metadata.name, 'spark-drv-c-files')
  assert.equal(o.filesConfigMap!.binaryData, {'job.py': 'YQ==', 'dep.py': 'Yg=='})
  assert.is(o.pod.metadata.name, 'job-py-p-driver')
  // python overhead factor 0.4: 1024 + 409
  assert.is(c.resources.requests.memory, '1433Mi')
})

test.run()
