/**
 * The multi-stream part of the EventStore contract: `appendMany` writes several streams in one
 * all-or-nothing write. Its batches land whole, at contiguous positions in batch order, each stream
 * at the versions its expectation calls for (checked against the stream as the batches before it
 * leave it); a conflict, a closed stream or a bad event in any batch writes nothing and names the
 * stream; subscribers never see part of a write; the position condition (`expectedLastPosition`) is
 * checked inside the write, so of two writers racing into one empty store one writes everything and
 * the other nothing.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Effect, Fiber, Result, Stream } from "effect"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer } from "./support.ts"
import { assertContiguous, batch, pending, readLog, readStream, within, withStore } from "./support.ts"

/** Why the port refuses an `appendMany`. */
type Refusal = EventStore.WrongExpectedVersion | EventStore.StreamClosed | EventStore.WrongExpectedPosition | EventStore.StoreError

const streamIdsOf = (batches: ReadonlyArray<EventStore.Batch>) => [...new Set(batches.map((batch) => batch.streamId))]

/**
 * Attempts `batches`, asserts that the write fails with `tag`, and that neither the log nor any of
 * the streams changed; returns the error.
 */
const refusedWhole = <Tag extends Refusal["_tag"]>(
  store: EventStore.Service,
  what: string,
  batches: ReadonlyArray<EventStore.Batch>,
  tag: Tag,
  options?: EventStore.AppendManyOptions
): Effect.Effect<Extract<Refusal, { readonly _tag: Tag }>, EventStore.StoreError> =>
  Effect.gen(function*() {
    const streams = yield* Effect.forEach(streamIdsOf(batches), (streamId) => readStream(store, streamId))
    const log = yield* readLog(store)
    const result = yield* Effect.result(store.appendMany(batches, options))
    if (Result.isSuccess(result) || result.failure._tag !== tag) {
      return Expect.fail(`${what}: the write fails`, tag, Result.isSuccess(result) ? result.success : result.failure)
    }
    Expect.equal(`${what}: the log (nothing written)`, log, yield* readLog(store))
    const after = yield* Effect.forEach(streamIdsOf(batches), (streamId) => readStream(store, streamId))
    Expect.equal(`${what}: the streams (nothing written)`, streams, after)
    return result.failure as Extract<Refusal, { readonly _tag: Tag }>
  })

/** Asserts that `events` sit at positions `from`, `from + 1`, … in this order. */
const assertPositionsFrom = (what: string, from: number, events: ReadonlyArray<Envelope.Recorded>) =>
  Expect.equal(what, events.map((_, i) => from + i), events.map((event) => event.position))

const writerOf = (event: Envelope.Recorded) => (event.data as { readonly writer: string }).writer

/** The multi-stream checks, each on a fresh store. */
export const checks = (makeLayer: MakeLayer): ReadonlyArray<Check> => [
  {
    name: "a write of several streams lands whole: contiguous positions in batch order, each batch at its stream's next versions",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("a", batch("before", 1), ExpectedVersion.noStream)
          const results = yield* store.appendMany([
            { streamId: "a", events: batch("a1", 2), expected: ExpectedVersion.exact(1) },
            { streamId: "b", events: batch("b1", 1), expected: ExpectedVersion.noStream },
            { streamId: "a", events: batch("a2", 1), expected: ExpectedVersion.exact(3) },
            { streamId: "c", events: [], expected: ExpectedVersion.noStream }
          ])
          Expect.equal("the versions after each batch", [3, 1, 4, 0], results.map((result) => result.version))
          const written = results.flatMap((result) => result.events)
          Expect.equal(
            "the events written, in batch order",
            ["a1", "a1", "b1", "a2"],
            written.map(writerOf)
          )
          const log = yield* readLog(store)
          assertPositionsFrom("the positions of the write", log[1]!.position, written)
          Expect.equal("the log: the events before, then the write as returned", written, log.slice(1))
          const a = yield* readStream(store, "a")
          assertContiguous("a", a)
          Expect.equal("stream a", ["before", "a1", "a1", "a2"], a.map(writerOf))
          Expect.equal("stream b", [1], (yield* readStream(store, "b")).map((event) => event.version))
          Expect.equal("an empty write", [], yield* store.appendMany([]))
        }))
  },
  {
    name: "a conflict, a closed stream or a bad event in any batch writes nothing and names the stream",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("open", batch("first", 2), ExpectedVersion.noStream)
          yield* store.append("closed", [pending("Noted"), EventStore.marker(EventStore.archivedType)], ExpectedVersion.noStream)
          const good = { streamId: "new", events: batch("good", 2), expected: ExpectedVersion.noStream }
          for (const at of [0, 1]) {
            const place = (refused: EventStore.Batch) => at === 0 ? [refused, good] : [good, refused]
            const where = `in batch ${at + 1}`
            const conflict = yield* refusedWhole(
              store,
              `a conflict ${where}`,
              place({ streamId: "open", events: batch("late", 1), expected: ExpectedVersion.exact(1) }),
              "WrongExpectedVersion"
            )
            Expect.equal(`a conflict ${where}: the error`, ["open", 2], [conflict.streamId, conflict.actual])
            const closed = yield* refusedWhole(
              store,
              `a closed stream ${where}`,
              place({ streamId: "closed", events: batch("late", 1), expected: ExpectedVersion.any }),
              "StreamClosed"
            )
            Expect.equal(`a closed stream ${where}: the error`, ["closed", "Archived"], [closed.streamId, closed.closure])
            const bad = yield* refusedWhole(
              store,
              `an event that is not JSON ${where}`,
              place({ streamId: "open", events: [pending("Bad", { at: new Date(0) })], expected: ExpectedVersion.exact(2) }),
              "StoreError"
            )
            Expect.equal(`an event that is not JSON ${where}: the error names the stream`, "open", bad.streamId)
          }
          yield* refusedWhole(
            store,
            "a second batch that expects the stream as it was before the first",
            [good, { ...good, events: batch("again", 1) }],
            "WrongExpectedVersion"
          )
          yield* refusedWhole(
            store,
            "an event after an archive marker of an earlier batch",
            [
              { streamId: "t", events: [pending("Noted"), EventStore.marker(EventStore.archivedType)], expected: ExpectedVersion.noStream },
              { streamId: "t", events: batch("late", 1), expected: ExpectedVersion.exact(2) }
            ],
            "StreamClosed"
          )
          const closedThenDeleted = yield* store.appendMany([
            { streamId: "t", events: [pending("Noted"), EventStore.marker(EventStore.archivedType)], expected: ExpectedVersion.noStream },
            { streamId: "t", events: [EventStore.marker(EventStore.deletedType)], expected: ExpectedVersion.exact(2) }
          ])
          Expect.equal(
            "an archive marker and a tombstone in two batches of one write",
            ["Noted", EventStore.archivedType, EventStore.deletedType],
            closedThenDeleted.flatMap((result) => result.events.map((event) => event.type))
          )
        }))
  },
  {
    name: "the position condition is checked inside the write: a log that moved is refused whole with WrongExpectedPosition",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const write = (writer: string) => [
            { streamId: "x", events: batch(writer, 1), expected: ExpectedVersion.any },
            { streamId: "y", events: batch(writer, 2), expected: ExpectedVersion.any }
          ]
          yield* store.appendMany(write("first"), { expectedLastPosition: 0 })
          const last = yield* store.lastPosition
          const moved = yield* refusedWhole(store, "a write into an empty store", write("late"), "WrongExpectedPosition", {
            expectedLastPosition: 0
          })
          Expect.equal("the error", { expected: 0, actual: last }, { expected: moved.expected, actual: moved.actual })
          yield* store.appendMany(write("next"), { expectedLastPosition: last })
          Expect.equal("the write at the last position", 6, (yield* readLog(store)).length)
          for (const position of [-1, 1.5, Number.NaN]) {
            const error = yield* refusedWhole(store, `an expected position of ${position}`, write("bad"), "StoreError", {
              expectedLastPosition: position
            })
            Expect.equal(`an expected position of ${position}: the operation`, "append", error.operation)
          }
        }))
  },
  {
    name: "subscribers see a write whole: once they get one of its events, all of it is committed",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("before", 1), ExpectedVersion.noStream)
          const from = (yield* store.lastPosition) + 1
          const batches = ["p", "q", "r", "s"].map((streamId) => ({
            streamId,
            events: batch(`w-${streamId}`, 3),
            expected: ExpectedVersion.any
          }))
          const seen = yield* store.subscribe({ from }).pipe(
            Stream.take(1),
            // The moment the first event of the write arrives, the rest must be in the log.
            Stream.mapEffect(() => readLog(store, from)),
            Stream.runCollect,
            within("the subscription", 10_000),
            Effect.forkChild
          )
          yield* Effect.sleep(20)
          const results = yield* store.appendMany(batches)
          const [log] = yield* Fiber.join(seen)
          Expect.equal("the log when the first event was delivered", results.flatMap((result) => result.events), log)
        }))
  },
  {
    name: "racing writes into one empty store: one writes everything, the others fail with WrongExpectedPosition and write nothing",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const writers = Array.from({ length: 6 }, (_, w) => `w${w}`)
          const outcomes = yield* Effect.forEach(
            writers,
            (writer) =>
              Effect.result(store.appendMany(
                ["x", "y", "z"].map((streamId) => ({ streamId, events: batch(writer, 2), expected: ExpectedVersion.noStream })),
                { expectedLastPosition: 0 }
              )),
            { concurrency: "unbounded" }
          )
          const winners = writers.filter((_, i) => Result.isSuccess(outcomes[i]!))
          Expect.equal("the number of writes that succeed", 1, winners.length)
          const refusals = outcomes.flatMap((outcome) => Result.isFailure(outcome) ? [outcome.failure._tag] : [])
          Expect.equal("the others' refusals", writers.slice(1).map(() => "WrongExpectedPosition"), refusals)
          const log = yield* readLog(store)
          Expect.equal("the log: the winner's events only", log.map(() => winners[0]), log.map(writerOf))
          Expect.equal("the number of events", 6, log.length)
        }))
  },
  {
    name: "racing writes of several streams each land whole and in one piece",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const writers = Array.from({ length: 8 }, (_, w) => `w${w}`)
          yield* Effect.forEach(
            writers,
            (writer) =>
              store.appendMany(["x", "y"].map((streamId) => ({ streamId, events: batch(writer, 2), expected: ExpectedVersion.any }))),
            { concurrency: "unbounded", discard: true }
          )
          const log = yield* readLog(store)
          Expect.equal("the number of events", 32, log.length)
          for (const writer of writers) {
            const own = log.filter((event) => writerOf(event) === writer)
            assertPositionsFrom(`the positions of ${writer}'s write`, own[0]!.position, own)
            Expect.equal(`${writer}'s write, in batch order`, ["x", "x", "y", "y"], own.map((event) => event.streamId))
          }
          for (const streamId of ["x", "y"]) assertContiguous(streamId, yield* readStream(store, streamId))
        }))
  }
]
