import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {humanDuration, age} from '../../src/output/age.ts'
import {renderTable, withNamespaceColumn} from '../../src/output/table.ts'
import {formatData, formatName, parseFormat, asList} from '../../src/output/format.ts'
import {jsonpath} from '../../src/output/jsonpath.ts'
import {parseTarget, parseTargets} from '../../src/target.ts'
import {parseDuration} from '../../src/base-command.ts'
import {byNatural, byText} from '../../src/order.ts'

const durations = suite('humanDuration (kubectl AGE)')
for (const [ms, text] of [
  [0, '0s'],
  [59_000, '59s'],
  [119_000, '119s'],
  [120_000, '2m'],
  [125_000, '2m5s'],
  [600_000, '10m'],
  [179 * 60_000, '179m'],
  [3 * 3_600_000, '3h'],
  [3 * 3_600_000 + 12 * 60_000, '3h12m'],
  [47 * 3_600_000, '47h'],
  [2 * 86_400_000, '2d'],
  [2 * 86_400_000 + 5 * 3_600_000, '2d5h'],
  [30 * 86_400_000, '30d'],
  [3 * 365 * 86_400_000, '3y'],
  [-5000, '<invalid>'],
] as const) {
  durations(`${ms} ms is ${text}`, () => assert.is(humanDuration(ms), text))
}
durations('age of a timestamp', () => {
  assert.is(age('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z')), '5m')
  assert.is(age(undefined), '<unknown>')
})
durations.run()

const tables = suite('tables')
tables('uppercase headers, 3-space gaps, no trailing spaces', () => {
  const out = renderTable({headers: ['name', 'state', 'age'], rows: [['a', 'configured', '5m'], ['long-name', 'x', '1h']]})
  assert.is(out, 'NAME        STATE        AGE\na           configured   5m\nlong-name   x            1h\n')
})
tables('--no-headers and -A', () => {
  const t = withNamespaceColumn({headers: ['NAME'], rows: [['a']]}, ['ns1'])
  assert.is(renderTable(t, {noHeaders: true}), 'ns1   a\n')
})
tables('get -w: widths remembered across prints, growing only (kubectl watch)', () => {
  const widths: number[] = []
  const first = renderTable({headers: ['NAME', 'STATE', 'AGE'], rows: [['demo', 'creating', '1s']]}, {widths})
  assert.is(first, 'NAME   STATE      AGE\ndemo   creating   1s\n')
  // a shorter cell keeps the first print's width
  assert.is(renderTable({headers: ['NAME', 'STATE', 'AGE'], rows: [['d', 'x', '2s']]}, {noHeaders: true, widths}), 'd      x          2s\n')
  // a longer one widens its column from then on
  assert.is(renderTable({headers: ['NAME', 'STATE', 'AGE'], rows: [['a-longer-name', 'x', '3s']]}, {noHeaders: true, widths}), 'a-longer-name   x          3s\n')
  assert.is(renderTable({headers: ['NAME', 'STATE', 'AGE'], rows: [['d', 'x', '4s']]}, {noHeaders: true, widths}), 'd               x          4s\n')
})
tables.run()

const formats = suite('-o formats')
formats('closed set with kubectl wording', () => {
  assert.is(parseFormat(undefined, ['json']), 'table')
  assert.is(parseFormat('wide', ['json', 'wide']), 'wide')
  assert.throws(() => parseFormat('xml', ['json', 'yaml', 'name']), /unable to match a printer suitable for the output format "xml", allowed formats are: json,name,yaml/)
  assert.is(parseFormat('jsonpath={.a}', ['jsonpath']), 'jsonpath={.a}')
})
formats('name printer and lists', async () => {
  assert.is(formatName({kind: 'Cluster', group: 'kubectl-kd.io', name: 'x'}), 'cluster.kubectl-kd.io/x')
  assert.is(await formatData(null, 'name', [{kind: 'job', name: 'a'}, {kind: 'job', name: 'b'}]), 'job/a\njob/b\n')
  assert.equal(JSON.parse(await formatData(asList([1]), 'json')), {apiVersion: 'v1', kind: 'List', items: [1], metadata: {resourceVersion: ''}})
  assert.is(await formatData({a: {b: 1}}, 'yaml'), 'a:\n  b: 1\n')
})
formats('jsonpath: the text of the template and no newline after it (as kubectl)', async () => {
  assert.is(await formatData(asList([{metadata: {name: 'a'}}, {metadata: {name: 'b'}}]), 'jsonpath={.items[*].metadata.name}'), 'a b')
  assert.is(await formatData({metadata: {name: 'a'}}, 'jsonpath={.metadata.name}{"\\n"}'), 'a\n')
})
formats.run()

const jp = suite('jsonpath')
const data = {items: [{metadata: {name: 'a', labels: {'x.io/k': 'v1'}}}, {metadata: {name: 'b', labels: {'x.io/k': 'v2'}}}]}
jp('fields, wildcards, indexes, quoted keys', () => {
  assert.is(jsonpath(data, '{.items[*].metadata.name}'), 'a b')
  assert.is(jsonpath(data, '{.items[0].metadata.name}'), 'a')
  assert.is(jsonpath(data, '{.items[-1].metadata.name}'), 'b')
  assert.is(jsonpath(data, "{.items[1].metadata.labels['x.io/k']}"), 'v2')
  assert.is(jsonpath(data, 'names: {.items[*].metadata.name}!'), 'names: a b!')
})
jp('range/end with literals', () => {
  assert.is(jsonpath(data, '{range .items[*]}{.metadata.name}{"\\n"}{end}'), 'a\nb\n')
})
jp('errors', () => {
  assert.throws(() => jsonpath(data, '{.items[*].metadata.name'), /unclosed action/)
  assert.throws(() => jsonpath(data, '{range .items[*]}{.x}'), /range without end/)
  assert.throws(() => jsonpath(data, '{.items[?(@.x)]}'), /unsupported expression/)
})
jp.run()

const targets = suite('TYPE/NAME arguments and durations')
targets('forms kubectl accepts', () => {
  assert.equal(parseTarget('spark'), {name: 'spark'})
  assert.equal(parseTarget('cluster/spark'), {kind: 'cluster', name: 'spark'})
  assert.equal(parseTarget('job/pi'), {kind: 'job', name: 'pi'})
  assert.equal(parseTarget('job', 'pi'), {kind: 'job', name: 'pi'})
  assert.throws(() => parseTarget('pod/x'), /unknown resource type "pod"/)
  assert.throws(() => parseTarget('job/'), /the name is missing/)
  // one set of aliases for every command, and commands that take one kind
  assert.equal(parseTarget('sparkjobs/pi'), {kind: 'job', name: 'pi'})
  assert.equal(parseTarget('kdclusters', 'a'), {kind: 'cluster', name: 'a'})
  assert.equal(parseTarget('spark', undefined, 'cluster'), {kind: 'cluster', name: 'spark'})
  assert.equal(parseTarget('clusters/spark', undefined, 'cluster'), {kind: 'cluster', name: 'spark'})
  assert.throws(() => parseTarget('job/pi', undefined, 'cluster'), /works on clusters only/)
  // get's forms: TYPE NAME... and TYPE/NAME...; a name given twice is listed once
  assert.equal(parseTargets(['clusters']), {kind: 'cluster', names: []})
  // a name given twice is listed twice, in the order given (as kubectl)
  assert.equal(parseTargets(['cluster', 'x', 'demo', 'demo']), {kind: 'cluster', names: ['x', 'demo', 'demo']})
  assert.equal(parseTargets(['cluster/demo', 'cluster/x']), {kind: 'cluster', names: ['demo', 'x']})
  assert.throws(() => parseTargets(['cluster/demo', 'x']), /no need to specify a resource type as a separate argument/)
  assert.throws(() => parseTargets(['cluster/demo', 'job/x']), /give one type at a time/)
})
targets('durations', () => {
  assert.is(parseDuration('90', 'timeout'), 90_000)
  assert.is(parseDuration('1m30s', 'timeout'), 90_000)
  assert.is(parseDuration('250ms', 'timeout'), 250)
  assert.throws(() => parseDuration('5 minutes', 'timeout'), /invalid value "5 minutes" for flag --timeout/)
})
targets.run()

const order = suite('name order')
order('byText is code-unit order, byNatural compares digit runs as numbers', () => {
  assert.equal(['b', 'a-2', 'a-10', 'A', '__x'].sort(byText), ['A', '__x', 'a-10', 'a-2', 'b'])
  assert.equal(['pod-10', 'pod-2', 'pod-1', 'pod-1a', 'pod'].sort(byNatural), ['pod', 'pod-1', 'pod-1a', 'pod-2', 'pod-10'])
  assert.equal(['w-worker-10', 'w-worker-9', 'w-controller-0'].sort(byNatural), ['w-controller-0', 'w-worker-9', 'w-worker-10'])
  assert.is(byNatural('a-01', 'a-1'), -1)
})
order.run()

const progress = suite('--wait progress')

/** stderr of a progress run whose wait fails after one update (verbose renderer, as in CI). */
async function failedProgress(): Promise<string> {
  const {withClusterProgress} = await import('../../src/output/progress.ts')
  const written: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stderr.write
  const ci = process.env.CI
  process.env.CI = '1'
  try {
    await withClusterProgress('cluster/bad', ['controller', 'worker', 'edge'], false, async (onUpdate) => {
      onUpdate({state: 'creating', generation: '1', desired: {controller: 1, worker: 2, edge: 1}, members: [
        {pod: 'bad-controller-0', role: 'controller', state: 'configured', ready: true} as never,
        {pod: 'bad-worker-0', role: 'worker', state: 'config error', ready: false} as never,
        {pod: 'bad-worker-1', role: 'worker', state: 'create pending', ready: false, problem: {reason: 'ImagePullBackOff', text: 'ImagePullBackOff: image localhost/nosuch:1 of container app cannot be pulled'}} as never,
        // configured but not ready: not done, so never ✔
        {pod: 'bad-edge-0', role: 'edge', state: 'configured', ready: false} as never,
      ]})
      throw new Error('timed out')
    }).catch(() => undefined)
  } finally {
    process.stderr.write = write
    if (ci === undefined) delete process.env.CI
    else process.env.CI = ci
  }
  return written.join('').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
}

progress('a failed wait never marks the cluster done, and names the roles that did not finish', async () => {
  const out = await failedProgress()
  assert.not.match(out, /(\[COMPLETED\]|✔) cluster\/bad/)
  assert.match(out, /(\[FAILED\]|✖) cluster\/bad: members of worker, edge not configured/)
  assert.match(out, /(\[COMPLETED\]|✔) controller: members configured 1\/1/)
  // each failure line names its role, how far it got and why each member is held back
  assert.match(out, /(\[FAILED\]|✖) worker: members configured 0\/2 \(0:config error, 1:create pending ImagePullBackOff\)/)
  assert.match(out, /(\[FAILED\]|✖) edge: members configured 0\/1 \(0:configured not ready\)/)
  assert.not.match(out, /✔ (worker|edge)/)
  // title changes are logged (one line per change without a terminal)
  assert.match(out, /worker: members configured 0\/2 \(0:config error, 1:create pending ImagePullBackOff\)/)
})

progress.run()
