// Which kubeconfigs the plugin reads without @kubernetes/client-node (simple-kubeconfig.ts), and that it
// resolves them as client-node does; everything else must answer undefined so client-node handles it.
import {test} from 'uvu'
import * as assert from 'uvu/assert'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {leanCredentials, simpleKubeconfig} from '../../src/kube/simple-kubeconfig.ts'

const dir = mkdtempSync(join(tmpdir(), 'kd-simple-kubeconfig-'))
const b64 = (s: string) => Buffer.from(s).toString('base64')
writeFileSync(join(dir, 'ca.crt'), 'CA')
mkdirSync(join(dir, 'certs'))
writeFileSync(join(dir, 'certs', 'v.crt'), 'CERT')

/** A kubeconfig with contexts a (cluster x, user u) and b (current: cluster y, user v); clusterFields go into y. */
function kubeconfig(name: string, users: string, clusterFields = ''): string {
  const file = join(dir, name)
  writeFileSync(file, `apiVersion: v1
kind: Config
current-context: b
contexts:
- {name: a, context: {cluster: x, user: u}}
- {name: b, context: {cluster: y, user: v, namespace: team}}
clusters:
- {name: x, cluster: {server: https://x}}
- {name: y, cluster: {server: https://y:6443/, certificate-authority: ca.crt, certificate-authority-data: ${b64('INLINE')}${clusterFields}}}
users:
${users}
`)
  return file
}

const certUsers = `- {name: u, user: {token: tok}}
- {name: v, user: {client-certificate: certs/v.crt, client-key-data: ${b64('KEY')}}}`

test('client certificate: current context, files relative to the kubeconfig before inline data, namespace', () => {
  const r = simpleKubeconfig(kubeconfig('cert', certUsers), {})!
  assert.is(r.context, 'b')
  assert.is(r.credentials.server, 'https://y:6443')
  assert.is(r.credentials.namespace, 'team')
  assert.is(r.credentials.ca?.toString(), 'CA')
  assert.is(r.credentials.cert?.toString(), 'CERT')
  assert.is(r.credentials.key?.toString(), 'KEY')
  assert.is(r.credentials.authorization, undefined)
  assert.is(r.credentials.insecureSkipTLSVerify, false)
  assert.is(simpleKubeconfig(kubeconfig('cert', certUsers), {namespace: 'other'})!.credentials.namespace, 'other')
})

test('token, --context, default namespace', () => {
  const r = simpleKubeconfig(kubeconfig('token', certUsers), {context: 'a'})!
  assert.is(r.context, 'a')
  assert.is(r.credentials.server, 'https://x')
  assert.is(r.credentials.namespace, 'default')
  assert.is(r.credentials.authorization?.(), 'Bearer tok')
})

test('anything client-node must handle answers undefined', () => {
  const cases: Record<string, [string, {context?: string}?, string?]> = {
    'exec plugin': [`- {name: v, user: {exec: {command: aws}}}`],
    'auth provider': [`- {name: v, user: {auth-provider: {name: oidc}}}`],
    'basic auth': [`- {name: v, user: {username: a, password: b}}`],
    impersonation: [`- {name: v, user: {token: t, as: admin}}`],
    'token file': [`- {name: v, user: {tokenFile: /t}}`],
    'certificate without key': [`- {name: v, user: {client-certificate-data: ${b64('C')}}}`],
    'no such user': [`- {name: w, user: {token: t}}`],
    'an invalid entry elsewhere (client-node rejects the file)': [`- {user: {token: t}}\n- {name: v, user: {token: t}}`],
    'unknown --context': [certUsers, {context: 'nope'}],
    'proxy-url': [certUsers, {}, ', proxy-url: http://proxy'],
    'tls-server-name': [certUsers, {}, ', tls-server-name: api'],
    'a certificate file that cannot be read': [certUsers.replace('certs/v.crt', 'certs/missing.crt')],
  }
  for (const [what, [users, opts, extra]] of Object.entries(cases)) {
    assert.is(simpleKubeconfig(kubeconfig(what.replaceAll(' ', '-'), users, extra), opts ?? {}), undefined, what)
  }
  assert.is(simpleKubeconfig(join(dir, 'does-not-exist'), {}), undefined)
  writeFileSync(join(dir, 'not-yaml'), ': : :\n\t-')
  assert.is(simpleKubeconfig(join(dir, 'not-yaml'), {}), undefined)
})

test('leanCredentials: the credentials, or an error naming the file and what is supported', () => {
  const file = kubeconfig('lean', certUsers)
  assert.is(leanCredentials(file, {namespace: 'other'}).namespace, 'other')
  const exec = kubeconfig('lean-exec', `- {name: u, user: {token: tok}}
- {name: v, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}}`)
  assert.throws(() => leanCredentials(exec), (e: Error) => e.message.startsWith(`kubeconfig ${exec}: the context must authenticate with a client certificate or a token`))
  assert.is(leanCredentials(exec, {context: 'a'}).server, 'https://x')
})

test.run()
