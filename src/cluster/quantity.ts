// Kubernetes resource quantities ("500m", "2", "1.5Gi", "1e3", "128974848") parsed to numbers, compared and
// formatted the way KubeDirector uses them (minResources checks, configmeta flavor memory/cores). Pure.

const BINARY: Record<string, number> = {Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60}
const DECIMAL: Record<string, number> = {n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18}
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/

/** True when `value` is a well-formed Kubernetes quantity. */
export function isQuantity(value: string | number): boolean {
  return typeof value === 'number' ? Number.isFinite(value) : QUANTITY.test(value.trim())
}

/** The quantity in base units (cores, bytes, devices); throws on a malformed value (check isQuantity first). */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value
  const m = QUANTITY.exec(value.trim())
  if (!m) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(value)}`)
  const n = Number(m[1])
  if (m[3] !== undefined) return n * 10 ** Number(m[3])
  const suffix = m[2] ?? ''
  return n * (BINARY[suffix] ?? DECIMAL[suffix]!)
}

/** Kubernetes' Quantity.Value(): the base-unit value rounded up to an integer. */
export function quantityValue(value: string | number): number {
  return Math.ceil(parseQuantity(value) - 1e-9)
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareQuantities(a: string | number, b: string | number): number {
  const d = parseQuantity(a) - parseQuantity(b)
  const eps = Math.max(Math.abs(parseQuantity(a)), Math.abs(parseQuantity(b))) * 1e-12
  return Math.abs(d) <= eps ? 0 : d < 0 ? -1 : 1
}

/** The larger of two quantities, as written. */
export function maxQuantity(a: string, b: string): string {
  return compareQuantities(a, b) >= 0 ? a : b
}

/** Bytes → whole MiB (configmeta flavor.memory). */
export function mebibytes(value: string | number): number {
  return Math.floor(quantityValue(value) / 2 ** 20)
}
