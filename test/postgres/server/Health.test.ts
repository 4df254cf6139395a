/**
 * `PostgresHealth.check` sees a stuck transaction: a session that took the head's row lock and
 * went idle in transaction is reported — its pid, `application_name`, state, age, the append
 * queued behind it — as stuck once older than `stuckAfter`, and nothing is stuck once it commits.
 * Needs sessions of their own, which PGlite's single session has not.
 */
import { ExpectedVersion } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { PostgresHealth } from "@chronicle/store-postgres"
import { PgClient } from "@effect/sql-pg"
import { assert, it } from "@effect/vitest"
import { Context, Deferred, Effect, Fiber, Layer, Schedule } from "effect"
import type { Scope } from "effect"
import { SqlClient } from "effect/sql"
import { randomBytes } from "node:crypto"
import { clientLayer, describePostgres, instance, requireServer, scratchSchema, useDatabase } from "../database.ts"

const url = requireServer()

const noted = (note: string): EventStore.Pending => ({ type: "Noted", data: { note } })

/**
 * Opens a session named `applicationName` that locks the head row (`SELECT … FOR UPDATE`, as a
 * client that began an append and stopped would) and stays idle in that transaction until the
 * returned effect commits it.
 */
const idleHeadLock = (schema: string, applicationName: string) =>
  Effect.gen(function*() {
    const sql = Context.get(yield* Layer.build(clientLayer(url, { applicationName })), PgClient.PgClient)
    const locked = yield* Deferred.make<void>()
    const commit = yield* Deferred.make<void>()
    const holder = yield* sql.withTransaction(
      sql`SELECT position FROM ${sql(schema)}.head FOR UPDATE`.pipe(
        Effect.andThen(Deferred.succeed(locked, undefined)),
        Effect.andThen(Deferred.await(commit))
      )
    ).pipe(Effect.forkScoped)
    yield* Deferred.await(locked)
    return Deferred.succeed(commit, undefined).pipe(Effect.andThen(Fiber.join(holder)))
  })

describePostgres("PostgresHealth on a server", () => {
  const { client } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client))

  live("a session idle in transaction on the head lock is stuck past the threshold; after its commit nothing is", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      yield* store.append("s", [noted("before")], ExpectedVersion.noStream)
      const name = `chronicle_stuck_${randomBytes(4).toString("hex")}`
      const commit = yield* idleHeadLock(schema, name)
      const append = yield* store.append("s", [noted("queued")], ExpectedVersion.exact(1)).pipe(Effect.forkChild)

      // Once the append waits behind the lock: listed, but not stuck before the threshold.
      const early = yield* PostgresHealth.check({ schema, stuckAfter: "1 hour" }).pipe(
        Effect.filterOrFail((health) => health.waiting === 1, () => "the append does not wait yet"),
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
      )
      const [holder, waiter] = early.transactions
      assert.strictEqual(early.transactions.length, 2, "the holder, then the queued append")
      assert.deepInclude(holder, {
        role: "postgres",
        applicationName: name,
        state: "idle in transaction",
        waitEventType: "Client",
        waitEvent: "ClientRead",
        writing: true,
        waiting: false,
        blocking: 1,
        stuck: false
      })
      assert.deepInclude(waiter, { state: "active", waitEventType: "Lock", waiting: true, blocking: 0, stuck: false })
      assert.deepInclude(early, { head: 1, stuck: false, problems: [], healthy: true })

      yield* Effect.sleep("300 millis")
      const late = yield* PostgresHealth.check({ schema, stuckAfter: "250 millis" })
      const stuck = late.transactions.find((t) => t.applicationName === name)
      assert.isTrue(stuck?.stuck, "the idle holder is stuck")
      assert.isAtLeast(stuck!.ageMillis ?? 0, 250)
      assert.isAtLeast(stuck!.stateMillis ?? 0, 250)
      assert.deepInclude(late, { head: 1, waiting: 1, stuck: true, healthy: false })
      assert.include(late.problems[0], `the transaction of pid ${stuck!.pid} ("${name}")`)
      assert.include(late.problems[0], "idle in transaction")
      assert.include(late.problems[0], "blocking 1 session(s)")

      yield* commit
      const appended = yield* Fiber.join(append)
      assert.strictEqual(appended.version, 2)
      assert.deepInclude(yield* PostgresHealth.check({ schema, stuckAfter: "250 millis" }), {
        head: 2,
        transactions: [],
        waiting: 0,
        stuck: false,
        problems: [],
        healthy: true
      })
    }))

  live("a role without pg_read_all_stats sees another role's transaction with its state hidden, never stuck, but whom it blocks; granted, it sees it stuck", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const { store } = yield* instance(schema)
      const sql = yield* SqlClient.SqlClient
      const role = `chronicle_viewer_${randomBytes(4).toString("hex")}`
      yield* Effect.acquireRelease(
        Effect.all([
          sql`CREATE ROLE ${sql(role)} LOGIN`,
          sql`GRANT USAGE ON SCHEMA ${sql(schema)} TO ${sql(role)}`,
          sql`GRANT SELECT ON ALL TABLES IN SCHEMA ${sql(schema)} TO ${sql(role)}`
        ], { discard: true }),
        () => sql`DROP OWNED BY ${sql(role)}`.pipe(Effect.andThen(sql`DROP ROLE ${sql(role)}`), Effect.ignore)
      )
      const viewer = new URL(url)
      viewer.username = role
      const asViewer = PostgresHealth.check({ schema, stuckAfter: "100 millis" }).pipe(
        Effect.provide(clientLayer(viewer.toString()))
      )
      const name = `chronicle_hidden_${randomBytes(4).toString("hex")}`
      const commit = yield* idleHeadLock(schema, name)
      const append = yield* store.append("s", [noted("queued")], ExpectedVersion.noStream).pipe(Effect.forkChild)
      yield* Effect.sleep("200 millis")

      // Locks and who waits for whom are visible to every role; state, ages and wait events are not.
      const hidden = yield* asViewer.pipe(
        Effect.filterOrFail((health) => health.waiting === 1, () => "the append does not wait yet"),
        Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
      )
      const unseen = {
        role: "postgres",
        state: undefined,
        ageMillis: undefined,
        stateMillis: undefined,
        waitEventType: undefined,
        waitEvent: undefined
      }
      const holder = hidden.transactions.find((t) => t.applicationName === name)
      const waiter = hidden.transactions.find((t) => t.applicationName !== name)
      assert.strictEqual(hidden.transactions.length, 2)
      assert.deepInclude(holder, { ...unseen, writing: true, waiting: false, blocking: 1, stuck: false })
      assert.deepInclude(waiter, { ...unseen, writing: true, waiting: true, blocking: 0, stuck: false })
      assert.isFalse(hidden.stuck)

      yield* sql`GRANT pg_read_all_stats TO ${sql(role)}`
      const seen = yield* asViewer
      assert.deepInclude(seen.transactions[0], { applicationName: name, state: "idle in transaction", stuck: true })
      assert.isTrue(seen.stuck)
      yield* commit
      assert.strictEqual((yield* Fiber.join(append)).version, 1)
    }))
})
