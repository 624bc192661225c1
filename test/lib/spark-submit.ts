// The real spark-submit beside `kubectl kd submit`: runs a distribution's own bin/spark-submit against the
// local cluster, and reads back the objects a driver pod came with, for the e2e comparisons.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {clusterEnv, kubectlJson} from './cluster.ts'

/** Runs `HOME/bin/spark-submit ARGS` (SPARK_HOME=HOME); stdout and stderr together. */
export function realSparkSubmit(home: string, args: string[], timeoutMs: number): {code: number; out: string} {
  const r = spawnSync(join(home, 'bin', 'spark-submit'), args, {encoding: 'utf8', env: {...process.env, ...clusterEnv(), SPARK_HOME: home}, timeout: timeoutMs})
  return {code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '')}
}

/** A driver pod with its Service and its spark.properties ConfigMap, as the API server holds them. */
export function driverObjects(ns: string, pod: string) {
  const p = kubectlJson(['get', 'pod', pod, '-n', ns])
  const cmName = p.spec.volumes.find((v: any) => v.name === 'spark-conf-volume-driver').configMap.name
  const svcs = kubectlJson(['get', 'svc', '-n', ns, '-l', `spark-app-selector=${p.metadata.labels['spark-app-selector']}`]).items
  return {pod: p, service: svcs[0], configMap: kubectlJson(['get', 'cm', cmName, '-n', ns])}
}
