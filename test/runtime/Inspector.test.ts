import { Inspector } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref, Stream } from "effect"
import { accounts, contended } from "./fixtures.ts"

const open = { _tag: "Open", accountId: "a1", owner: "Ada" } as const
const deposit = (amount: number) => ({ _tag: "Deposit", accountId: "a1", amount }) as const

describe("Inspector", () => {
  it.effect("reports each step of a command: received, decided on a state, appended; or rejected", () =>
    Effect.gen(function*() {
      const { subscribe } = yield* Inspector.InspectorStream
      const steps = yield* subscribe
      const collected = yield* steps.pipe(Stream.take(7), Stream.runCollect, Effect.forkChild)
      const trace = { causationId: "cmd-1" }
      yield* accounts.handle(open, trace)
      yield* Effect.flip(accounts.handle({ _tag: "Withdraw", accountId: "a1", amount: 5 }))
      yield* accounts.handle(deposit(5))
      const seen = yield* Fiber.join(collected)
      assert.deepStrictEqual(seen.map((step) => step._tag), [
        "CommandReceived",
        "Decided",
        "Appended",
        "CommandReceived",
        "Rejected",
        "CommandReceived",
        "Decided"
      ])
      const [received, decided, appended] = seen
      assert.deepStrictEqual(received, { _tag: "CommandReceived", streamId: "account-a1", command: open, trace })
      assert.deepInclude(decided, { state: { _tag: "NotOpened" }, version: 0, trace })
      assert.strictEqual(appended?._tag === "Appended" && appended.events[0]?.position, 1)
      assert.deepInclude(seen[4], { rejection: { _tag: "InsufficientFunds", accountId: "a1", balance: 0, amount: 5 } })
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, Inspector.layerStream))))

  it.effect("reports conflicts, and the retry that follows", () =>
    Effect.gen(function*() {
      const { subscribe } = yield* Inspector.InspectorStream
      const steps = yield* subscribe
      const conflicts = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        yield* accounts.handle(open)
        yield* Effect.forEach([1, 2, 3], (n) => accounts.handle(deposit(n)), { concurrency: "unbounded" })
      }).pipe(Effect.provide(contended(conflicts).pipe(Layer.provide(MemoryEventStore.layer))))
      const seen = yield* steps.pipe(Stream.takeUntil((step) => step._tag === "Conflicted"), Stream.runCollect)
      const conflict = seen.at(-1)
      assert.strictEqual(conflict?._tag, "Conflicted")
      if (conflict?._tag === "Conflicted") assert.isAbove(conflict.actual, conflict.expected)
    }).pipe(Effect.provide(Inspector.layerStream)))
})

