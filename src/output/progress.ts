// Progress of long waits (create/apply/scale --wait) as a listr2 view on stderr: one line per role
// with its members' states. The cluster state is always said as `members configured N/M`, so it never
// reads like kubectl's `cluster/NAME configured` (the object was changed) that create/apply print.
// Plain line-per-change output when stderr is not a terminal or CI is set; nothing with -o json|yaml|name.
import type {ClusterSnapshot} from '../cluster/cluster-status.ts'
import {isMemberDone} from '../cluster/member-state.ts'
import {escapeTerminal} from './terminal.ts'

interface Deferred {
  promise: Promise<void>
  resolve: () => void
  reject: (e: unknown) => void
  settled: boolean
}

function deferred(): Deferred {
  const d = {settled: false} as Deferred
  d.promise = new Promise<void>((resolve, reject) => {
    d.resolve = () => { d.settled = true; resolve() }
    d.reject = (e) => { d.settled = true; reject(e) }
  })
  d.promise.catch(() => undefined)
  return d
}

/** Members of a role not done yet, by index, each with its state and why its pod is not running. */
const pending = (role: string, s: ClusterSnapshot) =>
  s.members
    .filter((m) => m.role === role && !isMemberDone(m))
    // a pod's reason (and a state annotation) come from the cluster: escaped for the terminal
    .map((m) => escapeTerminal(`${m.pod.slice(m.pod.lastIndexOf('-') + 1)}:${m.state}${m.state === 'configured' ? ' not ready' : ''}${m.problem ? ` ${m.problem.reason}` : ''}`))

const configuredCount = (role: string, s: ClusterSnapshot) => s.members.filter((m) => m.role === role && isMemberDone(m)).length

const roleLine = (role: string, s: ClusterSnapshot) => {
  const others = pending(role, s)
  return `${role}: members configured ${configuredCount(role, s)}/${s.desired[role] ?? 0}${others.length ? ` (${others.join(', ')})` : ''}`
}

/** The line --wait ends with: `cluster/demo: members configured 3/3 (4.4s)`. */
export function waitDoneLine(name: string, s: ClusterSnapshot, elapsedMs: number): string {
  const total = Object.values(s.desired).reduce((a, b) => a + b, 0)
  const done = s.members.filter((m) => (s.desired[m.role] ?? 0) > 0 && isMemberDone(m)).length
  return `cluster/${name}: members configured ${done}/${total} (${(elapsedMs / 1000).toFixed(1)}s)\n`
}

/** A role's failure line: the role, how far it got, and what holds each member back. */
const roleFailure = (role: string, s: ClusterSnapshot | undefined) => {
  if (!s) return `${role}: members not configured`
  const others = pending(role, s)
  const missing = (s.desired[role] ?? 0) - s.members.filter((m) => m.role === role).length
  if (missing > 0) others.push(`${missing} without a pod`)
  return `${role}: members configured ${configuredCount(role, s)}/${s.desired[role] ?? 0}${others.length ? ` (${others.join(', ')})` : ''}`
}

export async function withClusterProgress(
  title: string,
  roles: string[],
  silent: boolean,
  wait: (onUpdate: (s: ClusterSnapshot) => void) => Promise<ClusterSnapshot>,
): Promise<ClusterSnapshot> {
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  const logger = new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})
  const perRole = new Map(roles.map((r) => [r, deferred()]))
  const titles = new Map<string, (t: string) => void>()
  const tty = process.stderr.isTTY && !process.env.CI
  const failed: string[] = []
  let last: ClusterSnapshot | undefined
  const list = new Listr(
    [
      {
        title,
        // the cluster's line fails when a role's does (listr2 marks a parent done whatever its subtasks did)
        task: async (_ctx, task) => {
          await task
            .newListr(
              roles.map((role) => ({
                title: `${role}: waiting`,
                task: async (_c, t) => {
                  titles.set(role, (s) => { if (t.title !== s) t.title = s })
                  // updates that came before this task started
                  if (last) titles.get(role)!(roleLine(role, last))
                  await perRole.get(role)!.promise
                },
              })),
              {concurrent: true, exitOnError: false},
            )
            .run()
          if (failed.length) throw new Error(`${title}: members of ${failed.join(', ')} not configured`)
        },
      },
    ],
    {
      renderer: silent ? 'silent' : tty ? 'default' : 'verbose',
      fallbackRenderer: silent ? 'silent' : 'verbose',
      // the verbose renderer (no TTY, CI) logs each title change: one line per change of a role
      rendererOptions: tty ? {logger, collapseSubtasks: false} : {logger, logTitleChange: true},
      fallbackRendererOptions: {logger, logTitleChange: true},
      exitOnError: false,
      registerSignalListeners: false,
    } as never,
  )
  const running = list.run()
  try {
    const result = await wait((s) => {
      last = s
      for (const role of roles) {
        titles.get(role)?.(roleLine(role, s))
        const d = perRole.get(role)!
        const members = s.members.filter((m) => m.role === role)
        // done only when every wanted member is configured and ready: a ✔ is never shown for less
        if (!d.settled && members.length === (s.desired[role] ?? 0) && members.every(isMemberDone)) d.resolve()
      }
    })
    for (const d of perRole.values()) if (!d.settled) d.resolve()
    await running
    return result
  } catch (err) {
    for (const [role, d] of perRole) {
      if (d.settled) continue
      failed.push(role)
      d.reject(new Error(roleFailure(role, last)))
    }
    await running.catch(() => undefined)
    throw err
  }
}
