/**
 * The laws of living with history hold on the IndexedDB layers, under Node on fake-indexeddb:
 * snapshot + tail = full replay with snapshots deleted at random, and a repeated command id is a
 * no-op — each law run on databases of its own. And what they rest on survives a reload: the
 * snapshot and its command ids are still there after the database is closed and opened again, so a
 * command sent again after the reload appends nothing.
 */
import "fake-indexeddb/auto"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, SnapshotStore } from "@chronicle/runtime"
import { IndexedDbEventStore, IndexedDbSnapshotStore } from "@chronicle/store-indexeddb"
import { HistoryLaws } from "@chronicle/testing"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import fc from "fast-check"
import { domains } from "../examples/Arbitraries.ts"

let databases = 0

/** The event and snapshot stores on one database. */
const stores = (name: string) => Layer.merge(IndexedDbEventStore.layer({ name }), IndexedDbSnapshotStore.layer({ name }))

/** A layer on a new database each time it is built: the laws build their layers afresh for every run. */
const onFreshDatabase = <A, E>(layer: (name: string) => Layer.Layer<A, E>) =>
  Layer.unwrap(Effect.sync(() => layer(`history-laws-${databases++}`)))

const bank = domains.BankAccount
const snapshots = { stateSchema: BankAccount.State, stateVersion: 1, every: 2 }

describe("HistoryLaws on the IndexedDB layers", () => {
  it("snapshotsChangeNothing: the IndexedDB event and snapshot stores", async () => {
    await fc.assert(HistoryLaws.snapshotsChangeNothing({ ...bank, snapshots, layer: onFreshDatabase(stores) }), { numRuns: 100 })
  })

  it("idempotentCommands: the IndexedDB event store", async () => {
    const layer = onFreshDatabase((name) => IndexedDbEventStore.layer({ name }))
    await fc.assert(HistoryLaws.idempotentCommands({ ...bank, layer }), { numRuns: 100 })
  })

  it.live("snapshots and command ids survive closing and reopening the database: a repeat after a reload appends nothing", () =>
    Effect.gen(function*() {
      const session = stores(`history-reload-${databases++}`)
      const accounts = CommandHandler.make({ ...bank, snapshots })
      const deposit = { _tag: "Deposit", accountId: "a", amount: 30 } as const

      const first = yield* Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" }, { commandId: "open-a" })
        return yield* accounts.handle(deposit, { commandId: "pay-1" }) // version 2: a snapshot is saved
      }).pipe(Effect.provide(session))

      // After the reload: the snapshot alone knows "pay-1" (there is no tail after it).
      yield* Effect.gen(function*() {
        const saved = yield* SnapshotStore.SnapshotStore.use((snapshots) => snapshots.load("account-a"))
        assert.deepStrictEqual(saved, Option.some({
          version: 2,
          stateVersion: 1,
          state: { _tag: "Opened", balance: 30 },
          commandIds: ["open-a", "pay-1"]
        }))
        const store = yield* EventStore.EventStore
        const before = yield* store.lastPosition
        assert.deepStrictEqual(yield* accounts.handle(deposit, { commandId: "pay-1" }), first)
        assert.strictEqual(yield* store.lastPosition, before)
        const next = yield* accounts.handle(deposit, { commandId: "pay-2" })
        assert.deepStrictEqual([next.version, next.state], [3, { _tag: "Opened", balance: 60 }])
      }).pipe(Effect.provide(session))
    }))
})
