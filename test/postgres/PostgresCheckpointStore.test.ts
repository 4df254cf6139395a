/**
 * The PostgreSQL checkpoint store keeps projections' read models across restarts and instances:
 * a persistent projection resumes from its checkpoint instead of replaying the log.
 */
import { BankAccount } from "@chronicle/examples"
import { CheckpointStore, CommandHandler, EventStore, Projector } from "@chronicle/runtime"
import { PostgresCheckpointStore, PostgresEventStore } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import type { Scope } from "effect"
import type { SqlClient } from "effect/sql"
import { clientLayer, describePostgres, scratchSchema, useDatabase } from "./database.ts"

const accounts = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf
})

const balances = {
  name: "balances",
  stateSchema: Schema.ReadonlyMap(Schema.String, Schema.Int),
  projection: BankAccount.balances,
  eventSchema: BankAccount.Event
}

/** One instance of the service (a pool of its own) with the event and checkpoint stores on `schema`. */
const stores = (schema: string) =>
  Layer.merge(PostgresEventStore.layer({ schema }), PostgresCheckpointStore.layer({ schema })).pipe(
    Layer.provide(clientLayer())
  )

describePostgres("PostgresCheckpointStore", () => {
  const { client } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client))

  live("load finds nothing, then the checkpoint saved last; positions beyond 32 bits and any JSON state survive", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const checkpoints = yield* PostgresCheckpointStore.make({ schema })
      assert.deepStrictEqual(yield* checkpoints.load("p"), Option.none())
      yield* checkpoints.save("p", { position: 5, state: { a: [1, "x", null] } })
      yield* checkpoints.save("p", { position: 2 ** 40, state: "replaced" })
      yield* checkpoints.save("q", { position: 1, state: [] })
      assert.deepStrictEqual(yield* checkpoints.load("p"), Option.some({ position: 2 ** 40, state: "replaced" }))
      assert.deepStrictEqual(yield* checkpoints.load("q"), Option.some({ position: 1, state: [] }))
      const error = yield* Effect.flip(checkpoints.save("p", { position: 6, state: { big: 1n } }))
      assert.deepInclude(error, { _tag: "StoreError", operation: "save checkpoint" })
      assert.deepStrictEqual(yield* checkpoints.load("p"), Option.some({ position: 2 ** 40, state: "replaced" }))
    }))

  live("a persistent projection resumes from its checkpoint after a restart, and ends where a rebuild does", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const commands: ReadonlyArray<BankAccount.Command> = [
        { _tag: "Open", accountId: "a", owner: "Ada" },
        { _tag: "Deposit", accountId: "a", amount: 100 },
        { _tag: "Open", accountId: "b", owner: "Bob" },
        { _tag: "Deposit", accountId: "b", amount: 50 }
      ]
      const before = yield* Effect.scoped(Effect.gen(function*() {
        const projector = yield* Projector.makePersistent(balances)
        for (const command of commands) yield* accounts.handle(command)
        return yield* projector.awaitPosition(yield* EventStore.EventStore.use((store) => store.lastPosition))
      })).pipe(Effect.provide(stores(schema)))
      assert.strictEqual(before.position, 4)

      // The restart: another pool, new layers, the same schema.
      yield* Effect.scoped(Effect.gen(function*() {
        const saved = yield* CheckpointStore.CheckpointStore.use((checkpoints) => checkpoints.load("balances"))
        assert.strictEqual(Option.getOrThrow(saved).position, 4)
        const projector = yield* Projector.makePersistent(balances)
        assert.strictEqual((yield* projector.current).position, 4, "it starts from the checkpoint, not from zero")
        const { events } = yield* accounts.handle({ _tag: "Withdraw", accountId: "a", amount: 30 })
        const resumed = yield* projector.awaitPosition(events[0]!.position)
        const rebuilt = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
        assert.deepStrictEqual(resumed, yield* rebuilt.awaitPosition(events[0]!.position))
        assert.deepStrictEqual([...resumed.state], [["a", 70], ["b", 50]])
      })).pipe(Effect.provide(stores(schema)))
    }))
})
