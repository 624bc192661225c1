// Cheap check (no client library) whether any kubeconfig or in-cluster config is available, so commands
// that also work offline (app list) skip the cluster instead of failing.
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

export function hasKubeconfig(explicit?: string): boolean {
  if (explicit) return true
  const files = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (files.some((f) => existsSync(f))) return true
  if (files.length === 0 && existsSync(join(homedir(), '.kube', 'config'))) return true
  return !!process.env.KUBERNETES_SERVICE_HOST
}
