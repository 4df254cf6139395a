/**
 * The concurrency part of the EventStore contract: many fibers append at once, to one stream and to
 * many. Whatever the interleaving, no event is lost or recorded twice, each stream's versions are
 * 1…n without gaps, each append's events stay together, and the conflicts are exactly those that
 * the writers' expectations call for. Where the number of writers that succeed can be guaranteed
 * (every retrying writer, one per race), a failure says how many did.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { Effect, Result } from "effect"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer, Refusal } from "./support.ts"
import { assertContiguous, assertIncreasing, batch, readLog, readStream, withStore } from "./support.ts"

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

const dataOf = (event: Envelope.Recorded) => event.data as { readonly writer: string; readonly i: number }

/**
 * Asserts that each batch (`writer → size`, in the order the writers appended them) was recorded
 * exactly once, its events together and in order, and nothing else.
 */
const assertBatches = (events: ReadonlyArray<Envelope.Recorded>, sizes: ReadonlyMap<string, number>) => {
  for (const [writer, size] of sizes) {
    const own = events.filter((event) => dataOf(event).writer === writer)
    const first = own[0]?.version ?? 0
    Expect.equal(
      `the events of batch ${writer} (once, together, in order)`,
      range(size).map((i) => ({ i, version: first + i })),
      own.map((event) => ({ i: dataOf(event).i, version: event.version }))
    )
  }
  Expect.equal("the number of events", [...sizes.values()].reduce((a, b) => a + b, 0), events.length)
}

const isConflict = (error: Refusal): error is EventStore.WrongExpectedVersion => error._tag === "WrongExpectedVersion"

/** The concurrency checks, each on a fresh store. */
export const checks = (makeLayer: MakeLayer): ReadonlyArray<Check> => [
  {
    name: "concurrent writers that reload and retry on conflict lose nothing and duplicate nothing",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const writers = range(8).map((w) => range(5).map((i) => `w${w}.${i}`))
          const sizes = new Map(writers.flat().map((name, n) => [name, 1 + (n % 3)] as const))
          const conflicts: Array<EventStore.WrongExpectedVersion> = []
          const write = (writer: string) =>
            Effect.gen(function*() {
              const version = (yield* readStream(store, "shared")).at(-1)?.version ?? 0
              yield* Effect.yieldNow // let the other writers move the stream
              return yield* store.append("shared", batch(writer, sizes.get(writer)!), ExpectedVersion.exact(version))
            }).pipe(
              Effect.tapError((error) => Effect.sync(() => isConflict(error) && conflicts.push(error))),
              Effect.retry({ while: isConflict, times: 500 }),
              Effect.result
            )
          // A writer in turn stops at its first failure: its later batches are not written.
          const outcomes = yield* Effect.forEach(writers, (batches) =>
            Effect.gen(function*() {
              const results: Array<Result.Result<unknown, Refusal>> = []
              for (const writer of batches) {
                const result = yield* write(writer)
                results.push(result)
                if (Result.isFailure(result)) break
              }
              return results
            }), { concurrency: "unbounded" })
          const successes = outcomes.flat().filter(Result.isSuccess).length
          const failure = outcomes.flat().find(Result.isFailure)
          // Each conflict of a writer means another batch was recorded since it read, and there are
          // 40 batches: no writer conflicts 500 times, so every one succeeds, whatever the timing.
          if (failure !== undefined) {
            Expect.fail(
              `every writer's batch recorded (${successes} of 40 succeeded, after ${conflicts.length} conflicts)`,
              "40 successes",
              failure.failure
            )
          }
          const events = yield* readStream(store, "shared")
          assertContiguous("shared", events)
          assertBatches(events, sizes)
          for (const batches of writers) {
            const starts = batches.map((writer) => events.find((event) => dataOf(event).writer === writer)!.version)
            Expect.equal(`the batches of ${batches[0]} and after, in the order written`, [...starts].sort((a, b) => a - b), starts)
          }
          Expect.equal("the log", events, yield* readLog(store))
          for (const conflict of conflicts) {
            const expected = conflict.expected._tag === "Exact" ? conflict.expected.version : -1
            if (conflict.actual <= expected) Expect.fail("a conflict only once the stream moved on", `> ${expected}`, conflict.actual)
          }
        }))
  },
  {
    name: "writers racing with the same expectation: exactly one wins, the others get the conflict",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("race-exact-3", batch("before", 3), ExpectedVersion.noStream)
          yield* store.append("race-exists", batch("before", 3), ExpectedVersion.noStream)
          const races = [
            ["race-no-stream", ExpectedVersion.noStream, 0],
            ["race-exact-0", ExpectedVersion.exact(0), 0],
            ["race-exact-3", ExpectedVersion.exact(3), 3],
            ["race-exists", ExpectedVersion.streamExists, 3]
          ] as const
          for (const [streamId, expected, before] of races) {
            const batches = range(10).map((w) => batch(`w${w}`, 1 + (w % 3)))
            const results = yield* Effect.forEach(batches, (events) => Effect.result(store.append(streamId, events, expected)), {
              concurrency: "unbounded"
            })
            const events = yield* readStream(store, streamId)
            assertContiguous(streamId, events)
            const winners = results.flatMap((result, w) => Result.isSuccess(result) ? [w] : [])
            if (expected._tag === "StreamExists") {
              Expect.equal(`${streamId}: every append succeeds`, range(10), winners)
              continue
            }
            Expect.equal(`${streamId}: the number of winners (of 10 writers)`, 1, winners.length)
            const winner = winners[0]!
            Expect.equal(
              `${streamId}: the winner's events`,
              batches[winner]!.map((event) => event.data),
              events.slice(before).map((event) => event.data)
            )
            results.forEach((result, w) => {
              if (w === winner) return
              const failure = Result.isFailure(result) ? result.failure : undefined
              if (failure === undefined || !isConflict(failure)) {
                return Expect.fail(`${streamId}: writer ${w} gets a conflict`, "WrongExpectedVersion", failure ?? result)
              }
              Expect.equal(`${streamId}: the conflict of writer ${w}`, { expected, actual: events.length }, {
                expected: failure.expected,
                actual: failure.actual
              })
            })
          }
        }))
  },
  {
    name: "writers on different streams never conflict, and the log interleaves them in order",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const streams = range(8).map((s) => `stream-${s}`)
          const writeInTurn = (streamId: string) =>
            Effect.gen(function*() {
              let version = 0
              for (const i of range(5)) {
                const appended = yield* store.append(streamId, batch(`${streamId}.${i}`, 1 + (i % 2)), ExpectedVersion.exact(version))
                version = appended.version
              }
            })
          yield* Effect.forEach(streams, writeInTurn, { concurrency: "unbounded", discard: true })
          const log = yield* readLog(store)
          assertIncreasing("the log", log)
          for (const streamId of streams) {
            const events = yield* readStream(store, streamId)
            assertContiguous(streamId, events)
            Expect.equal(`${streamId} as read and within the log`, events, log.filter((event) => event.streamId === streamId))
          }
          Expect.equal("the number of events", 8 * 7, log.length)
        }))
  },
  {
    name: "concurrent appends expecting any version all succeed, each batch in one piece",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const sizes = new Map(range(12).map((w) => [`w${w}`, 1 + (w % 4)] as const))
          const results = yield* Effect.forEach(
            sizes,
            ([writer, size]) => store.append("any", batch(writer, size), ExpectedVersion.any),
            { concurrency: "unbounded" }
          )
          const events = yield* readStream(store, "any")
          assertContiguous("any", events)
          assertBatches(events, sizes)
          Expect.equal(
            "each append's version is that of its last event",
            results.map((result) => result.events.at(-1)!.version),
            results.map((result) => result.version)
          )
        }))
  }
]
