/**
 * The atomicity part of the EventStore contract: an append that fails — a conflict, an empty stream
 * id or event type, a payload that is not JSON wherever it sits in the batch — writes nothing at
 * all, and the store goes on as if it had never been tried.
 *
 * @internal
 */
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { Effect, Result } from "effect"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer } from "./support.ts"
import { batch, notJson, pending, readLog, readStream, withStore } from "./support.ts"

/**
 * Appends, asserts that the append fails with `tag` and that neither the stream nor the log
 * changed, and returns the error.
 */
const refusedWhole = (
  store: EventStore.Service,
  what: string,
  append: {
    readonly streamId: string
    readonly events: ReadonlyArray<EventStore.Pending>
    readonly expected: ExpectedVersion.ExpectedVersion
  },
  tag: "WrongExpectedVersion" | "StoreError"
) =>
  Effect.gen(function*() {
    const stream = yield* readStream(store, append.streamId)
    const log = yield* readLog(store)
    const result = yield* Effect.result(store.append(append.streamId, append.events, append.expected))
    if (Result.isSuccess(result) || result.failure._tag !== tag) {
      return Expect.fail(`${what}: the append fails`, tag, Result.isSuccess(result) ? result.success : result.failure)
    }
    Expect.equal(`${what}: the stream (nothing written)`, stream, yield* readStream(store, append.streamId))
    Expect.equal(`${what}: the log (nothing written)`, log, yield* readLog(store))
    return result.failure
  })

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
    name: "an append with an empty stream id or an empty event type is refused with a StoreError",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("first", 1), ExpectedVersion.noStream)
          const noStreamId = { streamId: "", events: batch("x", 2), expected: ExpectedVersion.any }
          yield* refusedWhole(store, "an empty stream id", noStreamId, "StoreError")
          const noType = { streamId: "s", events: [pending("Noted"), pending("")], expected: ExpectedVersion.any }
          yield* refusedWhole(store, "an empty type", noType, "StoreError")
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
              Expect.equal(`${where}: the error names the operation and stream`, ["append", "s"], [
                error._tag === "StoreError" ? error.operation : error._tag,
                error.streamId
              ])
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
