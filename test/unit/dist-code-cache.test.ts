// The launcher's V8 code cache (src/launch.ts, src/code-cache.ts): names, and the real binary making,
// using and replacing caches.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {COMMANDS} from '../../src/commands.ts'
import {COMMAND_WORDS, cacheDir, cacheFileName, cacheKind, fnv1a, guardedDirs, isPrivateDir} from '../../src/code-cache.ts'
import {kd} from '../lib/kd.ts'

const names = suite('code cache names')
names('COMMAND_WORDS are the first words of the registered commands', () => {
  assert.equal([...COMMAND_WORDS].sort(), [...new Set(Object.keys(COMMANDS).map((id) => id.split(':')[0]!))].sort())
})
names('a command line maps to its command word, help apart, anything else to other', () => {
  assert.is(cacheKind(['get']), 'get')
  assert.is(cacheKind(['-n', 'team', 'get', 'jobs']), 'get')
  assert.is(cacheKind(['app', 'list', '--builtin']), 'app')
  assert.is(cacheKind(['get', '--help']), 'get-help')
  assert.is(cacheKind(['-h']), 'other-help')
  assert.is(cacheKind(['frobnicate']), 'other')
})
names('the name changes with the script (size, mtime, inode, path) and with Node', () => {
  const script = {path: '/opt/kd/dist/cli.cjs', size: 1000, mtimeMs: 1, ino: 7}
  const base = cacheFileName(script, 'get', 'v24.21.0-x64')
  assert.match(base, /^[0-9a-f]{8}-get-[0-9a-f]{8}\.bin$/)
  for (const other of [{...script, size: 1001}, {...script, mtimeMs: 2}, {...script, ino: 8}]) assert.is.not(cacheFileName(other, 'get', 'v24.21.0-x64'), base)
  assert.is.not(cacheFileName(script, 'get', 'v24.22.0-x64'), base)
  assert.is.not(cacheFileName({...script, path: '/home/me/kd/dist/cli.cjs'}, 'get', 'v24.21.0-x64').slice(0, 8), base.slice(0, 8))
  assert.is(fnv1a(''), '811c9dc5')
})
names('the directory is under XDG_CACHE_HOME or HOME, never a shared one', () => {
  assert.is(cacheDir({XDG_CACHE_HOME: '/x'}), '/x/kubectl-kd/code-cache')
  assert.is(cacheDir({HOME: '/home/me'}), '/home/me/.cache/kubectl-kd/code-cache')
  assert.is(cacheDir({}), undefined)
  assert.is(cacheDir({HOME: ''}), undefined)
  // a relative one would be the current directory's (a shared /tmp, say)
  assert.is(cacheDir({XDG_CACHE_HOME: 'cache'}), undefined)
  assert.is(cacheDir({HOME: '.'}), undefined)
})
names('a directory on the way must be the user\'s own and not writable by every user', () => {
  assert.equal(guardedDirs('/home/me/.cache/kubectl-kd/code-cache'), ['/home/me/.cache/kubectl-kd', '/home/me/.cache/kubectl-kd/code-cache'])
  assert.ok(isPrivateDir({uid: 1000, mode: 0o40700}, 1000))
  assert.ok(isPrivateDir({uid: 1000, mode: 0o40775}, 1000))
  assert.not.ok(isPrivateDir({uid: 1001, mode: 0o40700}, 1000))
  assert.not.ok(isPrivateDir({uid: 1000, mode: 0o41777}, 1000))
})
names.run()

const binary = suite('the binary and its cache')
const offline = {KUBECONFIG: '/nonexistent/kubeconfig'}
binary('made after a run that succeeded (owner-only), used by the next, replaced when the script changes', () => {
  const home = mkdtempSync(join(tmpdir(), 'kd-code-cache-'))
  try {
    const dir = join(home, 'kubectl-kd', 'code-cache')
    const env = {...offline, XDG_CACHE_HOME: home}
    const first = kd(['app', 'list', '--builtin', '-v'], {env})
    assert.is(first.code, 0, first.stderr)
    assert.match(first.stderr, /code cache .*-app-[0-9a-f]{8}\.bin: none yet/)
    const files = readdirSync(dir)
    assert.is(files.length, 1)
    assert.is(statSync(join(dir, files[0]!)).mode & 0o777, 0o600)
    assert.is(statSync(dir).mode & 0o777, 0o700)
    const second = kd(['app', 'list', '--builtin', '-v'], {env})
    assert.is(second.code, 0, second.stderr)
    assert.match(second.stderr, /code cache .*: used/)
    assert.is(second.stdout, first.stdout)

    // a failed run makes no cache
    const failed = kd(['get', '-v'], {env})
    assert.is(failed.code, 1)
    assert.equal(readdirSync(dir), files)

    // a cache V8 rejects (here: not a cache) is replaced after the run
    writeFileSync(join(dir, files[0]!), 'garbage')
    const old = new Date(Date.now() - 60_000)
    utimesSync(join(dir, files[0]!), old, old)
    const third = kd(['app', 'list', '--builtin', '-v'], {env})
    assert.is(third.code, 0, third.stderr)
    assert.match(third.stderr, /: rejected/)
    assert.ok(statSync(join(dir, files[0]!)).size > 10_000)
    assert.match(kd(['app', 'list', '--builtin', '-v'], {env}).stderr, /: used/)
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
})
binary('no home: runs without a cache', () => {
  const r = kd(['app', 'list', '--builtin', '-v'], {env: {...offline, HOME: '', XDG_CACHE_HOME: ''}})
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, /code cache \(no cache directory\): none yet/)
})
binary('a cache directory another user owns, or every user may write, is not used', () => {
  const home = mkdtempSync(join(tmpdir(), 'kd-code-cache-'))
  try {
    const dir = join(home, 'kubectl-kd', 'code-cache')
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const env = {...offline, XDG_CACHE_HOME: home}
    chmodSync(join(home, 'kubectl-kd'), 0o777)
    const shared = kd(['app', 'list', '--builtin', '-v'], {env})
    assert.is(shared.code, 0, shared.stderr)
    assert.match(shared.stderr, /code cache \(no cache directory\): none yet/)
    assert.equal(readdirSync(dir), [])
    chmodSync(join(home, 'kubectl-kd'), 0o700)
    // another owner: only root can make one here
    if (process.getuid?.() === 0) {
      chownSync(dir, 65534, 65534)
      const foreign = kd(['app', 'list', '--builtin', '-v'], {env})
      assert.match(foreign.stderr, /code cache \(no cache directory\): none yet/)
      assert.equal(readdirSync(dir), [])
    }
  } finally {
    rmSync(home, {recursive: true, force: true})
  }
})
binary.run()
