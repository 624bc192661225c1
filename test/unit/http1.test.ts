// The read-only commands' HTTP/1.1 client (src/kube/http1.ts): parsing complete answers. Requests to the
// real API server go through it in every e2e test of get, status and completion.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {createServer, type Server} from 'node:tls'
import {http1Client, parseResponse} from '../../src/kube/http1.ts'
import type {Credentials} from '../../src/kube/transport.ts'

const parse = suite('http1 parseResponse')
const raw = (s: string) => Buffer.from(s, 'latin1')

parse('Content-Length body, header names lower-cased', () => {
  const r = parseResponse(raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"items":[]}extra'))
  assert.is(r.status, 200)
  assert.is(r.headers['content-type'], 'application/json')
  assert.is(r.body.toString(), '{"items":[]')
})
parse('chunked body (with extensions), as the API server sends lists over 2 KB', () => {
  const r = parseResponse(raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\nA;ext=1\r\n"0123456"}\r\n0\r\n\r\n'))
  assert.is(r.body.toString(), '{"a":"0123456"}')
})
parse('no length: the body is what arrived before the close; UTF-8 survives chunk boundaries', () => {
  assert.is(parseResponse(raw('HTTP/1.0 404 Not Found\r\n\r\nnot found')).body.toString(), 'not found')
  const euro = Buffer.from('€', 'utf8')
  const r = parseResponse(Buffer.concat([raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n'), euro.subarray(0, 1), raw('\r\n2\r\n'), euro.subarray(1), raw('\r\n0\r\n\r\n')]))
  assert.is(r.body.toString('utf8'), '€')
})
parse('cut answers and non-HTTP answers are errors, never a short body', () => {
  assert.throws(() => parseResponse(Buffer.alloc(0)), /closed without an answer/)
  assert.throws(() => parseResponse(raw('HTTP/1.1 200 OK\r\nContent-Le')), /in the middle of an answer/)
  assert.throws(() => parseResponse(raw('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a"')), /in the middle of an answer/)
  assert.throws(() => parseResponse(raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a"')), /in the middle of an answer/)
  assert.throws(() => parseResponse(raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')), /malformed chunked/)
  assert.throws(() => parseResponse(raw('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP\/1.1 answer/)
})
parse.run()

const client = suite('http1 client against a local TLS server')
let dir = ''
let creds: Credentials
client.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kd-http1-'))
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], {encoding: 'utf8'})
  assert.is(r.status, 0, r.stderr)
})
client.after(() => rmSync(dir, {recursive: true, force: true}))

/** A server answering every request with `raw` and then keeping the connection open (as a proxy might), or closing it. */
async function serve(raw: string, close: boolean): Promise<{server: Server; seen: string[]}> {
  const seen: string[] = []
  const server = createServer({key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'))}, (socket) => {
    let request = ''
    socket.on('data', (d) => {
      request += d
      if (!request.includes('\r\n\r\n')) return
      seen.push(request)
      socket.write(raw)
      if (close) socket.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  creds = {server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, namespace: 'default', ca: readFileSync(join(dir, 'cert.pem')), token: () => 'tok'}
  return {server, seen}
}

client('a whole answer settles at once even when the connection stays open (Content-Length, chunked)', async () => {
  for (const raw of ['HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"items":1}', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ite\r\n6\r\nms":1}\r\n0\r\n\r\n']) {
    const {server, seen} = await serve(raw, false)
    const text = await http1Client(creds).text('/api/v1/pods', {query: {labelSelector: 'a=b', limit: undefined}, timeoutMs: 5000})
    assert.is(text, '{"items":1}')
    assert.match(seen[0]!, /^GET \/api\/v1\/pods\?labelSelector=a%3Db HTTP\/1\.1\r\n/)
    assert.match(seen[0]!, /\r\nAuthorization: Bearer tok\r\n/)
    assert.match(seen[0]!, /\r\nConnection: close\r\n/)
    server.close()
  }
})
client('no length: the body ends with the connection; a non-2xx answer throws {code, body}', async () => {
  let {server} = await serve('HTTP/1.1 200 OK\r\n\r\n{"a":1}', true)
  assert.is(await http1Client(creds).text('/x', {timeoutMs: 5000}), '{"a":1}')
  server.close()
  ;({server} = await serve('HTTP/1.1 403 Forbidden\r\nContent-Length: 31\r\n\r\n{"message":"pods is forbidden"}', false))
  try {
    await http1Client(creds).text('/x', {timeoutMs: 5000})
    assert.unreachable('a 403 must throw')
  } catch (err) {
    assert.is((err as {code: number}).code, 403)
    assert.equal((err as {body: unknown}).body, {message: 'pods is forbidden'})
  }
  server.close()
})
client('an answer that never completes fails at the timeout; an abort fails at once', async () => {
  const {server} = await serve('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial"', false)
  const slow = http1Client(creds).text('/x', {timeoutMs: 300}).then(() => 'resolved', (e: Error) => e.message)
  assert.match(await slow, /no answer within 0.3s/)
  const aborted = http1Client(creds).text('/x', {timeoutMs: 5000, signal: AbortSignal.timeout(50)}).then(() => 'resolved', (e: Error) => e.name)
  assert.is(await aborted, 'AbortError')
  server.close()
})
client.run()
