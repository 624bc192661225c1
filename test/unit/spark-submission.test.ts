import {suite, test} from 'uvu'
import * as assert from 'uvu/assert'
import {buildSubmission, type SubmitArgs} from '../../src/spark/submission.ts'
import {loadProperties, storeProperties} from '../../src/spark/java-properties.ts'
import {byteStringAs} from '../../src/spark/units.ts'
import {sparkAppToSubmitArgs} from '../../src/spark/sparkapp.ts'
import {resourceNamePrefix, uniqueId} from '../../src/spark/names.ts'

const JAR = 'local:///opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar'
const base: SubmitArgs = {mainClass: 'org.apache.spark.examples.SparkPi', appResource: JAR, image: 'img:3.5.3'}

const rejects = (args: SubmitArgs, message: string | RegExp) => {
  try {
    buildSubmission(args)
  } catch (err) {
    const m = (err as Error).message
    if (typeof message === 'string') assert.is(m, message)
    else assert.match(m, message)
    assert.is((err as Error).name, 'UserError')
    return
  }
  assert.unreachable(`accepted ${JSON.stringify(args)}`)
}

// Messages below are spark-submit 3.5.3's own (captured from the real binary), with the offending value appended.
test('spark-submit validation and wording', () => {
  rejects({...base, appResource: undefined}, 'Missing application resource.')
  rejects({...base, image: undefined}, /^Must specify the driver container image/)
  rejects({...base, driverMemory: '2x'}, /^Driver memory must be a positive number/)
  rejects({...base, conf: ['spark.driver.memory=abc']}, /^Driver memory must be a positive number/)
  rejects({...base, executorMemory: '1.5g'}, /^Executor memory must be a positive number/)
  rejects({...base, executorCores: '0'}, /^Executor cores must be a positive number/)
  rejects({...base, driverCores: '0'}, /^Driver cores must be a positive number/)
  rejects({...base, driverCores: '1.5'}, 'spark.driver.cores should be int, but was 1.5')
  rejects({...base, numExecutors: 'abc'}, /^Number of executors must be a positive number/)
  rejects({...base, conf: ['spark.executor.instances=abc']}, /^Number of executors must be a positive number/)
  rejects({...base, conf: ['foo']}, 'Invalid argument to --conf: foo')
  rejects({...base, conf: ['spark.kubernetes.container.image.pullPolicy=Sometimes']}, 'The value of spark.kubernetes.container.image.pullPolicy should be one of Always, Never, IfNotPresent, but was Sometimes')
  rejects({...base, conf: ['spark.kubernetes.driver.label.spark-role=x']}, 'requirement failed: Label with key spark-role is not allowed as it is reserved for Spark bookkeeping operations.')
  rejects({...base, conf: ['spark.kubernetes.driver.request.cores=abc']}, /not a valid CPU quantity/)
  rejects({...base, mainClass: undefined}, /please specify one with --class/)
  // a value with a line break (a manifest's multi-line string) keeps the message one line
  rejects({...base, mainClass: undefined, appResource: 'local:///opt/pi.py\n- 10\r'}, 'No main class set for local:///opt/pi.py\\n- 10\\r: please specify one with --class.')
  rejects({...base, appResource: 'job.R'}, /R applications are not supported/)
  rejects({...base, appResource: './a/job.py', pyFiles: './b/job.py'}, /have the same file name/)
})

test('precedence: flag > --conf > properties file; non-spark keys warned and dropped', () => {
  const s = buildSubmission({
    ...base,
    driverMemory: '3g',
    conf: ['spark.driver.memory=2g', 'spark.executor.memory=5g', 'other.key=1'],
    propertiesFile: {path: 'p.conf', text: 'spark.executor.memory 7g\nspark.executor.cores=3\nfoo=bar\n'},
  })
  assert.is(s.conf.get('spark.driver.memory'), '3g')
  assert.is(s.conf.get('spark.executor.memory'), '5g')
  assert.is(s.conf.get('spark.executor.cores'), '3')
  assert.is(s.conf.has('other.key'), false)
  assert.equal(s.warnings, ['Ignoring non-Spark config property: other.key', 'Ignoring non-Spark config property: foo (in p.conf)'])
})

test('app name defaults: main class for JVM, file name for Python (as spark-submit)', () => {
  assert.is(buildSubmission(base).appName, 'org.apache.spark.examples.SparkPi')
  assert.is(buildSubmission({appResource: 'local:///opt/x/pi.py', image: 'i'}).appName, 'pi.py')
  assert.is(resourceNamePrefix('pi.py', '446440a203dbaac0'), 'pi-py-446440a203dbaac0')
  assert.is(resourceNamePrefix('org.apache.spark.examples.SparkPi', 'b2b5b3a203dbc4cb'), 'org-apache-spark-examples-sparkpi-b2b5b3a203dbc4cb')
})

test('spark version from the image tag, else --spark-version, else the default', () => {
  assert.is(buildSubmission({...base, image: 'localhost/kubectl-kd/spark:3.5.6'}).sparkVersion, '3.5.6')
  assert.is(buildSubmission({...base, image: 'apache/spark:v3.4.1-python3'}).sparkVersion, '3.4.1')
  assert.is(buildSubmission({...base, image: 'x:latest', sparkVersion: '4.0.0'}).sparkVersion, '4.0.0')
})

test('uniqueID: 3 random bytes + hex of the low 40 bits of the time', () => {
  assert.is(uniqueId(1795361027630, Buffer.from([0x33, 0xdf, 0xcf])), '33dfcfa203db362e')
})

test('byteStringAs: Spark units, truncation, errors', () => {
  assert.is(byteStringAs('2g', 'm'), 2048)
  assert.is(byteStringAs('512', 'm'), 512)
  assert.is(byteStringAs('1536k', 'm'), 1)
  assert.throws(() => byteStringAs('1.5g', 'm'), /Fractional values are not supported/)
  assert.throws(() => byteStringAs('2x', 'm'), /Invalid suffix: "x"/)
})

test('java properties: store escapes as Properties.store(Writer), load reads it back', () => {
  const props = new Map([
    ['spark.master', 'k8s://https://1.2.3.4:6443'],
    ['spark.driver.extraJavaOptions', '-Da=b -Dc=d'],
    ['spark.x', ' lead space, #hash !bang é\ttab\nnewline\\back'],
    ['key with space', 'v'],
  ])
  const text = storeProperties(props, 'c', new Date(Date.UTC(2026, 10, 22, 15, 23, 49)))
  assert.ok(text.startsWith('#c\n#Sun Nov 22 15:23:49 UTC 2026\n'))
  assert.ok(text.includes('spark.master=k8s\\://https\\://1.2.3.4\\:6443\n'))
  assert.ok(text.includes('spark.driver.extraJavaOptions=-Da\\=b -Dc\\=d\n'))
  assert.equal(loadProperties(text), new Map([...props].sort(([a], [b]) => (a < b ? -1 : 1))))
  assert.equal(loadProperties('a = 1\n! c\n  b:2\\\n   3\nc\\u0041 x'), new Map([['a', '1'], ['b', '23'], ['cA', 'x']]))
})

test("spark-submit's whole command line: each option with its meaning, the others refused by name", () => {
  const s = buildSubmission({...base, master: 'k8s://127.0.0.1:6443', deployMode: 'cluster', files: 'local:///etc/hosts,https://h/f.txt', archives: 'local:///a.zip#env',
    packages: 'org.example:lib:1.0,g:a:jar:2', repositories: 'https://repo.example/maven', excludePackages: 'g:x', driverJavaOptions: '-Dx=1', driverClassPath: '/opt/extra/*',
    driverLibraryPath: '/opt/native', proxyUser: 'alice'})
  assert.is(s.master, 'k8s://https://127.0.0.1:6443')
  assert.is(s.proxyUser, 'alice')
  for (const [k, v] of [['spark.files', 'local:///etc/hosts,https://h/f.txt'], ['spark.archives', 'local:///a.zip#env'], ['spark.jars.packages', 'org.example:lib:1.0,g:a:jar:2'],
    ['spark.jars.repositories', 'https://repo.example/maven'], ['spark.jars.excludes', 'g:x'], ['spark.driver.extraJavaOptions', '-Dx=1'], ['spark.driver.extraClassPath', '/opt/extra/*'],
    ['spark.driver.extraLibraryPath', '/opt/native'], ['spark.submit.deployMode', 'cluster'], ['spark.master', 'k8s://https://127.0.0.1:6443']]) assert.is(s.conf.get(k!), v, k)
  // local --files / --archives are shipped like jars, an archive keeps its #alias
  const local = buildSubmission({...base, files: 'conf/app.conf', archives: 'env.tgz#env'})
  assert.is(local.conf.get('spark.files'), 'file:///opt/spark/kd-files/app.conf')
  assert.is(local.conf.get('spark.archives'), 'file:///opt/spark/kd-files/env.tgz#env')
  assert.equal(local.shippedFiles.map((f) => f.key).sort(), ['app.conf', 'env.tgz'])
  rejects({...base, deployMode: 'client'}, /--deploy-mode client runs the driver on this machine.*--cluster NAME.*spark-submit for client mode/)
  rejects({...base, conf: ['spark.submit.deployMode=client']}, /--deploy-mode client/)
  rejects({...base, deployMode: 'x'}, /Deploy mode must be either client or cluster/)
  rejects({...base, master: 'yarn'}, /--master yarn: kubectl kd submit runs jobs on Kubernetes/)
  rejects({...base, master: 'foo://x'}, /Master must either be yarn or start with spark, mesos, k8s, or local/)
  rejects({...base, supervise: true}, /--supervise restarts a driver in Spark standalone or Mesos cluster mode only/)
  rejects({...base, totalExecutorCores: '4'}, /--total-executor-cores applies to Spark standalone and Mesos only/)
  rejects({...base, queue: 'q'}, /--queue applies to YARN only/)
  rejects({...base, principal: 'p'}, /Kerberos/)
  rejects({...base, packages: 'org.example:lib'}, /Provided Maven Coordinates must be in the form 'groupId:artifactId:version'. The coordinate provided is: org.example:lib/)
  rejects({...base, conf: ['spark.kubernetes.file.upload.path=s3a://b/p']}, /spark.kubernetes.file.upload.path is not supported/)
  // the version: --spark-version, else the image tag, else the default
  assert.is(buildSubmission({...base, image: 'r/spark:4.3.0'}).sparkVersion, '4.3.0')
  assert.is(buildSubmission({...base, image: 'r/spark:4.3.0', sparkVersion: '4.1.1'}).sparkVersion, '4.1.1')
  assert.is(buildSubmission({...base, image: 'r/spark:latest'}).sparkVersion, '3.5.3')
})

test('spark.kubernetes.driver.volumes.*: checked as Spark checks them', () => {
  const v = (k: string, val: string) => `spark.kubernetes.driver.volumes.${k}=${val}`
  assert.ok(buildSubmission({...base, conf: [v('hostPath.h.mount.path', '/h'), v('hostPath.h.options.path', '/tmp')]}))
  rejects({...base, conf: [v('gcePersistentDisk.d.mount.path', '/d')]}, /Kubernetes Volume type `gcePersistentDisk` is not supported/)
  rejects({...base, conf: [v('emptyDir.a.mount.path', '/x'), v('emptyDir.b.mount.path', '/x')]}, /Found duplicated mountPath: `\/x`/)
  rejects({...base, conf: [v('hostPath.h.mount.path', '/h')]}, /hostPath.h.options.path is required for a hostPath volume/)
  rejects({...base, conf: [v('persistentVolumeClaim.p.mount.path', '/p'), v('persistentVolumeClaim.p.options.claimName', 'OnDemand')]}, /on-demand claims .* are not supported for the driver/)
  rejects({...base, conf: [v('emptyDir.a.options.medium', 'Memory')]}, /emptyDir.a.mount.path is required/)
})

test('SparkApplication v1beta2 → the spark-submit arguments the operator would pass', () => {
  const input = sparkAppToSubmitArgs(
    {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      metadata: {name: 'spark-pi', namespace: 'jobs'},
      spec: {
        type: 'Scala',
        mode: 'cluster',
        image: 'spark:3.5.3',
        mainClass: 'org.apache.spark.examples.SparkPi',
        mainApplicationFile: JAR,
        arguments: ['1000'],
        sparkVersion: '3.5.3',
        sparkConf: {'spark.eventLog.enabled': 'false'},
        driver: {cores: 1, coreLimit: '1200m', memory: '512m', serviceAccount: 'spark', labels: {version: '3.5.3'}, env: [{name: 'A', value: 'b'}], tolerations: []},
        executor: {cores: 1, instances: 2, memory: '512m', deleteOnTermination: false},
      },
    },
    'pi.yaml',
  )
  assert.is(input.name, 'spark-pi')
  assert.is(input.namespace, 'jobs')
  const s = buildSubmission(input.args)
  assert.is(s.conf.get('spark.kubernetes.driver.pod.name'), 'spark-pi-driver')
  assert.is(s.conf.get('spark.executor.instances'), '2')
  assert.is(s.conf.get('spark.kubernetes.driver.limit.cores'), '1200m')
  assert.is(s.conf.get('spark.kubernetes.authenticate.driver.serviceAccountName'), 'spark')
  assert.is(s.conf.get('spark.kubernetes.driverEnv.A'), 'b')
  assert.is(s.conf.get('spark.kubernetes.executor.deleteOnTermination'), 'false')
  assert.is(s.appName, 'spark-pi')
  assert.equal(input.warnings, [])
  // tolerations: [] changes nothing; no template
  assert.equal(input.podTemplates, {})
  assert.throws(() => sparkAppToSubmitArgs({apiVersion: 'v1', kind: 'Pod'}, 'x.yaml'), /x.yaml: kind is "Pod"/)
})


test('--cluster: spark-submit command for the standalone master', async () => {
  const {standaloneSubmitCommand} = await import('../../src/actions/job/submit-to-cluster.ts')
  const {command, files} = standaloneSubmitCommand({appResource: JAR, appArgs: ['10'], mainClass: 'C', numExecutors: '2', conf: ['spark.x=1']}, 'spark://m:7077')
  assert.equal(command, ['/opt/spark/bin/spark-submit', '--master', 'spark://m:7077', '--deploy-mode', 'client', '--class', 'C', '--conf', 'spark.cores.max=2', '--conf', 'spark.x=1', '/opt/spark/examples/jars/spark-examples_2.12-3.5.3.jar', '10'])
  assert.equal(files, [])
  // local files: shipped into the working directory, referred to by name
  const local = standaloneSubmitCommand({appResource: 'jobs/job.py', pyFiles: 'lib/dep.py,local:///opt/x.py,https://h/y.py', appArgs: ['5']}, 'spark://m:7077')
  assert.equal(local.command.slice(-4), ['--py-files', './dep.py,/opt/x.py,https://h/y.py', './job.py', '5'])
  assert.equal(local.files, [{source: 'lib/dep.py', name: 'dep.py'}, {source: 'jobs/job.py', name: 'job.py'}])
  assert.throws(() => standaloneSubmitCommand({appResource: 'a/job.py', pyFiles: 'b/job.py'}, 'spark://m:7077'), /a\/job.py and b\/job.py have the same file name/)
  assert.throws(() => standaloneSubmitCommand({appResource: 'a/j$b.py'}, 'spark://m:7077'), /a\/j\$b.py: the file name must consist of/)
})
test.run()

const fit = suite('submit --cluster: executors that fit the workers')
fit('an executor larger than every alive worker is refused with what would fit; unknown masters pass', async () => {
  const {checkExecutorsFit} = await import('../../src/actions/job/submit-to-cluster.ts')
  const master = {workers: [{state: 'ALIVE', memory: 1664}, {state: 'DEAD', memory: 8192}, {state: 'ALIVE', memory: 1024}]}
  assert.not.throws(() => checkExecutorsFit({executorMemory: '1g'}, 'sp', master))
  assert.not.throws(() => checkExecutorsFit({conf: ['spark.executor.memory=1664m']}, 'sp', master))
  assert.throws(() => checkExecutorsFit({executorMemory: '2g'}, 'sp', master), /--executor-memory 2g is more than any worker of cluster "sp" offers \(at most 1664 MiB\).*pass --executor-memory 1664m or less/)
  assert.throws(() => checkExecutorsFit({conf: ['spark.executor.memory=1g', 'spark.executor.memory=4g']}, 'sp', master), /--executor-memory 4g/)
  assert.throws(() => checkExecutorsFit({}, 'small', {workers: [{state: 'ALIVE', memory: 256}]}), /the default executor memory \(1g\) .*at most 256 MiB.*Spark needs at least 450 MiB/)
  assert.throws(() => checkExecutorsFit({executorMemory: '200m'}, 'sp', undefined), /--executor-memory 200m: Spark needs at least 450 MiB per executor/)
  assert.not.throws(() => checkExecutorsFit({}, 'sp', undefined))
  assert.not.throws(() => checkExecutorsFit({executorMemory: '64g'}, 'sp', {workers: []}))
})
fit.run()
