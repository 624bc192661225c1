// Interactive Spark on an app cluster, end to end on the local cluster: spark4 with a Jupyter Notebook
// member and a Spark Connect server (examples/clusters/spark4-notebook.yaml). Through `kubectl kd open`
// (pods/portforward via the API server) a headless Chromium (Debian's, test/cluster/chromium.sh) loads the
// master UI and the notebook page; the example notebook runs on the notebook server over its REST and
// kernel protocol; a PySpark Connect client on the host (test/cluster/spark-client.sh) counts through the
// Connect server's NodePort; a running job's Spark UI is opened; the token is in the Secret only.
// Screenshots and DOM dumps stay in the artifacts directory printed at the start.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {mkdtempSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import WebSocket from 'ws'
import {clusterEnv, createNamespace, deleteNamespace, env, kubectl} from '../lib/cluster.ts'
import {browse as browsePage} from '../lib/browser.ts'
import {isOneLineError, kd, kdBin, repoRoot} from '../lib/kd.ts'

const ns = createNamespace('kd-e2e-notebook')
const cluster = 'spark4nb'
const artifacts = mkdtempSync(join(tmpdir(), 'kd-notebook-artifacts-'))
process.stderr.write(`notebook e2e: screenshots and page dumps in ${artifacts}\n`)
const run = (args: string[], timeoutMs = 900_000) => kd([...args, '-n', ns], {env: clusterEnv(), timeoutMs})
const test = suite('notebook, Spark Connect and kubectl kd open on spark4')
const children: ChildProcess[] = []

test.after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGINT')
  if (!process.env.KD_KEEP) deleteNamespace(ns)
})

/** A helper script of test/cluster (installs once, cached under KD_CACHE); its last stdout line. */
function setupScript(name: string): string {
  const r = spawnSync('bash', [join(repoRoot, 'test/cluster', name)], {encoding: 'utf8', timeout: 600_000})
  assert.is(r.status, 0, `${name}: ${r.stderr}`)
  return r.stdout.trim().split('\n').pop()!
}

/** `kubectl kd open …` in the background; resolves with the URL it prints once it listens. */
async function open(args: string[]): Promise<{url: string; stop: () => Promise<void>}> {
  const child = spawn(kdBin, ['open', ...args, '--no-browser', '--port', '0', '-n', ns], {env: {...process.env, CI: '1', ...clusterEnv()}})
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  let code: number | null | undefined
  void exited.then((c) => (code = c))
  const deadline = Date.now() + 60_000
  while (!/^http\S+$/m.test(stdout) && code === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  const url = /^http\S+$/m.exec(stdout)?.[0]
  assert.ok(url, `open ${args.join(' ')} printed no URL (exit ${code}): ${stderr}`)
  assert.match(stderr, /^Forwarding from 127\.0\.0\.1:\d+ -> \S+:\d+ \(.+\)$/m)
  return {
    url: url!,
    stop: async () => {
      child.kill('SIGINT')
      // kubectl port-forward ends at once on Ctrl-C; one that does not fails here instead of hanging the suite
      const code = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 15_000))])
      if (code === 'running') child.kill('SIGKILL')
      assert.is(code, 0, `open ${args.join(' ')} after Ctrl-C: ${stderr}`)
    },
  }
}

async function fetchText(url: string, init: RequestInit = {}): Promise<{status: number; text: string}> {
  const r = await fetch(url, {...init, signal: AbortSignal.timeout(30_000)})
  return {status: r.status, text: await r.text()}
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 2000))
  }
  throw new Error(`${what}: not within ${ms / 1000}s${last ? ` (${(last as Error).message})` : ''}`)
}

let chromium = ''
/** Headless Chromium on a URL until its text matches `until`: the page's text; screenshot and DOM kept. */
async function browse(url: string, name: string, until: RegExp): Promise<string> {
  chromium ||= setupScript('chromium.sh')
  const load = () => browsePage(chromium, url, {until, screenshot: join(artifacts, `${name}.png`), html: join(artifacts, `${name}.html`)})
  // a Chromium that crashes (seen once on a starved node) is started again, once
  const page = await load().catch((err: Error) => (/chromium/i.test(err.message) ? load() : Promise.reject(err)))
  assert.match(page.text, until, `${name}: the page did not show ${until} (screenshot ${join(artifacts, `${name}.png`)})`)
  return page.text
}

const token = () => Buffer.from(kubectl(['get', 'secret', `${cluster}-kd-auth`, '-n', ns, '-o', 'jsonpath={.data.token}']), 'base64').toString('utf8')

interface Master {
  aliveworkers: number
  workers: Array<{host: string; state: string}>
  activeapps: Array<{name: string; state: string}>
  completedapps: Array<{name: string; state: string}>
}

test('create: spark4 with a notebook and a Connect server reaches configured; status shows the notebook URL, where its token is, and sc://', () => {
  const started = Date.now()
  const r = run(['create', '-f', join(repoRoot, 'examples/clusters/spark4-notebook.yaml'), '--wait', '--timeout', '12m'])
  assert.is(r.code, 0, r.stderr)
  process.stderr.write(`notebook e2e: create --wait took ${Math.round((Date.now() - started) / 1000)}s\n`)
  const s = run(['status', cluster])
  assert.is(s.code, 0, s.stderr)
  assert.match(s.stdout, new RegExp(`${cluster}-jupyter-0\\s+jupyter-nb\\s+8888:\\d+\\s+http://[0-9.]+:\\d+/tree\\s+yes \\(token\\)`))
  assert.match(s.stdout, new RegExp(`${cluster}-connect-0\\s+spark-connect\\s+15002:\\d+\\s+sc://[0-9.]+:\\d+`))
  assert.ok(s.stdout.includes(`kubectl get secret ${cluster}-kd-auth -n ${ns} -o jsonpath='{.data.token}' | base64 -d`), s.stdout)
  assert.ok(s.stdout.includes(`kubectl kd open ${cluster} jupyter-nb -n ${ns}`), s.stdout)
  assert.ok(token().length >= 32)
})

test('open: the master UI through the API server lists the alive workers (headless Chromium)', async () => {
  const fwd = await open([cluster])
  assert.match(fwd.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
  const master = await eventually('two alive workers', async () => {
    const m = JSON.parse((await fetchText(new URL('/json/', fwd.url).toString())).text) as Master
    return m.aliveworkers === 2 ? m : undefined
  })
  assert.equal(master.workers.filter((w) => w.state === 'ALIVE').map((w) => w.host.split('.')[0]).sort(), [`${cluster}-controller-0`, `${cluster}-worker-0`])
  const text = await browse(fwd.url, 'master-ui', /Workers: 2 Alive/)
  assert.ok(text.includes(`${cluster}-worker-0.${cluster}.${ns}.svc.cluster.local`), 'the worker is listed')
  assert.match(text, /ALIVE/)
  await fwd.stop()
})

test('open: the Jupyter page with the token (headless Chromium); without the token the server refuses', async () => {
  const fwd = await open([cluster, 'jupyter-nb'])
  assert.ok(fwd.url.endsWith(`/tree?token=${token()}`), fwd.url)
  const base = new URL(fwd.url)
  // the example notebook, uploaded so the file browser shows it
  const nb = JSON.parse(readFileSync(join(repoRoot, 'examples/notebooks/pyspark-pi.ipynb'), 'utf8'))
  const put = await fetchText(new URL('/api/contents/pyspark-pi.ipynb', base).toString(), {
    method: 'PUT',
    headers: {Authorization: `token ${token()}`, 'Content-Type': 'application/json'},
    body: JSON.stringify({type: 'notebook', format: 'json', content: nb}),
  })
  assert.ok(put.status === 201 || put.status === 200, `PUT notebook: ${put.status} ${put.text}`)
  const refused = await fetchText(new URL('/api/contents', base).toString())
  assert.is(refused.status, 403, 'no token, no API')
  // the file browser (rendered by scripts once the token let them in) lists the notebook
  await browse(fwd.url, 'jupyter', /pyspark-pi\.ipynb/)
  // a connection still open (half a request the notebook server waits an hour on, as a browser's open
  // WebSocket) does not keep `open` alive after Ctrl-C: stop() wants it gone within 15 s
  const held = connect(Number(base.port), '127.0.0.1')
  held.on('error', () => undefined)
  await new Promise((resolve) => held.once('connect', resolve))
  held.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  await new Promise((r) => setTimeout(r, 1000))
  await fwd.stop()
  held.destroy()
})

/** Runs a notebook's code cells on the server's kernel (REST + the kernel WebSocket protocol); their text outputs. */
async function runNotebook(base: URL, tok: string, nb: {cells: Array<{cell_type: string; source: string | string[]}>}): Promise<string[]> {
  const headers = {Authorization: `token ${tok}`, 'Content-Type': 'application/json'}
  const k = JSON.parse((await fetchText(new URL('/api/kernels', base).toString(), {method: 'POST', headers, body: JSON.stringify({name: 'python3'})})).text) as {id: string}
  assert.ok(k.id, 'a kernel started')
  const session = randomUUID()
  const channels = new URL(`/api/kernels/${k.id}/channels?session_id=${session}`, base).toString().replace(/^http/, 'ws')
  const outputs: string[] = []
  let onMessage: (data: Buffer) => void = () => undefined
  // a dropped connection (the API server restarted under the port-forward) is opened again: the server keeps
  // the session's messages meanwhile and replays them
  let ws!: WebSocket
  let finished = false
  const connect = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        ws = new WebSocket(channels, [], {headers: {Authorization: `token ${tok}`}, handshakeTimeout: 30_000})
        await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
        break
      } catch (err) {
        if (attempt >= 30) throw err
        await new Promise((r) => setTimeout(r, 2000))
      }
    }
    ws.on('message', (d: Buffer) => onMessage(d))
    ws.on('error', () => undefined)
    ws.once('close', () => {
      if (!finished) void connect().catch(() => undefined)
    })
  }
  await connect()
  try {
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      const code = Array.isArray(cell.source) ? cell.source.join('') : cell.source
      const msgId = randomUUID()
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`cell did not finish in 8 min: ${code.slice(0, 80)}`)), 480_000)
        onMessage = (data: Buffer) => {
          const m = JSON.parse(data.toString('utf8'))
          if (m.parent_header?.msg_id !== msgId) return
          if (m.msg_type === 'stream') outputs.push(m.content.text)
          else if (m.msg_type === 'execute_result') outputs.push(m.content.data['text/plain'])
          else if (m.msg_type === 'error') outputs.push(`${m.content.ename}: ${m.content.evalue}`)
          else if (m.msg_type === 'execute_reply') {
            clearTimeout(timer)
            if (m.content.status === 'ok') resolve()
            else reject(new Error(`cell failed: ${outputs.join('')}`))
          }
        }
      })
      ws.send(JSON.stringify({
        header: {msg_id: msgId, session, username: 'e2e', msg_type: 'execute_request', version: '5.3', date: new Date().toISOString()},
        parent_header: {},
        metadata: {},
        content: {code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true},
        channel: 'shell',
        buffers: [],
      }))
      await done
    }
  } finally {
    finished = true
    ws.close()
  }
  return outputs
}

test('the example notebook runs on the cluster: Pi in its output, its application on the master', async () => {
  const nbFwd = await open([cluster, 'jupyter-nb'])
  const nb = JSON.parse(readFileSync(join(repoRoot, 'examples/notebooks/pyspark-pi.ipynb'), 'utf8'))
  const started = Date.now()
  const out = (await runNotebook(new URL(nbFwd.url), token(), nb)).join('')
  process.stderr.write(`notebook e2e: the example notebook ran in ${Math.round((Date.now() - started) / 1000)}s:\n${out}`)
  assert.match(out, new RegExp(`master: spark://${cluster}-controller-0\\.${cluster}\\.${ns}\\.svc\\.cluster\\.local:7077`))
  assert.match(out, /Pi is roughly 3\.1\d+/)
  const masterFwd = await open([cluster, 'spark'])
  const m = JSON.parse((await fetchText(new URL('/json/', masterFwd.url).toString())).text) as Master
  assert.ok([...m.activeapps, ...m.completedapps].some((a) => a.name === 'notebook-pyspark-pi'), JSON.stringify(m.activeapps))
  await nbFwd.stop()
  await masterFwd.stop()
})

test('a PySpark Connect client on the host counts 1e6 rows through the Connect server\'s NodePort', () => {
  const python = setupScript('spark-client.sh')
  const status = JSON.parse(run(['status', cluster, '-o', 'json']).stdout)
  const sc = status.endpoints.find((e: any) => e.name === 'spark-connect')?.url as string
  assert.match(sc, /^sc:\/\/[0-9.]+:\d+$/)
  // the example client (a script, as users run it: pyspark's connect module takes `python -c` for its doctests)
  const started = Date.now()
  const r = spawnSync(python, [join(repoRoot, 'examples/spark/connect_count.py'), sc], {encoding: 'utf8', timeout: 300_000})
  process.stderr.write(`notebook e2e: the Connect client ran in ${Math.round((Date.now() - started) / 1000)}s\n`)
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^server: ${env.KD_SPARK4_VERSION!.replaceAll('.', '\\.')}$`, 'm'))
  assert.match(r.stdout, /^count: 1000000$/m)
})

test('open job/NAME: a running job\'s Spark UI lists its stages; a finished or unknown job and an unknown dashboard are one-line errors', async () => {
  kubectl(['create', 'rolebinding', 'default-edit', '--clusterrole=edit', `--serviceaccount=${ns}:default`, '-n', ns])
  const jar = `local:///opt/spark/examples/jars/spark-examples_2.13-${env.KD_SPARK4_VERSION}.jar`
  // -n before the jar: what follows the jar is the application's arguments
  const s = kd(['submit', '-n', ns, '--master', `k8s://${env.KD_API_SERVER}`, '--deploy-mode', 'cluster', '--name', 'nbjob', '--class', 'org.apache.spark.examples.SparkPi',
    '--conf', `spark.kubernetes.container.image=${env.KD_SPARK4_IMAGE}`, '--conf', 'spark.kubernetes.submission.waitAppCompletion=false', '--conf', 'spark.executor.instances=1',
    '--conf', 'spark.kubernetes.driver.request.cores=100m', '--conf', 'spark.kubernetes.executor.request.cores=100m', '--driver-memory', '512m', '--executor-memory', '512m',
    jar, '100000'], {env: clusterEnv(), timeoutMs: 300_000})
  assert.is(s.code, 0, s.stderr)
  await eventually('job nbjob running', async () => (JSON.parse(run(['status', 'job/nbjob', '-o', 'json']).stdout).state === 'RUNNING' ? true : undefined), 300_000)
  const fwd = await open(['job/nbjob'])
  const stages = await eventually('a stage on the Spark UI', async () => {
    const page = await fetchText(new URL('/stages/', fwd.url).toString())
    return page.status === 200 && /reduce at SparkPi\.(java|scala)/.test(page.text) ? page.text : undefined
  })
  assert.match(stages, /Stages for All Jobs/)
  await browse(new URL('/stages/', fwd.url).toString(), 'job-stages', /reduce at SparkPi\.(java|scala)/)
  await fwd.stop()
  assert.is(run(['delete', 'job/nbjob']).code, 0)
  await eventually('job nbjob gone', async () => (run(['status', 'job/nbjob']).code === 1 ? true : undefined))

  const gone = run(['open', 'job/nbjob', '--no-browser'])
  assert.ok(isOneLineError(gone), gone.stderr)
  assert.match(gone.stderr, /job "nbjob" not found/)
  const nodash = run(['open', cluster, 'nosuch', '--no-browser'])
  assert.ok(isOneLineError(nodash), nodash.stderr)
  assert.match(nodash.stderr, /has no dashboard or member "nosuch" \(dashboards: spark, spark-worker, jupyter-nb, spark-ui; /)
})

test('the token is in its Secret only: no annotation, ConfigMap, Event, agent log, -o yaml or -v output holds it', () => {
  const tok = token()
  const places: Record<string, string> = {
    'pods, services, configmaps, statefulsets, deployments (-o yaml)': kubectl(['get', 'pods,services,configmaps,statefulsets,deployments,serviceaccounts,roles,rolebindings', '-n', ns, '-o', 'yaml']),
    events: kubectl(['get', 'events', '-n', ns, '-o', 'yaml']),
    'agent log': kubectl(['logs', '-n', ns, `deployment/${cluster}-kd-agent`, '--tail=-1']),
    'kd status -o yaml': run(['status', cluster, '-o', 'yaml']).stdout,
    'kd get cluster -o yaml': run(['get', 'cluster', cluster, '-o', 'yaml']).stdout,
    'kd status -v': (() => {
      const r = run(['status', cluster, '-v'])
      return r.stdout + r.stderr
    })(),
    'kd create --dry-run=client -o yaml': run(['create', '-f', join(repoRoot, 'examples/clusters/spark4-notebook.yaml'), '--dry-run=client', '-o', 'yaml']).stdout,
  }
  for (const [where, text] of Object.entries(places)) {
    assert.ok(text.length > 0, `${where}: empty`)
    assert.not.ok(text.includes(tok), `the token is in ${where}`)
  }
  // and the member reads it from the Secret by reference
  const env = kubectl(['get', 'pod', `${cluster}-jupyter-0`, '-n', ns, '-o', 'jsonpath={.spec.containers[0].env}'])
  assert.match(env, /"secretKeyRef":\{"key":"token","name":"spark4nb-kd-auth"\}/)
})

test('delete removes the cluster and its token Secret', () => {
  const d = run(['delete', cluster, '--wait', '--timeout', '5m'])
  assert.is(d.code, 0, d.stderr)
  assert.is(kubectl(['get', 'secret', '-n', ns, '-l', `kubectl-kd.io/cluster=${cluster}`, '-o', 'name']).trim(), '')
})

test.run()
