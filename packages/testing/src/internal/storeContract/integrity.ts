/**
 * The integrity part of the EventStore contract: what is recorded stays as it was recorded, whatever
 * callers do, and every layer gives the same answer at the edges.
 *
 * - Recorded events are immutable: changing a payload after appending it, or changing an event a
 *   read returned, changes nothing that is read later.
 * - One append of a batch far larger than a call's argument limit (65,536 in some engines) succeeds
 *   and reads back.
 * - A read range whose bounds are not whole numbers of 0 or more (`1.5`, `-1`, `NaN`, `Infinity`) is
 *   refused with the same `StoreError` by `read`, `readAll` and `subscribe` (`EventStore.validateRange`).
 * - An append interrupted at any point either records nothing or is seen by subscribers at once:
 *   never recorded but left behind the head that subscriptions wait on.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { Effect, Fiber, Result, Scheduler, Stream } from "effect"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer } from "./support.ts"
import { batch, pending, readLog, readStream, withStore, within } from "./support.ts"

/**
 * How many events the huge append writes by default: above V8's limit for arguments spread into
 * one call (about 120,000 with Node's default stack) and JavaScriptCore's (65,536).
 */
export const hugeBatch = 200_000

/** Changes a value in place, if it lets itself be changed (a frozen one throws in strict mode). */
const tamper = (change: () => void): void => {
  try {
    change()
  } catch {
    // frozen: that is one way of keeping records immutable
  }
}

/** Every way a caller could change a recorded event it holds. */
const tamperWith = (event: Envelope.Recorded): void => {
  const data = event.data as { amount: number; tags: Array<string>; nested: { note: string } }
  tamper(() => {
    data.amount = 1e6
  })
  tamper(() => data.tags.push("changed"))
  tamper(() => {
    data.nested.note = "changed"
  })
  tamper(() => {
    ;(event as { type: string }).type = "Changed"
  })
  tamper(() => {
    ;(event.metadata as { eventId: string }).eventId = "changed"
  })
}

const payload = () => ({ amount: 1, tags: ["a"], nested: { note: "original" } })

/** Bounds the port refuses: not whole numbers of 0 or more. */
const badBounds: ReadonlyArray<number> = [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]

/** Runs a read and asserts that it fails with a `StoreError` naming `operation` and `streamId`. */
const refused = <A>(
  what: string,
  read: Stream.Stream<A, EventStore.StoreError>,
  operation: string,
  streamId: string | undefined
) =>
  Effect.gen(function*() {
    const result = yield* Effect.result(Stream.runCollect(Stream.take(read, 1)).pipe(within(what, 5_000)))
    if (Result.isSuccess(result)) return Expect.fail(`${what} is refused`, "StoreError", result.success)
    const error = result.failure
    Expect.equal(`${what}: the error`, ["StoreError", operation, streamId], [error._tag, error.operation, error.streamId])
  })

/** The integrity checks, each on a fresh store. */
export const checks = (makeLayer: MakeLayer, huge: number): ReadonlyArray<Check> => [
  {
    name: "recorded events are immutable: changing an appended payload or a returned event changes nothing stored",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const data = payload()
          const appended = yield* store.append("s", [pending("Noted", data)], ExpectedVersion.noStream)
          // A copy, not the records read: a layer that shares its records would change those too.
          const expected = structuredClone(yield* readStream(store, "s"))
          Expect.equal("the recorded payload", payload(), expected[0]?.data)
          tamper(() => {
            data.amount = 1e6
            data.tags.push("changed")
            data.nested.note = "changed"
          })
          appended.events.forEach(tamperWith)
          Expect.equal("read after changing the appended payload and result", expected, yield* readStream(store, "s"))
          ;(yield* readStream(store, "s")).forEach(tamperWith)
          ;(yield* readLog(store)).forEach(tamperWith)
          ;(yield* Stream.runCollect(store.subscribe().pipe(Stream.take(1)))).forEach(tamperWith)
          Expect.equal("read after changing read events", expected, yield* readStream(store, "s"))
          Expect.equal("read all after changing read events", expected, yield* readLog(store))
        }))
  },
  {
    name: `one append of ${huge.toLocaleString("en")} events succeeds and reads back`,
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          const appended = yield* store.append("huge", batch("huge", huge), ExpectedVersion.noStream)
          Expect.equal("the stream's version", huge, appended.version)
          Expect.equal("the events recorded", huge, appended.events.length)
          // Its ends and middle, by ranges: reading it all by small pages would take minutes.
          for (const from of [1, Math.floor(huge / 2), huge - 2]) {
            const read = yield* Stream.runCollect(store.read("huge", { from, to: from + 2 }))
            Expect.equal(
              `versions ${from} to ${from + 2} read back`,
              [0, 1, 2].map((i) => ({ version: from + i, data: { writer: "huge", i: from + i - 1 } })),
              read.map((event) => ({ version: event.version, data: event.data }))
            )
          }
          Expect.equal("the log's last position", appended.events.at(-1)?.position, yield* store.lastPosition)
        }))
  },
  {
    name: "a read range that is not whole numbers of 0 or more is refused with a StoreError by read, readAll and subscribe",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* store.append("s", batch("s", 3), ExpectedVersion.noStream)
          for (const bound of badBounds) {
            yield* refused(`read from ${bound}`, store.read("s", { from: bound }), "read", "s")
            yield* refused(`read to ${bound}`, store.read("s", { to: bound }), "read", "s")
            yield* refused(`readAll from ${bound}`, store.readAll({ from: bound }), "read all", undefined)
            yield* refused(`subscribe from ${bound}`, store.subscribe({ from: bound }), "subscribe", undefined)
          }
          const versions = (range: EventStore.VersionRange) =>
            Effect.map(Stream.runCollect(store.read("s", range)), (events) => events.map((event) => event.version))
          Expect.equal("read from 0", [1, 2, 3], yield* versions({ from: 0 }))
          Expect.equal("read to 0", [], yield* versions({ to: 0 }))
          Expect.equal("read from 3 to 2", [], yield* versions({ from: 3, to: 2 }))
          Expect.equal("readAll from 0", 3, (yield* readLog(store, 0)).length)
        }))
  },
  {
    name: "an append interrupted at any point records nothing or is delivered to subscribers at once",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          // Scan the yield points: the append's fiber yields after `ops` operations and is interrupted
          // there, for ops = 2, 3, … until one append completes before its first yield (an append
          // that waits for I/O never does: the scan then ends at 300 operations). With ops = 1,
          // effect 4.0 beta never finishes interrupting the fiber, so the scan starts at 2.
          for (let ops = 2; ops <= 300; ops++) {
            const append = store.append("s", batch("interrupted", 2), ExpectedVersion.any).pipe(
              Effect.provideService(Scheduler.MaxOpsBeforeYield, ops)
            )
            const from = (yield* store.lastPosition) + 1
            const fiber = yield* Effect.forkChild(append)
            yield* Effect.yieldNow
            const completed = fiber.pollUnsafe() !== undefined
            yield* Fiber.interrupt(fiber)
            const what = `a subscriber after an append interrupted after ${ops} operations`
            const log = yield* readLog(store, from)
            const seen = yield* store.subscribe({ from }).pipe(Stream.take(log.length), Stream.runCollect, within(what, 5_000))
            Expect.equal(what, log, seen)
            if (completed) return
          }
        }))
  }
]
