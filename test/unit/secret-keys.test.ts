// secretKeys: sealing (AES-256-GCM under the cluster's key), what create and apply write on a fake client
// (the value in no object but the members' configmeta; the key in the cluster's Secret; the agent allowed to
// read only that Secret), and the round trip of `get -o yaml` (an apply of it is unchanged). The members'
// side is in agent-protocol.test.ts; end to end in test/e2e/kd-contract.test.ts.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FakeKube} from '../lib/fake-kube.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {readCluster} from '../../src/actions/cluster/clusters.ts'
import {clusterManifest} from '../../src/cluster/cluster-status.ts'
import {R} from '../../src/kube/client.ts'
import {newClusterKey, openSecretKeys, openValue, sealValue} from '../../src/cluster/secret-keys.ts'
import {UserError} from '../../src/errors.ts'
import {dump} from 'js-yaml'

const NS = 'team'
const VALUE = 'hunter2-secret-value'
const dir = mkdtempSync(join(tmpdir(), 'kd-secret-keys-'))
const file = (name: string, text: string) => {
  const f = join(dir, name)
  writeFileSync(f, text)
  return f
}
const clusterFile = (keys: string) =>
  file(
    'c.yaml',
    `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: keyed}
spec:
  app: shelldemo
  roles:
  - id: controller
    members: 1
    secretKeys: ${keys}
  - id: worker
    members: 2
`,
  )
const request = (files: string[], over: Partial<ClusterChangeRequest> = {}): ClusterChangeRequest => ({files, members: [], images: [], packages: [], dryRun: 'none', allowExisting: false, ...over})

test('a value sealed under a key opens only with that key; anything else is not a sealed value', () => {
  const key = newClusterKey()
  const sealed = sealValue(key, VALUE)
  assert.not.ok(sealed.includes(VALUE))
  assert.is(openValue(key, sealed), VALUE)
  assert.is(openValue(newClusterKey(), sealed), undefined)
  assert.is(openValue(key, 'kd1:AAAA'), undefined)
  assert.is(openValue(key, VALUE), undefined)
  assert.not.equal(sealValue(key, VALUE), sealed, 'a fresh IV each time')
})

test('create: the value is in no object written; the key Secret is owned by the root; the agent may get only that Secret', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request([clusterFile(`[{name: db, value: ${VALUE}}]`)]))
  const written = JSON.stringify(kube.requests.map((r) => r.body))
  assert.not.ok(written.includes(VALUE), 'the value in a request body')
  assert.not.ok(written.includes(Buffer.from(VALUE).toString('base64')), 'the value, base64, in a request body')
  const root = kube.find(R.configMaps(NS), 'keyed-kd')!
  const secret = kube.find(R.secrets(NS), 'keyed-kd-keys')!
  assert.is(secret.metadata.ownerReferences[0].uid, root.metadata.uid)
  const key = Buffer.from(secret.data.key, 'base64')
  const stored = JSON.parse(root.data['cluster.json'])
  const sealed = stored.roles.find((r: any) => r.id === 'controller').secretKeys
  assert.equal(sealed.map((k: any) => Object.keys(k).sort()), [['encryptedValue', 'name']])
  assert.equal(openSecretKeys(stored, key), {controller: {db: VALUE}})
  const role = kube.find(R.roles(NS), 'keyed-kd-agent')!
  const secretRules = role.rules.filter((r: any) => r.resources.includes('secrets'))
  assert.equal(secretRules, [{apiGroups: [''], resources: ['secrets'], resourceNames: ['keyed-kd-keys'], verbs: ['get']}])
})

test('get -o yaml prints encryptedValue only, and applying it back is unchanged; a new value is sealed again; a foreign encryptedValue is refused', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request([clusterFile(`[{name: db, value: ${VALUE}}]`)]))
  const text = dump(clusterManifest(await readCluster(kube, 'keyed'), []))
  assert.not.ok(text.includes(VALUE))
  assert.match(text, /encryptedValue: kd1:/)
  const again = await changeClusters(kube, request([file('x.yaml', text)], {allowExisting: true}))
  assert.equal(again.applied[0]!.map((a) => a.action), ['unchanged'])
  // the original file, value in clear: the same value keeps the stored encryptedValue
  const same = await changeClusters(kube, request([clusterFile(`[{name: db, value: ${VALUE}}]`)], {allowExisting: true}))
  assert.equal(same.applied[0]!.map((a) => a.action), ['unchanged'])
  const before = kube.find(R.configMaps(NS), 'keyed-kd')!.data['cluster.json']
  await changeClusters(kube, request([clusterFile('[{name: db, value: changed}]')], {allowExisting: true}))
  const after = JSON.parse(kube.find(R.configMaps(NS), 'keyed-kd')!.data['cluster.json'])
  assert.is.not(JSON.stringify(after), before)
  const key = Buffer.from(kube.find(R.secrets(NS), 'keyed-kd-keys')!.data.key, 'base64')
  assert.equal(openSecretKeys(after, key), {controller: {db: 'changed'}})
  try {
    await changeClusters(kube, request([clusterFile(`[{name: db, encryptedValue: ${sealValue(newClusterKey(), 'x')}}]`)], {allowExisting: true}))
    assert.unreachable('a foreign encryptedValue was taken')
  } catch (err) {
    assert.ok(err instanceof UserError, String(err))
    assert.match((err as Error).message, /c\.yaml: spec\.roles\[0\]\.secretKeys\[0\]\.encryptedValue: is not the value stored for secret key "db" of this cluster; give its value instead/)
  }
})

test('--dry-run=client prints the key Secret with the objects and no value', async () => {
  const change = await changeClusters(undefined, request([clusterFile(`[{name: db, value: ${VALUE}}]`)], {dryRun: 'client'}))
  const objects = change.plans[0]!.objects
  assert.ok(objects.some((o) => o.kind === 'Secret' && o.metadata.name === 'keyed-kd-keys'))
  assert.not.ok(JSON.stringify(objects).includes(VALUE))
})

test.run()
