// The built-in app catalog: KubeDirector's spark221e2, cassandra311, spark211up and this project's own
// runnable spark35 and shelldemo. The YAML data files in ./catalog are embedded (catalog/index.ts) so the
// bundle needs no files at run time; they are parsed lazily, once.
import type {App} from './model.ts'
import {parseApp} from './parse.ts'
import {CATALOG_FILES} from './catalog/index.ts'

let cache: App[] | undefined

/** Fresh copies each call, so a caller changing an app (overrides) never changes the catalog. */
export function builtinApps(): App[] {
  cache ??= Object.entries(CATALOG_FILES).map(([file, text]) => parseApp(text, `builtin app ${file}`, 'builtin'))
  return structuredClone(cache)
}

export function builtinAppNames(): string[] {
  return builtinApps().map((a) => a.id)
}

export function findBuiltinApp(name: string): App | undefined {
  builtinApps()
  const app = cache!.find((a) => a.id === name)
  return app && structuredClone(app)
}
