import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { Codec, EventStore, Projector } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { accounts } from "./fixtures.ts"

const open = (accountId: string) => accounts.handle({ _tag: "Open", accountId, owner: accountId })
const deposit = (accountId: string, amount: number) => accounts.handle({ _tag: "Deposit", accountId, amount })
const readEvents = (streamId: string) =>
  EventStore.EventStore.use((store) => store.read(streamId).pipe(Codec.decodeStream(BankAccount.Event), Stream.runCollect))

describe("stream life cycle", () => {
  it.effect("an archived stream stays readable and refuses new events", () =>
    Effect.gen(function*() {
      yield* open("a")
      yield* deposit("a", 5)
      const archived = yield* EventStore.archive("account-a")
      assert.deepStrictEqual(archived.events.map((e) => [e.type, e.version]), [[EventStore.archivedType, 3]])
      assert.deepStrictEqual((yield* readEvents("account-a")).map((e) => e.type), ["AccountOpened", "Deposited"])
      assert.deepStrictEqual(yield* accounts.load("account-a"), { state: { _tag: "Opened", balance: 5 }, version: 3 })
      const refused = yield* Effect.flip(deposit("a", 1))
      assert.deepInclude(refused, { _tag: "StreamClosed", streamId: "account-a", closure: "Archived" })
      assert.strictEqual(refused.message, `Stream "account-a" is archived: it accepts no more events`)
      const raw = yield* Effect.flip(
        EventStore.EventStore.use((store) => store.append("account-a", [{ type: "Deposited", data: {} }], ExpectedVersion.any))
      )
      assert.strictEqual(raw._tag, "StreamClosed")
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a deleted stream fails to load with StreamClosed and refuses everything; archived ones can be deleted", () =>
    Effect.gen(function*() {
      yield* open("a")
      yield* EventStore.archive("account-a")
      yield* EventStore.remove("account-a")
      const load = yield* Effect.flip(accounts.load("account-a"))
      assert.deepInclude(load, { _tag: "StreamClosed", closure: "Deleted" })
      const read = yield* Effect.flip(readEvents("account-a"))
      assert.strictEqual(read._tag, "StreamClosed")
      const again = yield* Effect.flip(EventStore.remove("account-a"))
      assert.deepInclude(again, { _tag: "StreamClosed", closure: "Deleted" })
      // The tombstone is in the global log, after the stream's events.
      const log = yield* EventStore.EventStore.use((store) => Stream.runCollect(store.readAll()))
      assert.deepStrictEqual(log.map((e) => e.type), ["AccountOpened", EventStore.archivedType, EventStore.deletedType])
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("archiving or deleting a stream that does not exist is a conflict by default", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(EventStore.remove("account-nobody"))
      assert.deepInclude(error, { _tag: "WrongExpectedVersion", actual: 0 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("projectors see closures explicitly: onClosed drops the account; rebuild agrees", () =>
    Effect.gen(function*() {
      const balances = yield* Projector.make({
        projection: BankAccount.balances,
        eventSchema: BankAccount.Event,
        onClosed: (state, { closure, streamId }) => {
          if (closure !== "Deleted") return state
          const next = new Map(state)
          next.delete(streamId.replace(/^account-/, ""))
          return next
        }
      })
      yield* open("a")
      yield* open("b")
      yield* deposit("b", 3)
      yield* EventStore.archive("account-b")
      const deleted = yield* EventStore.remove("account-a")
      const live = yield* balances.awaitPosition(deleted.events[0]!.position)
      assert.deepStrictEqual([...live.state], [["b", 3]])
      assert.deepStrictEqual(yield* balances.rebuild, live)
    }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))

  it.effect("a marker must be the last event of its append", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        EventStore.EventStore.use((store) =>
          store.append("s", [EventStore.marker(EventStore.archivedType), { type: "X", data: {} }], ExpectedVersion.any)
        )
      )
      assert.match(error.message, /closes the stream, so it must be the last event of its append/)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it("closedBy: after a tombstone nothing, after an archive marker only a tombstone", () => {
    const event = (type: string): EventStore.Pending => ({ type, data: {} })
    assert.isUndefined(EventStore.closedBy(undefined, [event("X")]))
    assert.isUndefined(EventStore.closedBy("X", [event("X")]))
    assert.strictEqual(EventStore.closedBy(EventStore.archivedType, [event("X")]), "Archived")
    assert.isUndefined(EventStore.closedBy(EventStore.archivedType, [event(EventStore.deletedType)]))
    assert.strictEqual(EventStore.closedBy(EventStore.deletedType, [event(EventStore.deletedType)]), "Deleted")
  })
})
