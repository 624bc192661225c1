// The user's editor, chosen and started as kubectl edit does: $KUBE_EDITOR, else $EDITOR, else vi. A
// value with spaces is split on them; one with quotes or backslashes is run by the shell.
import {spawnSync} from 'node:child_process'
import {resolve} from 'node:path'
import {UserError} from './errors.ts'

/** The program and arguments that open `path` (pure). */
export function editorArgs(env: Record<string, string | undefined>, path: string): {editor: string; args: string[]} {
  const editor = [env.KUBE_EDITOR, env.EDITOR].find((e) => e && e.trim() !== '') ?? 'vi'
  const file = resolve(path)
  if (!editor.includes(' ')) return {editor, args: [editor, file]}
  if (!/["'\\]/.test(editor)) return {editor, args: [...editor.split(' ').filter(Boolean), file]}
  return {editor, args: [env.SHELL || '/bin/sh', '-c', `${editor} ${JSON.stringify(file)}`]}
}

/** Opens the file in the editor on this terminal and waits until it exits. */
export function launchEditor(path: string, env: Record<string, string | undefined> = process.env): void {
  const {editor, args} = editorArgs(env, path)
  const r = spawnSync(args[0]!, args.slice(1), {stdio: 'inherit'})
  if (r.error || r.status !== 0) throw new UserError(`there was a problem with the editor "${editor}"${r.error ? `: ${r.error.message}` : ` (exit code ${r.status ?? r.signal})`}`)
}
