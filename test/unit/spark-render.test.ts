import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {readFileSync} from 'node:fs'
import {buildSubmission, type SubmitArgs} from '../../src/spark/submission.ts'
import {renderDriver, ownedByDriver} from '../../src/spark/render.ts'
import {loadProperties} from '../../src/spark/java-properties.ts'
import {idsOf, normalize} from './spark-compare.ts'

const EXAMPLES = 'local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar'
const IMAGE = 'localhost/kubectl-kd/spark:3.5.3'

// The same submissions that produced test/unit/spark-golden/spark-submit-3.5.3-*.json with the real
// spark-submit 3.5.3 (against a recording fake API server; see test/unit/spark-golden/README.md).
const CASES: Record<string, SubmitArgs> = {
  java: {name: 'spark-pi', mainClass: 'org.apache.spark.examples.SparkPi', conf: ['spark.executor.instances=2'], appResource: EXAMPLES, appArgs: ['100']},
  python: {name: 'pypi', pyFiles: 'local:///opt/spark/work-dir/dep.py', appResource: 'local:///opt/spark/examples/src/main/python/pi.py', appArgs: ['10']},
  full: {
    mainClass: 'org.apache.spark.examples.SparkPi',
    driverMemory: '2g',
    driverCores: '2',
    executorMemory: '3g',
    executorCores: '2',
    numExecutors: '3',
    jars: 'local:///a.jar,local:///b.jar',
    conf: [
      'spark.kubernetes.authenticate.driver.serviceAccountName=spark',
      'spark.kubernetes.driver.label.team=data',
      'spark.kubernetes.driver.annotation.a=b-{{APP_ID}}',
      'spark.kubernetes.driverEnv.FOO=bar',
      'spark.kubernetes.driver.limit.cores=2',
      'spark.kubernetes.driver.request.cores=500m',
      'spark.kubernetes.node.selector.disk=ssd',
      'spark.kubernetes.driver.service.annotation.s=t',
      'spark.driver.extraJavaOptions=-Da=b -Dc=d',
      'spark.kubernetes.driver.secrets.mysecret=/etc/secret',
      'spark.kubernetes.container.image.pullSecrets=regcred',
      'spark.pyspark.python=python3',
      'spark.kd.unicode=é ü:x',
    ],
    appResource: EXAMPLES,
    appArgs: ['10', 'a=b'],
  },
}

for (const [name, args] of Object.entries(CASES)) {
  test(`renderDriver matches spark-submit 3.5.3: ${name}`, () => {
    const golden = JSON.parse(readFileSync(new URL(`./spark-golden/spark-submit-3.5.3-${name}.json`, import.meta.url), 'utf8'))
    const real = {pod: golden.Pod.body, service: golden.Service.body, configMap: golden.ConfigMap.body}
    const ids = idsOf(real.pod, real.configMap)
    const realProps = loadProperties(real.configMap.data['spark.properties'])
    const sub = buildSubmission({...args, conf: [...(args.conf ?? []), 'spark.kubernetes.namespace=default', 'spark.kubernetes.submission.waitAppCompletion=false'], image: IMAGE})
    const ours = renderDriver(sub, {
      namespace: 'default',
      server: 'https://example:6443',
      user: 'root',
      ids: {appId: ids.appId, prefixId: ids.prefixIds[0]!, configMapId: ids.configMapId, localDirUuid: ids.localDirUuid, submitTime: Number(realProps.get('spark.app.submitTime'))},
    })
    const fakePod = {metadata: {name: ours.pod.metadata.name, uid: 'u'}}
    const a = normalize({pod: ours.pod, service: ownedByDriver(ours.service, fakePod), configMap: ownedByDriver(ours.configMap, fakePod)}, {user: true})
    const b = normalize(real, {user: true})
    assert.equal(a.pod, b.pod)
    assert.equal(a.service, b.service)
    assert.equal(a.configMap, b.configMap)
    assert.equal(a.properties, b.properties)
    assert.is(ours.pod.metadata.name, real.pod.metadata.name)
    assert.is(ours.configMap.metadata.name, real.configMap.metadata.name)
  })
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
