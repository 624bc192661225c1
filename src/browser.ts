// Starts the user's browser on a URL, as other CLIs do: $BROWSER if set, else xdg-open when it is on PATH;
// nothing (silently) when neither is there. Detached, so the browser outlives nothing of ours.
import {spawn} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'

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

export function openBrowser(url: string): void {
  const cmd = browserCommand(url)
  if (!cmd) return
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), {detached: true, stdio: 'ignore'})
    child.on('error', () => undefined)
    child.unref()
  } catch {
    // no browser is not an error: the URL is printed
  }
}
