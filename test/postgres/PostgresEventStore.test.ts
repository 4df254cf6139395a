/**
 * What the PostgreSQL layer promises beyond the contract: migrations that are idempotent and safe
 * when instances start together, instances that share one log (racing writers, positions in commit
 * order, subscriptions across instances), appends that join the caller's transaction, and the
 * unique constraint as a backstop against writers that bypass the head lock.
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Postgres, PostgresEventStore } from "@chronicle/store-postgres"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Result, Stream, Tracer } from "effect"
import type { Scope } from "effect"
import { SqlClient } from "effect/sql"
import { clientLayer, describePostgres, instance, scratchSchema, useDatabase } from "./database.ts"

const noted = (note: string): EventStore.Pending => ({ type: "Noted", data: { note } })

const readLog = (store: EventStore.Service) => Stream.runCollect(store.readAll())

const positions = (events: ReadonlyArray<Envelope.Recorded>) => events.map((event) => event.position)

describePostgres("PostgresEventStore", () => {
  const { client, inEmptySchema } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client))

  describe("migrations", () => {
    live("migrating again, or starting another instance, keeps the data and changes nothing", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const first = yield* instance(schema)
        yield* first.store.append("s", [noted("kept")], ExpectedVersion.noStream)
        yield* Postgres.migrate({ schema })
        yield* Postgres.migrate({ schema })
        const second = yield* instance(schema)
        assert.deepStrictEqual(yield* readLog(second.store), yield* readLog(first.store))
        const sql = yield* SqlClient.SqlClient
        const applied = yield* sql<{ readonly version: number }>`SELECT version FROM ${sql(schema)}.migrations`
        assert.deepStrictEqual(applied.map((row) => row.version), Array.from({ length: Postgres.schemaVersion }, (_, i) => i + 1))
        const tables = yield* sql<{ readonly name: string }>`
          SELECT tablename AS name FROM pg_tables WHERE schemaname = ${schema} ORDER BY tablename`
        assert.deepStrictEqual(tables.map((row) => row.name), ["checkpoints", "events", "head", "migrations", "snapshots"])
      }))

    live("a schema of layout 1 (before the append function) is upgraded and keeps its events", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const first = yield* instance(schema)
        yield* first.store.append("s", [noted("before")], ExpectedVersion.noStream)
        const sql = yield* SqlClient.SqlClient
        yield* sql`DROP FUNCTION ${sql(schema)}.append(jsonb, text)`
        yield* sql`DELETE FROM ${sql(schema)}.migrations WHERE version > 1`
        const second = yield* instance(schema)
        yield* second.store.append("s", [noted("after")], ExpectedVersion.exact(1))
        const log = yield* readLog(second.store)
        assert.deepStrictEqual(log.map((event) => [event.position, event.version, event.data]), [
          [1, 1, { note: "before" }],
          [2, 2, { note: "after" }]
        ])
      }))

    live("instances that start together migrate one at a time", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const results = yield* Effect.all(Array.from({ length: 8 }, () => Effect.result(instance(schema))), {
          concurrency: "unbounded"
        })
        assert.deepStrictEqual(results.map((result) => result._tag), Array.from({ length: 8 }, () => "Success"))
      }))

    live("a schema that a newer release migrated further is refused", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        yield* Postgres.migrate({ schema })
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO ${sql(schema)}.migrations (version) VALUES (${Postgres.schemaVersion + 1})`
        const error = yield* Effect.flip(instance(schema))
        assert.strictEqual(error._tag, "StoreError")
        assert.include(error.message, "newer than this release")
      }))

    live("a schema name that is not a plain lowercase identifier is refused before anything is sent", () =>
      Effect.gen(function*() {
        for (const schema of ["Billing", "a-b", "x".repeat(49), "1st", ""]) {
          const error = yield* Effect.flip(Effect.scoped(PostgresEventStore.make({ schema }))).pipe(
            Effect.provide(clientLayer())
          )
          assert.strictEqual(error.operation, "configure", schema)
        }
      }))

    live("a count of appends per statement that is not a positive integer is refused, naming it", () =>
      Effect.gen(function*() {
        for (const maxAppendsPerStatement of [0, -1, 1.5, Number.NaN]) {
          const error = yield* Effect.flip(Effect.scoped(PostgresEventStore.make({ maxAppendsPerStatement }))).pipe(
            Effect.provide(clientLayer())
          )
          assert.deepInclude(error, { _tag: "StoreError", operation: "configure" })
          assert.include(error.message, `maxAppendsPerStatement ${maxAppendsPerStatement}`)
        }
      }))

    live("Postgres.layer refuses a timeout that is not a duration from 0 to 24 days before it connects", () =>
      Effect.gen(function*() {
        const url = "postgres://nobody@127.0.0.1:1/none"
        const given = [{ lockTimeout: -1 }, { statementTimeout: "soon" }, { idleInTransactionTimeout: "30 days" }] as const
        for (const timeout of given) {
          const layer = Postgres.layer({ url, ...(timeout as Partial<Postgres.LayerOptions>) })
          const error = yield* Effect.flip(Effect.scoped(Layer.build(layer)))
          assert.deepInclude(error, { _tag: "StoreError", operation: "configure" })
          assert.include(error.message, Object.keys(timeout)[0]!)
        }
      }))
  })

  describe("instances sharing one log", () => {
    live("two instances racing on one stream: one winner, one WrongExpectedVersion, never a duplicate version", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const [a, b] = [yield* instance(schema), yield* instance(schema)]
        for (let version = 0; version < 25; version++) {
          const [first, second] = yield* Effect.all([
            Effect.result(a.store.append("race", [noted(`a${version}`)], ExpectedVersion.exact(version))),
            Effect.result(b.store.append("race", [noted(`b${version}`)], ExpectedVersion.exact(version)))
          ], { concurrency: "unbounded" })
          const failures = [first, second].filter(Result.isFailure).map((result) => result.failure)
          assert.strictEqual(failures.length, 1, `round ${version}: exactly one append fails`)
          assert.deepInclude(failures[0], { _tag: "WrongExpectedVersion", actual: version + 1 })
        }
        const events = yield* Stream.runCollect(b.store.read("race"))
        assert.deepStrictEqual(events.map((event) => event.version), Array.from({ length: 25 }, (_, i) => i + 1))
      }))

    live("appends from several instances get positions 1…n, and each instance's subscription delivers them all once", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const instances = [yield* instance(schema), yield* instance(schema), yield* instance(schema)]
        const total = 3 * 20
        const subscribers = yield* Effect.forEach(instances, ({ store }) =>
          store.subscribe().pipe(Stream.take(total), Stream.runCollect, Effect.forkChild))
        const appends = instances.flatMap(({ store }, i) =>
          Array.from({ length: 20 }, (_, n) => store.append(`stream-${n % 4}`, [noted(`${i}.${n}`)], ExpectedVersion.any))
        )
        yield* Effect.all(appends, { concurrency: 8, discard: true })
        const log = yield* readLog(instances[0]!.store)
        assert.deepStrictEqual(positions(log), Array.from({ length: total }, (_, i) => i + 1))
        for (const subscriber of subscribers) assert.deepStrictEqual(yield* Fiber.join(subscriber), log)
      }))

    live("an append waits for a slower transaction that appended first: positions follow commit order", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const slow = yield* instance(schema)
        const fast = yield* instance(schema)
        const subscriber = yield* fast.store.subscribe().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
        const appended = yield* Deferred.make<EventStore.AppendResult>()
        const commit = yield* Deferred.make<void>()
        const slowCommit = yield* slow.sql.withTransaction(
          slow.store.append("slow", [noted("first")], ExpectedVersion.noStream).pipe(
            Effect.tap((result) => Deferred.succeed(appended, result)),
            Effect.tap(() => Deferred.await(commit))
          )
        ).pipe(Effect.forkChild)
        yield* Deferred.await(appended)
        const fastAppend = yield* fast.store.append("fast", [noted("second")], ExpectedVersion.noStream).pipe(Effect.forkChild)
        yield* Effect.sleep("300 millis")
        assert.isUndefined(fastAppend.pollUnsafe(), "the second append waits for the first to commit")
        yield* Deferred.succeed(commit, undefined)
        assert.deepStrictEqual(positions((yield* Fiber.join(slowCommit)).events), [1])
        assert.deepStrictEqual(positions((yield* Fiber.join(fastAppend)).events), [2])
        assert.deepStrictEqual(yield* Fiber.join(subscriber), yield* readLog(fast.store))
      }))

    live("a transaction that rolls back after appending gives its positions back: no gap", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const slow = yield* instance(schema)
        const fast = yield* instance(schema)
        const appended = yield* Deferred.make<void>()
        const abort = yield* Deferred.make<void>()
        const slowAbort = yield* slow.sql.withTransaction(
          slow.store.append("slow", [noted("undone"), noted("undone too")], ExpectedVersion.noStream).pipe(
            Effect.andThen(Deferred.succeed(appended, undefined)),
            Effect.andThen(Deferred.await(abort)),
            Effect.andThen(Effect.fail("aborted" as const))
          )
        ).pipe(Effect.flip, Effect.forkChild)
        yield* Deferred.await(appended)
        const fastAppend = yield* fast.store.append("fast", [noted("kept")], ExpectedVersion.noStream).pipe(Effect.forkChild)
        yield* Deferred.succeed(abort, undefined)
        assert.strictEqual(yield* Fiber.join(slowAbort), "aborted")
        assert.deepStrictEqual(positions((yield* Fiber.join(fastAppend)).events), [1])
        assert.deepStrictEqual((yield* readLog(slow.store)).map((event) => event.streamId), ["fast"])
      }))
  })

  describe("notifications are hints", () => {
    const payloads: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
      ["text that is not a number", ["NaN", "two", "", "1e400"]],
      ["a huge number", [String(Number.MAX_SAFE_INTEGER), "99999999999999999999"]],
      ["a negative number", ["-1", "-9007199254740991"]]
    ]
    for (const [what, notified] of payloads) {
      live(`a raw NOTIFY of ${what} neither stops nor spins a caught-up subscription`, () =>
        Effect.gen(function*() {
          const schema = yield* scratchSchema
          let spans = 0
          const tracer = Tracer.make({
            span: (options) => {
              spans++
              return new Tracer.NativeSpan(options)
            }
          })
          const counted = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.withTracer(effect, tracer)
          const { store } = yield* counted(instance(schema))
          yield* store.append("s", [noted("first")], ExpectedVersion.noStream)
          const live = yield* store.subscribe({ from: 2 }).pipe(Stream.take(1), Stream.runCollect, Effect.forkChild, counted)
          yield* Effect.sleep("200 millis") // caught up, waiting for position 2
          spans = 0
          const sql = yield* SqlClient.SqlClient
          for (const payload of notified) yield* sql`SELECT pg_notify(${`chronicle/${schema}`}, ${payload})`
          yield* Effect.sleep("500 millis")
          // A spinning subscriber queries again and again (dozens of times here); a hint costs a read or two.
          assert.isAtMost(spans, 10, "queries of this instance while nothing was appended")
          assert.strictEqual(yield* store.lastPosition, 1)
          yield* store.append("s", [noted("second")], ExpectedVersion.exact(1))
          const delivered = yield* Fiber.join(live).pipe(Effect.timeout("5 seconds"))
          assert.deepStrictEqual(positions(delivered), [2])
        }))
    }
  })

  describe("transactions", () => {
    live("inside a transaction of the same client an append commits with the caller's own writes, or not at all", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const { sql, store } = yield* instance(schema)
        yield* sql`CREATE TABLE ${sql(schema)}.outbox (note text NOT NULL)`
        const failed = yield* sql.withTransaction(
          store.append("t", [noted("undone")], ExpectedVersion.noStream).pipe(Effect.andThen(Effect.fail("abort" as const)))
        ).pipe(Effect.flip)
        assert.strictEqual(failed, "abort")
        assert.deepStrictEqual(yield* readLog(store), [])
        const subscriber = yield* store.subscribe().pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
        yield* sql.withTransaction(Effect.all([
          store.append("t", [noted("sent")], ExpectedVersion.noStream),
          sql`INSERT INTO ${sql(schema)}.outbox (note) VALUES ('sent')`
        ]))
        const [recorded] = yield* readLog(store)
        assert.deepInclude(recorded, { streamId: "t", version: 1, position: 1, data: { note: "sent" } })
        assert.deepStrictEqual(yield* sql`SELECT note FROM ${sql(schema)}.outbox`, [{ note: "sent" }])
        assert.deepStrictEqual(yield* Fiber.join(subscriber), [recorded!])
      }))

    live("inside a transaction, an append the database refuses leaves the transaction usable", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const { sql, store } = yield* instance(schema)
        const refused = yield* sql.withTransaction(Effect.gen(function*() {
          const error = yield* Effect.flip(store.append("t", [noted("nul \u0000 inside")], ExpectedVersion.noStream))
          yield* store.append("t", [noted("kept")], ExpectedVersion.noStream)
          return error
        }))
        assert.include(refused.message, "SQLSTATE 22P05")
        assert.deepStrictEqual((yield* readLog(store)).map((event) => event.data), [{ note: "kept" }])
      }))

    live("a writer that bypasses the head lock and takes the version first: the append fails with WrongExpectedVersion", () =>
      Effect.gen(function*() {
        const schema = yield* scratchSchema
        const { store } = yield* instance(schema)
        const foreign = yield* instance(schema)
        const inserted = yield* Deferred.make<void>()
        const commit = yield* Deferred.make<void>()
        const events = foreign.sql`${foreign.sql(schema)}.events`
        const foreignWrite = yield* foreign.sql.withTransaction(
          foreign.sql`INSERT INTO ${events} (position, stream_id, version, type, data, metadata)
            VALUES (1000, 's', 1, 'Foreign', '{}', '{"eventId": "foreign", "recordedAt": 0}')`.pipe(
            Effect.andThen(Deferred.succeed(inserted, undefined)),
            Effect.andThen(Deferred.await(commit))
          )
        ).pipe(Effect.forkChild)
        yield* Deferred.await(inserted)
        const append = yield* Effect.flip(store.append("s", [noted("mine")], ExpectedVersion.noStream)).pipe(Effect.forkChild)
        yield* Effect.sleep("300 millis") // the append now waits on the unique index
        yield* Deferred.succeed(commit, undefined)
        yield* Fiber.join(foreignWrite)
        const error = yield* Fiber.join(append)
        assert.deepInclude(error, { _tag: "WrongExpectedVersion", streamId: "s", expected: ExpectedVersion.noStream, actual: 1 })
        assert.deepStrictEqual((yield* Stream.runCollect(store.read("s"))).map((event) => event.type), ["Foreign"])
      }))
  })

  describe("payloads", () => {
    it.live("a payload that jsonb cannot hold (U+0000 in a string) is a StoreError and writes nothing", () =>
      Effect.gen(function*() {
        const store = yield* EventStore.EventStore
        yield* store.append("s", [noted("before")], ExpectedVersion.noStream)
        const error = yield* Effect.flip(store.append("s", [noted("fine"), noted("nul \u0000 inside")], ExpectedVersion.exact(1)))
        assert.deepInclude(error, { _tag: "StoreError", operation: "append", streamId: "s" })
        assert.include(error.message, "SQLSTATE 22P05")
        assert.deepStrictEqual((yield* readLog(store)).map((event) => event.data), [{ note: "before" }])
        const next = yield* store.append("s", [noted("after")], ExpectedVersion.exact(1))
        assert.deepStrictEqual(next.events.map(({ position, version }) => ({ position, version })), [{ position: 2, version: 2 }])
      }).pipe(Effect.provide(inEmptySchema((schema) => PostgresEventStore.layer({ schema })))))

    it.live("JSON round-trips through jsonb: nesting, unicode, big and tiny numbers, key order aside", () =>
      Effect.gen(function*() {
        const store = yield* EventStore.EventStore
        const data = [
          { nested: { list: [1, "two", null, true, { deep: [[]] }] }, "ключ": "значение 🎉" },
          [1e21, 5e-324, 1.7976931348623157e308, -0.1, 0.30000000000000004, 9007199254740993],
          "a string",
          12,
          null
        ]
        yield* store.append("s", data.map((payload) => ({ type: "Noted", data: payload })), ExpectedVersion.noStream)
        assert.deepStrictEqual((yield* readLog(store)).map((event) => event.data), data)
      }).pipe(Effect.provide(inEmptySchema((schema) => PostgresEventStore.layer({ schema })))))
  })
})
