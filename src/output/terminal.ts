// Text from the cluster (names, annotations a member's scripts wrote, app descriptions, events, pod
// reasons, error messages quoting them) must never drive the terminal it is printed on: an escape
// sequence could set the window title, write the clipboard (OSC 52), clear the screen or hide lines.
// Every human printer (tables, status/describe views, app show, progress lines, errors) passes its text
// through here; -o json|yaml and `logs` are data and print exactly (see jsonSafe for JSON's own escaping).
//
// The visible forms are kubectl's (cli-runtime printers.EscapeTerminal) where it has one: ESC is `^[`,
// CR is `\r`. Every other C0 control, DEL and the C1 controls (U+0080–U+009F, which terminals read as
// ESC + a letter) are written `\xNN`. A field printed on one line (a table cell, `Name:  …`) also shows
// a newline as `\n` and a tab as `\t`; multi-line text (a script's last output, a driver's log lines)
// keeps its newlines and tabs.

const SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]/g
const MULTI_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

const NAMED: Record<string, string> = {'\u001b': '^[', '\r': '\\r', '\n': '\\n', '\t': '\\t'}

const visible = (c: string) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`

/** One field on one line: every control character in a visible form. */
export function escapeTerminal(text: string): string {
  return text.replace(SINGLE_LINE, visible)
}

/** Multi-line text: newlines and tabs are kept, every other control character is made visible. */
export function escapeTerminalLines(text: string): string {
  return text.replace(MULTI_LINE, visible)
}

/**
 * JSON text with DEL and the C1 controls written `\u00XX` as well (JSON.stringify escapes only C0):
 * the same data to a parser, nothing a terminal acts on when `-o json` is printed to one.
 */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)
}
