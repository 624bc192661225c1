// Limits that hold under hostile input, on the pure parts: a config package's unpacked size (packing
// and reading), a package's identity (its content hash in the URL), and the script timeout annotation
// of apps and clusters.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {chmodSync, mkdirSync, mkdtempSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {parseApp} from '../../src/app/parse.ts'
import {DEFAULT_SCRIPT_TIMEOUT_SECONDS, parseDuration, scriptTimeoutOf} from '../../src/app/script-timeout.ts'
import {parseClusterSpecs} from '../../src/cluster/parse.ts'
import {resolveCluster} from '../../src/cluster/validate.ts'
import {
  configMapPackageURL,
  PACKAGE_MAX_UNPACKED_BYTES,
  packageConfigMapFromURL,
  packageHashFromURL,
  packDirectory,
  PackageLimitError,
  readTar,
  writeTar,
} from '../../src/cluster/package.ts'
import {throwsUserError} from '../lib/user-errors.ts'

const base = mkdtempSync(join(tmpdir(), 'kd-limits-'))

function pkgDir(name: string, files: Record<string, string | number>): string {
  const dir = join(base, name)
  mkdirSync(dir, {recursive: true})
  for (const [f, content] of Object.entries(files)) {
    const path = join(dir, f)
    if (typeof content === 'number') {
      writeFileSync(path, '')
      truncateSync(path, content) // sparse: no disk used, but this many bytes to pack
    } else writeFileSync(path, content)
    chmodSync(path, 0o755)
  }
  return dir
}

test('packing refuses a directory above the unpacked limit, naming it and the limit (however well it compresses)', () => {
  const dir = pkgDir('zeros', {startscript: '#!/bin/sh\n', 'data.bin': 150 * 1000 * 1000})
  throwsUserError(() => packDirectory(dir), `config package ${dir} is more than 16 MiB unpacked, the limit for a config package: leave large files out of it (put them in the image or fetch them from startscript)`)
  // just under the limit is fine
  const ok = pkgDir('under', {startscript: '#!/bin/sh\n', 'data.bin': PACKAGE_MAX_UNPACKED_BYTES - 64 * 1024})
  assert.ok(packDirectory(ok).byteLength < 100 * 1024)
})

test('reading a package stops at the unpacked limit: a tiny .tgz of zeros never becomes a huge buffer', () => {
  const tar = writeTar([{path: 'p/startscript', type: 'file', mode: 0o755, data: new Uint8Array(64 * 1024 * 1024)}])
  const tgz = new Uint8Array(gzipSync(tar))
  assert.ok(tgz.byteLength < 200 * 1024)
  const before = process.memoryUsage().arrayBuffers
  assert.throws(() => readTar(tgz), (e: Error) => e instanceof PackageLimitError && e.message === 'unpacks to more than 16 MiB, the limit for a config package')
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024)
  // an uncompressed tar over the limit too; garbage is a limit error, not a crash
  assert.throws(() => readTar(tar), (e: Error) => e instanceof PackageLimitError)
  assert.throws(() => readTar(new Uint8Array([0x1f, 0x8b, 1, 2, 3])), (e: Error) => e instanceof PackageLimitError && /is not a readable \.tgz/.test(e.message))
  // the limit is a parameter: a small package reads fine under a larger one
  assert.is(readTar(gzipSync(writeTar([{path: 'p/startscript', type: 'file', mode: 0o755, data: new Uint8Array(10)}])))[0]!.path, 'p/startscript')
})

test('a package URL carries its content hash: new content, new URL; the ConfigMap name stays', () => {
  const a = packDirectory(pkgDir('v1/appconfig', {startscript: '#!/bin/sh\necho 1\n'}))
  const b = packDirectory(pkgDir('v2/appconfig', {startscript: '#!/bin/sh\necho 2\n'}))
  const again = packDirectory(pkgDir('v1b/appconfig', {startscript: '#!/bin/sh\necho 1\n'}))
  const ua = configMapPackageURL('kd-pkg-c-appconfig', a)
  assert.match(ua, /^configmap:\/\/kd-pkg-c-appconfig#sha256=[0-9a-f]{16}$/)
  assert.is.not(configMapPackageURL('kd-pkg-c-appconfig', b), ua)
  assert.is(configMapPackageURL('kd-pkg-c-appconfig', again), ua, 'packing is deterministic')
  assert.is(packageConfigMapFromURL(ua), 'kd-pkg-c-appconfig')
  assert.is(packageHashFromURL(ua), ua.split('=')[1])
  assert.is(packageHashFromURL('configmap://kd-pkg-x'), undefined)
  assert.is(configMapPackageURL('kd-pkg-x'), 'configmap://kd-pkg-x')
})

const appYaml = (annotation: string) => `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorApp
metadata:
  name: demo
  annotations: {kubectl-kd.io/script-timeout: "${annotation}"}
spec:
  label: {name: demo}
  distroID: x/demo
  version: "1"
  configSchemaVersion: 8
  defaultImageRepoTag: img
  roles: [{id: a, cardinality: "1"}]
  config: {selectedRoles: [a], roleServices: [{roleID: a, serviceIDs: []}]}
`
const clusterYaml = (annotation?: string) => `apiVersion: kubedirector.hpe.com/v1beta1
kind: KubeDirectorCluster
metadata:
  name: c
${annotation !== undefined ? `  annotations: {kubectl-kd.io/script-timeout: "${annotation}"}\n` : ''}spec:
  app: shelldemo
  roles: [{id: controller}, {id: worker}]
`

test('script timeout: durations, the app and cluster annotations, the cluster winning, bad values refused with the field', () => {
  assert.equal(['90', '90s', '10m', '1h', '1h30m', '2m5s', 'x', '10 m', '1d', '-5', ''].map(parseDuration), [90, 90, 600, 3600, 5400, 125, undefined, undefined, undefined, undefined, undefined])
  assert.is(parseApp(appYaml('2m'), 'app.yaml').scriptTimeoutSeconds, 120)
  const spec = parseClusterSpecs(clusterYaml('45s'), 'cluster.yaml')[0]!
  const cluster = resolveCluster(findBuiltinApp('shelldemo')!, spec, 'cluster.yaml')
  assert.is(cluster.scriptTimeoutSeconds, 45)
  assert.is(scriptTimeoutOf({scriptTimeoutSeconds: 120}, cluster), 45)
  assert.is(scriptTimeoutOf({scriptTimeoutSeconds: 120}, {}), 120)
  assert.is(scriptTimeoutOf({}, {}), DEFAULT_SCRIPT_TIMEOUT_SECONDS)
  assert.is(scriptTimeoutOf({scriptTimeoutSeconds: 'x; rm -rf /'}, {scriptTimeoutSeconds: -3}), DEFAULT_SCRIPT_TIMEOUT_SECONDS, 'a hand-edited root cannot break the agent')
  assert.is(resolveCluster(findBuiltinApp('shelldemo')!, parseClusterSpecs(clusterYaml(), 'cluster.yaml')[0]!, 'cluster.yaml').scriptTimeoutSeconds, undefined)
  const msg = (v: string) => `"${v}" is not allowed: use a duration from 1s to 24h, such as 90s, 10m or 1h`
  for (const bad of ['0', 'soon', '25h', '-1m']) {
    throwsUserError(() => parseClusterSpecs(clusterYaml(bad), 'cluster.yaml'), `cluster.yaml: metadata.annotations["kubectl-kd.io/script-timeout"]: ${msg(bad)}`)
    throwsUserError(() => parseApp(appYaml(bad), 'app.yaml'), `app.yaml: metadata.annotations["kubectl-kd.io/script-timeout"]: ${msg(bad)}`)
  }
})

test.run()
