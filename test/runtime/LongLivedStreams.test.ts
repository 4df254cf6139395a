/**
 * Snapshots, idempotent commands and terminal streams in the CommandHandler.
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, SnapshotStore } from "@chronicle/runtime"
import { MemoryEventStore, MemorySnapshotStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Ref, Stream } from "effect"
import { bankAccount as options, bulb } from "./fixtures.ts"

const withSnapshots = (stateVersion = 1) =>
  CommandHandler.make({ ...options, snapshots: { stateSchema: BankAccount.State, stateVersion, every: 10 } })

const open = { _tag: "Open", accountId: "a", owner: "Ada" } as const
const deposit = (amount: number) => ({ _tag: "Deposit", accountId: "a", amount }) as const

/** Counts the events the store hands out to reads of one stream. */
const counting = (reads: Ref.Ref<number>) =>
  Layer.effect(
    EventStore.EventStore,
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      return {
        ...store,
        read: (streamId, range) => store.read(streamId, range).pipe(Stream.tap(() => Ref.update(reads, (n) => n + 1)))
      } satisfies EventStore.Service
    })
  ).pipe(Layer.provide(MemoryEventStore.layer))

const savedSnapshot = SnapshotStore.SnapshotStore.use((snapshots) => snapshots.load("account-a"))

describe("snapshots", () => {
  it.effect("a snapshot is taken every N events and loading reads only the tail", () =>
    Effect.gen(function*() {
      const reads = yield* Ref.make(0)
      const accounts = withSnapshots()
      yield* Effect.gen(function*() {
        yield* accounts.handle(open)
        for (let i = 1; i <= 24; i++) yield* accounts.handle(deposit(i))
        const snapshot = yield* savedSnapshot
        assert.deepStrictEqual(Option.map(snapshot, (s) => [s.version, s.stateVersion]), Option.some([20, 1]))
        yield* Ref.set(reads, 0)
        const loaded = yield* accounts.load("account-a")
        assert.deepStrictEqual(loaded, { state: { _tag: "Opened", balance: 300 }, version: 25 })
        assert.strictEqual(yield* Ref.get(reads), 6) // version 20 (the stream has it), then 21..25: not 25 events
      }).pipe(Effect.provide(Layer.merge(counting(reads), MemorySnapshotStore.layer)))
    }))

  it.effect("snapshot + tail gives the same results as a full replay; deleting snapshots changes nothing", () =>
    Effect.gen(function*() {
      const accounts = withSnapshots()
      const plain = CommandHandler.make(options)
      yield* accounts.handle(open)
      for (let i = 1; i <= 15; i++) yield* accounts.handle(deposit(i))
      assert.deepStrictEqual(yield* accounts.load("account-a"), yield* plain.load("account-a"))
      yield* SnapshotStore.SnapshotStore.use((snapshots) => snapshots.delete("account-a"))
      const afterDelete = yield* accounts.handle(deposit(100))
      assert.deepStrictEqual(afterDelete.state, { _tag: "Opened", balance: 220 })
      assert.strictEqual(afterDelete.version, 17)
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer))))

  it.effect("a snapshot of an older state shape is ignored, never misread, and replaced", () =>
    Effect.gen(function*() {
      yield* withSnapshots(1).handle(open)
      for (let i = 1; i <= 12; i++) yield* withSnapshots(1).handle(deposit(1))
      // Tamper with the v1 snapshot: were it used by a v2 handler, the balance would be wrong.
      yield* SnapshotStore.SnapshotStore.use((snapshots) =>
        snapshots.save("account-a", { version: 13, stateVersion: 1, state: { _tag: "Opened", balance: 999 }, commandIds: [] })
      )
      const v2 = withSnapshots(2)
      assert.deepStrictEqual((yield* v2.load("account-a")).state, { _tag: "Opened", balance: 12 })
      for (let i = 1; i <= 10; i++) yield* v2.handle(deposit(1))
      const snapshot = yield* savedSnapshot
      assert.deepStrictEqual(Option.map(snapshot, (s) => [s.version, s.stateVersion]), Option.some([20, 2]))
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer))))

  it.effect("a snapshot that does not decode is ignored: replay from zero", () =>
    Effect.gen(function*() {
      yield* withSnapshots().handle(open)
      yield* SnapshotStore.SnapshotStore.use((snapshots) =>
        snapshots.save("account-a", { version: 1, stateVersion: 1, state: "garbage", commandIds: [] })
      )
      assert.deepStrictEqual((yield* withSnapshots().handle(deposit(5))).state, { _tag: "Opened", balance: 5 })
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer))))
})

describe("idempotent commands", () => {
  it.effect("the same command id twice: the first outcome is returned and nothing is appended", () =>
    Effect.gen(function*() {
      const accounts = CommandHandler.make(options)
      yield* accounts.handle(open)
      const first = yield* accounts.handle(deposit(10), { commandId: "pay-1" })
      yield* accounts.handle(deposit(1))
      const again = yield* accounts.handle(deposit(10), { commandId: "pay-1" })
      assert.deepStrictEqual(again, first)
      const events = yield* EventStore.EventStore.use((store) => Stream.runCollect(store.read("account-a")))
      assert.strictEqual(events.length, 3)
      assert.strictEqual(events[1]?.metadata.commandId, "pay-1")
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("the id survives snapshots: a repeat after a snapshot is still a no-op", () =>
    Effect.gen(function*() {
      const accounts = withSnapshots()
      yield* accounts.handle(open)
      const first = yield* accounts.handle(deposit(10), { commandId: "pay-1" })
      for (let i = 1; i <= 12; i++) yield* accounts.handle(deposit(1))
      assert.isTrue(Option.isSome(yield* savedSnapshot))
      const again = yield* accounts.handle(deposit(10), { commandId: "pay-1" })
      assert.deepStrictEqual(again.events, first.events)
      assert.strictEqual((yield* accounts.load("account-a")).version, 14)
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer))))
})

describe("terminal streams", () => {
  const bulbs = CommandHandler.make(bulb)

  it.effect("once isTerminal holds, commands are refused with StreamTerminated", () =>
    Effect.gen(function*() {
      yield* bulbs.handle({ _tag: "Fit", bulbId: "b", maxUses: 1 })
      yield* bulbs.handle({ _tag: "SwitchOn", bulbId: "b" })
      yield* bulbs.handle({ _tag: "SwitchOff", bulbId: "b" })
      const blown = yield* bulbs.handle({ _tag: "SwitchOn", bulbId: "b" })
      assert.strictEqual(blown.state._tag, "Blown")
      const error = yield* Effect.flip(bulbs.handle({ _tag: "SwitchOff", bulbId: "b" }))
      assert.deepStrictEqual([error._tag, error.message], [
        "StreamTerminated",
        `Stream "bulb-b" is terminated (at version ${blown.version}): it accepts no more commands`
      ])
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
