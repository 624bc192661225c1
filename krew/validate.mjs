// Checks a krew Plugin manifest against the rules krew's own validator (validate-krew-manifest) and
// krew-index apply, so `kubectl krew install` accepts it. Usage: node krew/validate.mjs FILE [ARCHIVE]
// With ARCHIVE (a local release archive) it also checks the sha256 and that `bin` is in the archive.
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {basename} from 'node:path'
import {spawnSync} from 'node:child_process'
import {load} from 'js-yaml'

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const OS = ['linux', 'darwin', 'windows']
const ARCH = ['amd64', 'arm64', '386', 'arm', 'ppc64le', 's390x']

/** Returns the problems found (empty when the manifest is valid). */
export function validateManifest(text, file) {
  const problems = []
  const m = load(text)
  const need = (cond, msg) => cond || problems.push(msg)
  need(m?.apiVersion === 'krew.googlecontainertools.github.com/v1alpha2', 'apiVersion must be krew.googlecontainertools.github.com/v1alpha2')
  need(m?.kind === 'Plugin', 'kind must be Plugin')
  const name = m?.metadata?.name
  need(typeof name === 'string' && NAME.test(name), `metadata.name ${JSON.stringify(name)} is not a valid plugin name`)
  if (file) need(basename(file) === `${name}.yaml`, `file name ${basename(file)} must be <metadata.name>.yaml`)
  const spec = m?.spec ?? {}
  need(typeof spec.version === 'string' && SEMVER.test(spec.version), `spec.version ${JSON.stringify(spec.version)} must be a semantic version with a leading v`)
  need(typeof spec.shortDescription === 'string' && spec.shortDescription.length > 0, 'spec.shortDescription is required')
  need(typeof spec.homepage === 'string' && /^https?:\/\//.test(spec.homepage), 'spec.homepage must be a URL')
  need(Array.isArray(spec.platforms) && spec.platforms.length > 0, 'spec.platforms must list at least one platform')
  const seen = new Set()
  for (const [i, p] of (spec.platforms ?? []).entries()) {
    const at = `spec.platforms[${i}]`
    const labels = p?.selector?.matchLabels
    need(labels || p?.selector?.matchExpressions, `${at}.selector is required`)
    if (labels) {
      need(OS.includes(labels.os), `${at}.selector.matchLabels.os ${JSON.stringify(labels.os)} is not one of ${OS.join(', ')}`)
      need(ARCH.includes(labels.arch), `${at}.selector.matchLabels.arch ${JSON.stringify(labels.arch)} is not one of ${ARCH.join(', ')}`)
      const key = `${labels.os}/${labels.arch}`
      need(!seen.has(key), `${at}: a second platform for ${key}`)
      seen.add(key)
    }
    need(typeof p?.uri === 'string' && /^https:\/\/\S+\.(tar\.gz|tgz|zip)$/.test(p.uri), `${at}.uri must be an https URL of a .tar.gz or .zip archive`)
    need(typeof p?.sha256 === 'string' && /^[a-f0-9]{64}$/.test(p.sha256), `${at}.sha256 must be 64 lowercase hex digits`)
    need(typeof p?.bin === 'string' && p.bin.length > 0 && !p.bin.split('/').includes('..'), `${at}.bin must be a path inside the archive`)
    if (labels?.os === 'windows') need(p.bin.endsWith('.exe'), `${at}.bin must end in .exe on windows`)
    for (const [j, f] of (p?.files ?? []).entries()) {
      need(typeof f?.from === 'string' && typeof f?.to === 'string', `${at}.files[${j}] needs from and to`)
      need(!String(f?.to).split('/').includes('..'), `${at}.files[${j}].to must stay inside the plugin directory`)
    }
  }
  return problems
}

/** For a local archive: its sha256 equals the manifest's, and `bin` is one of its files. */
export function checkArchive(platform, archive) {
  const problems = []
  const sum = createHash('sha256').update(readFileSync(archive)).digest('hex')
  if (sum !== platform.sha256) problems.push(`sha256 of ${archive} is ${sum}, the manifest says ${platform.sha256}`)
  const list = spawnSync('tar', ['-tzf', archive], {encoding: 'utf8'}).stdout.split('\n').map((l) => l.replace(/^\.\//, ''))
  if (!list.includes(platform.bin)) problems.push(`${archive} has no ${platform.bin}`)
  return problems
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, archive] = process.argv.slice(2)
  const text = readFileSync(file, 'utf8')
  const problems = validateManifest(text, file)
  if (archive) {
    const m = load(text)
    const os = process.platform, arch = process.arch === 'x64' ? 'amd64' : process.arch
    const platform = m.spec.platforms.find((p) => p.selector?.matchLabels?.os === os && p.selector?.matchLabels?.arch === arch)
    if (!platform) problems.push(`no platform for ${os}/${arch}`)
    else problems.push(...checkArchive(platform, archive))
  }
  for (const p of problems) console.error(`${file}: ${p}`)
  process.exit(problems.length ? 1 : 0)
}
