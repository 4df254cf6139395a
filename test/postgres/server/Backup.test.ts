/**
 * The backup and restore procedure of the README ("Backup and restore"), run with PostgreSQL's own
 * tools: `pg_dump --schema` of a live log and `pg_restore` into a new database keep positions and
 * checkpoints as they were, so a persistent projector resumes there from its checkpoint with
 * exactly the events after it, and appends continue with the next position, gapless. And the case
 * the README warns about: checkpoints newer than the events restored are past the head, which
 * `PostgresHealth` reports; left there until writers append, they look current and the projector
 * skips the new events; deleted, the projection rebuilds from zero.
 */
import { ExpectedVersion, Projection } from "@chronicle/core"
import type { Envelope } from "@chronicle/core"
import { CheckpointStore, EventStore, Projector } from "@chronicle/runtime"
import { PostgresCheckpointStore, PostgresEventStore, PostgresHealth } from "@chronicle/store-postgres"
import { assert, it } from "@effect/vitest"
import { Effect, Layer, Option, Ref, Schema, Stream } from "effect"
import type { Scope } from "effect"
import { SqlClient } from "effect/sql"
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { clientLayer, describePostgres, requireServer, scratchSchema, useDatabase } from "../database.ts"

const url = requireServer()

const postgresLib = "/usr/lib/postgresql"

/** PostgreSQL's client tools: the newest that Debian installed, else those on PATH. */
const tool = (name: "pg_dump" | "pg_restore" | "psql"): string => {
  const newest = existsSync(postgresLib) ? readdirSync(postgresLib).sort((a, b) => Number(a) - Number(b)).at(-1) : undefined
  return newest === undefined ? name : join(postgresLib, newest, "bin", name)
}

const execFileAsync = promisify(execFile)

/** Runs a client tool (the test goes on meanwhile); its failure, with what it printed, fails the test. */
const run = (name: "pg_dump" | "pg_restore" | "psql", args: ReadonlyArray<string>) =>
  Effect.tryPromise({
    try: () => execFileAsync(tool(name), args),
    catch: (error) => new Error(`${name} ${args.join(" ")} failed: ${(error as { readonly stderr?: string }).stderr ?? error}`)
  })

const Noted = Schema.TaggedStruct("Noted", { note: Schema.String })

/** What a projector run saw: each event's position and note, and which run applied it. */
const Seen = Schema.Struct({ position: Schema.Int, note: Schema.String, run: Schema.Int })
type Seen = typeof Seen.Type

const seenBy = (run: number) =>
  Projection.make({
    initialState: [] as ReadonlyArray<Seen>,
    evolve: (state, recorded: Envelope.Recorded<typeof Noted.Type>) => [
      ...state,
      { position: recorded.position, note: recorded.data.note, run }
    ]
  })

/** Starts the persistent projector "seen" as run number `run`. */
const seen = (run: number) =>
  Projector.makePersistent({
    name: "seen",
    stateSchema: Schema.Array(Seen),
    projection: seenBy(run),
    input: "recorded",
    eventSchema: Noted
  })

const note = (streamId: string, ...notes: ReadonlyArray<string>) =>
  EventStore.EventStore.use((store) =>
    store.append(streamId, notes.map((n) => ({ type: "Noted", data: { _tag: "Noted", note: n } })), ExpectedVersion.any)
  )

const positions = EventStore.EventStore.use((store) =>
  Stream.runCollect(store.readAll()).pipe(Effect.map((events) => events.map((event) => event.position)))
)

/** The event and checkpoint stores of `schema` on the database at `address`. */
const stores = (address: string, schema: string) =>
  Layer.merge(PostgresEventStore.layer({ schema }), PostgresCheckpointStore.layer({ schema })).pipe(
    Layer.provideMerge(clientLayer(address))
  )

/** A new, empty database on the server for the current scope, and its URL; dropped at the end. */
const freshDatabase = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const name = `restore_${randomBytes(6).toString("hex")}`
  yield* Effect.acquireRelease(
    sql`CREATE DATABASE ${sql(name)}`,
    () => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`.pipe(Effect.ignore)
  )
  const address = new URL(url)
  address.pathname = `/${name}`
  return address.toString()
})

/** A directory for the dump files of the current scope. */
const dumpDirectory = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "chronicle-backup-"))),
  (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
)

describePostgres("Backup and restore", () => {
  const { client } = useDatabase()
  const live = <A, E>(name: string, test: () => Effect.Effect<A, E, SqlClient.SqlClient | Scope.Scope>) =>
    it.live(name, () => Effect.provide(test(), client), 120_000)

  live("pg_dump and pg_restore: the projector resumes from its checkpoint with exactly the later events, and positions go on gapless", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const file = join(yield* dumpDirectory, "log.dump")

      // The original: five events applied and checkpointed, three more that no projector saw yet.
      yield* Effect.scoped(Effect.gen(function*() {
        yield* note("a", "a1", "a2")
        yield* note("b", "b1")
        const projector = yield* seen(1)
        yield* note("a", "a3")
        yield* note("b", "b2")
        assert.strictEqual((yield* projector.awaitPosition(5)).position, 5)
      })).pipe(Effect.provide(stores(url, schema)))
      yield* Effect.scoped(Effect.gen(function*() {
        yield* note("a", "a4")
        yield* note("c", "c1", "c2")
        const saved = yield* CheckpointStore.CheckpointStore.use((checkpoints) => checkpoints.load("seen"))
        assert.strictEqual(Option.getOrThrow(saved).position, 5)
      })).pipe(Effect.provide(stores(url, schema)))

      // The procedure: one consistent dump of the schema, restored into a new database.
      yield* run("pg_dump", [`--dbname=${url}`, `--schema=${schema}`, "--format=custom", `--file=${file}`])
      const restored = yield* freshDatabase
      yield* run("pg_restore", [`--dbname=${restored}`, "--single-transaction", "--exit-on-error", file])

      yield* Effect.scoped(Effect.gen(function*() {
        const health = yield* PostgresHealth.check({ schema })
        assert.deepInclude(health, { head: 8, healthy: true })
        assert.deepStrictEqual(health.checkpoints, [{ name: "seen", position: 5, lag: 3, ahead: false }])

        const projector = yield* seen(2)
        assert.strictEqual((yield* projector.current).position, 5, "it resumes from the checkpoint")
        const resumed = yield* projector.awaitPosition(8)
        assert.deepStrictEqual(resumed.state, [
          { position: 1, note: "a1", run: 1 },
          { position: 2, note: "a2", run: 1 },
          { position: 3, note: "b1", run: 1 },
          { position: 4, note: "a3", run: 1 },
          { position: 5, note: "b2", run: 1 },
          { position: 6, note: "a4", run: 2 },
          { position: 7, note: "c1", run: 2 },
          { position: 8, note: "c2", run: 2 }
        ])

        const after = yield* note("a", "a5")
        assert.deepStrictEqual(after.events.map(({ position, version }) => ({ position, version })), [{ position: 9, version: 5 }])
        yield* note("d", "d1")
        assert.deepStrictEqual(yield* positions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        const live = yield* projector.awaitPosition(10)
        assert.deepStrictEqual(live.state.slice(8), [
          { position: 9, note: "a5", run: 2 },
          { position: 10, note: "d1", run: 2 }
        ])
      })).pipe(Effect.provide(stores(restored, schema)))
      assert.strictEqual((yield* PostgresHealth.check({ schema })).head, 8, "the original log is as it was")
    }))

  live("a dump taken while appends and a projector run is consistent: gapless positions and versions, checkpoints at most the head", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const file = join(yield* dumpDirectory, "busy.dump")
      const streams = ["a", "b", "c"]
      const taken = yield* Effect.scoped(Effect.gen(function*() {
        const projector = yield* seen(1)
        const appended = yield* Ref.make(0)
        const writer = Ref.updateAndGet(appended, (n) => n + 1).pipe(
          Effect.flatMap((n) => note(streams[n % streams.length]!, `w${n}`)),
          Effect.forever
        )
        yield* Effect.forkScoped(writer)
        yield* projector.awaitPosition(10)
        const before = yield* Ref.get(appended)
        yield* run("pg_dump", [`--dbname=${url}`, `--schema=${schema}`, "--format=custom", `--file=${file}`])
        return before
      })).pipe(Effect.provide(stores(url, schema)))
      const restored = yield* freshDatabase
      yield* run("pg_restore", [`--dbname=${restored}`, "--single-transaction", "--exit-on-error", file])

      yield* Effect.scoped(Effect.gen(function*() {
        const health = yield* PostgresHealth.check({ schema })
        assert.isAtLeast(health.head, taken - 1, "what was committed before the dump began is in it")
        assert.isTrue(health.healthy, health.problems.join("; "))
        assert.isAtMost(health.checkpoints.find((c) => c.name === "seen")!.position, health.head)
        const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
        assert.deepStrictEqual(yield* positions, range(health.head))
        for (const streamId of streams) {
          const versions = yield* EventStore.EventStore.use((store) =>
            Stream.runCollect(store.read(streamId)).pipe(Effect.map((events) => events.map((event) => event.version)))
          )
          assert.deepStrictEqual(versions, range(versions.length), `the versions of ${streamId}`)
        }
        const resumed = yield* (yield* seen(2)).awaitPosition(health.head)
        assert.deepStrictEqual(resumed.state.map((s) => s.position), range(health.head), "each event once")
        const next = yield* note("a", "after")
        assert.strictEqual(next.events[0]!.position, health.head + 1)
      })).pipe(Effect.provide(stores(restored, schema)))
    }))

  live("checkpoints newer than the events restored are past the head: reported, skipping events once writers go on, rebuilt once deleted", () =>
    Effect.gen(function*() {
      const schema = yield* scratchSchema
      const directory = yield* dumpDirectory
      const events = join(directory, "events.dump")
      const checkpoints = join(directory, "checkpoints.sql")

      // An older backup of the log (three events), then checkpoints taken later (at five).
      yield* note("a", "a1", "a2", "a3").pipe(Effect.provide(stores(url, schema)))
      yield* run("pg_dump", [`--dbname=${url}`, `--schema=${schema}`, "--format=custom", `--file=${events}`])
      yield* Effect.scoped(Effect.gen(function*() {
        const projector = yield* seen(1)
        yield* note("a", "a4", "a5")
        yield* projector.awaitPosition(5)
      })).pipe(Effect.provide(stores(url, schema)))
      yield* run("pg_dump", [`--dbname=${url}`, `--table=${schema}.checkpoints`, "--data-only", `--file=${checkpoints}`])

      // Restored together: the events of the first, the checkpoints of the second.
      const restoreMixed = Effect.gen(function*() {
        const restored = yield* freshDatabase
        yield* run("pg_restore", [`--dbname=${restored}`, "--single-transaction", "--exit-on-error", events])
        const psql = ["--single-transaction", "--set=ON_ERROR_STOP=1", "--quiet", `--file=${checkpoints}`]
        yield* run("psql", [`--dbname=${restored}`, ...psql])
        return restored
      })

      // What the README warns about: once writers append, the stale checkpoint looks current, and
      // the projector resumes past the new events, never applying them.
      const unchecked = yield* restoreMixed
      yield* Effect.scoped(Effect.gen(function*() {
        yield* note("b", "b1", "b2")
        assert.deepInclude(yield* PostgresHealth.check({ schema }), {
          head: 5,
          checkpoints: [{ name: "seen", position: 5, lag: 0, ahead: false }],
          healthy: true
        })
        const skipped = yield* (yield* seen(2)).awaitPosition(5)
        assert.deepStrictEqual(skipped.state.map((s) => s.note), ["a1", "a2", "a3", "a4", "a5"], "b1 and b2 are skipped")
      })).pipe(Effect.provide(stores(unchecked, schema)))

      const restored = yield* restoreMixed

      yield* Effect.scoped(Effect.gen(function*() {
        const health = yield* PostgresHealth.check({ schema })
        assert.deepStrictEqual(health.checkpoints, [{ name: "seen", position: 5, lag: -2, ahead: true }])
        assert.deepInclude(health, { head: 3, healthy: false })
        assert.include(health.problems[0], "\"seen\" is at position 5, past the head 3")

        // The remedy of the README, before any writer appends: delete what is past the head.
        const sql = yield* SqlClient.SqlClient
        yield* sql`DELETE FROM ${sql(schema)}.checkpoints
          WHERE position > (SELECT coalesce(max(position), 0) FROM ${sql(schema)}.events)`
        assert.deepInclude(yield* PostgresHealth.check({ schema }), { checkpoints: [], healthy: true })

        const projector = yield* seen(2)
        yield* note("b", "b1")
        const rebuilt = yield* projector.awaitPosition(4)
        assert.deepStrictEqual(rebuilt.state, [
          { position: 1, note: "a1", run: 2 },
          { position: 2, note: "a2", run: 2 },
          { position: 3, note: "a3", run: 2 },
          { position: 4, note: "b1", run: 2 }
        ])
      })).pipe(Effect.provide(stores(restored, schema)))
    }))
})
