// Installing through krew, for real: kubectl-krew v0.4.3 built from its Go module (scripts/build-krew.sh),
// the release archive krew/build-release.mjs writes, the real kubectl, the local cluster. Each test has its
// own KREW_ROOT and a PATH without Node, so the plugin runs on the Node in its archive.
// GitHub is not reachable here: krew's default index is a local git repository (KREW_DEFAULT_INDEX_URI,
// krew's own setting) and the archives' URIs point at a local HTTP server; nothing else differs from a
// user's machine.
import {execFileSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {createNamespace, deleteNamespace, env as clusterEnv} from '../lib/cluster.ts'
import {repoRoot} from '../lib/kd.ts'
import {buildArchive, krewDir, run, serveFiles, toolsDir} from '../lib/krew.ts'

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}
const version = pkg.version
const next = version.replace(/\d+$/, (patch) => String(Number(patch) + 1)) // the next release, for upgrade
const krew = suite('krew: install, use through kubectl, upgrade, uninstall')
// made in before(), so a cluster that does not answer leaves nothing behind
let tmp: string
let ns: string
let release: string
let index: string
let server: Awaited<ReturnType<typeof serveFiles>>
let tools: string
let archive: string
let manifest: string // krew/kd.yaml as build-release rewrote it for this build
let nextManifest: string

const git = (...args: string[]) => execFileSync('git', ['-C', index, '-c', 'user.name=kd-test', '-c', 'user.email=kd-test@example.invalid', ...args], {stdio: 'pipe'})

/** Environment of a user of this KREW_ROOT: krew's bin on PATH, no Node anywhere on PATH. */
function userEnv(root: string): Record<string, string> {
  return {
    HOME: tmp,
    PATH: `${join(root, 'bin')}:${tools}`,
    KREW_ROOT: root,
    KREW_DEFAULT_INDEX_URI: index,
    KREW_NO_UPGRADE_CHECK: '1', // krew would ask GitHub for its own latest release
    KUBECONFIG: clusterEnv.KUBECONFIG!,
    CI: '1',
  }
}

krew.before(async () => {
  ns = createNamespace('kd-e2e-krew')
  tmp = mkdtempSync(join(tmpdir(), 'kd-krew-e2e-'))
  release = join(tmp, 'release')
  index = join(tmp, 'index')
  mkdirSync(release)
  server = await serveFiles(release)
  tools = toolsDir(join(tmp, 'tools'), krewDir(), clusterEnv.KD_KUBECTL)
  manifest = join(tmp, 'manifest', 'kd.yaml')
  mkdirSync(join(tmp, 'manifest'))
  copyFileSync(join(repoRoot, 'krew', 'kd.yaml'), manifest)
  archive = buildArchive({version, out: release, manifest, baseUrl: server.url})
  nextManifest = join(tmp, 'next', 'kd.yaml')
  buildArchive({version: next, out: release, manifest: nextManifest, baseUrl: server.url})
  // the index krew clones on `kubectl krew update`; plugins/ gets manifests in the upgrade test
  mkdirSync(join(index, 'plugins'), {recursive: true})
  writeFileSync(join(index, 'README.md'), 'krew index for the krew e2e test\n')
  execFileSync('git', ['init', '-q', index])
  git('add', '.')
  git('commit', '-qm', 'empty index')
})

krew.after(async () => {
  await server?.close()
  if (ns) deleteNamespace(ns)
  if (tmp) rmSync(tmp, {recursive: true, force: true})
})

krew('build-release rewrote only the linux/amd64 archive of krew/kd.yaml', () => {
  const committed = readFileSync(join(repoRoot, 'krew', 'kd.yaml'), 'utf8').split('\n')
  const written = readFileSync(manifest, 'utf8').split('\n')
  const changed = written.flatMap((line, i) => (line === committed[i] ? [] : [line.trim().split(':')[0]]))
  assert.equal(changed, ['uri', 'sha256'])
  assert.match(readFileSync(manifest, 'utf8'), `uri: ${server.url}/kubectl-kd_v${version}_linux_amd64.tar.gz`)
})

krew('kubectl krew install --manifest --archive; kubectl kd version, app list, get on the cluster; uninstall', async () => {
  const root = join(tmp, 'krew-manifest')
  const e = userEnv(root)
  const kubectl = (...args: string[]) => run('kubectl', args, e)
  // krew's first-time setup: clone the (local) default index; uninstall and list need one
  let r = await kubectl('krew', 'update')
  assert.is(r.code, 0, r.stderr)

  r = await kubectl('krew', 'install', `--manifest=${manifest}`, `--archive=${archive}`)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, /^Installing plugin: kd\nInstalled plugin: kd\n/m)
  assert.ok(existsSync(join(root, 'store', 'kd', `v${version}`, 'node', 'bin', 'node')), 'the archive carries its Node')
  r = await kubectl('plugin', 'list', '--name-only')
  assert.match(r.stdout, /^kubectl-kd$/m)

  r = await kubectl('kd', 'version', '--client')
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, `Client Version: v${version}\n`)
  r = await kubectl('kd', '--help')
  assert.match(r.stdout, `node-v${readFileSync(join(root, 'store', 'kd', `v${version}`, 'node', 'VERSION'), 'utf8').trim()}`)

  // the cluster, through kubectl: reads (get, app list) and writes (app add, create, delete)
  r = await kubectl('kd', 'app', 'add', join(repoRoot, 'examples', 'apps', 'greeter'), '-n', ns)
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, 'app/greeter created\n')
  r = await kubectl('kd', 'app', 'list', '-n', ns)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^NAME\s+DISTRO\s+VERSION\s+ROLES\s+SOURCE$/m)
  assert.match(r.stdout, /^greeter\s+example\/greeter\s.*\snamespace\//m)
  assert.match(r.stdout, /^spark221e2\s+bluedata\/spark221e2\s.*\sbuiltin$/m)
  r = await kubectl('kd', 'get', '-n', ns)
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stderr, `No resources found in ${ns} namespace.\n`)
  r = await kubectl('kd', 'create', 'shelldemo', 'demo', '-n', ns)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^cluster\/demo created$/m)
  r = await kubectl('kd', 'get', '-n', ns)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^NAME\s+APP\s+STATE\s+MEMBERS\s+AGE$/m)
  assert.match(r.stdout, /^demo\s+shelldemo\s/m)
  r = await kubectl('kd', 'delete', 'demo', '-n', ns)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^cluster\/demo deleted$/m)

  // krew does not upgrade what was installed from a manifest file ("detached"): see the next test
  r = await kubectl('krew', 'upgrade', 'kd')
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, /Skipping upgrade for "kd" because it was installed via manifest/)

  r = await kubectl('krew', 'uninstall', 'kd')
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, /^Uninstalled plugin: kd$/m)
  assert.not.ok(existsSync(join(root, 'bin', 'kubectl-kd')), 'kubectl-kd still linked')
  assert.equal(readdirSync(join(root, 'store')), [])
  r = await kubectl('kd', 'version', '--client')
  assert.is.not(r.code, 0)
  assert.match(r.stderr, /unknown command "kd"/)
})

krew(`kubectl krew upgrade: v${version} to v${next} from an index`, async () => {
  const root = join(tmp, 'krew-index')
  const e = userEnv(root)
  const kubectl = (...args: string[]) => run('kubectl', args, e)
  copyFileSync(manifest, join(index, 'plugins', 'kd.yaml'))
  git('add', 'plugins/kd.yaml')
  git('commit', '-qm', `kd v${version}`)
  let r = await kubectl('krew', 'update')
  assert.is(r.code, 0, r.stderr)
  r = await kubectl('krew', 'install', 'kd') // downloads the archive from the manifest's URI
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, /^Installed plugin: kd$/m)
  r = await kubectl('kd', 'version', '--client')
  assert.is(r.stdout, `Client Version: v${version}\n`, r.stderr)

  copyFileSync(nextManifest, join(index, 'plugins', 'kd.yaml'))
  git('commit', '-qam', `kd v${next}`)
  r = await kubectl('krew', 'upgrade') // updates the index first, as for a user
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stderr, `* kd v${version} -> v${next}`)
  assert.match(r.stderr, /^Upgraded plugin: kd$/m)
  r = await kubectl('kd', 'version', '--client')
  assert.is(r.code, 0, r.stderr)
  assert.is(r.stdout, `Client Version: v${next}\n`)
  assert.equal(readdirSync(join(root, 'store', 'kd')), [`v${next}`]) // the old version is removed
  r = await kubectl('krew', 'list')
  assert.match(r.stdout, /^kd$/m)

  r = await kubectl('krew', 'uninstall', 'kd')
  assert.is(r.code, 0, r.stderr)
  assert.not.ok(existsSync(join(root, 'bin', 'kubectl-kd')))
})

krew.run()
