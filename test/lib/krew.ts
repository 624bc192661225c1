// Test support for the krew tests: the real krew (built from its Go module by scripts/build-krew.sh),
// release archives from krew/build-release.mjs, a local HTTP server standing in for the release download
// site (GitHub is not reachable here), and a PATH holding no Node.js, so a plugin that runs proves it
// runs on the Node in its archive.
import {execFileSync, spawn} from 'node:child_process'
import {createReadStream, existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {basename, join} from 'node:path'
import {repoRoot} from './kd.ts'

export interface Result {
  code: number
  stdout: string
  stderr: string
}

/** kubectl-krew and validate-krew-manifest: built once per krew version, cached in ~/.cache/kubectl-kd. */
export function krewDir(): string {
  return execFileSync('bash', [join(repoRoot, 'scripts', 'build-krew.sh')], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_800_000}).trim()
}

/** Runs a command without blocking the event loop (the HTTP server below answers krew meanwhile). */
export function run(cmd: string, args: string[], env: Record<string, string>, cwd = repoRoot): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {env, cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', (e) => resolve({code: -1, stdout, stderr: `${stderr}${e.message}`}))
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
  })
}

/** Serves the files of one directory over http://127.0.0.1:PORT/NAME, as a release page would. */
export async function serveFiles(dir: string): Promise<{url: string; close: () => Promise<void>}> {
  const server = createServer((req, res) => {
    const file = join(dir, basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)))
    if (!existsSync(file)) return void res.writeHead(404).end()
    res.writeHead(200, {'content-type': 'application/gzip'})
    createReadStream(file).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve()))}
}

/**
 * A directory for PATH with only what krew and the plugin's launcher use (sh, readlink, dirname, git) plus
 * kubectl and krew's binaries. No node: the plugin must find its own. kubectl is the given binary, or,
 * where no kubectl is built yet (unit tests on a fresh machine), a stand-in doing what kubectl does for
 * `kubectl NAME ARGS…` when NAME is a plugin: run kubectl-NAME from PATH.
 */
export function toolsDir(dir: string, krew: string, kubectl?: string): string {
  mkdirSync(dir, {recursive: true})
  for (const tool of ['sh', 'readlink', 'dirname', 'git']) {
    const path = execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim()
    symlinkSync(path, join(dir, tool))
  }
  for (const bin of ['kubectl-krew', 'validate-krew-manifest']) symlinkSync(join(krew, bin), join(dir, bin))
  if (kubectl) symlinkSync(kubectl, join(dir, 'kubectl'))
  else writeFileSync(join(dir, 'kubectl'), '#!/bin/sh\nname=$1; shift\nexec "kubectl-$name" "$@"\n', {mode: 0o755})
  return dir
}

/** Builds the linux/amd64 release archive of a version into `out`, its manifest into `manifest`. */
export function buildArchive(opts: {version: string; out: string; manifest: string; baseUrl: string}): string {
  execFileSync(
    process.execPath,
    [join(repoRoot, 'krew', 'build-release.mjs'), '--no-build', '--platform', 'linux/amd64', '--version', opts.version, '--out', opts.out, '--manifest', opts.manifest, '--base-url', opts.baseUrl],
    {cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000},
  )
  return join(opts.out, `kubectl-kd_v${opts.version}_linux_amd64.tar.gz`)
}
