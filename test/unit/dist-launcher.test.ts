// bin/kubectl-kd's choice of Node and its hand-over of NODE_EXTRA_CA_CERTS (src/kube/extra-ca.ts), run
// against a stand-in Node that prints what it was given.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {repoRoot} from '../lib/kd.ts'

const launcher = suite('launcher')

/** An install with a fake node/bin/node (and node/VERSION when given); returns what the fake saw. */
function runWith(version: string | undefined, env: Record<string, string | undefined>, prepare?: (root: string) => void): {stdout: string; stderr: string} {
  const root = mkdtempSync(join(tmpdir(), 'kd-launcher-'))
  try {
    mkdirSync(join(root, 'bin'))
    mkdirSync(join(root, 'node', 'bin'), {recursive: true})
    mkdirSync(join(root, 'dist'))
    cpSync(join(repoRoot, 'bin', 'kubectl-kd'), join(root, 'bin', 'kubectl-kd'))
    writeFileSync(join(root, 'dist', 'kubectl-kd.cjs'), '')
    writeFileSync(join(root, 'node', 'bin', 'node'), '#!/bin/sh\necho "args=$*"\necho "NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS-unset}"\necho "KUBECTL_KD_EXTRA_CA_CERTS=${KUBECTL_KD_EXTRA_CA_CERTS-unset}"\necho "NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE-unset}"\n')
    chmodSync(join(root, 'node', 'bin', 'node'), 0o755)
    if (version) writeFileSync(join(root, 'node', 'VERSION'), `${version}\n`)
    prepare?.(root)
    const r = spawnSync(join(root, 'bin', 'kubectl-kd'), ['get'], {env: {PATH: '/usr/bin:/bin', HOME: root, ...env}, encoding: 'utf8'})
    assert.is(r.status, 0, r.stderr)
    return {stdout: r.stdout, stderr: r.stderr}
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
}

launcher('a release archive with Node >= 24.5: NODE_EXTRA_CA_CERTS is handed over to the CLI', () => {
  for (const v of ['24.21.0', '24.5.0', '25.1.0']) {
    const r = runWith(v, {NODE_EXTRA_CA_CERTS: '/etc/ca.pem'})
    assert.match(r.stdout, /args=.*dist\/kubectl-kd\.cjs get/)
    assert.match(r.stdout, /NODE_EXTRA_CA_CERTS=unset/, v)
    assert.match(r.stdout, /KUBECTL_KD_EXTRA_CA_CERTS=\/etc\/ca.pem/, v)
  }
})
launcher('an older Node, or none known: Node reads NODE_EXTRA_CA_CERTS itself', () => {
  for (const v of ['24.0.0', '24.4.1', '22.19.0', undefined]) {
    const r = runWith(v, {NODE_EXTRA_CA_CERTS: '/etc/ca.pem', KUBECTL_KD_EXTRA_CA_CERTS: '/stale'})
    assert.match(r.stdout, /NODE_EXTRA_CA_CERTS=\/etc\/ca.pem/, String(v))
    assert.match(r.stdout, /KUBECTL_KD_EXTRA_CA_CERTS=unset/, String(v))
    assert.is(r.stderr, '')
  }
})
launcher('the pinned node devDependency is >= 24.5 (the launcher trusts it without a VERSION file)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {devDependencies: Record<string, string>}
  const [major = 0, minor = 0] = pkg.devDependencies.node!.split('.').map(Number)
  assert.ok(major > 24 || (major === 24 && minor >= 5), pkg.devDependencies.node)
})
launcher('Node\'s compile cache: in the user\'s cache directory; none without one (never a shared /tmp path)', () => {
  const cache = (env: Record<string, string | undefined>, prepare?: (root: string) => void) => /NODE_COMPILE_CACHE=(.*)/.exec(runWith(undefined, env, prepare).stdout)![1]
  assert.match(cache({}), /^\/.*kd-launcher-[^/]+\/\.cache\/kubectl-kd\/compile-cache$/)
  assert.is(cache({XDG_CACHE_HOME: '/x/cache'}), '/x/cache/kubectl-kd/compile-cache')
  assert.is(cache({HOME: undefined}), 'unset')
  assert.is(cache({HOME: ''}), 'unset')
  assert.is(cache({HOME: undefined, XDG_CACHE_HOME: ''}), 'unset')
  // a relative one would be the current directory's
  assert.is(cache({HOME: undefined, XDG_CACHE_HOME: 'cache'}), 'unset')
  // one the user set stays theirs
  assert.is(cache({HOME: undefined, NODE_COMPILE_CACHE: '/mine'}), '/mine')
  // a directory on the way another user owns (only root can make one here)
  if (process.getuid?.() === 0) {
    const planted = cache({}, (root) => {
      mkdirSync(join(root, '.cache', 'kubectl-kd'), {recursive: true})
      chownSync(join(root, '.cache', 'kubectl-kd'), 65534, 65534)
    })
    assert.is(planted, 'unset')
  }
})
launcher.run()
