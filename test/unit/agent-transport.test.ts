// The agent's lean API client pieces that need no cluster: in-cluster credentials, the exec status →
// exit code mapping, the output tail kept from exec streams.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {exitCodeOf, tailBuffer} from '../../src/kube/exec.ts'
import {inClusterCredentials} from '../../src/kube/in-cluster.ts'

const dir = mkdtempSync(join(tmpdir(), 'kd-transport-'))

test('in-cluster: server from the environment (IPv6 in brackets), token and namespace from the SA files', () => {
  writeFileSync(join(dir, 'ca.crt'), 'CA')
  writeFileSync(join(dir, 'token'), 'tok\n')
  writeFileSync(join(dir, 'namespace'), 'ns1\n')
  const c = inClusterCredentials(undefined, dir, {KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443'})
  assert.is(c.server, 'https://[fd00::1]:443')
  assert.is(c.namespace, 'ns1')
  assert.is(c.authorization?.(), 'Bearer tok')
  assert.throws(() => inClusterCredentials(undefined, dir, {}), /KUBERNETES_SERVICE_HOST/)
})

test('exec status: Success is 0, NonZeroExitCode carries the code, anything else is no exit code', () => {
  assert.is(exitCodeOf({status: 'Success'}), 0)
  assert.is(exitCodeOf({status: 'Failure', details: {causes: [{reason: 'ExitCode', message: '7'}]}}), 7)
  assert.is(exitCodeOf({status: 'Failure', message: 'container not found'}), undefined)
})

test('tailBuffer keeps the last bytes', () => {
  const t = tailBuffer(5)
  for (const s of ['abc', 'def', 'gh']) t.write(Buffer.from(s))
  assert.is(t.text(), 'defgh')
  const big = tailBuffer(4)
  big.write(Buffer.from('0123456789'))
  assert.is(big.text(), '6789')
})

test.run()
