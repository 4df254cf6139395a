/**
 * `PostgresHealth.check` on any backend: the head, each saved checkpoint's lag, a checkpoint past
 * the head reported as a problem, and bad options refused. Stuck transactions need sessions of
 * their own: `server/Health.test.ts`.
 */
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { PostgresCheckpointStore, PostgresHealth } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Scope } from "effect"
import type { SqlClient } from "effect/sql"
import { describePostgres, instance, scratchSchema, useDatabase } from "./database.ts"

const noted = (note: string): EventStore.Pending => ({ type: "Noted", data: { note } })

describePostgres("PostgresHealth", () => {
  const { client } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client))

  live("an idle log: its head, each checkpoint's lag behind it, no open transaction, healthy", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      const checkpoints = yield* PostgresCheckpointStore.make({ schema })
      assert.deepInclude(yield* PostgresHealth.check({ schema }), { head: 0, checkpoints: [], healthy: true })
      yield* store.append("s", ["1", "2", "3"].map(noted), ExpectedVersion.noStream)
      yield* store.append("t", ["4", "5"].map(noted), ExpectedVersion.noStream)
      yield* checkpoints.save("caught-up", { position: 5, state: null })
      yield* checkpoints.save("behind", { position: 2, state: null })
      assert.deepStrictEqual(yield* PostgresHealth.check({ schema }), {
        schema,
        head: 5,
        transactions: [],
        waiting: 0,
        checkpoints: [
          { name: "behind", position: 2, lag: 3, ahead: false },
          { name: "caught-up", position: 5, lag: 0, ahead: false }
        ],
        stuck: false,
        problems: [],
        healthy: true
      })
    }))

  live("a checkpoint past the head (the log restored from an older backup) is a problem, named", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      const checkpoints = yield* PostgresCheckpointStore.make({ schema })
      yield* store.append("s", ["1", "2"].map(noted), ExpectedVersion.noStream)
      yield* checkpoints.save("restored-over", { position: 7, state: null })
      const health = yield* PostgresHealth.check({ schema })
      assert.deepStrictEqual(health.checkpoints, [{ name: "restored-over", position: 7, lag: -5, ahead: true }])
      assert.isFalse(health.healthy)
      assert.isFalse(health.stuck, "no transaction is stuck")
      assert.strictEqual(health.problems.length, 1)
      assert.include(health.problems[0], "\"restored-over\" is at position 7, past the head 2")
    }))

  live("bad options and a missing schema are StoreErrors saying what is wrong", () =>
    Effect.gen(function*() {
      const badDuration = yield* Effect.flip(PostgresHealth.check({ stuckAfter: "soon" as never }))
      assert.deepInclude(badDuration, { operation: "health check", reason: "stuckAfter (soon) is not a duration of 0 or more" })
      const negative = yield* Effect.flip(PostgresHealth.check({ stuckAfter: "-5 seconds" }))
      assert.deepInclude(negative, { reason: "stuckAfter (-5 seconds) is not a duration of 0 or more" })
      const badName = yield* Effect.flip(PostgresHealth.check({ schema: "Bad-Name" }))
      assert.deepInclude(badName, { operation: "configure" })
      assert.include(badName.reason, "\"Bad-Name\"")
      const missing = yield* Effect.flip(PostgresHealth.check({ schema: "no_such_schema_here" }))
      assert.deepInclude(missing, { operation: "health check" })
      assert.include(missing.reason, "no_such_schema_here")
    }))
})
