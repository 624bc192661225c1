// The krew manifest and a release archive, checked with krew's own code: validate-krew-manifest and
// kubectl-krew v0.4.3, built from krew's Go module (scripts/build-krew.sh, cached). No cluster is needed;
// test/e2e/krew.test.ts installs through kubectl and runs the plugin against the local cluster.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {load} from 'js-yaml'
import {repoRoot} from '../lib/kd.ts'
import {buildArchive, krewDir, run, serveFiles, toolsDir} from '../lib/krew.ts'

const krewTest = suite('krew')
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}
type Manifest = {spec: {version: string; platforms: {selector: {matchLabels: Record<string, string>}; uri: string; sha256: string; bin: string}[]}}
const krew = krewDir()
const validator = join(krew, 'validate-krew-manifest')

/** validate-krew-manifest on a manifest text saved as DIR/NAME (krew wants NAME = <plugin name>.yaml). */
function validate(text: string, name = 'kd.yaml', skipInstall = true) {
  const dir = mkdtempSync(join(tmpdir(), 'kd-krew-manifest-'))
  try {
    writeFileSync(join(dir, name), text)
    return spawnSync(validator, ['-manifest', join(dir, name), ...(skipInstall ? ['-skip-install'] : [])], {encoding: 'utf8'})
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

krewTest('krew/kd.yaml passes validate-krew-manifest, 4 platforms', () => {
  // -skip-install: its install step downloads each platform's archive from the release page (GitHub)
  const r = spawnSync(validator, ['-manifest', join(repoRoot, 'krew', 'kd.yaml'), '-skip-install'], {encoding: 'utf8'})
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stderr, /structural validation OK/)
  assert.match(r.stderr, /no overlapping spec.platform\[\].selector/)
  const m = load(readFileSync(join(repoRoot, 'krew', 'kd.yaml'), 'utf8')) as Manifest
  assert.is(m.spec.version, `v${pkg.version}`)
  assert.equal(m.spec.platforms.map((p) => `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`), ['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64'])
})

krewTest('validate-krew-manifest refuses broken manifests', () => {
  const good = readFileSync(join(repoRoot, 'krew', 'kd.yaml'), 'utf8')
  const cases: [string, string, RegExp][] = [
    [good.replace(/version: v[\d.]+/, 'version: 1.0'), 'kd.yaml', /failed to parse plugin version/],
    [good.replace(/sha256: [a-f0-9]{64}/, 'sha256: abc'), 'kd.yaml', /`sha256` value abc is not valid/],
    [good, 'kubedirector.yaml', /plugin should be named "kubedirector", not "kd"/],
    [good.replace(/arch: arm64/, 'arch: amd64'), 'kd.yaml', /overlapping platform selectors/],
    [good.replace(/ {4}bin: bin\/kubectl-kd\n/, ''), 'kd.yaml', /`bin` has to be set/],
  ]
  for (const [text, name, problem] of cases) {
    const r = validate(text, name)
    assert.is.not(r.status, 0, `${problem} passed`)
    assert.match(r.stderr, problem)
  }
})

krewTest('build-release, then validate-krew-manifest installs the archive with krew; the plugin runs on its own Node', async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'kubectl-kd.cjs')), 'dist/ missing: npm run build')
  const tmp = mkdtempSync(join(tmpdir(), 'kd-krew-'))
  const out = join(tmp, 'release')
  mkdirSync(out)
  const server = await serveFiles(out)
  try {
    // a manifest of linux/amd64 alone, its URI on the local server, so the validator's install step (which
    // runs `kubectl krew install --manifest` and looks for the LICENSE) runs for real
    const manifest = join(tmp, 'kd.yaml')
    const archive = buildArchive({version: pkg.version, out, manifest, baseUrl: server.url})
    const tools = toolsDir(join(tmp, 'tools'), krew)
    const env = {HOME: tmp, PATH: tools, KREW_NO_UPGRADE_CHECK: '1'}
    const v = await run(validator, ['-manifest', manifest], env)
    assert.is(v.code, 0, v.stderr)
    assert.match(v.stderr, /all 1 spec.platforms installed fine/)

    // the archive itself, offline, into a KREW_ROOT: what `kubectl krew install --archive` does
    const root = join(tmp, 'krew-root')
    const kenv = {...env, KREW_ROOT: root, PATH: `${join(root, 'bin')}:${tools}`}
    const i = await run(join(tools, 'kubectl-krew'), ['install', `--manifest=${manifest}`, `--archive=${archive}`], kenv)
    assert.is(i.code, 0, i.stderr)
    assert.match(i.stderr, /Installed plugin: kd\n/)
    const store = join(root, 'store', 'kd', `v${pkg.version}`)
    assert.ok(existsSync(join(store, 'LICENSE')), 'the archive carries a LICENSE (krew-index requires it)')
    const r = await run(join(root, 'bin', 'kubectl-kd'), ['version', '--client'], kenv)
    assert.is(r.code, 0, r.stderr)
    assert.is(r.stdout, `Client Version: v${pkg.version}\n`)
    const h = await run(join(root, 'bin', 'kubectl-kd'), ['--help'], kenv)
    assert.match(h.stdout, `node-v${readFileSync(join(store, 'node', 'VERSION'), 'utf8').trim()}`)
    const c = await run(join(store, 'bin', 'kubectl_complete-kd'), ['app', ''], kenv)
    assert.match(c.stdout, /^list\t/m)
  } finally {
    await server.close()
    rmSync(tmp, {recursive: true, force: true})
  }
})

krewTest.run()
