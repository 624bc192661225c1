// Which kubeconfig files apply, found the way kubectl finds them, without a client library: the one place
// the plugin resolves --kubeconfig / KUBECONFIG / ~/.kube/config. Also the cheap check whether any
// kubeconfig or in-cluster config is available, so commands that also work offline (app list) skip the
// cluster instead of failing.
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

/** The kubeconfig files that exist, in order: --kubeconfig, else the KUBECONFIG list, else ~/.kube/config. */
export function kubeconfigFiles(explicit?: string): string[] {
  const files = explicit ? [explicit] : (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  return (files.length ? files : [join(homedir(), '.kube', 'config')]).filter((f) => existsSync(f))
}

export function hasKubeconfig(explicit?: string): boolean {
  // a missing --kubeconfig file is an error the connection reports
  return !!explicit || kubeconfigFiles().length > 0 || !!process.env.KUBERNETES_SERVICE_HOST
}
