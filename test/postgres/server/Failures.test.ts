/**
 * How the PostgreSQL layer fails, and recovers: a refused connection, a connection terminated in the
 * middle of an append or under a subscription, a serialization failure, a statement timeout and a
 * server restart all surface as typed `StoreError`s (transient ones, per `Postgres.isTransient`)
 * with nothing half-written, and the next operation succeeds once the database is back.
 */
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Postgres, PostgresEventStore } from "@chronicle/store-postgres"
import type { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Fiber, Layer, Schedule, Stream } from "effect"
import type { Scope } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { clientLayer, describePostgres, instance, requireServer, scratchSchema, useDatabase } from "../database.ts"

// Terminated connections and a session of its own per client: PGlite's single session has neither.
requireServer()

const noted = (note: string): EventStore.Pending => ({ type: "Noted", data: { note } })

const notes = (events: ReadonlyArray<{ readonly data: unknown }>) =>
  events.map((event) => (event.data as { readonly note: string }).note)

const readLog = (store: EventStore.Service) => Stream.runCollect(store.readAll())

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
const freePort = Effect.promise(() =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject(address))
    })
  })
)

/** Asserts that `error` is a transient `StoreError` of `operation` caused by an `SqlError`. */
const assertTransient = (
  error: EventStore.StoreError | EventStore.WrongExpectedVersion | EventStore.StreamClosed,
  operation: string
) => {
  assert.strictEqual(error._tag, "StoreError", error.message)
  assert.strictEqual(error._tag === "StoreError" ? error.operation : undefined, operation)
  assert.isTrue(error._tag === "StoreError" && SqlError.isSqlError(error.cause), "the cause is the SqlError")
  assert.isTrue(Postgres.isTransient(error), `${error.message} is transient`)
}

/** Waits until `query` returns a row (a backend reached the state a test waits for). */
const waitForRow = (query: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>) =>
  query.pipe(
    Effect.flatMap((rows) => rows.length > 0 ? Effect.void : Effect.fail("not yet" as const)),
    Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 500 })
  )

/** Holds the head lock of `schema` (an append's first step) from another session until released. */
const holdHeadLock = (sql: PgClient.PgClient, schema: string) =>
  Effect.gen(function*() {
    const locked = yield* Deferred.make<void>()
    const release = yield* Deferred.make<void>()
    yield* sql.withTransaction(
      sql`UPDATE ${sql(schema)}.head SET position = position`.pipe(
        Effect.andThen(Deferred.succeed(locked, undefined)),
        Effect.andThen(Deferred.await(release))
      )
    ).pipe(Effect.forkScoped)
    yield* Deferred.await(locked)
    return Deferred.succeed(release, undefined)
  })

describe("PostgreSQL failures without a database", () => {
  it.live("connection refused: building the layer fails with a transient StoreError naming the cause", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const url = `postgres://postgres@127.0.0.1:${port}/chronicle`
      const error = yield* Effect.flip(Layer.build(Postgres.layer({ url, client: { connectTimeout: "2 seconds" } })))
      assertTransient(error, "migrate")
      assert.strictEqual(SqlError.isSqlError(error.cause) ? error.cause.reason._tag : undefined, "ConnectionError")
      assert.include(error.message, "could not be reached")
    }))
})

describePostgres("PostgreSQL failures", () => {
  const { client } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client))
  const applicationName = () => `chronicle_victim_${randomBytes(4).toString("hex")}`

  live("a connection terminated while an append waits: a transient StoreError, nothing written, the next append succeeds", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const name = applicationName()
      const victim = yield* instance(schema, { applicationName: name })
      const holder = yield* instance(schema)
      yield* victim.store.append("s", [noted("before")], ExpectedVersion.noStream)
      const release = yield* holdHeadLock(holder.sql, schema)
      const append = yield* Effect.flip(victim.store.append("s", [noted("lost")], ExpectedVersion.exact(1))).pipe(
        Effect.forkChild
      )
      const sql = yield* SqlClient.SqlClient
      const waiting = sql`SELECT pid FROM pg_stat_activity WHERE application_name = ${name} AND wait_event_type = 'Lock'`
      yield* waitForRow(waiting)
      yield* sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = ${name} AND wait_event_type = 'Lock'`
      assertTransient(yield* Fiber.join(append), "append")
      yield* release
      assert.deepStrictEqual(notes(yield* readLog(victim.store)), ["before"])
      const next = yield* victim.store.append("s", [noted("after")], ExpectedVersion.exact(1))
      assert.deepStrictEqual(next.events.map(({ position, version }) => ({ position, version })), [{ position: 2, version: 2 }])
    }))

  live("a terminated listening connection is replaced, and what was announced meanwhile is read on reconnecting", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const name = applicationName()
      const watcher = yield* instance(schema, { applicationName: name }, { reconnectDelay: "1 second" })
      const writer = yield* instance(schema)
      const subscriber = yield* watcher.store.subscribe().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* writer.store.append("s", [noted("one")], ExpectedVersion.noStream)
      const sql = yield* SqlClient.SqlClient
      const listener = sql<{ readonly pid: number }>`
        SELECT pid FROM pg_stat_activity WHERE application_name = ${name} AND query LIKE 'LISTEN%'`
      // The watcher listens from its first subscription on, once the subscriber's fiber has started.
      yield* waitForRow(listener)
      const [before] = yield* listener
      yield* sql`SELECT pg_terminate_backend(${before!.pid})`
      yield* waitForRow(sql`SELECT 1 WHERE NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = ${before!.pid})`)
      // Announced while nobody of the watcher's listens: only the read after listening again finds it.
      yield* writer.store.append("s", [noted("two")], ExpectedVersion.exact(1))
      const delivered = yield* Fiber.join(subscriber).pipe(Effect.timeout("10 seconds"))
      assert.deepStrictEqual(notes(delivered), ["one", "two"])
      const [after] = yield* listener
      assert.notStrictEqual(after?.pid, before!.pid, "another connection listens")
    }))

  live("an instance that only writes does not listen; its first subscription listens and hears the other instances", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const name = applicationName()
      const watcher = yield* instance(schema, { applicationName: name })
      const writer = yield* instance(schema)
      yield* watcher.store.append("s", [noted("one")], ExpectedVersion.noStream)
      const sql = yield* SqlClient.SqlClient
      const listeners = sql<{ readonly pid: number }>`
        SELECT pid FROM pg_stat_activity WHERE application_name = ${name} AND query LIKE 'LISTEN%'`
      assert.lengthOf(yield* listeners, 0, "an instance that only wrote holds no listening connection")
      const subscriber = yield* watcher.store.subscribe().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* waitForRow(listeners)
      // Announced by the other instance: only the watcher's notification tells it.
      yield* writer.store.append("s", [noted("two")], ExpectedVersion.exact(1))
      const delivered = yield* Fiber.join(subscriber).pipe(Effect.timeout("10 seconds"))
      assert.deepStrictEqual(notes(delivered), ["one", "two"])
    }))

  live("a serialization failure (a SERIALIZABLE caller raced another append) is a transient StoreError; nothing is written", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const caller = yield* instance(schema)
      const other = yield* instance(schema)
      const snapshotTaken = yield* Deferred.make<void>()
      const proceed = yield* Deferred.make<void>()
      const serializable = yield* caller.sql.withTransaction(Effect.gen(function*() {
        yield* caller.sql`SELECT 1`
        yield* Deferred.succeed(snapshotTaken, undefined)
        yield* Deferred.await(proceed)
        return yield* caller.store.append("s", [noted("late")], ExpectedVersion.any)
      })).pipe(
        Effect.provideService(SqlClient.BeginTransaction, "BEGIN ISOLATION LEVEL SERIALIZABLE"),
        Effect.flip,
        Effect.forkChild
      )
      yield* Deferred.await(snapshotTaken)
      yield* other.store.append("t", [noted("first")], ExpectedVersion.noStream)
      yield* Deferred.succeed(proceed, undefined)
      const error = yield* Fiber.join(serializable)
      assert.strictEqual(error._tag, "StoreError")
      if (error._tag !== "StoreError") return
      assertTransient(error, "append")
      assert.strictEqual(Postgres.sqlState(error), "40001")
      assert.deepStrictEqual(notes(yield* readLog(other.store)), ["first"])
    }))

  live("a statement timeout is a transient StoreError; nothing is written, and the store goes on", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const impatient = yield* instance(schema, { startupParameters: { statement_timeout: "300" } })
      const holder = yield* instance(schema)
      const release = yield* holdHeadLock(holder.sql, schema)
      const error = yield* Effect.flip(impatient.store.append("s", [noted("late")], ExpectedVersion.noStream))
      assertTransient(error, "append")
      assert.strictEqual(Postgres.sqlState(error), "57014")
      assert.include(error.message, "statement_timeout")
      yield* release
      assert.deepStrictEqual(yield* readLog(impatient.store), [])
      const next = yield* impatient.store.append("s", [noted("in time")], ExpectedVersion.noStream)
      assert.strictEqual(next.events[0]?.position, 1)
    }))
})

const script = fileURLToPath(new URL("../server.sh", import.meta.url))

/** Why this machine cannot start a PostgreSQL server of its own, or `undefined` when it can. */
const noServer = ((): string | undefined => {
  const binaries = spawnSync("bash", ["-c", "ls /usr/lib/postgresql/*/bin/pg_ctl || command -v pg_ctl"], { stdio: "ignore" })
  if (binaries.status !== 0) return "no PostgreSQL server binaries on this machine (apt-get install postgresql)"
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"], { stdio: "ignore" }).status !== 0) {
    return "running as root without a postgres user to run the server"
  }
  return undefined
})()

const server = (command: "start" | "stop" | "destroy", port: number) =>
  Effect.sync(() => {
    const result = spawnSync("bash", [script, command, "--port", String(port), "--no-install"], { encoding: "utf8" })
    if (result.status !== 0) throw new Error(`server.sh ${command} --port ${port} failed:\n${result.stderr}`)
  })

const restartTest = noServer === undefined ? it.live : it.live.skip

describe("PostgreSQL restart", () => {
  restartTest(
    `while the server is down operations fail with transient StoreErrors; once it is back they succeed and subscriptions resume${
      noServer === undefined ? "" : ` — NOT RUN: ${noServer}`
    }`,
    () =>
      Effect.gen(function*() {
        const port = yield* freePort
        yield* Effect.acquireRelease(server("start", port), () => Effect.orDie(server("destroy", port)))
        const url = `postgres://postgres@127.0.0.1:${port}/chronicle`
        const options = { url, schema: "restart", client: { connectTimeout: "2 seconds" } } as const
        const store = Context.get(yield* Layer.build(Postgres.layer(options)), EventStore.EventStore)
        const subscriber = yield* store.subscribe().pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
        yield* store.append("s", [noted("before")], ExpectedVersion.noStream)

        yield* server("stop", port)
        assertTransient(yield* Effect.flip(store.append("s", [noted("while down")], ExpectedVersion.exact(1))), "append")
        assertTransient(yield* Effect.flip(store.lastPosition), "last position")

        yield* server("start", port)
        const after = yield* store.append("s", [noted("after")], ExpectedVersion.exact(1))
        assert.deepStrictEqual(after.events.map(({ position, version }) => ({ position, version })), [{ position: 2, version: 2 }])
        const other = Context.get(
          yield* Layer.build(PostgresEventStore.layer({ schema: "restart" }).pipe(Layer.provide(clientLayer(url)))),
          EventStore.EventStore
        )
        yield* other.append("s", [noted("from another instance")], ExpectedVersion.exact(2))
        const delivered = yield* Fiber.join(subscriber).pipe(Effect.timeout("15 seconds"))
        assert.deepStrictEqual(notes(delivered), ["before", "after", "from another instance"])
      }),
    120_000
  )
})
