/**
 * **Stats**: the summary of repeated timings that the benchmark reports — median, min and max.
 * The median, not the mean, is the headline figure: on a shared, noisy machine a few slow
 * repetitions must not move it.
 */

/**
 * The median, min and max of a series of timings, in milliseconds.
 */
export interface Stats {
  readonly median: number
  readonly min: number
  readonly max: number
  /** Every timing, in the order measured. */
  readonly samples: ReadonlyArray<number>
}

/**
 * Summarises timings; the median of an even count is the mean of the two middle ones.
 *
 * @example
 * ```ts
 * Stats.of([3, 1, 2]) // { median: 2, min: 1, max: 3, samples: [3, 1, 2] }
 * ```
 */
export const of = (samples: ReadonlyArray<number>): Stats => {
  if (samples.length === 0) throw new Error("Stats.of: no samples")
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return { median, min: sorted[0]!, max: sorted.at(-1)!, samples }
}

/**
 * Items per second at a duration in milliseconds.
 */
export const rate = (items: number, milliseconds: number): number => items / (milliseconds / 1000)
