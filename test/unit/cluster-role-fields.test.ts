// KubeDirector's role fields that pass into the member pods (serviceAccountName, sharedMemory, secret,
// volumeProjections, blockStorage) and the cluster's defaultSecret and namingScheme: read with their paths checked,
// rendered into the StatefulSet, and written back by get -o yaml so apply reads the same cluster.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {renderCluster} from '../../src/cluster/render.ts'
import {clusterToManifest} from '../../src/cluster/manifest.ts'
import {configmeta} from '../../src/cluster/configmeta.ts'
import {dump} from 'js-yaml'
import {throwsUserError} from '../lib/user-errors.ts'
import {injectedFileName} from '../../agent/src/agent.ts'

const head = 'apiVersion: kubedirector.hpe.com/v1beta1\nkind: KubeDirectorCluster\nmetadata: {name: c}\n'
const resolve = (spec: string) => resolveCluster(findBuiltinApp('spark221e2')!, parseClusterSpecs(`${head}spec:\n  app: spark221e2\n${spec}`, 'c.yaml')[0]!, 'c.yaml')
const FULL = `  namingScheme: CrNameRole
  defaultSecret: {name: shared, mountPath: /etc/shared}
  roles:
  - id: controller
    serviceAccountName: spark-sa
    sharedMemory: 1Gi
    secret: {name: creds, mountPath: /etc/creds, defaultMode: 256, readOnly: true}
    volumeProjections: [{pvcName: datasets, mountPath: /data, readOnly: true}, {pvcName: scratch, mountPath: /scratch}]
    fileInjections: [{srcURL: "https://example.com/conf/app.conf", destDir: /etc/app, permissions: {fileMode: 416, fileOwner: "1000", fileGroup: app}}]
  - id: worker
    members: 1
    blockStorage: {storageClassName: fast-block, pathPrefix: /dev/xdb, numDevices: 2, size: 5Gi}
`

test('rendered into each member of a role: ServiceAccount, /dev/shm, the Secret, the PVCs; defaultSecret for roles naming none', () => {
  const cluster = resolve(FULL)
  const [controller, worker] = renderCluster(findBuiltinApp("spark221e2")!, cluster, {namespace: "ns"}).filter((o) => o.kind === "StatefulSet") as unknown as Array<{spec: {template: {spec: any}}}>
  const pod = controller!.spec.template.spec
  assert.is(pod.serviceAccountName, 'spark-sa')
  assert.is(pod.automountServiceAccountToken, undefined)
  assert.equal(pod.volumes, [
    {name: 'kd-shm', emptyDir: {medium: 'Memory', sizeLimit: '1Gi'}},
    {name: 'kd-secret', secret: {secretName: 'creds', defaultMode: 0o400}},
    {name: 'kd-projection-0', persistentVolumeClaim: {claimName: 'datasets', readOnly: true}},
    {name: 'kd-projection-1', persistentVolumeClaim: {claimName: 'scratch'}},
  ])
  assert.equal(pod.containers[0].volumeMounts, [
    {name: 'kd-shm', mountPath: '/dev/shm'},
    {name: 'kd-secret', mountPath: '/etc/creds', readOnly: true},
    {name: 'kd-projection-0', mountPath: '/data', readOnly: true},
    {name: 'kd-projection-1', mountPath: '/scratch'},
  ])
  const w = worker!.spec.template.spec
  assert.is(w.automountServiceAccountToken, false)
  assert.equal(w.volumes, [{name: 'kd-secret', secret: {secretName: 'shared'}}])
  assert.equal(w.containers[0].volumeMounts, [{name: 'kd-secret', mountPath: '/etc/shared'}])
  // blockStorage: raw block claims b0, b1 at /dev/xdb0, /dev/xdb1, as KubeDirector lays them out
  assert.equal(w.containers[0].volumeDevices, [{name: 'b0', devicePath: '/dev/xdb0'}, {name: 'b1', devicePath: '/dev/xdb1'}])
  const claims = (worker as unknown as {spec: {volumeClaimTemplates: any[]}}).spec.volumeClaimTemplates
  assert.equal(claims.map((c) => [c.metadata.name, c.spec.volumeMode, c.spec.storageClassName, c.spec.resources.requests.storage]), [['b0', 'Block', 'fast-block', '5Gi'], ['b1', 'Block', 'fast-block', '5Gi']])
  const members = [{pod: 'c-worker-0', role: 'worker', index: 0, fqdn: 'c-worker-0.c.ns.svc.cluster.local'}, {pod: 'c-controller-0', role: 'controller', index: 0, fqdn: 'c-controller-0.c.ns.svc.cluster.local'}]
  assert.equal(configmeta(findBuiltinApp('spark221e2')!, cluster, members, members[0]!).node.block_device_paths, ['/dev/xdb0', '/dev/xdb1'])
  assert.is(configmeta(findBuiltinApp('spark221e2')!, cluster, members, members[1]!).node.block_device_paths, undefined)
})

test('get -o yaml writes them back; reading that gives the same cluster', () => {
  const cluster = resolve(FULL)
  const manifest = clusterToManifest({...cluster, namespace: 'ns'}, {namespace: 'ns', state: 'configured', members: []})
  const again = resolveCluster(findBuiltinApp('spark221e2')!, parseClusterSpecs(dump(manifest), 'x.yaml')[0]!, 'x.yaml')
  assert.equal(again, {...cluster, namespace: 'ns'})
  assert.is((manifest.spec as {namingScheme: string}).namingScheme, 'CrNameRole')
  assert.equal(cluster.roles[0]!.fileInjections, [{srcURL: 'https://example.com/conf/app.conf', destDir: '/etc/app', permissions: {fileMode: 0o640, fileOwner: '1000', fileGroup: 'app'}}])
})

test('a file mode with a leading zero is octal, as kubectl reads YAML', () => {
  const cluster = resolve('  roles: [{id: controller, secret: {name: s, mountPath: /s, defaultMode: 0440}, fileInjections: [{srcURL: "http://x/y", destDir: /opt, permissions: {fileMode: 0755}}]}]\n')
  assert.is(cluster.roles[0]!.secret!.defaultMode, 0o440)
  assert.is(cluster.roles[0]!.fileInjections![0]!.permissions!.fileMode, 0o755)
  assert.is(resolve('  roles: [{id: controller, secret: {name: s, mountPath: /s, defaultMode: 288}}]\n').roles[0]!.secret!.defaultMode, 0o440)
})

test('wrong values are refused naming the field', () => {
  throwsUserError(() => resolve('  namingScheme: Random\n  roles: [{id: controller}]\n'), 'c.yaml: spec.namingScheme: "Random" is not allowed: use UID or CrNameRole')
  throwsUserError(() => resolve('  roles: [{id: controller, sharedMemory: lots}]\n'), 'c.yaml: spec.roles[0].sharedMemory: "lots" must be a positive quantity (e.g. 1Gi)')
  throwsUserError(() => resolve('  roles: [{id: controller, secret: {name: s, mountPath: etc}}]\n'), `c.yaml: spec.roles[0].secret.mountPath: "etc" must be an absolute path without a trailing '/'`)
  throwsUserError(() => resolve('  roles: [{id: controller, secret: {name: s, mountPath: /x, defaultMode: 1000}}]\n'), 'c.yaml: spec.roles[0].secret.defaultMode: 1000 is not a file mode (0 to 511, i.e. 0777)')
  throwsUserError(
    () => resolve('  roles: [{id: controller, secret: {name: s, mountPath: /d}, volumeProjections: [{pvcName: p, mountPath: /d}]}]\n'),
    'c.yaml: spec.roles[0].volumeProjections[0].mountPath: /d is mounted twice in role "controller" (also by spec.roles[0].secret.mountPath)',
  )
  throwsUserError(() => resolve('  roles: [{id: controller, serviceAccountName: Bad_SA}]\n'), 'c.yaml: spec.roles[0].serviceAccountName: "Bad_SA" is not the name of a ServiceAccount')
  // fields not implemented yet stay refused by name
  throwsUserError(() => resolve('  roles: [{id: controller, fileInjections: [{srcURL: "ftp://x/y", destDir: /opt}]}]\n'), 'c.yaml: spec.roles[0].fileInjections[0].srcURL: "ftp://x/y" must be an http:// or https:// URL')
  throwsUserError(() => resolve('  roles: [{id: controller, fileInjections: [{srcURL: "http://x/y", destDir: /opt, permissions: {fileOwner: "a b"}}]}]\n'), 'c.yaml: spec.roles[0].fileInjections[0].permissions.fileOwner: "a b" is not a user or group name or id')
  throwsUserError(() => resolve('  roles: [{id: controller, secretKeys: [{name: k, value: v}, {name: k, value: w}]}]\n'), 'c.yaml: spec.roles[0].secretKeys[1].name: "k" is listed twice')
  throwsUserError(() => resolve('  roles: [{id: controller, secretKeys: [{value: v}]}]\n'), 'c.yaml: spec.roles[0].secretKeys[0].name: is required')
  throwsUserError(() => resolve('  roles: [{id: controller, blockStorage: {numDevices: 1, pathPrefix: /dev/xdb}}]\n'), 'c.yaml: spec.roles[0].blockStorage.storageClassName: is required')
  throwsUserError(() => resolve('  roles: [{id: controller, blockStorage: {storageClassName: b, pathPrefix: dev/x, numDevices: 1}}]\n'), 'c.yaml: spec.roles[0].blockStorage.pathPrefix: "dev/x" must be an absolute path (devices are pathPrefix0, pathPrefix1, …)')
  throwsUserError(() => resolve('  roles: [{id: controller, blockStorage: {storageClassName: b, pathPrefix: /dev/x, numDevices: 0}}]\n'), 'c.yaml: spec.roles[0].blockStorage.numDevices: 0 is not allowed: use 1 to 32')
})

test('an injected file is named as curl -o names it: the last path segment, decoded', () => {
  assert.is(injectedFileName('https://example.com/conf/app.conf?x=1'), 'app.conf')
  assert.is(injectedFileName('https://example.com/a/my%20file.txt'), 'my file.txt')
  assert.is(injectedFileName('https://example.com/'), 'index.html')
  assert.is(injectedFileName('https://example.com/a/%2e%2e'), 'index.html')
})

test.run()
