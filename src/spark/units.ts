// Spark's own parsers for sizes and core counts (JavaUtils.byteStringAsBytes and friends), so that
// `kubectl kd submit` accepts and rejects exactly what spark-submit does, and computes the same MiB.

const SUFFIX_BYTES: Record<string, bigint> = {
  b: 1n,
  k: 1024n,
  kb: 1024n,
  m: 1024n ** 2n,
  mb: 1024n ** 2n,
  g: 1024n ** 3n,
  gb: 1024n ** 3n,
  t: 1024n ** 4n,
  tb: 1024n ** 4n,
  p: 1024n ** 5n,
  pb: 1024n ** 5n,
}

/**
 * JavaUtils.byteStringAs: `512m`, `2g`, `1024` (no suffix = `defaultUnit`). Throws an Error with Java's
 * message (`Invalid suffix: "x"`, `Fractional values are not supported…`, `Failed to parse byte string: …`).
 * Result is truncated to whole units of `unit`, as Spark's ByteUnit.convertTo does.
 */
export function byteStringAs(value: string, unit: 'b' | 'k' | 'm' | 'g', defaultUnit: 'b' | 'k' | 'm' | 'g' = unit): number {
  const lower = value.toLowerCase().trim()
  const m = /^([0-9]+)([a-z]+)?$/.exec(lower)
  if (m) {
    const suffix = m[2]
    if (suffix !== undefined && !(suffix in SUFFIX_BYTES)) throw new Error(`Invalid suffix: "${suffix}"`)
    const bytes = BigInt(m[1]!) * SUFFIX_BYTES[suffix ?? defaultUnit]!
    return Number(bytes / SUFFIX_BYTES[unit]!)
  }
  if (/^([0-9]+\.[0-9]+)([a-z]+)?$/.test(lower)) {
    throw new Error(`Fractional values are not supported. Input was: ${lower.replace(/[a-z]+$/, '')}`)
  }
  throw new Error(`Failed to parse byte string: ${value}`)
}

/** spark-submit's positivity check for --driver-memory/--executor-memory (bytes, any suffix). */
export function isPositiveByteString(value: string): boolean {
  try {
    return byteStringAs(value, 'b') > 0
  } catch {
    return false
  }
}

/** Scala's String.toDouble as spark-submit uses it for --driver-cores/--executor-cores. */
export function scalaToDouble(value: string): number | undefined {
  const s = value.trim()
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(s)) return undefined
  return Number(s.replace(/[dDfF]$/, ''))
}

/** Scala's String.toInt. */
export function scalaToInt(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined
  const n = Number(value)
  return n >= -2147483648 && n <= 2147483647 ? n : undefined
}

/** A Kubernetes CPU quantity as the API server accepts it (`1`, `0.5`, `500m`). */
export function isCpuQuantity(value: string): boolean {
  return /^(\d+(\.\d*)?|\.\d+)(m|[eE][+-]?\d+)?$/.test(value) && !/^0*\.?0*m?$/.test(value.replace(/[eE].*$/, ''))
}
