/**
 * The PostgreSQL snapshot store keeps the latest snapshot of each stream, shared by instances: a
 * command handler on one instance saves it, another loads it (the history laws check that
 * snapshots change no result).
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, SnapshotStore } from "@chronicle/runtime"
import { PostgresEventStore, PostgresSnapshotStore } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import type { Scope } from "effect"
import type { SqlClient } from "effect/sql"
import { clientLayer, describePostgres, scratchSchema, useDatabase } from "./database.ts"

describePostgres("PostgresSnapshotStore", () => {
  const { client } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client))

  live("load finds nothing, then the snapshot saved last, with its state version and command ids; delete removes it", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const snapshots = yield* PostgresSnapshotStore.make({ schema })
      assert.deepStrictEqual(yield* snapshots.load("s"), Option.none())
      yield* snapshots.save("s", { version: 3, stateVersion: 1, state: { balance: 3 }, commandIds: [] })
      const latest = { version: 6, stateVersion: 2, state: { _tag: "Opened", balance: 6 }, commandIds: ["c-1", "c-2"] }
      yield* snapshots.save("s", latest)
      yield* snapshots.save("t", { version: 1, stateVersion: 1, state: null, commandIds: ["only"] })
      assert.deepStrictEqual(yield* snapshots.load("s"), Option.some(latest))
      yield* snapshots.delete("s")
      yield* snapshots.delete("never saved")
      assert.deepStrictEqual(yield* snapshots.load("s"), Option.none())
      assert.isTrue(Option.isSome(yield* snapshots.load("t")))
    }))

  live("a handler on one instance saves snapshots that a handler on another instance loads", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const stores = () =>
        Layer.merge(PostgresEventStore.layer({ schema }), PostgresSnapshotStore.layer({ schema })).pipe(
          Layer.provide(clientLayer())
        )
      const accounts = CommandHandler.make({
        decider: BankAccount.decider,
        commandSchema: BankAccount.Command,
        eventSchema: BankAccount.Event,
        streamId: BankAccount.streamIdOf,
        snapshots: { stateSchema: BankAccount.State, stateVersion: 1, every: 2 }
      })
      yield* Effect.forEach([
        { _tag: "Open", accountId: "a", owner: "Ada" },
        { _tag: "Deposit", accountId: "a", amount: 10 },
        { _tag: "Deposit", accountId: "a", amount: 20 },
        { _tag: "Withdraw", accountId: "a", amount: 5 }
      ] as const, (command) => accounts.handle(command)).pipe(Effect.provide(stores()))
      const { loaded, saved } = yield* Effect.gen(function*() {
        const saved = yield* SnapshotStore.SnapshotStore.use((snapshots) => snapshots.load("account-a"))
        return { saved, loaded: yield* accounts.load("account-a") }
      }).pipe(Effect.provide(stores()))
      const snapshot = Option.getOrThrow(saved)
      assert.strictEqual(snapshot.version, 4)
      assert.deepStrictEqual(Schema.decodeUnknownSync(BankAccount.State)(snapshot.state), { _tag: "Opened", balance: 25 })
      assert.deepInclude(loaded, { version: 4, state: { _tag: "Opened", balance: 25 } })
    }))
})
