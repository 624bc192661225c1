// Which directories of a member go on its persistent volume, as KubeDirector decides: always /etc; with a
// config package also the setup dirs (new layout: /opt/guestconfig, /var/log/guestconfig, /usr/local/bin,
// /usr/local/lib; legacy layout: /opt, /usr); plus the role's persistDirs. Sub-directories of a listed
// directory are dropped (the parent covers them). Pure.
import type {AppRole} from '../app/model.ts'

const BASE_PERSIST_DIRS = ['/etc']
const NEW_LAYOUT_PERSIST_DIRS = ['/etc', '/opt/guestconfig', '/var/log/guestconfig', '/usr/local/bin', '/usr/local/lib']
const LEGACY_LAYOUT_PERSIST_DIRS = ['/etc', '/opt', '/usr']

export function persistedDirs(role: AppRole): string[] {
  const defaults = !role.configPackage ? BASE_PERSIST_DIRS : role.configPackage.useNewSetupLayout ? NEW_LAYOUT_PERSIST_DIRS : LEGACY_LAYOUT_PERSIST_DIRS
  const all = [...new Set([...defaults, ...role.persistDirs])]
  return all.filter((dir) => !all.some((other) => other !== dir && dir.startsWith(`${other}/`)))
}
