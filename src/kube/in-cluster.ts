// The pod's own credentials (the agent, a job runner, the plugin run inside a pod): the ServiceAccount's
// token and CA, and the API server from the environment Kubernetes sets.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {UserError} from '../errors.ts'
import type {Credentials} from './http-client.ts'

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** The pod's ServiceAccount (token re-read at most once a minute: the kubelet rotates it) and the API server from the environment. */
export function inClusterCredentials(namespace?: string, dir = SA_DIR, env = process.env): Credentials {
  const host = env.KUBERNETES_SERVICE_HOST
  const port = env.KUBERNETES_SERVICE_PORT ?? '443'
  if (!host) throw new UserError('not in a cluster: KUBERNETES_SERVICE_HOST is not set')
  let token = ''
  let readAt = 0
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    namespace: namespace || readFileSync(join(dir, 'namespace'), 'utf8').trim(),
    context: 'in-cluster',
    ca: readFileSync(join(dir, 'ca.crt')),
    authorization: () => {
      if (Date.now() - readAt > 60_000) {
        token = readFileSync(join(dir, 'token'), 'utf8').trim()
        readAt = Date.now()
      }
      return `Bearer ${token}`
    },
  }
}
