// Starts the user's browser on a URL, as other CLIs do: $BROWSER if set, else xdg-open when it is on PATH;
// nothing (silently) when neither is there. Detached, so the browser outlives nothing of ours.
//
// A command line is readable by every local user (ps, /proc/PID/cmdline), so a URL that carries
// something in its query (the notebook's ?token=) never goes on one. The browser is given instead a
// redirect file only this user can read (mode 0600 in a fresh 0700 directory) that sends it on to the
// URL, as Jupyter itself opens its browser (its use_redirect_file). The file goes when open ends.
import {spawn} from 'node:child_process'
import {accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {pathToFileURL} from 'node:url'

const onPath = (cmd: string) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK)
      return true
    } catch {
      return false
    }
  })

/** The command line that would open `url`, or undefined. $BROWSER may hold `%s` for the URL. */
export function browserCommand(url: string, env = process.env, has = onPath): string[] | undefined {
  const browser = env.BROWSER?.split(':')[0]?.trim()
  if (browser) {
    const words = browser.split(/\s+/)
    return words.some((w) => w.includes('%s')) ? words.map((w) => w.replaceAll('%s', url)) : [...words, url]
  }
  return has('xdg-open') ? ['xdg-open', url] : undefined
}

/** True when the URL carries more than where to go: a query, a fragment or credentials. */
export function carriesSecret(url: string): boolean {
  const u = new URL(url)
  return Boolean(u.search || u.hash || u.username || u.password)
}

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The page that sends the browser on to `url` (Jupyter's redirect file, in effect). */
export function redirectPage(url: string): string {
  const u = html(url)
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${u}"><title>kubectl kd open</title></head>\n<body><p>Opening <a href="${u}">the dashboard</a>.</p></body></html>\n`
}

/** A private directory for the redirect file: under $XDG_RUNTIME_DIR (the user's own) when there is one. */
function privateDir(env: NodeJS.ProcessEnv): string {
  const runtime = env.XDG_RUNTIME_DIR
  let base = tmpdir()
  try {
    if (runtime && statSync(runtime).isDirectory()) base = runtime
  } catch {}
  // mkdtemp: a new directory with an unguessable name, mode 0700, made by this user
  return mkdtempSync(join(base, 'kubectl-kd-open-'))
}

export interface BrowserOptions {
  env?: NodeJS.ProcessEnv
  has?: (cmd: string) => boolean
  /** starts the command line (tests replace it) */
  launch?: (cmd: string[]) => void
}

function launchDetached(cmd: string[]): void {
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), {detached: true, stdio: 'ignore'})
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // no browser is not an error: the URL is printed
  }
}

/**
 * Opens `url` in the browser; a URL carrying a secret through a private redirect file. Returns what
 * to call when done (removes the file); undefined when no browser was started.
 */
export function openBrowser(url: string, opts: BrowserOptions = {}): (() => void) | undefined {
  const env = opts.env ?? process.env
  const launch = opts.launch ?? launchDetached
  if (!carriesSecret(url)) {
    const cmd = browserCommand(url, env, opts.has)
    if (!cmd) return undefined
    launch(cmd)
    return () => {}
  }
  // whether a browser is there, before a file is written for it
  if (!browserCommand('file:///', env, opts.has)) return undefined
  let dir: string
  try {
    dir = privateDir(env)
    writeFileSync(join(dir, 'open.html'), redirectPage(url), {mode: 0o600, flag: 'wx'})
  } catch {
    return undefined
  }
  launch(browserCommand(pathToFileURL(join(dir, 'open.html')).href, env, opts.has)!)
  return () => rmSync(dir, {recursive: true, force: true})
}
