// `kubectl kd submit` as a spark-submit command line, offline (the built binary, --dry-run=client or a
// refusal before any request): --master picks the context, --verbose prints the properties, the options
// spark-submit has for other cluster managers are refused by name in one line.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {isOneLineError, kd} from '../lib/kd.ts'

const dir = mkdtempSync(join(tmpdir(), 'kd-submit-cmd-'))
const kubeconfig = join(dir, 'config')
// servers nobody answers on: a client dry run sends no request
writeFileSync(kubeconfig, JSON.stringify({apiVersion: 'v1', kind: 'Config', 'current-context': 'a',
  clusters: [{name: 'one', cluster: {server: 'https://192.0.2.1:6443'}}, {name: 'two', cluster: {server: 'https://192.0.2.2:6443'}}],
  contexts: [{name: 'a', context: {cluster: 'one', namespace: 'na'}}, {name: 'b', context: {cluster: 'two', namespace: 'nb'}}],
  users: [{name: 'u', user: {token: 't'}}]}))
const env = {KUBECONFIG: kubeconfig}
const app = ['--class', 'org.apache.spark.examples.SparkPi', '--conf', 'spark.kubernetes.container.image=localhost/kubectl-kd/spark:4.3.0', 'local:///opt/spark/examples/jars/spark-examples_2.13-4.3.0.jar']

test('--master k8s://URL selects the context whose cluster has that server (its namespace, its server in spark.master)', () => {
  const r = kd(['submit', '--master', 'k8s://https://192.0.2.2:6443', '--deploy-mode', 'cluster', '--dry-run=client', '-o', 'json', ...app], {env})
  assert.is(r.code, 0, r.stderr)
  const objs = JSON.parse(r.stdout).items
  assert.is(objs[0].metadata.namespace, 'nb')
  const props = objs.find((o: any) => o.kind === 'ConfigMap').data['spark.properties']
  assert.match(props, /spark.master=k8s\\:\/\/https\\:\/\/192.0.2.2\\:6443/)
  assert.match(props, /spark.submit.deployMode=cluster/)
  assert.is(objs[0].metadata.labels['spark-version'], '4.3.0')
})

test('--verbose prints the driver\'s spark.properties on stderr; --version names the versions modelled', () => {
  const r = kd(['submit', '--master', 'k8s://192.0.2.1:6443', '--verbose', '--dry-run=client', ...app], {env})
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, /Spark properties used[\s\S]*spark.app.name=org.apache.spark.examples.SparkPi/)
  const v = kd(['submit', '--version'], {env})
  assert.match(v.stdout, /spark-submit 3.5 and 4.3/)
})

test('refused by name in one line: client mode, other masters, other cluster managers\' options, --remote, --cluster with Kubernetes-only options', () => {
  const cases: [string[], RegExp][] = [
    [['--deploy-mode', 'client', ...app], /--deploy-mode client runs the driver on this machine/],
    [['--master', 'yarn', ...app], /--master yarn: kubectl kd submit runs jobs on Kubernetes/],
    [['--master', 'k8s://https://192.0.2.9', ...app], /no context in the kubeconfig has the API server https:\/\/192.0.2.9/],
    [['--master', 'k8s://https://192.0.2.1:6443', '--context', 'b', ...app], /context "b" \(--context\) is for https:\/\/192.0.2.2:6443/],
    [['--supervise', ...app], /--supervise/],
    [['--queue', 'q', ...app], /--queue applies to YARN only/],
    [['--remote', 'sc://h', ...app], /--remote connects a Spark Connect client/],
    [['--status', 'a', '--kill', 'b'], /give either --status or --kill/],
    [['--cluster', 'sp', '--packages', 'g:a:1', ...app], /--cluster does not take --packages/],
  ]
  for (const [args, re] of cases) {
    const r = kd(['submit', '--dry-run=client', ...args], {env})
    assert.ok(isOneLineError(r), `${args.join(' ')}: ${r.code} ${r.stderr}`)
    assert.match(r.stderr, re)
  }
})

test.run()
