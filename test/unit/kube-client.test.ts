// The HTTP client's failure modes, against local servers that misbehave on purpose: every failure is one
// ApiError of a kind callers branch on, with a message that says what happened; nothing hangs.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {createServer} from 'node:net'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {httpClient} from '../../src/kube/http-client.ts'
import {connect} from '../../src/kube/connection.ts'
import {ApiError, errorFromAnswer} from '../../src/kube/errors.ts'
import {R} from '../../src/kube/client.ts'
import {isUserError} from '../../src/errors.ts'

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (err) {
    assert.instance(err, ApiError)
    return err as ApiError
  }
  throw new Error('expected a failure')
}

test('a server that accepts TCP but never completes TLS: a handshake timeout, not a hang', async () => {
  const sockets: import('node:net').Socket[] = []
  const server = createServer((s) => void sockets.push(s)).listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const port = (server.address() as {port: number}).port
  const kube = httpClient({server: `https://127.0.0.1:${port}`, namespace: 'default', context: 'c'}, {handshakeTimeoutMs: 300})
  const started = Date.now()
  const err = await failure(kube.list(R.pods('default')))
  assert.is(err.kind, 'Timeout')
  assert.match(err.message, /TLS handshake with https:\/\/127\.0\.0\.1:\d+ timed out after 0\.3s/)
  assert.ok(Date.now() - started < 5000)
  kube.close()
  for (const s of sockets) s.destroy()
  server.close()
})

test('requests with bodies on a kept-alive connection are framed (DELETE with DeleteOptions, twice)', async () => {
  const {execFileSync} = await import('node:child_process')
  const {createServer: createHttps} = await import('node:https')
  const dir = mkdtempSync(join(tmpdir(), 'kd-tls-'))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key'), '-out', join(dir, 'crt')], {stdio: 'ignore'})
  const {readFileSync} = await import('node:fs')
  const bodies: string[] = []
  const server = createHttps({key: readFileSync(join(dir, 'key')), cert: readFileSync(join(dir, 'crt'))}, (req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      bodies.push(`${req.method} ${req.url} ${body}`)
      res.setHeader('content-type', 'application/json')
      res.end('{"kind":"Status","status":"Success"}')
    })
  }).listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const port = (server.address() as {port: number}).port
  const kube = httpClient({server: `https://127.0.0.1:${port}`, namespace: 'default', context: 'c', ca: readFileSync(join(dir, 'crt'))})
  await kube.delete(R.services('ns'), 'a', {uid: 'u1'})
  await kube.delete(R.services('ns'), 'b', {uid: 'u2'})
  await kube.get(R.services('ns'), 'c')
  assert.equal(bodies.map((b) => b.split(' ').slice(0, 2).join(' ')), ['DELETE /api/v1/namespaces/ns/services/a', 'DELETE /api/v1/namespaces/ns/services/b', 'GET /api/v1/namespaces/ns/services/c'])
  assert.equal(JSON.parse(bodies[1]!.split(' ').slice(2).join(' ')).preconditions, {uid: 'u2'})
  kube.close()
  server.close()
})

test('a create turned away with 429 is sent again; one answered otherwise is sent once', async () => {
  const {execFileSync} = await import('node:child_process')
  const {createServer: createHttps} = await import('node:https')
  const {readFileSync} = await import('node:fs')
  const dir = mkdtempSync(join(tmpdir(), 'kd-tls-'))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key'), '-out', join(dir, 'crt')], {stdio: 'ignore'})
  const seen: string[] = []
  const server = createHttps({key: readFileSync(join(dir, 'key')), cert: readFileSync(join(dir, 'crt'))}, (req, res) => {
    req.resume()
    req.on('end', () => {
      const name = req.url!.includes('busy') ? 'busy' : 'broken'
      seen.push(name)
      res.setHeader('content-type', 'application/json')
      // the first create of "busy" is turned away (priority and fairness); "broken" always fails inside
      const first = seen.filter((n) => n === name).length === 1
      if (name === 'busy' && first) return void res.writeHead(429, {'retry-after': '0'}).end('{"kind":"Status","code":429,"reason":"TooManyRequests","message":"too many requests"}')
      if (name === 'broken') return void res.writeHead(500).end('{"kind":"Status","code":500,"reason":"InternalError","message":"etcd timeout"}')
      res.writeHead(201).end('{"kind":"Pod","metadata":{"name":"busy","uid":"u"}}')
    })
  }).listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const port = (server.address() as {port: number}).port
  const kube = httpClient({server: `https://127.0.0.1:${port}`, namespace: 'default', context: 'c', ca: readFileSync(join(dir, 'crt'))})
  const pod = await kube.create<{metadata: {uid: string}}>({apiVersion: 'v1', resource: 'pods', namespace: 'busy'}, {metadata: {name: 'busy'}})
  assert.is(pod.metadata.uid, 'u')
  const err = await failure(kube.create({apiVersion: 'v1', resource: 'pods', namespace: 'broken'}, {metadata: {name: 'broken'}}))
  assert.is(err.kind, 'ServerError')
  assert.equal(seen, ['busy', 'busy', 'broken'], 'the 429 once more, the 500 not (the create may have happened)')
  kube.close()
  server.close()
})

test('a refused connection: Unreachable, naming the server', async () => {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const port = (server.address() as {port: number}).port
  server.close()
  await new Promise((r) => setTimeout(r, 50))
  const err = await failure(httpClient({server: `https://127.0.0.1:${port}`, namespace: 'default', context: 'c'}).get(R.pods('default'), 'x'))
  assert.is(err.kind, 'Unreachable')
  assert.match(err.message, new RegExp(`^the cluster at https://127\\.0\\.0\\.1:${port} is not reachable \\(ECONNREFUSED\\)`))
})

test('answers without a body still say something specific', () => {
  const server = 'https://k:6443'
  const cases: Array<[number, RegExp, string]> = [
    [404, /^get configmaps\/x: not found \(404\) at https:\/\/k:6443; is this a Kubernetes API server\?$/, 'NotFound'],
    [403, /^forbidden \(403\) \(needed for: get configmaps\/x\)$/, 'Forbidden'],
    [500, /^get configmaps\/x: the API server failed \(500\)$/, 'ServerError'],
    [409, /^get configmaps\/x: conflict \(409\)$/, 'Conflict'],
    [401, /rejected the credentials \(401 Unauthorized\)/, 'Unauthorized'],
  ]
  for (const [code, pattern, kind] of cases) {
    const err = errorFromAnswer(code, '', 'get configmaps/x', server)
    assert.match(err.message, pattern)
    assert.is(err.kind, kind)
  }
  const exists = errorFromAnswer(409, JSON.stringify({kind: 'Status', reason: 'AlreadyExists', message: 'configmaps "x" already exists'}), 'create configmaps/x', server)
  assert.is(exists.kind, 'AlreadyExists')
  assert.is(exists.message, 'create configmaps/x: configmaps "x" already exists')
})

test('API errors are the user\'s to act on: printed as one line, never as a bug', () => {
  for (const err of [errorFromAnswer(401, '', 'get x', 'https://k'), errorFromAnswer(500, '', 'get x', 'https://k')]) assert.ok(isUserError(err), err.kind)
})

test('a kubeconfig that is not one is named as such', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-garbage-'))
  writeFileSync(join(dir, 'config'), 'garbage\n')
  try {
    await connect({kubeconfig: join(dir, 'config')})
    assert.unreachable('connected')
  } catch (err) {
    assert.match((err as Error).message, /^kubeconfig .*config holds no contexts: is it a kubeconfig file\?$/)
  }
})

test.run()
