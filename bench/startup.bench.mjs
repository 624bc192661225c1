// Cold-start wall time of `kubectl kd` (a new process each run: --help, app list --builtin, get against the
// local cluster, one completion) against `kubectl get pods` on the same cluster, measured interleaved in
// the same run. Prints medians and the ratio to kubectl (target ≤ 1.5×).
//   node bench/startup.bench.mjs [runs]      (KD_BENCH_RUNS, default 15; KD_BENCH_STRICT=1 fails over target)
// Needs `npm run build` (dist/) and, for get/kubectl, the local cluster: source test/cluster/env.sh.
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.argv[2] ?? process.env.KD_BENCH_RUNS ?? 15)
const TARGET = 1.5
const kd = join(root, 'bin', 'kubectl-kd')
const kubectl = process.env.KD_KUBECTL
const env = {...process.env, NO_COLOR: '1'}

if (!existsSync(join(root, 'dist', 'kubectl-kd.cjs'))) {
  console.error('dist/ is missing: run npm run build first')
  process.exit(1)
}

function time(cmd, args, extraEnv = {}) {
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, {env: {...env, ...extraEnv}, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').at(-1)}`)
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const clusterUp = !!kubectl && existsSync(kubectl) && spawnSync(kubectl, ['get', '--raw', '/readyz'], {env, stdio: 'ignore', timeout: 5000}).status === 0

/** name → [cmd, args, env]; the reference first. */
const cases = [
  ...(clusterUp ? [['kubectl get pods', kubectl, ['get', 'pods']]] : []),
  ...(kubectl && existsSync(kubectl) ? [['kubectl version --client', kubectl, ['version', '--client']]] : []),
  ['node -e ""', process.execPath, ['-e', '']],
  ['kd create spark221e2 --dry-run=client -o yaml', kd, ['create', 'spark221e2', '--dry-run=client', '-o', 'yaml'], {KUBECONFIG: '/nonexistent'}],
  ['kd --help', kd, ['--help']],
  ['kd app list --builtin', kd, ['app', 'list', '--builtin']],
  ...(clusterUp
    ? [
        ['kd get', kd, ['get']],
        ['kd get (no compile cache)', kd, ['get'], {NODE_DISABLE_COMPILE_CACHE: '1'}],
        ['kubectl_complete-kd get clusters ""', join(root, 'bin', 'kubectl_complete-kd'), ['get', 'clusters', '']],
      ]
    : []),
  ['kd --help (no compile cache)', kd, ['--help'], {NODE_DISABLE_COMPILE_CACHE: '1'}],
]
if (!clusterUp) console.log('note: the local cluster is not up (bash test/cluster/up.sh; source test/cluster/env.sh): `kd get` and `kubectl get pods` not measured')

// warm-up: page cache and the V8 compile cache, as for a user's second command
for (const [, cmd, args, extra] of cases) time(cmd, args, extra)
const samples = new Map(cases.map(([name]) => [name, []]))
for (let i = 0; i < runs; i++) for (const [name, cmd, args, extra] of cases) samples.get(name).push(time(cmd, args, extra))

const reference = clusterUp ? median(samples.get('kubectl get pods')) : undefined
// offline commands are compared with `kubectl version --client` (the foundation's target: ≤ 3×)
const offlineReference = samples.has('kubectl version --client') ? median(samples.get('kubectl version --client')) : undefined
const OFFLINE_TARGET = 3
console.log(`cold start, median of ${runs} runs (interleaved), ${process.version}`)
console.log(`${'COMMAND'.padEnd(48)}${'MEDIAN'.padStart(10)}${'MIN'.padStart(10)}${'÷GET PODS'.padStart(11)}${'÷VERSION'.padStart(10)}`)
let missed = []
for (const [name] of cases) {
  const xs = samples.get(name)
  const m = median(xs)
  const ratio = reference ? m / reference : undefined
  const kdCase = name.startsWith('kd ') && !name.includes('no compile cache')
  if (ratio !== undefined && kdCase && ratio > TARGET) missed.push(`${name} ${ratio.toFixed(2)}×`)
  const offlineRatio = offlineReference ? m / offlineReference : undefined
  console.log(`${name.padEnd(48)}${`${m.toFixed(0)} ms`.padStart(10)}${`${Math.min(...xs).toFixed(0)} ms`.padStart(10)}${(ratio === undefined ? '-' : `${ratio.toFixed(2)}×`).padStart(11)}${(offlineRatio === undefined ? '-' : `${offlineRatio.toFixed(2)}×`).padStart(10)}`)
}
if (offlineReference) {
  const offline = ['kd app list --builtin', 'kd create spark221e2 --dry-run=client -o yaml'].map((n) => [n, median(samples.get(n)) / offlineReference])
  const over = offline.filter(([, r]) => r > OFFLINE_TARGET)
  console.log(over.length ? `target ≤ ${OFFLINE_TARGET}× of kubectl version --client missed: ${over.map(([n, r]) => `${n} ${r.toFixed(2)}×`).join(', ')}` : `target ≤ ${OFFLINE_TARGET}× of kubectl version --client met (${offline.map(([n, r]) => `${n} ${r.toFixed(2)}×`).join(', ')})`)
}
if (reference) console.log(missed.length ? `target ≤ ${TARGET}× of kubectl get pods missed: ${missed.join(', ')}` : `target ≤ ${TARGET}× of kubectl get pods met`)
if (missed.length && process.env.KD_BENCH_STRICT === '1') process.exit(1)
