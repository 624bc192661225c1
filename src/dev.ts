// A source checkout that was not built (bin/kubectl-kd runs this under tsx): the CLI from src/, with
// oclif's command registry and help class read from src/commands.ts instead of dist/cli.cjs.
import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {main} from './cli.ts'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
pjson.oclif.commands.target = './src/commands.ts'
pjson.oclif.helpClass.target = './src/commands.ts'
await main(process.argv.slice(2), {root, pjson})
