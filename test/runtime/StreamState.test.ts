/**
 * Loading a stream's state by id from a decider and an event Schema alone — no command handler, no
 * command Schema.
 */
import { ExpectedVersion } from "@chronicle/core"
import { BankAccount, User } from "@chronicle/examples"
import { Codec, CommandHandler, EventStore, SnapshotStore, StreamState } from "@chronicle/runtime"
import { MemoryEventStore, MemorySnapshotStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { bankAccount } from "./fixtures.ts"

const accounts = StreamState.make({ decider: BankAccount.decider, eventSchema: BankAccount.Event })
const a1 = BankAccount.streamId("a1")

const encode = Codec.encoder(BankAccount.Event)

/** Appends events the way any writer could, without a command handler. */
const write = (streamId: string, events: ReadonlyArray<BankAccount.Event>) =>
  Effect.gen(function*() {
    const pending = yield* Effect.fromResult(encode(streamId, events))
    return yield* EventStore.EventStore.use((store) => store.append(streamId, pending, ExpectedVersion.any))
  })

const opened: BankAccount.Event = { _tag: "AccountOpened", accountId: "a1", owner: "Ada" }
const deposited = (amount: number): BankAccount.Event => ({ _tag: "Deposited", accountId: "a1", amount })

describe("StreamState.load", () => {
  it.effect("a stream never written loads as the initial state at version 0", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* accounts.load(a1), { state: { _tag: "NotOpened" }, version: 0 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("an existing stream loads as the fold of its events, at its last version", () =>
    Effect.gen(function*() {
      yield* write(a1, [opened, deposited(30)])
      yield* write(a1, [deposited(12)])
      yield* write(BankAccount.streamId("other"), [{ _tag: "AccountOpened", accountId: "other", owner: "Bo" }])
      assert.deepStrictEqual(yield* accounts.load(a1), { state: { _tag: "Opened", balance: 42 }, version: 3 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("loads what a command handler wrote, as the handler itself loads it", () =>
    Effect.gen(function*() {
      const handler = CommandHandler.make(bankAccount)
      yield* handler.handle({ _tag: "Open", accountId: "a1", owner: "Ada" })
      yield* handler.handle({ _tag: "Deposit", accountId: "a1", amount: 5 }, { commandId: "c-1" })
      const loaded = yield* accounts.load(a1)
      assert.deepStrictEqual(loaded, { state: { _tag: "Opened", balance: 5 }, version: 2 })
      assert.deepStrictEqual(yield* handler.load(a1), loaded)
      const history = yield* accounts.history(a1)
      assert.deepStrictEqual([...history.commandIds], ["c-1"])
      assert.isFalse(history.archived)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("with upcasters, old records are upcast before the fold; without, they fail to decode", () =>
    Effect.gen(function*() {
      const u1 = User.streamId("u1")
      yield* EventStore.EventStore.use((store) =>
        store.append(u1, [{
          type: "UserRegistered",
          data: { _tag: "UserRegistered", userId: "u1", name: "Ada King Lovelace", email: "ada@example.com" }
        }], ExpectedVersion.noStream)
      )
      // Any initialState and evolve will do: here, the family name the user registered with.
      const familyName = {
        initialState: "",
        evolve: (name: string, event: User.Event) => event._tag === "UserRegistered" ? event.familyName : name
      }
      const upcast = StreamState.make({ decider: familyName, eventSchema: User.Event, upcasters: User.upcasters })
      assert.deepStrictEqual(yield* upcast.load(u1), { state: "Lovelace", version: 1 })
      const plain = StreamState.make({ decider: familyName, eventSchema: User.Event })
      const error = yield* Effect.flip(plain.load(u1))
      assert.deepInclude(error, { _tag: "EventDecodeError", streamId: u1, version: 1, position: 1 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("an archived stream loads with its events; its version counts the archive marker", () =>
    Effect.gen(function*() {
      yield* write(a1, [opened, deposited(7)])
      yield* EventStore.archive(a1)
      assert.deepStrictEqual(yield* accounts.load(a1), { state: { _tag: "Opened", balance: 7 }, version: 3 })
      assert.isTrue((yield* accounts.history(a1)).archived)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a deleted stream fails to load with StreamClosed", () =>
    Effect.gen(function*() {
      yield* write(a1, [opened])
      yield* EventStore.remove(a1)
      const error = yield* Effect.flip(accounts.load(a1))
      assert.deepInclude(error, { _tag: "StreamClosed", streamId: a1, closure: "Deleted" })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("with snapshots, it starts from the latest usable snapshot and folds only the tail", () =>
    Effect.gen(function*() {
      const snapshots = { stateSchema: BankAccount.State, stateVersion: 1, every: 10 }
      const cached = StreamState.make({ decider: BankAccount.decider, eventSchema: BankAccount.Event, snapshots })
      yield* write(a1, [opened, deposited(1), deposited(2)])
      // A snapshot at version 2 that does not match the events: only a load that uses it sees 999.
      yield* SnapshotStore.SnapshotStore.use((store) =>
        store.save(a1, { version: 2, stateVersion: 1, state: { _tag: "Opened", balance: 999 }, commandIds: [] })
      )
      assert.deepStrictEqual(yield* cached.load(a1), { state: { _tag: "Opened", balance: 1001 }, version: 3 })
      assert.deepStrictEqual(yield* accounts.load(a1), { state: { _tag: "Opened", balance: 3 }, version: 3 })
      // A snapshot of another state version is ignored: full replay.
      const v2 = StreamState.make({
        decider: BankAccount.decider,
        eventSchema: BankAccount.Event,
        snapshots: { ...snapshots, stateVersion: 2 }
      })
      assert.deepStrictEqual(yield* v2.load(a1), { state: { _tag: "Opened", balance: 3 }, version: 3 })
    }).pipe(Effect.provide(Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer))))
})
