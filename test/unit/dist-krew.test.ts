// The krew manifest and a release archive, checked by krew itself (v0.5.0, built from its source in
// krew/third_party/krew): validate-krew-manifest's rules on krew/kd.yaml and on a freshly built manifest,
// then `krew install --manifest --archive` of a linux/amd64 archive into a temporary KREW_ROOT and the
// installed `kubectl-kd version --client` — the plugin as a krew user gets it, on its own Node.
// Skips (saying why) only when Go is missing; building the archive needs dist/ and the npm registry (or
// the cached Node package in ~/.cache/kubectl-kd/node-dist).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {load} from 'js-yaml'
import {repoRoot} from '../lib/kd.ts'

const krewTest = suite('krew')
const hasGo = spawnSync('sh', ['-c', 'command -v go'], {encoding: 'utf8'}).status === 0
let tools: string | undefined
const version = readFileSync(join(repoRoot, 'krew', 'third_party', 'krew', 'VERSION'), 'utf8').trim()
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}

krewTest.before(() => {
  if (!hasGo) {
    console.log('  (krew tests skipped: Go is not installed, so krew cannot be built from krew/third_party/krew)')
    return
  }
  const r = spawnSync('bash', [join(repoRoot, 'krew', 'build-krew.sh')], {encoding: 'utf8', timeout: 900_000})
  assert.is(r.status, 0, `build-krew.sh failed: ${r.stderr}`)
  tools = r.stdout.trim()
})

function validate(manifest: string) {
  return spawnSync(join(tools!, `validate-krew-manifest-${version}`), ['-manifest', manifest, '-skip-install'], {encoding: 'utf8'})
}

krewTest('krew/kd.yaml: the committed manifest passes krew validation, 4 platforms', () => {
  if (!tools) return
  const r = validate(join(repoRoot, 'krew', 'kd.yaml'))
  assert.is(r.status, 0, r.stderr)
  const m = load(readFileSync(join(repoRoot, 'krew', 'kd.yaml'), 'utf8')) as {spec: {version: string; platforms: {selector: {matchLabels: Record<string, string>}; uri: string; bin: string}[]}}
  assert.is(m.spec.version, `v${pkg.version}`)
  assert.equal(m.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`), ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'])
  for (const p of m.spec.platforms) assert.ok(p.uri.endsWith(`_v${pkg.version}_${p.selector.matchLabels.os}_${p.selector.matchLabels.arch}.tar.gz`), p.uri)
})

krewTest('build-release + krew install --archive: the installed plugin runs on its bundled Node', () => {
  if (!tools) return
  assert.ok(existsSync(join(repoRoot, 'dist', 'kubectl-kd.js')), 'dist/ missing: npm run build')
  const tmp = mkdtempSync(join(tmpdir(), 'kd-krew-'))
  try {
    const out = join(tmp, 'build')
    const manifest = join(tmp, 'kd.yaml')
    const b = spawnSync('node', [join(repoRoot, 'krew', 'build-release.mjs'), '--no-build', '--platform', 'linux/amd64', '--out', out, '--manifest', manifest], {
      encoding: 'utf8',
      timeout: 600_000,
    })
    assert.is(b.status, 0, b.stderr)
    const archive = join(out, `kubectl-kd_v${pkg.version}_linux_amd64.tar.gz`)
    assert.ok(existsSync(archive))
    const v = validate(manifest)
    assert.is(v.status, 0, v.stderr)

    const root = join(tmp, 'krew-root')
    // no node on PATH: the plugin must use the one in the archive
    const env = {HOME: tmp, PATH: '/usr/bin:/bin', KREW_ROOT: root, KREW_OS: 'linux', KREW_ARCH: 'amd64'}
    const i = spawnSync(join(tools!, `krew-${version}`), ['install', `--manifest=${manifest}`, `--archive=${archive}`], {env, encoding: 'utf8', input: ''})
    assert.is(i.status, 0, i.stderr)
    const store = join(root, 'store', 'kd', `v${pkg.version}`)
    assert.ok(readdirSync(store).includes('LICENSE'), 'LICENSE extracted (krew-index requires it)')
    const r = spawnSync(join(root, 'bin', 'kubectl-kd'), ['version', '--client'], {env, encoding: 'utf8'})
    assert.is(r.status, 0, r.stderr)
    assert.is(r.stdout, `Client Version: v${pkg.version}\n`)
    const h = spawnSync(join(root, 'bin', 'kubectl-kd'), ['--help'], {env, encoding: 'utf8'})
    assert.match(h.stdout, new RegExp(`node-v${process.versions.node.split('.')[0]}\\.`))
    const c = spawnSync(join(store, 'bin', 'kubectl_complete-kd'), ['app', ''], {env, encoding: 'utf8'})
    assert.match(c.stdout, /^list\t/m)
    assert.ok(existsSync(join(root, 'receipts', 'kd.yaml')), 'krew wrote its install receipt')
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
})

krewTest.run()
