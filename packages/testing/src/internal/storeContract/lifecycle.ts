/**
 * The life-cycle part of the EventStore contract: `EventStore.archive` and `EventStore.remove` record
 * marker events, and the layer's atomic append refuses what the markers close. After an archive
 * marker only a tombstone is accepted; after a tombstone nothing is; every refusal is a
 * `StreamClosed` naming the stream and the closure, and writes nothing. The markers are events like
 * any other: `read`, `readAll` and `subscribe` deliver them at their version and position. Appends
 * racing an archive land before its marker or are refused, never after it.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Effect, Fiber, Result, Stream } from "effect"
import * as Expect from "../expect.ts"
import type { Attempt, Check, MakeLayer } from "./support.ts"
import { assertContiguous, batch, pending, readLog, readStream, refusedWhole, withStore, within } from "./support.ts"

/** Runs one of the port's life-cycle operations (`EventStore.archive`, `EventStore.remove`) on `store`. */
const on = <A, E>(store: EventStore.Service, operation: Effect.Effect<A, E, EventStore.EventStore>) =>
  Effect.provideService(operation, EventStore.EventStore, store)

/** Asserts that `attempt` is refused with `StreamClosed` for `closure`, writing nothing. */
const refusedClosed = (store: EventStore.Service, what: string, attempt: Attempt, closure: EventStore.Closure) =>
  Effect.gen(function*() {
    const error = yield* refusedWhole(store, what, attempt, "StreamClosed")
    Expect.equal(`${what}: the refusal`, { streamId: attempt.streamId, closure }, {
      streamId: error.streamId,
      closure: error.closure
    })
  })

const placeOf = ({ position, streamId, type, version }: Envelope.Recorded) => ({ streamId, version, type, position })

const versionsOf = (events: ReadonlyArray<Envelope.Recorded>) =>
  events.map(({ streamId, type, version }) => ({ streamId, version, type }))

/** The life-cycle checks, each on a fresh store. */
export const checks = (makeLayer: MakeLayer): ReadonlyArray<Check> => [
  {
    name: "an archived stream refuses every append but a tombstone with StreamClosed, and writes nothing",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 2), ExpectedVersion.noStream)
          const archived = yield* on(store, EventStore.archive("s"))
          const marker = { streamId: "s", version: 3, type: EventStore.archivedType }
          Expect.equal("the archive marker", [marker], versionsOf(archived.events))
          Expect.equal("the version after archiving", 3, archived.version)
          const refused: ReadonlyArray<readonly [string, ReadonlyArray<EventStore.Pending>, ExpectedVersion.ExpectedVersion]> = [
            ["events expecting any version", batch("late", 2), ExpectedVersion.any],
            ["an event expecting the current version", batch("late", 1), ExpectedVersion.exact(3)],
            ["events expecting the stream to exist", batch("late", 3), ExpectedVersion.streamExists],
            ["a second archive marker", [EventStore.marker(EventStore.archivedType)], ExpectedVersion.exact(3)],
            ["an event followed by a tombstone", [pending("Noted"), EventStore.marker(EventStore.deletedType)], ExpectedVersion.any]
          ]
          for (const [what, events, expected] of refused) {
            yield* refusedClosed(store, `archived, then ${what}`, { streamId: "s", events, expected }, "Archived")
          }
          const other = yield* store.append("t", batch("other", 1), ExpectedVersion.noStream)
          Expect.equal("another stream is not closed", 1, other.version)
        }))
  },
  {
    name: "a tombstone is accepted on an open or an archived stream; after it nothing is",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("archived", batch("first", 1), ExpectedVersion.noStream)
          yield* store.append("open", batch("first", 2), ExpectedVersion.noStream)
          yield* on(store, EventStore.archive("archived"))
          for (const [streamId, version] of [["archived", 3], ["open", 3]] as const) {
            const removed = yield* on(store, EventStore.remove(streamId))
            const tombstone = { streamId, version, type: EventStore.deletedType }
            Expect.equal(`the tombstone of "${streamId}"`, [tombstone], versionsOf(removed.events))
            const refused: ReadonlyArray<readonly [string, ReadonlyArray<EventStore.Pending>]> = [
              ["events", batch("late", 2)],
              ["a second tombstone", [EventStore.marker(EventStore.deletedType)]],
              ["an archive marker", [EventStore.marker(EventStore.archivedType)]]
            ]
            for (const [what, events] of refused) {
              const attempt = { streamId, events, expected: ExpectedVersion.exact(version) }
              yield* refusedClosed(store, `"${streamId}" deleted, then ${what}`, attempt, "Deleted")
            }
          }
        }))
  },
  {
    name: "an append to a closed stream with a stale expectation is a conflict, as on an open stream",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 1), ExpectedVersion.noStream)
          yield* on(store, EventStore.archive("s"))
          const stale = { streamId: "s", events: batch("late", 1), expected: ExpectedVersion.exact(1) }
          const conflict = yield* refusedWhole(store, "archived, expecting version 1", stale, "WrongExpectedVersion")
          Expect.equal("the conflict", 2, conflict.actual)
          yield* on(store, EventStore.remove("s"))
          const deleted = { ...stale, expected: ExpectedVersion.noStream }
          yield* refusedWhole(store, "deleted, expecting no stream", deleted, "WrongExpectedVersion")
        }))
  },
  {
    name: "markers are events: read, readAll and subscribe deliver them at their version and position",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const markers: Array<Envelope.Recorded> = []
          const mark = <E>(operation: Effect.Effect<EventStore.AppendResult, E, EventStore.EventStore>) =>
            Effect.map(on(store, operation), ({ events }) => void markers.push(...events))
          yield* store.append("a", batch("a", 2), ExpectedVersion.noStream)
          yield* store.append("b", batch("b", 1), ExpectedVersion.noStream)
          yield* mark(EventStore.archive("a"))
          yield* store.append("c", batch("c", 1), ExpectedVersion.noStream)
          yield* mark(EventStore.remove("b"))
          const live = yield* store.subscribe({ from: (yield* store.lastPosition) + 1 }).pipe(
            Stream.take(1),
            Stream.runCollect,
            within("a subscription waiting for a tombstone", 10_000),
            Effect.forkChild
          )
          yield* mark(EventStore.remove("a"))
          const log = yield* readLog(store)
          Expect.equal(
            "the markers in the log, where they were recorded",
            markers.map(placeOf),
            log.filter((event) => EventStore.closureOf(event.type) !== undefined).map(placeOf)
          )
          const positions = new Set(markers.map((marker) => marker.position))
          Expect.equal("the markers as appended and as read back", markers, log.filter((event) => positions.has(event.position)))
          const a = yield* readStream(store, "a")
          assertContiguous("a", a)
          const types = ["Noted", "Noted", EventStore.archivedType, EventStore.deletedType]
          Expect.equal("the types of stream a", types, a.map((event) => event.type))
          Expect.equal("stream a from its archive marker on", a.slice(2), yield* Stream.runCollect(store.read("a", { from: 3 })))
          Expect.equal("stream b", log.filter((event) => event.streamId === "b"), yield* readStream(store, "b"))
          const caughtUp = yield* store.subscribe({ from: 1 }).pipe(
            Stream.take(log.length),
            Stream.runCollect,
            within("a catch-up subscription", 10_000)
          )
          Expect.equal("a subscription from the start", log, caughtUp)
          Expect.equal("a live subscription gets the tombstone", markers.slice(-1), yield* Fiber.join(live))
        }))
  },
  {
    name: "appends racing an archive land before its marker or are refused with StreamClosed",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("race", batch("first", 1), ExpectedVersion.noStream)
          const writers = Array.from({ length: 12 }, (_, w) => batch(`w${w}`, 1 + (w % 3)))
          const appends = writers.map((events) => store.append("race", events, ExpectedVersion.any))
          // The archive starts amid the writers, so that some are likely to append before it and some after.
          const at = writers.length / 2
          const attempts = [...appends.slice(0, at), on(store, EventStore.archive("race", ExpectedVersion.any)), ...appends.slice(at)]
          const all = yield* Effect.forEach(attempts, Effect.result, { concurrency: "unbounded" })
          const archived = all[at]!
          if (Result.isFailure(archived)) return Expect.fail("the archive", "success", archived.failure)
          const results = all.toSpliced(at, 1)
          const events = yield* readStream(store, "race")
          assertContiguous("race", events)
          Expect.equal("the archive marker is the stream's last event", archived.success.events, events.slice(-1))
          results.forEach((result, w) => {
            const own = events.filter((event) => (event.data as { readonly writer?: string }).writer === `w${w}`)
            if (Result.isSuccess(result)) {
              return Expect.equal(`the events of writer ${w}`, result.success.events, own)
            }
            Expect.equal(`writer ${w} refused`, { _tag: "StreamClosed", closure: "Archived", written: 0 }, {
              _tag: result.failure._tag,
              closure: result.failure._tag === "StreamClosed" ? result.failure.closure : undefined,
              written: own.length
            })
          })
        }))
  }
]
