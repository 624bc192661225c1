// `create --image ROLE=IMAGE --package ROLE=SRC`: returns a copy of an app whose roles run other images or
// config packages (how a catalog app like spark221e2 runs with this project's own image and package).
// Pure; the caller turns a local package dir into a configmap:// or bundled:// reference first.
import type {App} from './model.ts'
import {UserError} from '../errors.ts'
import {imageReferenceProblem, packageURLProblem} from './validate.ts'

export interface AppOverrides {
  /** role id → image */
  images?: Record<string, string>
  /** role id → package URL (file://, http(s)://, configmap://NAME, bundled://DIR) or a local directory; '' or 'none' removes the role's package */
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
      const bad = imageReferenceProblem(image)
      if (bad) throw new UserError(`--image ${role.id}=${image}: ${bad}`)
      role.imageRepoTag = image
    }
    const pkg = overrides.packages?.[role.id]
    if (pkg === undefined) continue
    if (pkg === '' || pkg === 'none') {
      delete role.configPackage
      continue
    }
    // a path without a scheme is a local package directory, packed by the caller
    const problem = /^[a-z]+:\/\//.test(pkg) || pkg.startsWith('bundled:') ? packageURLProblem(pkg) : undefined
    if (problem) throw new UserError(`--package ${role.id}=${pkg}: ${problem}`)
    role.configPackage = {packageURL: pkg, useNewSetupLayout: role.configPackage?.useNewSetupLayout ?? true}
  }
  return out
}
