// The krew manifest and a release archive. krew itself is not obtainable on these machines (the Go module
// proxy refuses sigs.k8s.io/krew), so the manifest is checked with krew's validation rules
// (krew/validate.mjs), and the archive is installed the way `krew install --archive` does it (extract into
// KREW_ROOT/store/kd/VERSION, link bin/kubectl-kd) and run with no Node on PATH.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {load} from 'js-yaml'
import {repoRoot} from '../lib/kd.ts'
// @ts-expect-error plain ESM script without types
import {checkArchive, validateManifest} from '../../krew/validate.mjs'

const krewTest = suite('krew')
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}
type Manifest = {spec: {version: string; platforms: {selector: {matchLabels: Record<string, string>}; uri: string; sha256: string; bin: string}[]}}

krewTest('krew/kd.yaml passes the manifest rules, 4 platforms', () => {
  const file = join(repoRoot, 'krew', 'kd.yaml')
  assert.equal(validateManifest(readFileSync(file, 'utf8'), file), [])
  const m = load(readFileSync(file, 'utf8')) as Manifest
  assert.is(m.spec.version, `v${pkg.version}`)
  assert.equal(m.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`), ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'])
})

krewTest('the rules catch broken manifests', () => {
  const good = readFileSync(join(repoRoot, 'krew', 'kd.yaml'), 'utf8')
  const cases: [string, RegExp][] = [
    [good.replace(/version: v[\d.]+/, 'version: 1.0'), /spec.version/],
    [good.replace(/sha256: [a-f0-9]{64}/, 'sha256: abc'), /sha256 must be 64/],
    [good.replace(/uri: https:/, 'uri: http:'), /uri must be an https URL/],
    [good.replace(/name: kd/, 'name: Kd_Plugin'), /not a valid plugin name/],
  ]
  for (const [text, problem] of cases) assert.match(validateManifest(text, 'kd.yaml').join('\n'), problem)
})

krewTest('build-release, then install the archive as krew does: the plugin runs on its bundled Node', () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'kubectl-kd.cjs')), 'dist/ missing: npm run build')
  const tmp = mkdtempSync(join(tmpdir(), 'kd-krew-'))
  try {
    const out = join(tmp, 'build')
    const manifest = join(tmp, 'kd.yaml')
    const b = spawnSync('node', [join(repoRoot, 'krew', 'build-release.mjs'), '--no-build', '--platform', 'linux/amd64', '--out', out, '--manifest', manifest], {encoding: 'utf8', timeout: 600_000})
    assert.is(b.status, 0, b.stderr)
    const archive = join(out, `kubectl-kd_v${pkg.version}_linux_amd64.tar.gz`)
    const m = load(readFileSync(manifest, 'utf8')) as Manifest
    assert.equal(validateManifest(readFileSync(manifest, 'utf8'), manifest), [])
    const platform = m.spec.platforms.find((p) => p.selector.matchLabels.os === 'linux' && p.selector.matchLabels.arch === 'amd64')!
    assert.equal(checkArchive(platform, archive), [])

    const root = join(tmp, 'krew-root')
    const store = join(root, 'store', 'kd', m.spec.version)
    mkdirSync(store, {recursive: true})
    mkdirSync(join(root, 'bin'))
    assert.is(spawnSync('tar', ['-xzf', archive, '-C', store]).status, 0)
    symlinkSync(join(store, platform.bin), join(root, 'bin', 'kubectl-kd'))
    assert.ok(existsSync(join(store, 'LICENSE')), 'the archive carries a LICENSE (krew-index requires it)')
    const env = {HOME: tmp, PATH: `${join(root, 'bin')}:/usr/bin:/bin`}
    const r = spawnSync(join(root, 'bin', 'kubectl-kd'), ['version', '--client'], {env, encoding: 'utf8'})
    assert.is(r.status, 0, r.stderr)
    assert.is(r.stdout, `Client Version: v${pkg.version}\n`)
    const h = spawnSync(join(root, 'bin', 'kubectl-kd'), ['--help'], {env, encoding: 'utf8'})
    assert.match(h.stdout, new RegExp(`node-v${process.versions.node.split('.')[0]}\\.`))
    const c = spawnSync(join(store, 'bin', 'kubectl_complete-kd'), ['app', ''], {env, encoding: 'utf8'})
    assert.match(c.stdout, /^list\t/m)
  } finally {
    rmSync(tmp, {recursive: true, force: true})
  }
})

krewTest.run()
