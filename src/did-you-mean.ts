// "Did you mean" for names a user mistyped (commands, roles), the way Cobra suggests commands: names
// within a Levenshtein distance of 2 (case-insensitive), or that start with what was typed. Pure.

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = current
  }
  return previous[b.length]!
}

/** The names close to `typed`, closest first (ties in the order given); none for an exact match. */
export function suggestions(typed: string, names: readonly string[], maxDistance = 2): string[] {
  const t = typed.toLowerCase()
  if (t === '' || names.includes(typed)) return []
  return names
    .map((name, i) => ({name, i, d: editDistance(t, name.toLowerCase())}))
    .filter(({name, d}) => d <= maxDistance || name.toLowerCase().startsWith(t))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map(({name}) => name)
}
