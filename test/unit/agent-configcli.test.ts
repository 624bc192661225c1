// configcli answers (agent/member/configcli.sh over the key file from agent/src/configcli-keys.ts),
// run under every sh found on this machine (dash, busybox sh) against a sample configmeta.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {configcliKeyFile, materialize} from '../../agent/src/configcli-keys.ts'
import {CONFIGCLI_SH} from '../../agent/src/member-scripts.ts'

const meta = JSON.parse(readFileSync(new URL('./fixtures/agent-configmeta.json', import.meta.url), 'utf8'))
const dir = mkdtempSync(join(tmpdir(), 'kd-configcli-'))
writeFileSync(join(dir, 'configcli.keys'), configcliKeyFile(meta))
writeFileSync(join(dir, 'configcli'), CONFIGCLI_SH, {mode: 0o755})

const shells: string[][] = [['/bin/sh']]
if (existsSync('/usr/bin/dash')) shells.push(['/usr/bin/dash'])
if (existsSync('/usr/bin/busybox')) shells.push(['/usr/bin/busybox', 'sh'])

function ccli(shell: string[], ...args: string[]) {
  const r = spawnSync(shell[0]!, [...shell.slice(1), join(dir, 'configcli'), ...args], {
    env: {KD_CONFIGCLI_KEYS: join(dir, 'configcli.keys'), PATH: process.env.PATH},
    encoding: 'utf8',
  })
  return {out: r.stdout.replace(/\n$/, ''), err: r.stderr, code: r.status}
}

const W0 = 's-worker-0.s.ns.svc.cluster.local'
const W1 = 's-worker-1.s.ns.svc.cluster.local'
const C0 = 's-controller-0.s.ns.svc.cluster.local'

for (const sh of shells) {
  const name = sh.join(' ')
  test(`${name}: --get over plain keys`, () => {
    assert.is(ccli(sh, '--get', 'node.role_id').out, 'worker')
    assert.is(ccli(sh, '--get', 'node.fqdn').out, W1)
    assert.is(ccli(sh, '-g', 'version').out, '7')
    assert.is(ccli(sh, '--get', 'cluster.isolated').out, 'False')
    assert.is(ccli(sh, '--get', 'nodegroups.1.roles').out, 'controller,worker')
    assert.is(ccli(sh, '--get', 'nodegroups.1.roles.worker.fqdns').out, `${W0},${W1}`)
    assert.is(ccli(sh, '--get', 'node').out, 'role_id,nodegroup_id,id,hostname,fqdn,domain,distro_id,depends_on')
  })
  test(`${name}: bdvlibrefkey indirections, also mid-path`, () => {
    assert.is(ccli(sh, '--get', 'services.spark_worker.1.worker.fqdns').out, `${W0},${W1}`)
    assert.is(ccli(sh, '--get', 'services.spark.1.controller.endpoints').out, `http://${C0}:8080`)
    assert.is(ccli(sh, '--get', 'services.spark_worker.1').out, 'controller,worker')
    assert.is(ccli(sh, '--get', 'distros.bluedata/spark221e2.1.roles').out, 'controller,worker')
    assert.is(ccli(sh, '--get', 'cluster.config_metadata.1.note').out, 'a\tb\nc\\d')
    assert.is(ccli(sh, 'namespace', 'node', 'role_id').out, 'worker')
  })
  test(`${name}: macros`, () => {
    assert.is(ccli(sh, '--get_self_index').out, '1')
    assert.is(ccli(sh, '--get_self_id').out, '3')
    assert.is(ccli(sh, '--get_index', W0).out, '0')
    assert.is(ccli(sh, '--get_id', C0).out, '1')
    assert.is(ccli(sh, '--num_nodegroups').out, '1')
    assert.is(ccli(sh, '--get_local_group_fqdns').out, `${C0},${W0},${W1}`)
    assert.is(ccli(sh, '--get_nodegroup_fqdns', '1').out, `${C0},${W0},${W1}`)
    assert.is(ccli(sh, '--get_all_fqdns').out, `${C0},${W0},${W1}`)
    assert.is(ccli(sh, 'macro', 'node', '--get_self_index').out, '1')
  })
  test(`${name}: unknown keys fail like configcli (KeyError, non-zero)`, () => {
    const r = ccli(sh, '--get', 'node.nope')
    assert.is(r.code, 1)
    assert.match(r.err, 'KeyError: node.nope')
    assert.is(ccli(sh, '--get', 'node.role').code, 1)
  })
}

test('materialize resolves every refkey', () => {
  const m = materialize(meta) as any
  assert.equal(m.services.spark['1'].controller.fqdns, [C0])
  assert.not.match(JSON.stringify(m), 'bdvlibrefkey')
})

test.run()
