/**
 * **Measure**: runs a {@link Workload.Workload} the way every figure of the benchmark is taken.
 *
 * - Warm-up repetitions first (JIT, caches), not counted.
 * - Then at least five repetitions. Each one runs the baseline and Chronicle back to back, in an
 *   order that alternates, so that both see the same machine: the ratio of a repetition compares two
 *   timings taken seconds apart, and drift on a shared machine cancels out.
 * - Before each timed run, a garbage collection when the host exposes `gc` (`node --expose-gc`,
 *   Chromium `--js-flags=--expose-gc`), so one side does not pay for the other's garbage.
 * - Every outcome, warm-ups included, must equal the baseline's first outcome; otherwise the
 *   workload fails: no figure may come from skipped or different work.
 *
 * The **ratio** is `baseline time / Chronicle time`: Chronicle's throughput relative to plain
 * JavaScript. 1 means as fast as hand-written code; higher is better; a target of 0.5 means "at
 * least half the throughput of the baseline".
 *
 * Runs in Node and in the browser alike (no Node modules).
 */
import * as Outcome from "./Outcome.ts"
import * as Stats from "./Stats.ts"
import type * as Workload from "./Workload.ts"

/**
 * How many repetitions to run.
 */
export interface Options {
  readonly warmups: number
  readonly repetitions: number
  /** Progress lines, e.g. to the console. */
  readonly log?: ((line: string) => void) | undefined
  /**
   * Runs around each timed run of a side, outside the timing (e.g. a CPU profiler). Figures taken
   * with a profiler on are not the benchmark's.
   */
  readonly around?: (<A>(side: SideName, workload: string, timed: () => Promise<A>) => Promise<A>) | undefined
}

/**
 * The two sides of a workload.
 */
export type SideName = "chronicle" | "baseline"

/**
 * At least five repetitions after one warm-up.
 */
export const defaults: Options = { warmups: 1, repetitions: 5 }

/**
 * The timings of one contender: the whole run, and each lap.
 */
export interface Side {
  readonly time: Stats.Stats
  readonly laps: Readonly<Record<string, Stats.Stats>>
}

/**
 * A measured workload.
 */
export interface Measured {
  readonly id: string
  readonly work: string
  readonly items: number
  readonly unit: string
  readonly target: number | undefined
  readonly laps: ReadonlyArray<Workload.Lap>
  readonly chronicle: Side
  readonly baseline: Side
  /** Per repetition, baseline time / Chronicle time (see the module header). */
  readonly ratio: Stats.Stats
  /** Whether the median ratio reaches the target; undefined without a target. */
  readonly met: boolean | undefined
  /** The outcome every run produced. */
  readonly outcome: Outcome.Outcome
}

/**
 * An outcome differed from the baseline's: the figures of the workload would be meaningless.
 */
export class MismatchError extends Error {
  constructor(id: string, who: string, expected: Outcome.Outcome, actual: Outcome.Outcome) {
    super(`${id}: ${who} produced ${Outcome.describe(actual)}; the baseline produced ${Outcome.describe(expected)}`)
    this.name = "MismatchError"
  }
}

const labels: Record<SideName, string> = { baseline: "the baseline", chronicle: "Chronicle" }

const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.()

interface Timed {
  readonly time: number
  readonly laps: ReadonlyMap<string, number>
  readonly outcome: Outcome.Outcome
}

const stopwatch = () => {
  const started = new Map<string, number>()
  const laps = new Map<string, number>()
  const api: Workload.Laps = {
    begin: (name) => void started.set(name, performance.now()),
    end: (name) => {
      const start = started.get(name)
      if (start === undefined) throw new Error(`lap "${name}" ended before it began`)
      laps.set(name, performance.now() - start)
    }
  }
  return { api, laps }
}

/** Prepares a run (untimed), collects garbage, then times the run inside `around`. */
const timeOnce = async (
  contender: Workload.Contender,
  around: (timed: () => Promise<Timed>) => Promise<Timed>
): Promise<Timed> => {
  const run = await contender.prepare()
  const { api, laps } = stopwatch()
  collectGarbage()
  return around(async () => {
    const start = performance.now()
    const outcome = await run(api)
    const time = performance.now() - start
    return { time, laps, outcome }
  })
}

const summarise = (runs: ReadonlyArray<Timed>, laps: ReadonlyArray<Workload.Lap>): Side => ({
  time: Stats.of(runs.map((run) => run.time)),
  laps: Object.fromEntries(laps.map(({ name }) => [name, Stats.of(runs.map((run) => run.laps.get(name) ?? NaN))]))
})

/**
 * Measures a workload: warm-ups, then repetitions of baseline and Chronicle back to back, each
 * outcome checked against the baseline's.
 *
 * @example
 * ```ts
 * const measured = await Measure.run(workload, Measure.defaults)
 * measured.ratio.median // e.g. 0.62: 62% of the baseline's throughput
 * ```
 */
export const run = async (workload: Workload.Workload, options: Options = defaults): Promise<Measured> => {
  let expected: Outcome.Outcome | undefined
  const measure = async (side: SideName): Promise<Timed> => {
    const timed = await timeOnce(
      workload[side],
      (run) => options.around === undefined ? run() : options.around(side, workload.id, run)
    )
    expected ??= timed.outcome // the first run is the baseline's: the reference
    if (!Outcome.equals(expected, timed.outcome)) throw new MismatchError(workload.id, labels[side], expected, timed.outcome)
    return timed
  }
  // Alternate which side goes first, so neither always runs on a warmer (or noisier) machine.
  const pair = async (repetition: number): Promise<Record<SideName, Timed>> => {
    const baseline = repetition % 2 === 0 ? await measure("baseline") : undefined
    const chronicle = await measure("chronicle")
    return { baseline: baseline ?? await measure("baseline"), chronicle }
  }

  await measure("baseline")
  for (let i = 0; i < options.warmups; i++) {
    await pair(i)
    options.log?.(`  ${workload.id} warm-up ${i + 1}/${options.warmups}`)
  }
  const pairs: Array<Record<SideName, Timed>> = []
  for (let i = 0; i < options.repetitions; i++) {
    const { baseline, chronicle } = await pair(i)
    pairs.push({ baseline, chronicle })
    options.log?.(
      `  ${workload.id} ${i + 1}/${options.repetitions}: baseline ${baseline.time.toFixed(1)} ms, Chronicle ${chronicle.time.toFixed(1)} ms`
    )
  }
  const laps = workload.laps ?? []
  const ratio = Stats.of(pairs.map(({ baseline, chronicle }) => baseline.time / chronicle.time))
  return {
    id: workload.id,
    work: workload.work,
    items: workload.items,
    unit: workload.unit,
    target: workload.target,
    laps,
    chronicle: summarise(pairs.map((p) => p.chronicle), laps),
    baseline: summarise(pairs.map((p) => p.baseline), laps),
    ratio,
    met: workload.target === undefined ? undefined : ratio.median >= workload.target,
    outcome: expected!
  }
}
