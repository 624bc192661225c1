// Progress of a bulk command (submit -f DIR, delete jobs -l) as one listr2 line on stderr: how many of
// the objects are done and how many failed. On a terminal the line updates in place; without one (or
// with CI set) a plain line is logged at most once a second and at the end; nothing with -o.
export interface BulkProgress {
  total: number
  done: number
  failed: number
}

const LOG_EVERY_MS = 1000

export async function withBulkProgress<T>(title: string, verb: string, silent: boolean, run: (update: (p: BulkProgress) => void) => Promise<T>): Promise<T> {
  if (silent) return run(() => {})
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2')
  const logger = new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})
  const tty = process.stderr.isTTY && !process.env.CI
  const line = (p: BulkProgress) => `${title}: ${p.done}/${p.total} ${verb}${p.failed ? `, ${p.failed} failed` : ''}`
  let setTitle: (t: string) => void = () => {}
  let finish!: (failed?: string) => void
  // the line ends with ✖ when any object failed (listr2 shows a task that throws so)
  const finished = new Promise<void>((resolve, reject) => (finish = (failed) => (failed ? reject(new Error(failed)) : resolve())))
  finished.catch(() => undefined)
  const list = new Listr(
    [
      {
        title,
        task: async (_ctx, task) => {
          setTitle = (t) => {
            if (task.title !== t) task.title = t
          }
          await finished
        },
      },
    ],
    {
      renderer: tty ? 'default' : 'verbose',
      fallbackRenderer: 'verbose',
      rendererOptions: tty ? {logger} : {logger, logTitleChange: true},
      fallbackRendererOptions: {logger, logTitleChange: true},
      exitOnError: false,
      registerSignalListeners: false,
    } as never,
  )
  const running = list.run()
  // a plain log's first line after a second: a short run shows its start and its end only
  let lastLog = Date.now()
  let last: BulkProgress | undefined
  try {
    return await run((p) => {
      last = p
      // the verbose renderer logs every title change: a plain log gets one line a second, not one per object
      if (!tty && Date.now() - lastLog < LOG_EVERY_MS) return
      lastLog = Date.now()
      setTitle(line(p))
    })
  } finally {
    if (last) setTitle(line(last))
    finish(last?.failed ? line(last) : undefined)
    await running.catch(() => undefined)
  }
}
