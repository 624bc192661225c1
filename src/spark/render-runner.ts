// The objects of a managed Spark job (docs/job-lifecycle.md): a batch/v1 Job (or a CronJob for a
// schedule) running the plugin's runner on the stock Node.js image, the runner's code and the stored
// submission in ConfigMaps, and its ServiceAccount, Role and RoleBinding. The root (Job or CronJob) is
// NAME; everything else is owned by it, so the garbage collector removes the job whole (delete, TTL,
// history limits). The Role grants exactly what src/runner uses. Pure.
import {gzipSync} from 'node:zlib'
import type {KubeObject} from '../kube-object.ts'
import {LABEL, MANAGED_BY} from '../cluster/names.ts'
import {agentCodeHash, bundleCommand} from '../cluster/render-agent.ts'
import {DEFAULT_AGENT_IMAGE} from '../cluster/render-options.ts'
import {LIFECYCLE_ANNOTATION, LIFECYCLE_LABEL, RUNNER_COMPONENT, RUNNER_FAILED_EXIT_CODE, runnerName, specConfigMapName, type Lifecycle} from './lifecycle.ts'
import type {SubmitArgs} from './submission.ts'

/** What the runner needs to make each attempt's driver: the CLI's prepared submission, serialised. */
export interface StoredSubmission {
  args: SubmitArgs
  shippedData: Record<string, string>
  templates: {driverTemplate?: Record<string, any>; executorTemplate?: string}
  namespace: string
  /** SPARK_USER of the submitting user */
  user: string
  userFromEnv: boolean
  lifecycle: Lifecycle
}

export const SUBMISSION_KEY = 'submission.json'
const CODE_KEY = 'runner.mjs.gz'
const CODE_DIR = '/runner'

export interface RunnerRenderOptions {
  name: string
  namespace: string
  /** the runner's code (dist/runner.mjs) */
  bundle: Uint8Array
  image?: string
}

export function jobLabels(name: string): Record<string, string> {
  return {[LABEL.managedBy]: MANAGED_BY, [LIFECYCLE_LABEL.job]: name, [LABEL.component]: RUNNER_COMPONENT}
}

/** The Role's rules: exactly the calls src/runner/runner.ts makes (test/unit/runner.test.ts removes each and sees it fail). */
export function runnerRules(): Record<string, unknown>[] {
  return [
    // the stored submission (get), the run's attempt record (create, get, patch with a resourceVersion
    // precondition) and each driver's spark.properties ConfigMap (server-side apply: patch)
    {apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'patch']},
    // the attempt's driver pod: create (AlreadyExists when resuming → get), watched to its end (list, watch),
    // deleted when it does not start within the start timeout
    {apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete']},
    // the failure's cause from the driver log
    {apiGroups: [''], resources: ['pods/log'], verbs: ['get']},
    // the driver's headless Service (server-side apply: patch, and create when it is new)
    {apiGroups: [''], resources: ['services'], verbs: ['create', 'patch']},
  ]
}

/** The pod that runs the runner: one container, restricted pod security, code from the ConfigMap. */
function runnerPodTemplate(o: RunnerRenderOptions): Record<string, unknown> {
  const rn = runnerName(o.name)
  return {
    metadata: {labels: jobLabels(o.name)},
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: rn,
      automountServiceAccountToken: true,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 5,
      securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: {type: 'RuntimeDefault'}},
      containers: [
        {
          name: 'runner',
          image: o.image ?? DEFAULT_AGENT_IMAGE,
          imagePullPolicy: 'IfNotPresent',
          command: bundleCommand(['--max-old-space-size=96'], `${CODE_DIR}/${CODE_KEY}`, '/tmp/kd-runner.mjs', agentCodeHash(o.bundle)),
          env: [
            {name: 'KD_JOB', value: o.name},
            {name: 'KD_NAMESPACE', valueFrom: {fieldRef: {fieldPath: 'metadata.namespace'}}},
            // the run: the Job this pod belongs to (its attempts and drivers are owned by it)
            {name: 'KD_RUN', valueFrom: {fieldRef: {fieldPath: "metadata.labels['batch.kubernetes.io/job-name']"}}},
            {name: 'KD_RUN_UID', valueFrom: {fieldRef: {fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']"}}},
          ],
          resources: {requests: {cpu: '20m', memory: '64Mi'}, limits: {cpu: '500m', memory: '160Mi'}},
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: ['ALL']}, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: {type: 'RuntimeDefault'}},
          volumeMounts: [
            {name: 'code', mountPath: CODE_DIR, readOnly: true},
            {name: 'tmp', mountPath: '/tmp'},
          ],
        },
      ],
      volumes: [
        {name: 'code', configMap: {name: rn}},
        {name: 'tmp', emptyDir: {sizeLimit: '32Mi'}},
      ],
    },
  }
}

/** The Job spec of one run: the runner's pod, retried if the pod is lost, failed at once when the application failed. */
function runJobSpec(o: RunnerRenderOptions, lifecycle: Lifecycle): Record<string, unknown> {
  return {
    // a runner pod that is deleted or crashes is replaced; the new one resumes from the attempt record
    backoffLimit: 6,
    podFailurePolicy: {
      rules: [
        {action: 'FailJob', onExitCodes: {containerName: 'runner', operator: 'In', values: [RUNNER_FAILED_EXIT_CODE]}},
        {action: 'Ignore', onPodConditions: [{type: 'DisruptionTarget', status: 'True'}]},
      ],
    },
    ...(lifecycle.timeToLiveSeconds !== undefined ? {ttlSecondsAfterFinished: lifecycle.timeToLiveSeconds} : {}),
    template: runnerPodTemplate(o),
  }
}

/**
 * The root: a Job (created suspended, so that what it owns exists before its pod starts; the action
 * then resumes it), or a CronJob (created suspended for the same reason; the action sets the user's value).
 */
export function renderRunnerRoot(o: RunnerRenderOptions, lifecycle: Lifecycle): KubeObject {
  const metadata = {name: o.name, namespace: o.namespace, labels: jobLabels(o.name), annotations: {[LIFECYCLE_ANNOTATION.lifecycle]: JSON.stringify(lifecycle)}}
  const s = lifecycle.schedule
  if (!s) return {apiVersion: 'batch/v1', kind: 'Job', metadata, spec: {suspend: true, ...runJobSpec(o, lifecycle)}}
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata,
    spec: {
      schedule: s.schedule,
      ...(s.timeZone ? {timeZone: s.timeZone} : {}),
      concurrencyPolicy: s.concurrencyPolicy,
      suspend: true,
      successfulJobsHistoryLimit: s.successfulRunHistoryLimit,
      failedJobsHistoryLimit: s.failedRunHistoryLimit,
      jobTemplate: {metadata: {labels: jobLabels(o.name)}, spec: runJobSpec(o, lifecycle)},
    },
  }
}

/** Everything the root owns: the stored submission, the runner's code, its account and Role. */
export function renderRunnerObjects(o: RunnerRenderOptions, stored: StoredSubmission, root: {kind: string; uid: string}): KubeObject[] {
  const rn = runnerName(o.name)
  const labels = jobLabels(o.name)
  const ownerReferences = [{apiVersion: 'batch/v1', kind: root.kind, name: o.name, uid: root.uid, controller: true}]
  const meta = (name: string) => ({name, namespace: o.namespace, labels, ownerReferences})
  const gz = gzipSync(o.bundle, {level: 9})
  return [
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(specConfigMapName(o.name)), data: {[SUBMISSION_KEY]: JSON.stringify(stored)}},
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(rn), binaryData: {[CODE_KEY]: Buffer.from(gz).toString('base64')}},
    {apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(rn)},
    {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(rn), rules: runnerRules()},
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(rn),
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: rn},
      subjects: [{kind: 'ServiceAccount', name: rn, namespace: o.namespace}],
    },
  ] as KubeObject[]
}
