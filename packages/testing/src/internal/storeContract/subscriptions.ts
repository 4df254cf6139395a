/**
 * The subscription part of the EventStore contract: `subscribe` catches up from a position and then
 * goes live, while appends race the switch from one to the other. Every subscriber receives exactly
 * the events `readAll` has from that position: in order, none missing, none twice.
 *
 * @internal
 */
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { Effect, Stream } from "effect"
import fc from "fast-check"
import * as Expect from "../expect.ts"
import type { Check, MakeLayer } from "./support.ts"
import { assertIncreasing, pending, readLog, withStore, within } from "./support.ts"

const streamOf = (i: number) => `stream-${i % 3}`

/** Appends `sizes.length` batches, one after the other; the very last event is of type `Last`. */
const appendBatches = (store: EventStore.Service, sizes: ReadonlyArray<number>, last: boolean) =>
  Effect.forEach(sizes, (size, b) => {
    const type = (i: number) => last && b === sizes.length - 1 && i === size - 1 ? "Last" : "Noted"
    const events = Array.from({ length: size }, (_, i) => pending(type(i), { b, i }))
    return store.append(streamOf(b), events, ExpectedVersion.any).pipe(Effect.andThen(Effect.yieldNow))
  }, { discard: true })

/** Collects a subscription from `from` up to the event of type `Last`. */
const untilLast = (store: EventStore.Service, from: number) =>
  store.subscribe({ from }).pipe(
    Stream.takeUntil((event) => event.type === "Last"),
    Stream.runCollect,
    within(`subscribe(from ${from})`, 10_000)
  )

/** The subscription checks, each on fresh stores. */
export const checks = (makeLayer: MakeLayer): ReadonlyArray<Check> => [
  {
    name: "subscribers started while appends are made get every event from their position once, in order",
    run: () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 8 }),
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 8 }),
          fc.nat(),
          (before, during, start) =>
            withStore(makeLayer, (store) =>
              Effect.gen(function*() {
                yield* appendBatches(store, before, false)
                const recorded = yield* readLog(store)
                // From one of the recorded events, or from the next position (live only).
                const from = recorded[start % (recorded.length + 1)]?.position ?? (yield* store.lastPosition) + 1
                const [first, second] = yield* Effect.all(
                  [untilLast(store, from), untilLast(store, from), appendBatches(store, during, true)],
                  { concurrency: "unbounded" }
                )
                const expected = yield* readLog(store, from)
                assertIncreasing("the log", expected)
                Expect.equal(`the first subscriber from ${from}`, expected, first)
                Expect.equal(`the second subscriber from ${from}`, expected, second)
              }))
        ),
        { numRuns: 25 }
      )
  },
  {
    name: "a subscription from beyond the last position waits for the events that reach it",
    run: () =>
      withStore(makeLayer, (store) =>
        Effect.gen(function*() {
          yield* appendBatches(store, [2, 1], false)
          const from = (yield* store.lastPosition) + 3
          const [delivered] = yield* Effect.all([untilLast(store, from), appendBatches(store, [1, 1, 1, 1, 1], true)], {
            concurrency: "unbounded"
          })
          Expect.equal(`subscribe(from ${from})`, yield* readLog(store, from), delivered)
        }))
  }
]
