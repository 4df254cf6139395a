import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"

it.effect("smoke", () =>
  Effect.gen(function*() {
    const store = yield* EventStore.EventStore
    const fiber = yield* store.subscribe().pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
    yield* store.append("a", [{ type: "X", data: { _tag: "X" } }], ExpectedVersion.noStream)
    yield* store.append("b", [{ type: "X", data: { _tag: "X" } }, { type: "Y", data: {} }], ExpectedVersion.noStream)
    const got = yield* Fiber.join(fiber)
    assert.deepStrictEqual(got.map((r) => r.position), [1, 2, 3])
    const err = yield* store.append("a", [], ExpectedVersion.noStream).pipe(Effect.flip)
    console.log(err.message, got[0]?.metadata)
  }).pipe(Effect.provide(MemoryEventStore.layer)))
