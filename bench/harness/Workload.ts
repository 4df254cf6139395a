/**
 * **Workload**: one line of the benchmark. A workload pits Chronicle against a plain-JavaScript
 * baseline doing the same work, and optionally against peers (other event-sourcing libraries doing
 * it their documented way); each side prepares what a repetition needs (untimed) and then runs
 * (timed), returning its {@link Outcome.Outcome} so that all of them can be checked against each other.
 */
import type * as Outcome from "./Outcome.ts"

/**
 * Times parts of a run, e.g. the first and the last 10% of a long series of appends. Call `begin`
 * and `end` with the same name, once per run.
 */
export interface Laps {
  readonly begin: (name: string) => void
  readonly end: (name: string) => void
}

/**
 * The timed part of a repetition.
 */
export type Run = (laps: Laps) => Promise<Outcome.Outcome>

/**
 * One side of a workload. `prepare` builds what one repetition needs (a fresh store, a filled
 * database…) and is not timed; the {@link Run} it returns is.
 */
export interface Contender {
  readonly prepare: () => Promise<Run>
}

/**
 * A part of a run timed on its own, with the number of items it covers (to report a rate).
 */
export interface Lap {
  readonly name: string
  readonly items: number
}

/**
 * Another library doing a workload's work, named as the report shows it (e.g. `fmodel-ts`) — or,
 * when it cannot do that work in a time worth waiting for, the reason, reported in its place.
 *
 * @example
 * ```ts
 * const peers: ReadonlyArray<Workload.Peer> = [
 *   { name: "fmodel-ts", contender: { prepare: async () => async () => outcome } },
 *   { name: "Emmett", unavailable: "its in-memory append copies the whole stream" }
 * ]
 * ```
 */
export type Peer =
  | { readonly name: string; readonly contender: Contender }
  | { readonly name: string; readonly unavailable: string }

/**
 * A workload: what it does, how much, the target ratios, and its contenders.
 */
export interface Workload {
  /** Short id, e.g. `W1`. */
  readonly id: string
  /** What one run does, in a line. */
  readonly work: string
  /** How many items (commands, events) one run handles. */
  readonly items: number
  /** What the items are, e.g. `commands`. */
  readonly unit: string
  /** The ratio to the baseline to reach (see `Measure.ratio`); none when only reported. */
  readonly target?: number | undefined
  /** Parts of a run also reported on their own. */
  readonly laps?: ReadonlyArray<Lap> | undefined
  readonly chronicle: Contender
  readonly baseline: Contender
  /** Other libraries doing the same work, measured in the same run (see `Measure.run`). */
  readonly peers?: ReadonlyArray<Peer> | undefined
  /** The ratio to the best peer to reach (see `Measure.Versus`); none when only reported. */
  readonly peerTarget?: number | undefined
  /** Releases what the workload holds (connections, database schemas) once it has been measured. */
  readonly dispose?: (() => Promise<void>) | undefined
}

/**
 * A workload that cannot run yet, with the reason; reported as such, never silently left out.
 */
export interface Unavailable {
  readonly id: string
  readonly work: string
  readonly unavailable: string
}

/**
 * Something built on first use and shared by every repetition (a store filled once for read-only
 * work), so that a workload costs nothing until it runs.
 *
 * @example
 * ```ts
 * const store = Workload.shared(() => Stores.memory(batches))
 * const prepare = async () => { const filled = await store(); return () => … }
 * ```
 */
export const shared = <A>(build: () => Promise<A>): () => Promise<A> => {
  let built: Promise<A> | undefined
  return () => built ??= build()
}
