/**
 * The layout of a Chronicle schema in PostgreSQL and its migrations.
 *
 * - `events`: one row per event, keyed by its global `position`; the unique constraint
 *   `events_stream_version` on `(stream_id, version)` serves reads by stream and makes it
 *   impossible for two writers to both record version n of a stream. `data` and `metadata` are
 *   `jsonb`.
 * - `head`: one row holding the position of the last event appended. An append updates it first,
 *   which locks the row until the append commits: appends run one at a time and positions are
 *   handed out in commit order (see `PostgresEventStore`).
 * - `checkpoints`: one row per projection, keyed by its name.
 * - `snapshots`: one row per stream, its latest snapshot.
 * - `migrations`: the migrations applied, by number.
 *
 * The schema version is the number of migrations. {@link migrate} first reads the version without
 * taking any lock and stops there when it is current; otherwise it takes a transaction-level
 * advisory lock (so that instances starting together migrate one at a time), creates what is
 * missing and applies the migrations the schema has not seen, all in one transaction: a migration
 * is all or nothing, and running it twice is harmless.
 *
 * @internal
 */
import { EventStore } from "@chronicle/runtime"
import { Effect } from "effect"
import type { SqlClient, SqlError, Statement } from "effect/sql"
import { storeError, transaction } from "./failure.ts"

/** The schema of the tables when none is given. */
export const defaultName = "chronicle"

const validName = /^[a-z_][a-z0-9_]{0,47}$/

/**
 * The schema named by `options`, checked: a lowercase SQL identifier of at most 48 characters
 * (letters, digits, `_`), so that it also names a notification channel.
 */
export const nameOf = (
  options: { readonly schema?: string | undefined }
): Effect.Effect<string, EventStore.StoreError> => {
  const name = options.schema ?? defaultName
  return validName.test(name) ? Effect.succeed(name) : Effect.fail(
    new EventStore.StoreError({
      operation: "configure",
      reason: `the schema name "${name}" is not a lowercase SQL identifier of at most 48 characters`
    })
  )
}

/** The channel on which appends to the log of `schema` are announced. */
export const channelOf = (schema: string): string => `chronicle/${schema}`

/** The tables of one schema, as SQL fragments that name them. */
export interface Tables {
  readonly events: Statement.Fragment
  readonly head: Statement.Fragment
  readonly checkpoints: Statement.Fragment
  readonly snapshots: Statement.Fragment
  readonly migrations: Statement.Fragment
}

/** The tables of `schema`. */
export const tables = (sql: SqlClient.SqlClient, schema: string): Tables => ({
  events: sql`${sql(schema)}.events`,
  head: sql`${sql(schema)}.head`,
  checkpoints: sql`${sql(schema)}.checkpoints`,
  snapshots: sql`${sql(schema)}.snapshots`,
  migrations: sql`${sql(schema)}.migrations`
})

type Migration = (sql: SqlClient.SqlClient, tables: Tables) => Effect.Effect<unknown, SqlError.SqlError>

const migrations: ReadonlyArray<Migration> = [
  (sql, { checkpoints, events, head, snapshots }) =>
    Effect.all([
      sql`CREATE TABLE ${events} (
        position bigint PRIMARY KEY,
        stream_id text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        CONSTRAINT events_stream_version UNIQUE (stream_id, version)
      )`,
      sql`CREATE TABLE ${head} (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        position bigint NOT NULL
      )`,
      sql`INSERT INTO ${head} (position) VALUES (0)`,
      sql`CREATE TABLE ${checkpoints} (
        name text PRIMARY KEY,
        position bigint NOT NULL,
        state jsonb NOT NULL
      )`,
      sql`CREATE TABLE ${snapshots} (
        stream_id text PRIMARY KEY,
        version integer NOT NULL,
        state_version integer NOT NULL,
        state jsonb NOT NULL,
        command_ids jsonb NOT NULL
      )`
    ], { discard: true })
]

/** The version of the layout this code reads and writes. */
export const version = migrations.length

/** The unique constraint on `(stream_id, version)`: its violation means another writer took the version. */
export const versionTaken = "events_stream_version"

// One advisory lock for every Chronicle migration in a database: the bytes of "Chronicl".
const migrationLock = 0x4368726f6e69636cn

/**
 * Brings `schema` to this release's layout: creates it, or applies the migrations it has not
 * seen. Fails if a newer release already migrated it further.
 *
 * Existence is read from the catalog tables (an MVCC read, fresh for each statement) rather than
 * left to `IF NOT EXISTS`: that one consults the backend's catalog cache, which waiting for an
 * advisory lock does not refresh, so it can miss a schema that the lock's previous holder created.
 */
export const migrate = (sql: SqlClient.SqlClient, schema: string): Effect.Effect<void, EventStore.StoreError> => {
  const t = tables(sql, schema)
  const exists = (query: Statement.Statement<{ readonly present: boolean }>) =>
    Effect.map(query, (rows) => rows[0]?.present === true)
  const schemaExists = exists(sql`SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = ${schema}) AS present`)
  const migrationsExist = exists(
    sql`SELECT EXISTS (SELECT FROM pg_tables WHERE schemaname = ${schema} AND tablename = 'migrations') AS present`
  )
  const applied = Effect.map(
    sql<{ readonly version: number }>`SELECT coalesce(max(version), 0)::int4 AS version FROM ${t.migrations}`,
    (rows) => rows[0]?.version ?? 0
  )
  const installed = Effect.flatMap(migrationsExist, (present) => present ? applied : Effect.succeed(0))
  const upgrade = transaction(sql, Effect.gen(function*() {
    yield* sql`SELECT pg_advisory_xact_lock(${migrationLock})`
    if (!(yield* schemaExists)) yield* sql`CREATE SCHEMA ${sql(schema)}`
    if (!(yield* migrationsExist)) {
      yield* sql`CREATE TABLE ${t.migrations} (
        version integer PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`
    }
    const from = yield* applied
    for (const [i, migration] of migrations.slice(from).entries()) {
      yield* migration(sql, t)
      yield* sql`INSERT INTO ${t.migrations} (version) VALUES (${from + i + 1})`
    }
    return from
  }))
  return Effect.gen(function*() {
    const current = yield* installed
    const found = current < version ? yield* upgrade : current
    if (found > version) {
      return yield* new EventStore.StoreError({
        operation: "migrate",
        reason: `the schema "${schema}" is at version ${found}, newer than this release's ${version}: upgrade Chronicle`
      })
    }
  }).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(storeError("migrate")(error))))
}
