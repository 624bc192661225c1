// The built-in app catalog: KubeDirector's spark221e2, cassandra311, spark211up and this project's own
// runnable spark35 and shelldemo. The YAML data files in ./catalog are embedded, already parsed
// (catalog/index.ts), so the bundle needs no files at run time; each is checked and normalized lazily,
// once (a command about one app reads one).
import type {App} from './model.ts'
import {appFromDocuments} from './parse.ts'
import {CATALOG_FILES} from './catalog/index.ts'

const parsed = new Map<string, App>()

function parseFile(file: string): App {
  let app = parsed.get(file)
  if (!app) {
    app = appFromDocuments(CATALOG_FILES[file]!, `builtin app ${file}`, 'builtin')
    parsed.set(file, app)
  }
  return app
}

/** Fresh copies each call, so a caller changing an app (overrides) never changes the catalog. */
export function builtinApps(): App[] {
  return Object.keys(CATALOG_FILES).map((f) => structuredClone(parseFile(f)))
}

export function builtinAppNames(): string[] {
  return builtinApps().map((a) => a.id)
}

export function findBuiltinApp(name: string): App | undefined {
  // catalog files are named after their app
  const file = `${name}.yaml`
  if (CATALOG_FILES[file] !== undefined) {
    const app = parseFile(file)
    if (app.id === name) return structuredClone(app)
  }
  return builtinApps().find((a) => a.id === name)
}
