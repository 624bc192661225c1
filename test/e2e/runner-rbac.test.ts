// The in-cluster runner's Role holds exactly what it uses, on the real API server: for every verb of the
// Role (src/spark/render-runner.ts runnerRules), a run whose Role lacks that one verb ends otherwise than
// the same run with the whole Role. Two runs use every call between them: a driver that fails at once
// with output (the real Spark image, an application file that does not exist: pods/log is read for the
// cause) and a driver whose image does not exist (the start timeout: the pod is read and deleted). Each
// is a suspended schedule whose Role is cut before `kubectl kd run` starts its run.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl} from '../lib/cluster.ts'
import {kd} from '../lib/kd.ts'
import {runnerRules} from '../../src/spark/render-runner.ts'
import {runnerName} from '../../src/spark/lifecycle.ts'
import {eventually} from './agent-members.ts'

const ns = createNamespace('kd-e2e-runner-rbac')
const run = (args: string[]) => kd([args[0]!, '-n', ns, ...args.slice(1)], {env: clusterEnv(), timeoutMs: 120_000})
const rules = runnerRules() as {resources: string[]; verbs: string[]}[]
/** every (rule, verb) of the Role, and `undefined` for the whole Role */
const cuts: ({rule: number; verb: string} | undefined)[] = [undefined, ...rules.flatMap((r, rule) => r.verbs.map((verb) => ({rule, verb})))]
const SCENARIOS = {
  // spark-submit in the driver fails on the missing file and says so in the driver's log
  fails: ['--image', env.KD_SPARK_IMAGE!, '--conf', 'spark.kubernetes.driver.request.cores=50m', '--driver-memory', '512m', 'local:///opt/kd-no-such-file.py'],
  // the image does not exist: the driver never runs; the start timeout reads it and deletes it
  stuck: ['--image', 'localhost/kubectl-kd/spark:no-such-tag', '--conf', 'spark.kubernetes.driver.request.cores=10m', '--start-timeout', '5s', 'local:///opt/x.py'],
} as const
const jobName = (scenario: string, i: number) => `rb-${scenario}-${i}`
const cutText = (i: number) => (cuts[i] ? `${cuts[i]!.verb} ${rules[cuts[i]!.rule]!.resources.join(',')}` : 'the whole Role')

/**
 * What a run ended with, without names and times, and how many runner pods it took (a runner stopped by a
 * forbidden call is replaced by its Job and may still finish the run: that counts as otherwise too);
 * `undefined` while it runs.
 */
function outcome(job: string): string | undefined {
  const r = run(['status', `job/${job}`, '-o', 'json'])
  if (r.code !== 0) return undefined
  const s = JSON.parse(r.stdout) as {runs?: {name: string; state?: string; attempts?: {state: string; reason?: string}[]}[]}
  const last = s.runs?.[0]
  if (!last || !['COMPLETED', 'FAILED', 'SUBMISSION_FAILED'].includes(last.state ?? '')) return undefined
  // (what a stuck driver shows by its deadline depends on the node's speed: image pull error, or still Pending)
  const clean = (t = '') => t.replace(/driver not Running.*$/, 'driver not Running').replace(/rb-\w+-\d+[-\w]*/g, 'NAME').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
  // (a failed application ends its runner with exit code 3, which fails the Job: one pod either way)
  const runnerPods = kubectl(['-n', ns, 'get', 'pods', '-l', `batch.kubernetes.io/job-name=${last.name}`, '-o', 'name']).trim().split('\n').filter(Boolean).length
  return `${last.state}: ${JSON.stringify((last.attempts ?? []).map((a) => [a.state, clean(a.reason)]))}; runner pods: ${runnerPods}`
}

const test = suite("runner RBAC: its Role is exactly what it uses (real API server)")

test('without any one verb of its Role, a run ends otherwise than with the whole Role', async () => {
  kubectl(['-n', ns, 'create', 'serviceaccount', 'spark'])
  kubectl(['-n', ns, 'create', 'rolebinding', 'spark-edit', '--clusterrole=edit', `--serviceaccount=${ns}:spark`])
  for (const [scenario, args] of Object.entries(SCENARIOS)) {
    for (let i = 0; i < cuts.length; i++) {
      const r = run(['submit', '--name', jobName(scenario, i), '--service-account', 'spark', '--schedule', '0 0 1 1 *', '--suspend', '--restart-policy', 'Never', ...args])
      assert.is(r.code, 0, r.stderr)
      const cut = cuts[i]
      if (!cut) continue
      const verbs = rules[cut.rule]!.verbs.filter((v) => v !== cut.verb)
      // (a rule left without verbs goes: the API server refuses an empty one)
      const op = verbs.length ? {op: 'replace', path: `/rules/${cut.rule}/verbs`, value: verbs} : {op: 'remove', path: `/rules/${cut.rule}`}
      kubectl(['-n', ns, 'patch', 'role', runnerName(jobName(scenario, i)), '--type=json', '-p', JSON.stringify([op])])
    }
  }
  for (const scenario of Object.keys(SCENARIOS)) for (let i = 0; i < cuts.length; i++) assert.is(run(['run', `job/${jobName(scenario, i)}`]).code, 0)
  // the whole Role's runs end first (the others may never end: their runner stops at the forbidden call)
  const full = {
    fails: await eventually('the failing run with the whole Role to end', () => outcome(jobName('fails', 0)), 300_000, 2000),
    stuck: await eventually('the stuck run with the whole Role to end', () => outcome(jobName('stuck', 0)), 300_000, 2000),
  }
  assert.match(full.fails, /^FAILED: \[\["FAILED","Error: exit code \d+: python3: can't open file .+"\]\]; runner pods: 1$/, full.fails)
  assert.is(full.stuck, 'FAILED: [["FAILED","start timeout 5s: driver not Running"]]; runner pods: 1')
  // a cut Role's run: given as long again as the whole Role's took, then compared
  await eventually('the cut runs to end', () => cuts.every((_, i) => i === 0 || (outcome(jobName('fails', i)) && outcome(jobName('stuck', i)))), 90_000, 3000).catch(() => undefined)
  const same: string[] = []
  for (let i = 1; i < cuts.length; i++) {
    const got = {fails: outcome(jobName('fails', i)), stuck: outcome(jobName('stuck', i))}
    if (got.fails === full.fails && got.stuck === full.stuck) same.push(cutText(i))
  }
  assert.equal(same, [], `without these the runs end as with the whole Role, so the Role grants more than the runner uses: ${same.join('; ')}`)
})

test.after(() => deleteNamespace(ns))
test.run()
