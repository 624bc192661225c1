// Text from the cluster never drives the terminal: a crafted root, a member's script output, a hostile
// app in the namespace, a failed driver's log and the errors quoting them go through the real actions on
// the fake client and the real printers, and no control character but a deliberate newline or tab is
// left in what reaches stdout or stderr. -o json|yaml stay exact (and valid).
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {load} from 'js-yaml'
import {FakeKube} from '../lib/fake-kube.ts'
import {changeClusters, type ClusterChangeRequest} from '../../src/actions/cluster/cluster-change.ts'
import {clusterStatus, listClusters} from '../../src/actions/cluster/clusters.ts'
import {waitForCluster} from '../../src/actions/cluster/wait.ts'
import {jobStatus} from '../../src/actions/job/jobs.ts'
import {listApps, resolveApp, appConfigMapName, APP_KEY} from '../../src/actions/app/apps.ts'
import {findBuiltinApp} from '../../src/app/catalog.ts'
import {R} from '../../src/kube/client.ts'
import {ANNOTATION, CONFIGURED_CONDITION, LABEL, MANAGED_BY} from '../../src/cluster/names.ts'
import {clusterStatusText, clustersTable} from '../../src/output/clusters.ts'
import {jobStatusText} from '../../src/output/jobs.ts'
import {appShowText, appsTable} from '../../src/output/apps.ts'
import {renderTable} from '../../src/output/table.ts'
import {formatData} from '../../src/output/format.ts'
import {errorLine, printError} from '../../src/output/errors.ts'
import {escapeTerminal, escapeTerminalLines} from '../../src/output/terminal.ts'
import {UserError} from '../../src/errors.ts'

const NS = 'team'
/** What a terminal acts on: C0 but newline and tab, DEL, C1. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/
// window title, clipboard (OSC 52), screen clearing, a C1 CSI, a bell
const TITLE = '\u001b]0;pwned\u0007'
const CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4K\u0007'
const CLEAR = '\u001b[2J\u001b[H'
const CSI = '\u009b31m'
const EVIL = `${TITLE}${CLIPBOARD}${CLEAR}${CSI}\r\u0008\u007f`

const clean = (text: string, what: string) => {
  const at = text.search(RAW)
  assert.ok(at < 0, `${what}: a raw control character 0x${text.charCodeAt(at).toString(16)} at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`)
}

/** Everything printError writes on stderr. */
function stderrOf(run: () => void): string {
  let out = ''
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stderr.write
  try {
    run()
  } finally {
    process.stderr.write = write
  }
  return out
}

const request = (over: Partial<ClusterChangeRequest> = {}): ClusterChangeRequest => ({
  app: 'shelldemo',
  name: 'demo',
  members: [],
  images: [],
  packages: [],
  dryRun: 'none',
  allowExisting: false,
  ...over,
})

function memberPod(name: string, role: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, labels: {[LABEL.cluster]: 'demo', [LABEL.role]: role, [LABEL.app]: 'shelldemo', [LABEL.managedBy]: MANAGED_BY}, annotations, ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: `demo-${role}`, uid: `uid-${role}`, controller: true}]},
    spec: {nodeName: `n1${EVIL}`},
    status: {
      phase: 'Running',
      hostIP: '192.0.2.9',
      containerStatuses: [{name: 'app', ready: false, restartCount: 0, containerID: 'containerd://c1', state: {running: {}}}],
      conditions: [{type: 'Ready', status: 'False'}, {type: CONFIGURED_CONDITION, status: 'False'}],
    },
  }
}

const escapes = suite('escapeTerminal')

escapes('kubectl\'s ^[ and \\r, \\xNN for the other controls; one line shows \\n and \\t, multi-line text keeps them', () => {
  assert.is(escapeTerminal('a\u001b]0;t\u0007b'), 'a^[]0;t\\x07b')
  assert.is(escapeTerminal('x\ry\u009b2J\u007f\u0000'), 'x\\ry\\x9b2J\\x7f\\x00')
  assert.is(escapeTerminal('one\ntwo\tthree'), 'one\\ntwo\\tthree')
  assert.is(escapeTerminalLines('one\n\ttwo\u001b[2J'), 'one\n\ttwo^[[2J')
  // printable text, UTF-8 included, is untouched
  assert.is(escapeTerminal('naïve – 名前 ✔'), 'naïve – 名前 ✔')
})

escapes('a table cell is escaped and the columns line up on what is shown', () => {
  const out = renderTable({headers: ['NAME', 'STATE'], rows: [['a\u001bb', 'x'], ['long-name', 'y']]})
  assert.is(out, 'NAME        STATE\na^[b        x\nlong-name   y\n')
})

const crafted = suite('crafted cluster data')

crafted('a crafted root, its members\' script output and events: status, describe and get print no raw control character', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  // someone with ConfigMap rights writes the root's annotations and content
  const root = kube.find(R.configMaps(NS), 'demo-kd')!
  const app = JSON.parse(root.data['app.json'])
  app.label = {name: `Shell${TITLE}`, description: `demo${CLIPBOARD}`}
  const cluster = JSON.parse(root.data['cluster.json'])
  cluster.serviceType = `NodePort${CLEAR}`
  await kube.patch(R.configMaps(NS), 'demo-kd', 'merge', {
    metadata: {annotations: {[ANNOTATION.state]: `configured${EVIL}`, [ANNOTATION.rollup]: JSON.stringify({[`x${TITLE}`]: 1})}},
    data: {'app.json': JSON.stringify(app), 'cluster.json': JSON.stringify(cluster)},
  })
  // the member's startscript wrote escape sequences to its output; the agent copied them to its annotations
  kube.seed(
    R.pods(NS),
    memberPod('demo-worker-0', 'worker', {
      [ANNOTATION.state]: `config error${CSI}`,
      [ANNOTATION.configuredContainer]: 'containerd://c1',
      [ANNOTATION.lastError]: `startscript exited 3${TITLE}`,
      [ANNOTATION.lastOutput]: `line 1\n${CLIPBOARD}line 2\t${CLEAR}\nline 3${EVIL}\n`,
    }),
  )
  kube.seed(R.events(NS), {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {name: 'demo-kd.1'},
    involvedObject: {kind: 'ConfigMap', name: 'demo-kd'},
    type: `Warning${TITLE}`,
    reason: `Odd${CSI}`,
    message: `look${CLIPBOARD}here`,
    lastTimestamp: '2026-01-01T00:00:00Z',
  })
  const status = await clusterStatus(kube, 'demo')
  assert.ok(status.members[0]!.lastOutput!.includes(CLIPBOARD), 'the crafted output reached the status')
  const text = clusterStatusText(status)
  clean(text, 'status')
  // still readable: the sequences are shown, the deliberate lines of the output kept
  assert.match(text, /Last output of demo-worker-0:\n  line 1\n  \^\[\]52;c;cm0gLXJmIH4K\\x07line 2\t\^\[\[2J/)
  assert.match(text, /startscript exited 3\^\[\]0;pwned\\x07/)
  assert.match(text, /look\^\[\]52;c;cm0gLXJmIH4K\\x07here/)
  const listed = await listClusters(kube, {})
  clean(renderTable(clustersTable(listed.summaries, {wide: true})), 'get -o wide')
  // -o json and -o yaml are data: exact, and nothing a terminal acts on either
  const json = await formatData(status, 'json')
  clean(json, 'status -o json')
  assert.equal(JSON.parse(json), JSON.parse(JSON.stringify(status)))
  const yaml = await formatData(status, 'yaml')
  clean(yaml, 'status -o yaml')
  assert.equal(load(yaml), JSON.parse(JSON.stringify(status)))
})

crafted('an error quoting the cluster (a member\'s last error in --wait) is printed escaped', async () => {
  const kube = new FakeKube(NS)
  await changeClusters(kube, request())
  kube.seed(R.pods(NS), memberPod('demo-worker-0', 'worker', {[ANNOTATION.state]: 'config error', [ANNOTATION.configuredContainer]: 'containerd://c1', [ANNOTATION.lastError]: `exited 3${EVIL}`}))
  let err: unknown
  await waitForCluster(kube, 'demo', {timeoutMs: 10_000, failAfterMs: 50}).catch((e: unknown) => (err = e))
  assert.ok(err instanceof UserError && err.message.includes(TITLE), String(err))
  const out = stderrOf(() => printError(err))
  clean(out, 'the error')
  assert.match(out, /^error: .*exited 3\^\[\]0;pwned\\x07/)
  // a bug's message too; a deliberate multi-line message keeps its lines and tabs
  clean(stderrOf(() => printError(new Error(`boom${CLEAR}`))), 'a bug')
  assert.is(stderrOf(() => printError(new UserError(`two\n\tlines${CSI}`))), 'error: two\n\tlines\\x9b31m\n')
  // the lines before the last error of several targets (status a b)
  assert.is(errorLine(`cluster "x${TITLE}" not found`), 'error: cluster "x^[]0;pwned\\x07" not found\n')
})

crafted('a failed driver\'s reason and last log lines in status job/NAME', async () => {
  const kube = new FakeKube('spark')
  kube.seed(R.pods('spark'), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'pi-driver', labels: {'spark-role': 'driver', 'spark-app-selector': `spark-pi`, 'spark-app-name': `pi${TITLE}`}, creationTimestamp: '2026-01-01T00:00:00Z'},
    spec: {volumes: []},
    status: {phase: 'Failed', containerStatuses: [{name: 'spark-kubernetes-driver', state: {terminated: {exitCode: 1, reason: `Error${CSI}`, message: `died${CLIPBOARD}`}}}]},
  })
  kube.texts.set('/api/v1/namespaces/spark/pods/pi-driver/log', `starting\n\tat x.y(Z.java:1)${CLEAR}\nException in thread "main" java.lang.RuntimeException: bad${TITLE}\n`)
  const status = await jobStatus(kube, 'pi')
  assert.ok(status.lastLogLines?.some((l) => l.includes(TITLE)), 'the log reached the status')
  const text = jobStatusText(status)
  clean(text, 'status job')
  assert.match(text, /Last driver log lines:\n  starting\n  \tat x\.y\(Z\.java:1\)\^\[\[2J/)
})

crafted('a hostile app in the namespace: app list -o wide and app show', async () => {
  const kube = new FakeKube(NS)
  const base = findBuiltinApp('shelldemo')!
  const evil = {
    ...base,
    id: 'evil',
    distroID: `bluedata/x${TITLE}`,
    version: `1${CSI}`,
    label: {name: `Evil${CLEAR}`, description: `harmless${CLIPBOARD}`},
    defaultConfig: {...base.defaultConfig, configMeta: {[`k${TITLE}`]: `v${CSI}`}},
    roles: base.roles.map((r) => ({...r, imageRepoTag: `img${EVIL}`})),
    services: base.services.map((s) => ({...s, label: {...s.label, name: `svc${TITLE}`}})),
  }
  kube.seed(R.configMaps(NS), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {name: appConfigMapName('evil'), labels: {[LABEL.managedBy]: MANAGED_BY, [LABEL.appDefinition]: 'evil'}},
    data: {[APP_KEY]: JSON.stringify(evil)},
  })
  const listing = await listApps(async () => kube)
  assert.ok(listing.apps.some((a) => a.id === 'evil'))
  const table = renderTable(appsTable(listing, {wide: true}))
  clean(table, 'app list -o wide')
  assert.match(table, /harmless\^\[\]52;c;cm0gLXJmIH4K\\x07/)
  const shown = appShowText(await resolveApp('evil', kube))
  clean(shown, 'app show')
  assert.match(shown, /Label: +Evil\^\[\[2J\^\[\[H\n/)
})

escapes.run()
crafted.run()
