import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Random, Stream } from "effect"
import { TestClock } from "effect/testing"

const event = (n: number): EventStore.Pending => ({ type: "Noted", data: { _tag: "Noted", n } })

const Store = EventStore.EventStore

describe("EventStore (in memory)", () => {
  it.effect("appends atomically under each kind of expected version", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const first = yield* store.append("s", [event(1), event(2)], ExpectedVersion.noStream)
      assert.deepStrictEqual(first.events.map((e) => [e.version, e.position]), [[1, 1], [2, 2]])
      yield* store.append("s", [event(3)], ExpectedVersion.streamExists)
      yield* store.append("s", [event(4)], ExpectedVersion.exact(3))
      yield* store.append("s", [event(5)], ExpectedVersion.any)
      const conflicts = yield* Effect.forEach(
        [ExpectedVersion.noStream, ExpectedVersion.exact(2), ExpectedVersion.exact(-1)],
        (expected) => Effect.flip(store.append("s", [event(0)], expected))
      )
      for (const conflict of conflicts) {
        assert.strictEqual(conflict._tag, "WrongExpectedVersion")
        if (conflict._tag === "WrongExpectedVersion") assert.strictEqual(conflict.actual, 5)
      }
      const missing = yield* Effect.flip(store.append("t", [event(0)], ExpectedVersion.streamExists))
      assert.strictEqual(missing.message, `Stream "t": expected stream exists, but it is at version 0`)
      assert.deepStrictEqual((yield* Stream.runCollect(store.read("s"))).map((e) => e.data), [1, 2, 3, 4, 5].map((n) => ({ _tag: "Noted", n })))
      assert.strictEqual(yield* store.lastPosition, 5)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("an empty stream id is a typed StoreError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip((yield* Store).append("", [event(1)], ExpectedVersion.any))
      assert.strictEqual(error._tag, "StoreError")
      assert.match(error.message, /stream id is empty/)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("reads a version range and the global log from a position", () =>
    Effect.gen(function*() {
      const store = yield* Store
      for (let i = 1; i <= 5; i++) yield* store.append(i % 2 === 0 ? "even" : "odd", [event(i)], ExpectedVersion.any)
      const range = yield* Stream.runCollect(store.read("odd", { from: 2, to: 3 }))
      assert.deepStrictEqual(range.map((e) => [e.version, e.position]), [[2, 3], [3, 5]])
      const all = yield* Stream.runCollect(store.readAll({ from: 4 }))
      assert.deepStrictEqual(all.map((e) => e.position), [4, 5])
      assert.deepStrictEqual(yield* Stream.runCollect(store.read("none")), [])
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("reads streams longer than a page", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.append("long", Array.from({ length: 2500 }, (_, i) => event(i)), ExpectedVersion.noStream)
      const versions = (yield* Stream.runCollect(store.read("long"))).map((e) => e.version)
      assert.deepStrictEqual(versions, Array.from({ length: 2500 }, (_, i) => i + 1))
      assert.strictEqual((yield* Stream.runCollect(store.readAll({ from: 1001 }))).length, 1500)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("recordedAt comes from the Clock; event ids from the seeded Random", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 10, 24))
      const ids = Effect.gen(function*() {
        const { events } = yield* (yield* Store).append("s", [event(1), event(2)], ExpectedVersion.any)
        return events.map((e) => e.metadata)
      }).pipe(Random.withSeed("chronicle"), Effect.provide(MemoryEventStore.layer))
      const first = yield* ids
      const second = yield* ids
      assert.deepStrictEqual(first, second)
      assert.strictEqual(first[0]?.recordedAt, Date.UTC(2026, 10, 24))
      assert.notStrictEqual(first[0]?.eventId, first[1]?.eventId)
      assert.match(first[0]?.eventId ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }))

  it.effect("subscribe: catch-up then live, no gap and no duplicate while appends race the switch", () =>
    Effect.gen(function*() {
      const store = yield* Store
      const total = 400
      const writer = (stream: string) =>
        Effect.forEach(
          Array.from({ length: total / 4 }, (_, i) => i),
          (i) => Effect.andThen(Effect.yieldNow, store.append(stream, [event(i)], ExpectedVersion.any)),
          { discard: true }
        )
      // Some events exist before the subscription, the rest are appended while it catches up.
      yield* writer("w0")
      const writers = yield* Effect.forkChild(Effect.all([writer("w1"), writer("w2"), writer("w3")], { concurrency: "unbounded" }))
      const seen = yield* store.subscribe().pipe(Stream.take(total), Stream.runCollect)
      yield* Fiber.join(writers)
      assert.deepStrictEqual(seen.map((e) => e.position), Array.from({ length: total }, (_, i) => i + 1))
      // Per stream, versions are contiguous too.
      for (const stream of ["w0", "w1", "w2", "w3"]) {
        assert.deepStrictEqual(
          seen.filter((e) => e.streamId === stream).map((e) => e.version),
          Array.from({ length: total / 4 }, (_, i) => i + 1)
        )
      }
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("subscribe from a position starts there", () =>
    Effect.gen(function*() {
      const store = yield* Store
      yield* store.append("s", [event(1), event(2), event(3)], ExpectedVersion.any)
      const fiber = yield* store.subscribe({ from: 3 }).pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* store.append("s", [event(4)], ExpectedVersion.any)
      assert.deepStrictEqual((yield* Fiber.join(fiber)).map((e) => e.position), [3, 4])
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
