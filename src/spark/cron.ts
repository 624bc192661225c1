// The next time a CronJob schedule fires, for `get jobs` and `status` (NEXT-RUN): the five standard
// fields (lists, ranges, steps, month and weekday names; day-of-month and day-of-week OR-ed when both
// are restricted, as cron does) and the @hourly/@daily/… macros, in a time zone or UTC. Pure.

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}
const NAMES: Record<string, number> = {jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12, sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6}

function field(text: string, min: number, max: number): {set: Set<number>; star: boolean} {
  const set = new Set<number>()
  const num = (s: string) => (NAMES[s.toLowerCase()] ?? Number(s))
  for (const part of text.split(',')) {
    const [range = '*', stepText] = part.split('/')
    const step = stepText ? Number(stepText) : 1
    let lo = min
    let hi = max
    if (range !== '*' && range !== '?') {
      const [a, b] = range.split('-')
      lo = num(a!)
      hi = b !== undefined ? num(b) : stepText ? max : lo
    }
    for (let v = lo; v <= hi; v += step) set.add(max === 7 && v === 7 ? 0 : v)
  }
  return {set, star: text === '*' || text === '?'}
}

interface Parts {
  minute: number
  hour: number
  day: number
  month: number
  weekday: number
}

function partsIn(ms: number, timeZone?: string): Parts {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    const d = new Date(ms)
    return {minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay()}
  }
  const f = new Intl.DateTimeFormat('en-US', {timeZone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short'})
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  return {minute: Number(p.minute), hour: Number(p.hour), day: Number(p.day), month: Number(p.month), weekday: NAMES[String(p.weekday).toLowerCase()]!}
}

/** The first firing strictly after `afterMs`, within `horizonDays`; undefined for @every or beyond the horizon. */
export function nextCronTime(schedule: string, afterMs: number, timeZone?: string, horizonDays = 8): number | undefined {
  const expr = MACROS[schedule.trim()] ?? schedule.trim()
  if (expr.startsWith('@')) return undefined
  const [mi, h, dom, mon, dow] = expr.split(/\s+/)
  const minute = field(mi!, 0, 59)
  const hour = field(h!, 0, 23)
  const day = field(dom!, 1, 31)
  const month = field(mon!, 1, 12)
  const weekday = field(dow!, 0, 7)
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000
  for (const end = t + horizonDays * 86_400_000; t < end; t += 60_000) {
    const p = partsIn(t, timeZone)
    if (!minute.set.has(p.minute) || !hour.set.has(p.hour) || !month.set.has(p.month)) continue
    const dayOk = day.star || weekday.star ? day.set.has(p.day) && weekday.set.has(p.weekday) : day.set.has(p.day) || weekday.set.has(p.weekday)
    if (dayOk) return t
  }
  return undefined
}
