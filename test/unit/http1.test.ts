// The read-only commands' HTTP/1.1 client (src/kube/http1.ts): parsing complete answers. Requests to the
// real API server go through it in every e2e test of get, status and completion.
import {suite} from 'uvu'
import * as assert from 'uvu/assert'
import {parseResponse} from '../../src/kube/http1.ts'

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
