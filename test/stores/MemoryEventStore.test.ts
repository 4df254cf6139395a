/**
 * The in-memory layer, the reference implementation, passes the EventStore contract; and a log file
 * holding one long stream imports into it (one append of the whole stream).
 */
import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { EventStore, LogFile } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { EventStoreContract } from "@chronicle/testing"
import { Effect } from "effect"

EventStoreContract.register({ describe, it }, { name: "memory", makeLayer: () => MemoryEventStore.layer })

describe("MemoryEventStore", () => {
  it.effect("imports a log file of one stream of 200,000 events", () =>
    Effect.gen(function*() {
      const count = 200_000
      const exported = yield* Effect.gen(function*() {
        const store = yield* EventStore.EventStore
        const opened = { type: "AccountOpened", data: { _tag: "AccountOpened", accountId: "a", owner: "Ada" } }
        yield* store.append("account-a", [opened], ExpectedVersion.noStream)
        const deposit = { type: "Deposited", data: { _tag: "Deposited", accountId: "a", amount: 1 } }
        for (let version = 1; version < count; version += 1_000) {
          const size = Math.min(1_000, count - version)
          yield* store.append("account-a", Array.from({ length: size }, () => deposit), ExpectedVersion.exact(version))
        }
        return yield* LogFile.exportLog
      }).pipe(Effect.provide(MemoryEventStore.layer))
      const imported = yield* Effect.gen(function*() {
        const imported = yield* LogFile.importLog(exported, [{ eventSchema: BankAccount.Event, streamId: BankAccount.streamIdOf }])
        return { imported, last: yield* EventStore.EventStore.use((store) => store.lastPosition) }
      }).pipe(Effect.provide(MemoryEventStore.layer))
      assert.deepStrictEqual(imported, { imported: count, last: count })
    }), 120_000)
})
