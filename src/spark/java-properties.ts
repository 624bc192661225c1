// java.util.Properties text format: the spark.properties file the driver reads with Properties.load,
// and --properties-file files users already have. Escaping follows Properties.store (saveConvert) so a
// value with `:`, `=`, `#`, `!`, backslashes, newlines or non-ASCII survives the round trip unchanged.

function escape(s: string, isKey: boolean): string {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    const code = c.charCodeAt(0)
    if (code > 61 && code < 127) {
      out += c === '\\' ? '\\\\' : c
      continue
    }
    switch (c) {
      case ' ':
        out += i === 0 || isKey ? '\\ ' : ' '
        break
      case '\t':
        out += '\\t'
        break
      case '\n':
        out += '\\n'
        break
      case '\r':
        out += '\\r'
        break
      case '\f':
        out += '\\f'
        break
      case '=':
      case ':':
      case '#':
      case '!':
        out += '\\' + c
        break
      default:
        // Spark stores through a Writer: Properties.store(Writer) writes non-ASCII as is (no \uXXXX)
        out += c
    }
  }
  return out
}

/** Java's Date.toString() in UTC: `Sun Nov 22 15:23:49 UTC 2026` (the second comment line Properties.store writes). */
function javaDateString(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const p = (n: number) => String(n).padStart(2, '0')
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

/** Properties.store output: comment line, date line, then `key=value` lines (sorted here, for stable output). */
export function storeProperties(props: Map<string, string> | Record<string, string>, comment: string, date: Date): string {
  const entries = props instanceof Map ? [...props.entries()] : Object.entries(props)
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const lines = [`#${comment}`, `#${javaDateString(date)}`, ...entries.map(([k, v]) => `${escape(k, true)}=${escape(v, false)}`)]
  return lines.join('\n') + '\n'
}

/** Properties.load: comments (# !), continuation lines, `=`/`:`/whitespace separators, backslash escapes. */
export function loadProperties(text: string): Map<string, string> {
  const result = new Map<string, string>()
  const raw = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i]!.replace(/^[ \t\f]+/, '')
    if (line === '' || line[0] === '#' || line[0] === '!') continue
    // join continuation lines: an odd number of trailing backslashes continues the line
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < raw.length) {
      line = line.slice(0, -1) + raw[++i]!.replace(/^[ \t\f]+/, '')
    }
    if (/(^|[^\\])(\\\\)*\\$/.test(line)) line = line.slice(0, -1)
    let keyEnd = 0
    let escaped = false
    for (; keyEnd < line.length; keyEnd++) {
      const c = line[keyEnd]!
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break
    }
    let valueStart = keyEnd
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart]!)) valueStart++
    if (valueStart < line.length && (line[valueStart] === '=' || line[valueStart] === ':')) valueStart++
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart]!)) valueStart++
    result.set(unescape(line.slice(0, keyEnd)), unescape(line.slice(valueStart)))
  }
  return result
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16))
    return {t: '\t', n: '\n', r: '\r', f: '\f'}[e] ?? e
  })
}
