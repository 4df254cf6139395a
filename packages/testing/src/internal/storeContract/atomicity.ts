/**
 * The atomicity part of the EventStore contract: an append that fails — a conflict, an empty stream
 * id or event type, a payload that is not JSON wherever it sits in the batch — writes nothing at
 * all, and the store goes on as if it had never been tried.
 *
 * @internal
 */
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Effect } from "effect"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer } from "./support.ts"
import { batch, notJson, pending, readLog, refusedWhole, withStore } from "./support.ts"

/** The atomicity checks, each on a fresh store. */
export const checks = (makeLayer: MakeLayer): ReadonlyArray<Check> => [
  {
    name: "an append that conflicts writes nothing",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 2), ExpectedVersion.noStream)
          for (const expected of [ExpectedVersion.noStream, ExpectedVersion.exact(1), ExpectedVersion.exact(3)]) {
            const what = `expecting ${ExpectedVersion.format(expected)}`
            yield* refusedWhole(store, what, { streamId: "s", events: batch("late", 3), expected }, "WrongExpectedVersion")
          }
          const early = { streamId: "t", events: batch("early", 2), expected: ExpectedVersion.streamExists }
          yield* refusedWhole(store, "expecting the stream to exist", early, "WrongExpectedVersion")
        }))
  },
  {
    name: "an append with an empty stream id, an empty event type or a marker before its last event is refused with a StoreError",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 1), ExpectedVersion.noStream)
          const noStreamId = { streamId: "", events: batch("x", 2), expected: ExpectedVersion.any }
          yield* refusedWhole(store, "an empty stream id", noStreamId, "StoreError")
          const noType = { streamId: "s", events: [pending("Noted"), pending("")], expected: ExpectedVersion.any }
          yield* refusedWhole(store, "an empty type", noType, "StoreError")
          const early = [EventStore.marker(EventStore.archivedType), pending("Noted")]
          const markerFirst = { streamId: "s", events: early, expected: ExpectedVersion.any }
          yield* refusedWhole(store, "a marker before the last event", markerFirst, "StoreError")
        }))
  },
  {
    name: "an append with a payload that is not JSON is refused whole, wherever the payload sits",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 2), ExpectedVersion.noStream)
          for (const [what, data] of notJson) {
            for (const at of [0, 1, 2]) {
              const events = batch("good", 2).toSpliced(at, 0, pending("Bad", data))
              const where = `${what} in event ${at + 1}`
              const append = { streamId: "s", events, expected: ExpectedVersion.exact(2) }
              const error = yield* refusedWhole(store, where, append, "StoreError")
              Expect.equal(`${where}: the error names the operation and stream`, ["append", "s"], [error.operation, error.streamId])
            }
          }
          const last = yield* store.lastPosition
          const next = yield* store.append("s", batch("after", 1), ExpectedVersion.exact(2))
          Expect.equal("the next append continues the stream", 3, next.version)
          const position = next.events[0]!.position
          if (position <= last) Expect.fail("the next append's position", `> ${last}`, position)
        }))
  },
  {
    name: "an empty append writes nothing and still checks the expected version",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 2), ExpectedVersion.noStream)
          const empty = yield* store.append("s", [], ExpectedVersion.exact(2))
          Expect.equal("the empty append", { version: 2, events: [] }, { version: empty.version, events: empty.events })
          Expect.equal("the log", 2, (yield* readLog(store)).length)
          const stale = { streamId: "s", events: [], expected: ExpectedVersion.exact(1) }
          yield* refusedWhole(store, "an empty append", stale, "WrongExpectedVersion")
        }))
  }
]
