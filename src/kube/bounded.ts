// Bulk commands (submit -f DIR, delete jobs -l) send one request per object: this keeps a fixed number
// of them in flight, so a thousand objects neither go one by one nor flood the API server (which
// answers a flood with 429s its priority-and-fairness queues hand out).
/**
 * Runs `fn` over `items`, at most `limit` at a time, in order of the items. `stop()` true: no further
 * item starts (those running finish). A rejection of `fn` (a bug, not a per-item failure) rejects at once.
 */
export async function runBounded<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length && !stop()) {
      const i = next++
      await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, worker))
}
