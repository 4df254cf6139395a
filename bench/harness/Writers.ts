/**
 * **Writers**: concurrent writers, one fiber each, that repeat one operation (an append, a
 * command) on their own stream until they have done a given number or a deadline has passed —
 * the load of a service with W clients. Each operation is timed on its own (its latency) and the
 * whole from the first start to the last finish (the throughput).
 *
 * An operation in flight when the deadline passes is finished and counted: the elapsed time runs
 * until the last writer is done, so the rate is acknowledged operations over the time they took.
 */
import { Effect } from "effect"

/**
 * When writers stop: after `count` operations each, or at the first operation that would start
 * `milliseconds` after the run began.
 */
export type Stop =
  | { readonly _tag: "Count"; readonly count: number }
  | { readonly _tag: "Deadline"; readonly milliseconds: number }

/**
 * What a run did: operations acknowledged per writer, the elapsed time and every operation's
 * duration (in milliseconds).
 */
export interface Driven {
  readonly counts: ReadonlyArray<number>
  readonly elapsed: number
  readonly durations: ReadonlyArray<number>
}

/**
 * Runs `writers` fibers concurrently; writer `w` calls `operation(w, n)` with n = from + 1,
 * from + 2, … (the version or command number it is at) until `stop`. Fails with the first failure
 * of an operation (interrupting the other writers).
 *
 * @example
 * ```ts
 * const driven = yield* Writers.drive(16, 0, { _tag: "Deadline", milliseconds: 3_000 }, (w, version) =>
 *   store.append(streamOf(w), events(w, version), ExpectedVersion.exact(version - 1)))
 * ```
 */
export const drive = <E>(
  writers: number,
  from: number,
  stop: Stop,
  operation: (writer: number, n: number) => Effect.Effect<unknown, E>
): Effect.Effect<Driven, E> =>
  Effect.suspend(() => {
    const counts = Array.from({ length: writers }, () => 0)
    const durations: Array<number> = []
    const start = performance.now()
    const more = stop._tag === "Count"
      ? (writer: number) => counts[writer]! < stop.count
      : () => performance.now() - start < stop.milliseconds
    const writer = (w: number) =>
      Effect.gen(function*() {
        while (more(w)) {
          const began = performance.now()
          yield* operation(w, from + counts[w]! + 1)
          durations.push(performance.now() - began)
          counts[w]!++
        }
      })
    return Effect.forEach(counts.keys(), writer, { concurrency: "unbounded", discard: true }).pipe(
      Effect.map((): Driven => ({ counts, elapsed: performance.now() - start, durations }))
    )
  })
