// Orders for names in output, by code unit as kubectl sorts them. String#localeCompare would build an ICU
// collator on its first call, which costs 6-9 ms of a command's start-up; Kubernetes names are ASCII.

/** Code-unit order. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Code-unit order with runs of digits compared as numbers: pod-2 before pod-10. */
export function byNatural(a: string, b: string): number {
  const x = a.match(/\d+|\D+/g) ?? []
  const y = b.match(/\d+|\D+/g) ?? []
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i]!, y[i]!]
    const numeric = /^\d/.test(p) && /^\d/.test(q)
    const d = numeric ? Number(p) - Number(q) || byText(p, q) : byText(p, q)
    if (d) return d < 0 ? -1 : 1
  }
  return x.length - y.length
}
