/**
 * **Latency**: how long single operations took (one append, one command), summarised by
 * percentiles — the median and the tail that a user of a loaded system feels.
 */

/**
 * The latency percentiles of one run, in milliseconds.
 */
export interface Latency {
  readonly p50: number
  readonly p99: number
}

/**
 * The `p`-th percentile (0 < p ≤ 100) of durations in milliseconds, by the nearest-rank method:
 * the smallest duration that at least `p`% of them do not exceed. Throws on no samples.
 *
 * @example
 * ```ts
 * Latency.percentile([5, 1, 4, 2, 3], 50) // 3
 * Latency.percentile([5, 1, 4, 2, 3], 99) // 5
 * ```
 */
export const percentile = (durations: ReadonlyArray<number>, p: number): number => rank(sorted(durations), p)

const sorted = (durations: ReadonlyArray<number>) => {
  if (durations.length === 0) throw new Error("Latency: no samples")
  return Float64Array.from(durations).sort()
}

const rank = (sorted: Float64Array, p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!

/**
 * The p50 and p99 of durations in milliseconds.
 *
 * @example
 * ```ts
 * Latency.of(durations) // { p50: 4.1, p99: 38.2 }
 * ```
 */
export const of = (durations: ReadonlyArray<number>): Latency => {
  const ordered = sorted(durations)
  return { p50: rank(ordered, 50), p99: rank(ordered, 99) }
}
