// KubeDirector's v1beta1 contract on the real cluster: KubeDirector's own example catalog (app add) and
// example clusters (create --dry-run=server) are accepted, names KubeDirector allows work end to end,
// spec.connections reaches the members' configmeta and configcli, secretKeys reach configcli only, and
// blockStorage gives members raw block devices.
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, kubectl, kubectlJson} from '../lib/cluster.ts'
import {isOneLineError, kd, kdAsync, repoRoot} from '../lib/kd.ts'
import {eventually} from './agent-members.ts'

const ns = createNamespace('kd-e2e-kdcontract')
const examples = join(repoRoot, 'test/unit/fixtures/kubedirector')
const run = (args: string[]) => kd([...args, '-n', ns], {env: clusterEnv()})
const ok = (args: string[]) => {
  const r = run(args)
  assert.is(r.code, 0, `kubectl kd ${args.join(' ')}: ${r.stderr}`)
  return r
}

const test = suite('KubeDirector contract')

test('every app of KubeDirector example catalog: app add', () => {
  for (const f of readdirSync(join(examples, 'example_catalog')).sort()) assert.match(ok(['app', 'add', join(examples, 'example_catalog', f)]).stdout, / created$/m)
})

test('every well-formed example cluster: create --dry-run=server; the broken ones: one line naming the line or role', async () => {
  const broken: Record<string, RegExp> = {
    'cr-cluster-datafabric610.yaml': /: line 133: malformed YAML/,
    'cr-cluster-training-engine.yaml': /spec\.roles\[2\]\.id: unknown role "controller" in app training-engine/,
  }
  let accepted = 0
  const files = readdirSync(join(examples, 'example_clusters')).sort()
  // four at a time: each is a CLI start and a few API round trips
  const results: Awaited<ReturnType<typeof kdAsync>>[] = []
  for (let i = 0; i < files.length; i += 4)
    results.push(...(await Promise.all(files.slice(i, i + 4).map((f) => kdAsync(['create', '-f', join(examples, 'example_clusters', f), '--dry-run=server', '-n', ns], {env: clusterEnv()})))))
  for (const [i, f] of files.entries()) {
    const r = results[i]!
    if (broken[f]) {
      assert.ok(isOneLineError(r), `${f}: ${r.code} ${r.stderr}`)
      assert.match(r.stderr, broken[f]!)
      continue
    }
    assert.is(r.code, 0, `${f}: ${r.stderr}`)
    assert.match(r.stdout, /^cluster\/\S+ created \(server dry run\)$/m, f)
    accepted++
  }
  assert.is(accepted, 20)
  // a dry run leaves nothing behind
  assert.is(ok(['get', 'clusters', '-o', 'name']).stdout.trim(), '')
})

// A "notebook" (role note_book, cluster nb.v1: names KubeDirector accepts, not DNS labels) connected to a
// "spark" cluster `src`: its startscript records every call and, on --configure and --reconnect, what
// configcli says about the connected cluster's workers; on --configure also the file injected from src's
// first worker (which serves it with busybox httpd), with its mode and owner.
const dir = mkdtempSync(join(tmpdir(), 'kd-contract-'))
const NOTEBOOK_APP = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorApp
metadata: {name: kdnote}
spec:
  label: {name: notebook}
  distroID: test/kdnote
  version: '1'
  configSchemaVersion: 8
  defaultImageRepoTag: localhost/kubectl-kd/shell:1
  defaultConfigPackage: {packageURL: bundled://pkg}
  roles:
  - {id: note_book, cardinality: '1'}
  config: {selectedRoles: [note_book]}
`
const STARTSCRIPT = `#!/bin/sh
mkdir -p /var/tmp/kd-contract
n=$(ls /var/tmp/kd-contract | grep -c '^call')
echo "$*" >/var/tmp/kd-contract/call.$n
[ "$1" = --configure ] && stat -c '%a %u %g' /opt/kd-inject/inject.txt >/var/tmp/kd-contract/injected 2>&1 && cat /opt/kd-inject/inject.txt >>/var/tmp/kd-contract/injected
case $1 in --configure|--reconnect)
  configcli --get connections.clusters.src.nodegroups.1.roles.worker.fqdns >/var/tmp/kd-contract/workers.$n 2>&1
  configcli --get node.role_id >/var/tmp/kd-contract/role.$n 2>&1
esac
exit 0
`
const SOURCE_APP = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorApp
metadata: {name: kdsrc}
spec:
  label: {name: source}
  distroID: test/kdsrc
  version: '1'
  configSchemaVersion: 8
  defaultImageRepoTag: localhost/kubectl-kd/shell:1
  defaultConfigPackage: {packageURL: bundled://pkg}
  roles:
  - {id: worker, cardinality: 1+}
  config: {selectedRoles: [worker]}
`
const SOURCE_STARTSCRIPT = `#!/bin/sh
[ "$1" = --configure ] || exit 0
mkdir -p /var/tmp/www && echo "from $(hostname)" >/var/tmp/www/inject.txt
(busybox httpd -p 8080 -h /var/tmp/www </dev/null >/dev/null 2>&1 &)
`
const NOTEBOOK = () => `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: nb.v1}
spec:
  app: kdnote
  connections: {clusters: [src]}
  roles:
  - id: note_book
    resources: {requests: {cpu: 1m, memory: 16Mi}, limits: {cpu: 200m, memory: 64Mi}}
    fileInjections: [{srcURL: "http://src-worker-0.src.${ns}.svc.cluster.local:8080/inject.txt", destDir: /opt/kd-inject, permissions: {fileMode: 416, fileOwner: "1234", fileGroup: "5678"}}]
`
// small requests: the shared test cluster may be crowded
const SOURCE = `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: src}
spec:
  app: kdsrc
  roles: [{id: worker, members: 1, resources: {requests: {cpu: 1m, memory: 16Mi}, limits: {cpu: 100m, memory: 32Mi}}}]
`

/** What the notebook member recorded: [call, workers configcli printed, role id] per startscript call. */
const recorded = (pod: string): string[][] => {
  const out = kubectl(['-n', ns, 'exec', pod, '-c', 'app', '--', 'sh', '-c', 'cd /var/tmp/kd-contract 2>/dev/null || exit 0; for i in $(ls | sed -n "s/^call\\.//p" | sort -n); do printf "%s|%s|%s\\n" "$(cat call.$i)" "$(cat workers.$i 2>/dev/null)" "$(cat role.$i 2>/dev/null)"; done'])
  return out.split('\n').filter(Boolean).map((l) => l.split('|'))
}
const fqdn = (i: number) => `src-worker-${i}.src.${ns}.svc.cluster.local`

test('connections: a cluster that does not exist is refused at create, in one line naming the field', () => {
  mkdirSync(join(dir, 'kdnote', 'pkg'), {recursive: true})
  writeFileSync(join(dir, 'kdnote', 'app.yaml'), NOTEBOOK_APP)
  writeFileSync(join(dir, 'kdnote', 'pkg', 'startscript'), STARTSCRIPT)
  chmodSync(join(dir, 'kdnote', 'pkg', 'startscript'), 0o755)
  mkdirSync(join(dir, 'kdsrc', 'pkg'), {recursive: true})
  writeFileSync(join(dir, 'kdsrc', 'app.yaml'), SOURCE_APP)
  writeFileSync(join(dir, 'kdsrc', 'pkg', 'startscript'), SOURCE_STARTSCRIPT)
  chmodSync(join(dir, 'kdsrc', 'pkg', 'startscript'), 0o755)
  writeFileSync(join(dir, 'nb.yaml'), NOTEBOOK())
  writeFileSync(join(dir, 'src-cluster.yaml'), SOURCE)
  ok(['app', 'add', join(dir, 'kdnote')])
  ok(['app', 'add', join(dir, 'kdsrc')])
  const r = run(['create', '-f', join(dir, 'nb.yaml')])
  assert.ok(isOneLineError(r), r.stderr)
  assert.match(r.stderr, `nb.yaml: spec.connections.clusters[0]: cluster "src" does not exist in namespace "${ns}"`)
})

test('connections and file injections: the notebook member reads the connected cluster through configcli and finds the injected file; a scale of the other gives --reconnect with the new membership', async () => {
  // both at once (one create may connect to a cluster it creates): the notebook's injection is fetched
  // again until src serves it
  ok(['create', '-f', join(dir, 'src-cluster.yaml'), '-f', join(dir, 'nb.yaml'), '--wait', '--timeout', '3m'])
  // the names written: status and labels say nb.v1 / note_book, the objects have DNS-safe names
  const pods = kubectlJson<{items: Array<{metadata: {name: string; labels: Record<string, string>}}>}>(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=nb.v1'])
  const pod = pods.items.find((p) => p.metadata.labels['kubectl-kd.io/role'] === 'note_book')!.metadata.name
  assert.match(pod, /^nb-v1-[0-9a-f]{6}-note-book-[0-9a-f]{6}-0$/)
  const status = JSON.parse(ok(['get', 'cluster', 'nb.v1', '-o', 'json']).stdout) as {metadata: {name: string}; spec: {connections: unknown}; status: {state: string; roles: Array<{id: string}>}}
  assert.equal([status.metadata.name, status.status.state, status.status.roles[0]!.id], ['nb.v1', 'configured', 'note_book'])
  assert.equal(status.spec.connections, {clusters: ['src']})
  assert.equal(recorded(pod), [['--configure', fqdn(0), 'note_book']])
  // the file injection landed before configure, with its mode (0640), owner and group
  assert.is(kubectl(['-n', ns, 'exec', pod, '-c', 'app', '--', 'cat', '/var/tmp/kd-contract/injected']).trim(), '640 1234 5678\nfrom src-worker-0')

  ok(['scale', 'src', 'worker=2', '--wait', '--timeout', '3m'])
  const calls = await eventually('--reconnect in the notebook member', () => {
    const r = recorded(pod)
    return r.length >= 2 && r
  })
  assert.equal(calls, [
    ['--configure', fqdn(0), 'note_book'],
    ['--reconnect', `${fqdn(0)},${fqdn(1)}`, 'note_book'],
  ])
  // and the notebook cluster settles again
  await eventually('nb.v1 configured', () => (JSON.parse(ok(['get', 'cluster', 'nb.v1', '-o', 'json']).stdout) as {status: {state: string}}).status.state === 'configured')
})

// a secret key's value, found nowhere but through configcli in the member
const KEY_VALUE = `kd-sk-${Date.now().toString(36)}-value`
/** A one-worker cluster of kdsrc (small requests) whose worker role also has the fields in `extra` (YAML lines). */
const oneWorker = (name: string, ...extra: string[]) => `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata: {name: ${name}}
spec:
  app: kdsrc
  roles:
  - id: worker
    members: 1
    resources: {requests: {cpu: 1m, memory: 16Mi}, limits: {cpu: 100m, memory: 32Mi}}
${extra.map((l) => `    ${l}\n`).join('')}`
const KEYED = oneWorker('keyed', 'secret: {name: role-sec, mountPath: /etc/role-sec, defaultMode: 256, readOnly: true}', `secretKeys: [{name: db, value: ${KEY_VALUE}}]`)

test('secretKeys and a role Secret: the key is read through configcli in the member and found nowhere else (objects, Events, agent log, -o yaml, -v=8); the Secret is mounted; get -o yaml applies back unchanged', () => {
  kubectl(['-n', ns, 'create', 'secret', 'generic', 'role-sec', '--from-literal=user=alice'])
  writeFileSync(join(dir, 'keyed.yaml'), KEYED)
  const created = run(['create', '-f', join(dir, 'keyed.yaml'), '--wait', '--timeout', '3m', '-v=8'])
  assert.is(created.code, 0, created.stderr)
  const member = 'keyed-worker-0'
  const inMember = (cmd: string) => kubectl(['-n', ns, 'exec', member, '-c', 'app', '--', 'sh', '-c', cmd]).trim()
  assert.is(inMember('configcli --get nodegroups.1.roles.worker.secret_keys.db'), KEY_VALUE)
  // the role's Secret, mounted read-only with its mode
  assert.is(inMember('cat /etc/role-sec/user; echo; stat -L -c %a /etc/role-sec/user'), 'alice\n400')
  const yaml = ok(['get', 'cluster', 'keyed', '-o', 'yaml', '-v=8'])
  writeFileSync(join(dir, 'keyed-get.yaml'), yaml.stdout)
  assert.match(yaml.stdout, /encryptedValue: kd1:/)
  const applied = ok(['apply', '-f', join(dir, 'keyed-get.yaml')])
  assert.match(applied.stdout, /^cluster\/keyed unchanged$/m)
  const b64 = Buffer.from(KEY_VALUE).toString('base64')
  const agentPod = kubectl(['-n', ns, 'get', 'pods', '-l', 'kubectl-kd.io/cluster=keyed,app.kubernetes.io/component=agent', '-o', 'name']).trim()
  const places: Record<string, string> = {
    'every object of the namespace (Secrets included)': kubectl(['-n', ns, 'get', 'configmaps,secrets,pods,services,statefulsets,deployments,roles,events', '-o', 'json']),
    'the agent log': kubectl(['-n', ns, 'logs', agentPod]),
    'create -v=8': created.stdout + created.stderr,
    'get -o yaml -v=8': yaml.stdout + yaml.stderr,
    'status': ok(['status', 'keyed']).stdout,
    'describe': ok(['describe', 'cluster', 'keyed']).stdout,
  }
  for (const [where, text] of Object.entries(places)) {
    assert.not.ok(text.includes(KEY_VALUE), `the secret key's value is in ${where}`)
    assert.not.ok(text.includes(b64), `the secret key's value, base64, is in ${where}`)
  }
})

test("pod security: a namespace whose enforce level refuses an app's capabilities refuses the create in one line naming them, and nothing is written", () => {
  const psa = createNamespace('kd-e2e-psa')
  try {
    kubectl(['label', 'namespace', psa, 'pod-security.kubernetes.io/enforce=baseline'])
    const r = kd(['create', 'cassandra311', 'ring', '-n', psa], {env: clusterEnv()})
    assert.ok(isOneLineError(r), r.stderr)
    assert.match(r.stderr, `error: cluster "ring": role "seed": namespace "${psa}" refuses its members' pods: violates PodSecurity "baseline:latest": non-default capabilities (container "app" must not include "IPC_LOCK", "SYS_RESOURCE" in securityContext.capabilities.add)`)
    assert.is(kubectl(['get', 'configmaps,statefulsets,deployments,services', '-n', psa, '-l', 'kubectl-kd.io/cluster=ring', '-o', 'name']).trim(), '')
    // what baseline allows is created as before
    const ok2 = kd(['create', 'shelldemo', 'demo', '-n', psa, '--dry-run=server'], {env: clusterEnv()})
    assert.is(ok2.code, 0, ok2.stderr)
  } finally {
    deleteNamespace(psa)
  }
})

// blockStorage: a raw block volume (a loop device over a file, as a static local PV of volumeMode Block)
const BLOCKY = oneWorker('blocky', `blockStorage: {storageClassName: ${ns}-block, pathPrefix: /dev/xdb, numDevices: 1, size: 16Mi}`)
let loopDevice: string | undefined

test('blockStorage: the member gets a raw block device at pathPrefix0, named in configmeta, that it can write and read', () => {
  const image = join(dir, 'block.img')
  execFileSync('truncate', ['-s', '16M', image])
  loopDevice = execFileSync('losetup', ['-f', '--show', image], {encoding: 'utf8'}).trim()
  const node = kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']).trim()
  kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {name: `${ns}-b0`},
      spec: {
        capacity: {storage: '16Mi'},
        volumeMode: 'Block',
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: `${ns}-block`,
        local: {path: loopDevice},
        claimRef: {namespace: ns, name: 'b0-blocky-worker-0'},
        nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: 'kubernetes.io/hostname', operator: 'In', values: [node]}]}]}},
      },
    }),
  })
  writeFileSync(join(dir, 'blocky.yaml'), BLOCKY)
  ok(['create', '-f', join(dir, 'blocky.yaml'), '--wait', '--timeout', '3m'])
  const inMember = (cmd: string) => kubectl(['-n', ns, 'exec', 'blocky-worker-0', '-c', 'app', '--', 'sh', '-c', cmd]).trim()
  assert.is(inMember('configcli --get node.block_device_paths'), '/dev/xdb0')
  assert.match(inMember('ls -l /dev/xdb0'), /^b/)
  assert.is(inMember('printf kd-block-marker | dd of=/dev/xdb0 bs=512 conv=sync 2>/dev/null && dd if=/dev/xdb0 bs=15 count=1 2>/dev/null'), 'kd-block-marker')
})

test.after(() => {
  deleteNamespace(ns)
  kubectl(['delete', 'pv', `${ns}-b0`, '--ignore-not-found', '--wait=false'], {allowFail: true})
  if (loopDevice) spawnSync('losetup', ['-d', loopDevice])
})
test.run()
