// Entry point of a managed job's runner (bundled to dist/runner.mjs, shipped in ConfigMap NAME-kd-runner
// and run by a batch/v1 Job on the stock Node.js image, as the agent is). Env: KD_JOB, KD_NAMESPACE,
// KD_RUN, KD_RUN_UID (the downward API: the Job's name and uid from the pod's labels); KD_RUNNER_KUBECONFIG
// runs it outside a cluster for tests. Exit 0: the application completed; RUNNER_FAILED_EXIT_CODE: it
// failed (the Job's podFailurePolicy fails the Job at once); anything else: the runner itself failed
// (the Job starts another pod, which resumes). Must not load @kubernetes/client-node.
import {httpClient} from '../kube/http-client.ts'
import {inClusterCredentials} from '../kube/in-cluster.ts'
import {leanCredentials} from '../kube/simple-kubeconfig.ts'
import {sleep} from '../kube/informer.ts'
import {RUNNER_FAILED_EXIT_CODE} from '../spark/lifecycle.ts'
import {runManagedJob} from './runner.ts'

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`)

export async function main(env = process.env): Promise<void> {
  const need = (k: string) => env[k] || (() => {
    throw new Error(`${k} is not set`)
  })()
  const kube = httpClient(env.KD_RUNNER_KUBECONFIG ? leanCredentials(env.KD_RUNNER_KUBECONFIG, {namespace: env.KD_NAMESPACE}) : inClusterCredentials(env.KD_NAMESPACE))
  const controller = new AbortController()
  const stop = () => {
    log('stopping (the next runner pod resumes from the attempt record)')
    controller.abort()
    kube.close()
    process.exit(143)
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  try {
    const state = await runManagedJob(kube, {job: need('KD_JOB'), namespace: kube.namespace, run: need('KD_RUN'), runUid: need('KD_RUN_UID')}, {now: Date.now, sleep, log, signal: controller.signal})
    kube.close()
    process.exit(state === 'COMPLETED' ? 0 : state === 'FAILED' ? RUNNER_FAILED_EXIT_CODE : 1)
  } catch (err) {
    log(`fatal: ${(err as Error).message}`)
    process.exit(1)
  }
}

if (process.argv[1] && /runner(\.mjs|\/main\.ts)$/.test(process.argv[1])) void main()
