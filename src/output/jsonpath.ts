// A subset of kubectl's JSONPath templates: literal text, {.field.path}, [N], [*], ['key'],
// {range EXPR}…{end} and quoted literals like {"\n"}. Results of one expression are joined by spaces.
import {UserError} from '../errors.ts'

type Token = {text: string} | {expr: string}

function tokenize(template: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    if (open < 0) { tokens.push({text: template.slice(i)}); break }
    if (open > i) tokens.push({text: template.slice(i, open)})
    const close = template.indexOf('}', open)
    if (close < 0) throw new UserError(`error parsing jsonpath ${template}, unclosed action`)
    tokens.push({expr: template.slice(open + 1, close).trim()})
    i = close + 1
  }
  return tokens
}

function evaluate(expr: string, root: unknown, current: unknown): unknown[] {
  if (/^"(.*)"$/s.test(expr)) return [JSON.parse(expr)]
  let path = expr
  let values: unknown[]
  if (path.startsWith('$')) { values = [root]; path = path.slice(1) }
  else values = [current]
  const re = /\.([A-Za-z0-9_-]+)|\[\*\]|\[(-?\d+)\]|\['([^']*)'\]|\.\.([A-Za-z0-9_-]+)/gy
  let m: RegExpExecArray | null
  while (path.length > 0 && re.lastIndex < path.length && (m = re.exec(path))) {
    const [tok, field, index, key] = m
    values = values.flatMap((v): unknown[] => {
      if (v === null || v === undefined) return []
      if (tok === '[*]') return Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v) : []
      if (index !== undefined) {
        if (!Array.isArray(v)) return []
        const n = Number(index)
        const item = v[n < 0 ? v.length + n : n]
        return item === undefined ? [] : [item]
      }
      const k = field ?? key!
      const item = (v as Record<string, unknown>)[k]
      return item === undefined ? [] : [item]
    })
  }
  if (path.length > 0 && re.lastIndex !== path.length && path !== '.') {
    throw new UserError(`error parsing jsonpath {${expr}}: unsupported expression (supported: .field, [N], [*], ['key'], range/end)`)
  }
  return values
}

const show = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))

export function jsonpath(data: unknown, template: string): string {
  const tokens = tokenize(template.replace(/^'(.*)'$/s, '$1'))
  const run = (toks: Token[], current: unknown): string => {
    let out = ''
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!
      if ('text' in t) { out += t.text; continue }
      if (t.expr.startsWith('range ')) {
        let depth = 1, j = i + 1
        for (; j < toks.length; j++) {
          const u = toks[j]!
          if ('expr' in u && u.expr.startsWith('range ')) depth++
          if ('expr' in u && u.expr === 'end' && --depth === 0) break
        }
        if (j >= toks.length) throw new UserError(`error parsing jsonpath ${template}, range without end`)
        for (const item of evaluate(t.expr.slice(6).trim(), data, current)) out += run(toks.slice(i + 1, j), item)
        i = j
        continue
      }
      out += evaluate(t.expr, data, current).map(show).join(' ')
    }
    return out
  }
  return run(tokens, data)
}
