/**
 * **Measure**: runs a {@link Workload.Workload} the way every figure of the benchmark is taken.
 *
 * - Warm-up repetitions first (JIT, caches), not counted.
 * - Then at least five repetitions. Each one runs every contender back to back — the baseline,
 *   Chronicle and each peer — in an order that rotates by one each repetition, so that all see the
 *   same machine: the ratios of a repetition compare timings taken seconds apart, and drift on a
 *   shared machine cancels out. (With no peers, the baseline and Chronicle simply alternate.)
 * - Before each timed run, a garbage collection when the host exposes `gc` (`node --expose-gc`,
 *   Chromium `--js-flags=--expose-gc`), so one side does not pay for the other's garbage.
 * - Every outcome, warm-ups included, must equal the baseline's first outcome; otherwise the
 *   workload fails: no figure may come from skipped or different work, a peer's no more than
 *   Chronicle's. A peer the workload marks unavailable is not run; its reason is kept for the report.
 *
 * The ratios, each computed per repetition from that repetition's timings:
 *
 * - **ratio** = `baseline time / Chronicle time`: Chronicle's throughput relative to plain
 *   JavaScript. 1 means as fast as hand-written code; higher is better; a target of 0.5 means "at
 *   least half the throughput of the baseline".
 * - a peer's **ratio** = `baseline time / peer time`: the peer's throughput relative to plain
 *   JavaScript, on the same scale.
 * - a peer's **versus** = `peer time / Chronicle time`: Chronicle's throughput relative to the
 *   peer's; above 1, Chronicle is faster.
 * - **best**: the versus of the best peer (the one with the highest median throughput), checked
 *   against the workload's `peerTarget` (1 means "at least as fast as the fastest peer").
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
  /** The clock timings are read from, in milliseconds; `performance.now` unless given. */
  readonly now?: (() => number) | undefined
}

/**
 * A contender of a workload: `"chronicle"`, `"baseline"` or a peer's name.
 */
export type SideName = string

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
  /** The peers, in the workload's order (none when it has none or they were skipped). */
  readonly peers: ReadonlyArray<Peer>
  /** Chronicle against the best peer; undefined without peers. */
  readonly best: Versus | undefined
  /** The outcome every run produced. */
  readonly outcome: Outcome.Outcome
}

/**
 * A peer of a measured workload: measured, or not run, with the reason.
 */
export type Peer = MeasuredPeer | { readonly name: string; readonly unavailable: string }

/**
 * A measured peer: its timings and how it compares, repetition by repetition.
 */
export interface MeasuredPeer {
  readonly name: string
  readonly side: Side
  /** Per repetition, baseline time / peer time: the peer's throughput relative to plain JavaScript. */
  readonly ratio: Stats.Stats
  /** Per repetition, peer time / Chronicle time: Chronicle's throughput relative to the peer's. */
  readonly versus: Stats.Stats
}

/**
 * Chronicle against the best peer of a workload — the one with the highest median throughput.
 */
export interface Versus {
  readonly peer: string
  /** The best peer's {@link MeasuredPeer.versus}: peer time / Chronicle time, per repetition. */
  readonly ratio: Stats.Stats
  readonly target: number | undefined
  /** Whether the median reaches the target; undefined without a target. */
  readonly met: boolean | undefined
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

const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.()

interface Timed {
  readonly time: number
  readonly laps: ReadonlyMap<string, number>
  readonly outcome: Outcome.Outcome
}

const stopwatch = (now: () => number) => {
  const started = new Map<string, number>()
  const laps = new Map<string, number>()
  const api: Workload.Laps = {
    begin: (name) => void started.set(name, now()),
    end: (name) => {
      const start = started.get(name)
      if (start === undefined) throw new Error(`lap "${name}" ended before it began`)
      laps.set(name, now() - start)
    }
  }
  return { api, laps }
}

/** Prepares a run (untimed), collects garbage, then times the run inside `around`. */
const timeOnce = async (
  now: () => number,
  contender: Workload.Contender,
  around: (timed: () => Promise<Timed>) => Promise<Timed>
): Promise<Timed> => {
  const run = await contender.prepare()
  const { api, laps } = stopwatch(now)
  collectGarbage()
  return around(async () => {
    const start = now()
    const outcome = await run(api)
    const time = now() - start
    return { time, laps, outcome }
  })
}

const summarise = (runs: ReadonlyArray<Timed>, laps: ReadonlyArray<Workload.Lap>): Side => ({
  time: Stats.of(runs.map((run) => run.time)),
  laps: Object.fromEntries(laps.map(({ name }) => [name, Stats.of(runs.map((run) => run.laps.get(name) ?? NaN))]))
})

/**
 * Whether a peer was measured.
 *
 * @example
 * ```ts
 * measured.peers.filter(Measure.isMeasured).map((peer) => peer.versus.median)
 * ```
 */
export const isMeasured = (peer: Peer): peer is MeasuredPeer => "side" in peer

interface Entrant {
  readonly name: SideName
  /** As progress lines say it. */
  readonly title: string
  readonly contender: Workload.Contender
}

const entrants = (workload: Workload.Workload): ReadonlyArray<Entrant> => {
  const all: ReadonlyArray<Entrant> = [
    { name: "baseline", title: "baseline", contender: workload.baseline },
    { name: "chronicle", title: "Chronicle", contender: workload.chronicle },
    ...(workload.peers ?? []).flatMap((peer) => "contender" in peer ? [{ name: peer.name, title: peer.name, contender: peer.contender }] : [])
  ]
  const names = all.map(({ name }) => name)
  const repeated = names.find((name, i) => names.indexOf(name) !== i)
  if (repeated !== undefined) throw new Error(`${workload.id}: two contenders are named "${repeated}"`)
  return all
}

const versus = (peer: MeasuredPeer, target: number | undefined): Versus => ({
  peer: peer.name,
  ratio: peer.versus,
  target,
  met: target === undefined ? undefined : peer.versus.median >= target
})

/**
 * Measures a workload: warm-ups, then repetitions of every contender back to back, each outcome
 * checked against the baseline's.
 *
 * @example
 * ```ts
 * const measured = await Measure.run(workload, Measure.defaults)
 * measured.ratio.median // e.g. 0.62: 62% of the baseline's throughput
 * measured.best?.ratio.median // e.g. 1.4: 1.4 times the throughput of the fastest peer
 * ```
 */
export const run = async (workload: Workload.Workload, options: Options = defaults): Promise<Measured> => {
  const all = entrants(workload)
  let expected: Outcome.Outcome | undefined
  const measure = async ({ contender, name, title }: Entrant): Promise<Timed> => {
    const timed = await timeOnce(
      options.now ?? (() => performance.now()),
      contender,
      (run) => options.around === undefined ? run() : options.around(name, workload.id, run)
    )
    expected ??= timed.outcome // the first run is the baseline's: the reference
    if (!Outcome.equals(expected, timed.outcome)) {
      throw new MismatchError(workload.id, name === "baseline" ? "the baseline" : title, expected, timed.outcome)
    }
    return timed
  }
  // Rotate who goes first, so no side always runs on a warmer (or noisier) machine.
  const round = async (repetition: number): Promise<ReadonlyMap<SideName, Timed>> => {
    const timed = new Map<SideName, Timed>()
    for (let k = 0; k < all.length; k++) {
      const entrant = all[(repetition + k) % all.length]!
      timed.set(entrant.name, await measure(entrant))
    }
    return timed
  }

  await measure(all[0]!)
  for (let i = 0; i < options.warmups; i++) {
    await round(i)
    options.log?.(`  ${workload.id} warm-up ${i + 1}/${options.warmups}`)
  }
  const rounds: Array<ReadonlyMap<SideName, Timed>> = []
  for (let i = 0; i < options.repetitions; i++) {
    const timed = await round(i)
    rounds.push(timed)
    const line = all.map(({ name, title }) => `${title} ${timed.get(name)!.time.toFixed(1)} ms`).join(", ")
    options.log?.(`  ${workload.id} ${i + 1}/${options.repetitions}: ${line}`)
  }
  const laps = workload.laps ?? []
  const times = (name: SideName) => rounds.map((timed) => timed.get(name)!)
  const ratioOf = (numerator: SideName, denominator: SideName) =>
    Stats.of(rounds.map((timed) => timed.get(numerator)!.time / timed.get(denominator)!.time))
  const ratio = ratioOf("baseline", "chronicle")
  const peers = (workload.peers ?? []).map((peer): Peer =>
    "unavailable" in peer ? peer : {
      name: peer.name,
      side: summarise(times(peer.name), laps),
      ratio: ratioOf("baseline", peer.name),
      versus: ratioOf(peer.name, "chronicle")
    }
  )
  const [fastest] = peers.filter(isMeasured).sort((a, b) => a.side.time.median - b.side.time.median)
  return {
    id: workload.id,
    work: workload.work,
    items: workload.items,
    unit: workload.unit,
    target: workload.target,
    laps,
    chronicle: summarise(times("chronicle"), laps),
    baseline: summarise(times("baseline"), laps),
    ratio,
    met: workload.target === undefined ? undefined : ratio.median >= workload.target,
    peers,
    best: fastest === undefined ? undefined : versus(fastest, workload.peerTarget),
    outcome: expected!
  }
}
