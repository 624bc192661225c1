// `create --image ROLE=IMAGE --package ROLE=SRC`: returns a copy of an app whose roles run other images or
// config packages (how a catalog app like spark221e2 runs with this project's own image and package).
// Pure; the caller turns a local package dir into a configmap:// or bundled:// reference first.
import type {App} from './model.ts'
import {UserError} from '../errors.ts'
import {packageURLProblem} from './validate.ts'

export interface AppOverrides {
  /** role id → image */
  images?: Record<string, string>
  /** role id → package URL (file://, http(s)://, configmap://NAME, bundled://DIR); '' or 'none' removes the role's package */
  packages?: Record<string, string>
}

export function applyOverrides(app: App, overrides: AppOverrides): App {
  const out = structuredClone(app)
  const roleIds = out.roles.map((r) => r.id)
  for (const [flag, map] of [['--image', overrides.images], ['--package', overrides.packages]] as const) {
    for (const role of Object.keys(map ?? {})) {
      if (!roleIds.includes(role))
        throw new UserError(`${flag} ${role}=…: app ${app.id} has no role ${JSON.stringify(role)}; its roles are ${roleIds.join(', ')}`)
    }
  }
  for (const role of out.roles) {
    const image = overrides.images?.[role.id]
    if (image !== undefined) {
      if (!image) throw new UserError(`--image ${role.id}=: the image must not be empty`)
      role.imageRepoTag = image
    }
    const pkg = overrides.packages?.[role.id]
    if (pkg === undefined) continue
    if (pkg === '' || pkg === 'none') {
      delete role.configPackage
      continue
    }
    const problem = packageURLProblem(pkg)
    if (problem) throw new UserError(`--package ${role.id}=${pkg}: ${problem}`)
    role.configPackage = {packageURL: pkg, useNewSetupLayout: role.configPackage?.useNewSetupLayout ?? true}
  }
  return out
}
