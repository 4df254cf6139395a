/**
 * **Profiler**: CPU profiles of the timed runs only (not the setup), in Node, through the
 * inspector — the evidence behind the benchmark's findings. Each run writes
 * `<workload>-<side>-<n>.cpuprofile`; `bench/profile.ts` sums several into one table of self times,
 * so Chronicle's runs can be set beside the baseline's.
 *
 * Node only.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { join } from "node:path"
import type * as Measure from "./Measure.ts"

/**
 * An `around` hook for `Measure.run` that profiles every timed run into `directory`.
 *
 * @example
 * ```ts
 * await Measure.run(workload, { ...Measure.defaults, around: Profiler.timedRuns("bench-results/profiles") })
 * ```
 */
export const timedRuns = (directory: string): NonNullable<Measure.Options["around"]> => {
  mkdirSync(directory, { recursive: true })
  const session = new Session()
  session.connect()
  const counts = new Map<string, number>()
  return async (side, workload, timed) => {
    const name = `${workload}-${side}`
    const count = (counts.get(name) ?? 0) + 1
    counts.set(name, count)
    await session.post("Profiler.enable")
    await session.post("Profiler.start")
    try {
      return await timed()
    } finally {
      const { profile } = await session.post("Profiler.stop")
      writeFileSync(join(directory, `${name}-${count}.cpuprofile`), JSON.stringify(profile))
    }
  }
}
