// End-to-end test support: the local cluster's settings (from test/cluster/env.sh), kubectl, and a
// fresh namespace per suite that is removed afterwards.
import {execFileSync, spawnSync} from 'node:child_process'
import {writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {repoRoot} from './kd.ts'

function loadEnv(): Record<string, string> {
  const out = execFileSync('bash', ['-c', `source ${join(repoRoot, 'test/cluster/env.sh')} && env -0`], {encoding: 'utf8'})
  return Object.fromEntries(out.split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}

export const env = loadEnv()

export function kubectl(args: string[], opts: {input?: string; allowFail?: boolean; kubeconfig?: string} = {}): string {
  const r = spawnSync(env.KD_KUBECTL!, ['--kubeconfig', opts.kubeconfig ?? env.KUBECONFIG!, ...args], {input: opts.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (r.status !== 0 && !opts.allowFail) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

export function kubectlJson<T = any>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T
}

/** Environment for running the plugin against the local cluster. */
export const clusterEnv = () => ({KUBECONFIG: env.KUBECONFIG!, PATH: `${env.KD_CACHE}/bin:${process.env.PATH}`})

let counter = 0
export function createNamespace(prefix: string): string {
  const ns = `${prefix}-${process.pid % 10000}-${Date.now() % 100000}-${counter++}`
  kubectl(['create', 'namespace', ns])
  return ns
}

export function deleteNamespace(ns: string): void {
  kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], {allowFail: true})
}

/** Objects of any kind in a namespace that carry a label (for "nothing left behind" checks). */
export function objectsWithLabel(ns: string, selector: string): string[] {
  const kinds = 'configmaps,services,statefulsets,deployments,pods,serviceaccounts,roles,rolebindings,persistentvolumeclaims,secrets'
  return kubectl(['get', kinds, '-n', ns, '-l', selector, '-o', 'name'], {allowFail: true}).trim().split('\n').filter(Boolean)
}

/** A kubeconfig for a ServiceAccount bound to a ClusterRole (admin, edit, view) in a namespace. */
export function kubeconfigFor(ns: string, sa: string, clusterRole: string): string {
  kubectl(['-n', ns, 'create', 'serviceaccount', sa])
  kubectl(['-n', ns, 'create', 'rolebinding', `${sa}-${clusterRole}`, `--clusterrole=${clusterRole}`, `--serviceaccount=${ns}:${sa}`])
  const token = kubectl(['-n', ns, 'create', 'token', sa, '--duration=1h']).trim()
  return kubeconfigWithToken(ns, token)
}

export function kubeconfigWithToken(ns: string, token: string, server = env.KD_API_SERVER!): string {
  const admin = kubectlJson<any>(['config', 'view', '--raw', '--minify'])
  const ca = admin.clusters[0].cluster['certificate-authority-data'] ?? undefined
  const caFile = admin.clusters[0].cluster['certificate-authority']
  const dir = mkdtempSync(join(tmpdir(), 'kd-kubeconfig-'))
  const file = join(dir, 'kubeconfig')
  const cluster = ca ? `certificate-authority-data: ${ca}` : `certificate-authority: ${caFile}`
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: ${server}\n    ${cluster}\nusers:\n- name: u\n  user:\n    token: ${token}\ncontexts:\n- name: c\n  context: {cluster: local, user: u, namespace: ${ns}}\ncurrent-context: c\n`,
  )
  return file
}
