// NODE_EXTRA_CA_CERTS without its start-up cost. Node reads and parses that file when it builds its first
// TLS context, even one with its own CA (the kubeconfig's, as for nearly every cluster), where the extra
// certificates are not used: ~7 ms of a command for a system bundle of ~140 certificates. So when it
// runs the project's own Node, the launcher (bin/kubectl-kd) passes the variable on as
// KUBECTL_KD_EXTRA_CA_CERTS instead, and the certificates join Node's default CAs here, before the first
// connection that trusts the default CAs: a kubeconfig without a CA, and every client-node connection
// (identity providers, proxies).
import {readFileSync} from 'node:fs'
// a namespace import: setDefaultCACertificates is Node >= 24.5 (the launcher moves the variable only for its own Node)
import * as tls from 'node:tls'

let added = false

export function useExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env.KUBECTL_KD_EXTRA_CA_CERTS
  if (added || !file) return
  added = true
  try {
    const pems = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...pems])
  } catch (err) {
    // as Node itself, which warns and goes on when it cannot load NODE_EXTRA_CA_CERTS
    process.stderr.write(`warning: ignoring NODE_EXTRA_CA_CERTS=${file}: ${(err as Error).message}\n`)
  }
}
