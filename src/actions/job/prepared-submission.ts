// The submission a submit starts from: spark-submit's arguments or a SparkApplication read, the files it
// ships read (1 MiB in all), the pod templates read and a manifest's pod fields laid over them. Reads only
// local files; shared by a plain submit (submit.ts) and a managed one (managed-job.ts).
import {readFileSync, statSync} from 'node:fs'
import {userInfo} from 'node:os'
import {UserError} from '../../errors.ts'
import {CAPTURED_SPARK_VERSIONS, versionAtLeast} from '../../spark/names.ts'
import {parsePodTemplate, selectSparkContainer} from '../../spark/pod-template.ts'
import {buildSubmission, type SubmitArgs, type Submission} from '../../spark/submission.ts'
import type {LifecycleInput} from '../../spark/lifecycle.ts'
/** The most a ConfigMap holds (the API server's limit on data + binaryData). */
const SHIP_LIMIT_BYTES = 1024 * 1024

export interface SubmitInput {
  /** spark-submit style arguments, or… */
  args?: SubmitArgs
  /** …a SparkApplication manifest (path or - for stdin), or… */
  file?: string
  /** …one SparkApplication already read (one document of a batch), with its place for error lines */
  document?: {doc: unknown; source: string}
  /** the namespace -n gave, if any (a manifest's must agree) */
  namespace?: string
}

function readSource(path: string, limit: number): Buffer {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new UserError(`${path}: not a regular file`)
    size = st.size
  } catch (err) {
    if (err instanceof UserError) throw err
    throw new UserError(`${path}: no such file (a path without a scheme is a file on this machine; for a file inside the image use local:///path)`)
  }
  if (size > limit) {
    throw new UserError(
      `${path}: ${(size / 1024 / 1024).toFixed(1)} MiB is too big to ship with the job (files shipped in a ConfigMap may total at most 1 MiB); put it in the image and pass local:///path, or use an http(s):// or s3a:// URL`,
    )
  }
  return readFileSync(path)
}

export interface PreparedSubmission {
  submission: Submission
  shippedData: Record<string, string>
  /** the driver's pod template (parsed) and the executors' (text for the driver), if any */
  templates: {driverTemplate?: Record<string, any>; executorTemplate?: string}
  /** where the submission asks to run (spark.kubernetes.namespace, else the manifest's), if it says */
  namespace?: string
  warnings: string[]
  /** the arguments the submission was built from (a managed job's runner builds each attempt from them) */
  args: SubmitArgs
  /** a SparkApplication's metadata.name, if -f gave one */
  manifestName?: string
  /** lifecycle fields of a (Scheduled)SparkApplication, if -f gave any */
  lifecycle?: LifecycleInput
}

/** Reads the inputs (SparkApplication file, properties file, shipped files) and builds the submission. */
export async function prepareSubmission(opts: SubmitInput): Promise<PreparedSubmission> {
  let args = opts.args ?? {}
  let namespace: string | undefined
  const warnings: string[] = []
  let overlays: {driver?: Record<string, any>; executor?: Record<string, any>} = {}
  let manifestName: string | undefined
  let lifecycle: LifecycleInput | undefined
  if (opts.file || opts.document) {
    const {loadDocuments} = await import('./spark-input.ts')
    const {doc, source} = opts.document ?? {doc: loadDocuments(opts.file!), source: opts.file === '-' ? '<stdin>' : opts.file!}
    const {sparkAppToSubmitArgs} = await import('../../spark/sparkapp.ts')
    const input = sparkAppToSubmitArgs(doc, source)
    warnings.push(...input.warnings)
    // flags given with -f override the manifest (e.g. --image)
    args = {...input.args, ...Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)), conf: [...(input.args.conf ?? []), ...(args.conf ?? [])]}
    namespace = input.namespace
    overlays = input.podTemplates
    manifestName = input.name
    lifecycle = input.lifecycle
    if (opts.namespace && namespace && opts.namespace !== namespace) {
      throw new UserError(`the namespace from the provided object "${namespace}" does not match the namespace "${opts.namespace}". You must pass '--namespace=${namespace}' to perform this operation.`)
    }
  }
  const submission = buildSubmission(args)
  warnings.push(...submission.warnings)
  let total = 0
  const shippedData: Record<string, string> = {}
  for (const f of submission.shippedFiles) {
    const data = readSource(f.source, SHIP_LIMIT_BYTES - total)
    total += data.length
    shippedData[f.key] = data.toString('base64')
  }
  const templates = readTemplates(submission, overlays)
  const v = submission.sparkVersion
  if (versionAtLeast(v, 4, 0) && !versionAtLeast(v, 4, 3)) {
    warnings.push(`Spark ${v}: the driver objects are made as spark-submit 4.3 makes them (the versions captured are ${CAPTURED_SPARK_VERSIONS.join(' and ')}); 4.0-4.2 may not declare the spark-connect port or set allowPrivilegeEscalation=false`)
  }
  return {submission, shippedData, templates, namespace: submission.conf.get('spark.kubernetes.namespace') ?? namespace, warnings, args, manifestName, lifecycle}
}

/** Reads spark.kubernetes.{driver,executor}.podTemplateFile and lays a SparkApplication's pod fields over them. */
function readTemplates(sub: Submission, overlays: {driver?: Record<string, any>; executor?: Record<string, any>}): PreparedSubmission['templates'] {
  const read = (key: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined
    const local = path.startsWith('file://') ? path.slice(7) : path
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(local)) throw new UserError(`${key}=${path}: only a file on this machine is read (spark-submit's Hadoop filesystems are not); download it first`)
    try {
      return readFileSync(local, 'utf8')
    } catch {
      throw new UserError(`${key}=${path}: no such file`)
    }
  }
  const out: PreparedSubmission['templates'] = {}
  const driverText = read('spark.kubernetes.driver.podTemplateFile', sub.podTemplateFiles.driver)
  const driverFile = driverText !== undefined ? parsePodTemplate(driverText, sub.podTemplateFiles.driver!) : undefined
  out.driverTemplate = overlays.driver ? layOver(driverFile, overlays.driver, sub.conf.get('spark.kubernetes.driver.podTemplateContainerName')) : driverFile
  const execText = read('spark.kubernetes.executor.podTemplateFile', sub.podTemplateFiles.executor)
  if (execText !== undefined) parsePodTemplate(execText, sub.podTemplateFiles.executor!)
  if (overlays.executor) {
    const base = execText !== undefined ? parsePodTemplate(execText, sub.podTemplateFiles.executor!) : undefined
    out.executorTemplate = JSON.stringify(layOver(base, overlays.executor, sub.conf.get('spark.kubernetes.executor.podTemplateContainerName')), null, 2) + '\n'
  } else out.executorTemplate = execText
  return out
}

/** A SparkApplication's pod fields (overlay, Spark container first) on a template file's pod: the Spark container found by name. */
function layOver(base: Record<string, any> | undefined, overlay: Record<string, any>, containerName: string | undefined): Record<string, any> {
  if (!base) return overlay
  const {container, others} = selectSparkContainer(base, containerName)
  const [oc = {}, ...sidecars] = overlay.spec?.containers ?? []
  const cat = (a: unknown, b: unknown) => [...((a as unknown[]) ?? []), ...((b as unknown[]) ?? [])]
  const merged = {...container, ...oc, name: container.name ?? oc.name, env: cat(container.env, oc.env), envFrom: cat(container.envFrom, oc.envFrom), volumeMounts: cat(container.volumeMounts, oc.volumeMounts), ports: cat(container.ports, oc.ports)}
  for (const k of ['env', 'envFrom', 'volumeMounts', 'ports'] as const) if (!merged[k].length) delete merged[k]
  const spec: Record<string, any> = {...base.spec, ...overlay.spec, containers: [merged, ...others, ...sidecars]}
  for (const k of ['volumes', 'initContainers', 'tolerations']) {
    const list = cat(base.spec?.[k], overlay.spec?.[k])
    if (list.length) spec[k] = list
  }
  return {...base, spec}
}

/** SPARK_USER, else the login name (as spark-submit's Utils.getCurrentUserName). */
export function submittingUser(): {name: string; fromEnv: boolean} {
  return {name: process.env.SPARK_USER || safeUser(), fromEnv: !!process.env.SPARK_USER}
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'spark'
  }
}
