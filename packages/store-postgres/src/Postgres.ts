/**
 * **Postgres**: the database that the PostgreSQL layers share, how to connect to it, and what can
 * go wrong with it.
 *
 * One schema (a PostgreSQL namespace, `chronicle` unless told otherwise) holds one event log and
 * the checkpoints and snapshots that go with it; every instance of a service that uses the same
 * database and schema shares them. Each layer migrates the schema when it is built: a schema that
 * is current is only read, a new or older one is created or upgraded in one transaction under an
 * advisory lock (instances starting together take turns), and running it twice is harmless.
 *
 * Failures are `StoreError`s that keep the `SqlError` of `effect/sql` as their `cause`;
 * {@link isTransient} tells a connection lost or refused, a serialization failure, a deadlock or a
 * timeout — worth retrying — from a failure that will happen again, and {@link sqlState} gives
 * PostgreSQL's SQLSTATE code.
 *
 * @since 0.1.0
 */
import type { EventStore, CheckpointStore, SnapshotStore } from "@chronicle/runtime"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import * as Failure from "./internal/failure.ts"
import * as Schema from "./internal/schema.ts"
import * as PostgresCheckpointStore from "./PostgresCheckpointStore.ts"
import * as PostgresEventStore from "./PostgresEventStore.ts"
import * as PostgresSnapshotStore from "./PostgresSnapshotStore.ts"

/**
 * Which schema the layers use.
 *
 * @example
 * ```ts
 * const options: Postgres.Options = { schema: "billing" }
 * ```
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * The PostgreSQL schema of the tables: one event log per schema and database. A lowercase SQL
   * identifier of at most 48 characters. Default {@link defaultSchema}.
   */
  readonly schema?: string | undefined
}

/**
 * The schema the layers use unless told otherwise.
 *
 * @example
 * ```ts
 * console.log(`SELECT count(*) FROM ${Postgres.defaultSchema}.events`)
 * ```
 *
 * @since 0.1.0
 */
export const defaultSchema: string = Schema.defaultName

/**
 * The version of the schema layout this release reads and writes (the number of its migrations).
 *
 * @example
 * ```ts
 * console.log(`event log layout v${Postgres.schemaVersion}`)
 * ```
 *
 * @since 0.1.0
 */
export const schemaVersion: number = Schema.version

/**
 * Creates or upgrades the schema: the layers do it when they are built, a deployment step can do
 * it ahead. Idempotent; fails with a `StoreError` when the database cannot be reached or a newer
 * release already migrated the schema further.
 *
 * @example
 * ```ts
 * const client = PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) })
 * await Effect.runPromise(Postgres.migrate({ schema: "billing" }).pipe(Effect.provide(client)))
 * ```
 *
 * @since 0.1.0
 */
export const migrate = (options: Options = {}): Effect.Effect<void, EventStore.StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    yield* Schema.migrate(sql, yield* Schema.nameOf(options))
  })

/**
 * What {@link layer} needs: where the database is, the schema, and optionally the pool's settings.
 *
 * @example
 * ```ts
 * const options: Postgres.LayerOptions = {
 *   url: Redacted.make(process.env.DATABASE_URL!),
 *   client: { maxConnections: 20, startupParameters: { statement_timeout: "5000" } }
 * }
 * ```
 *
 * @since 0.1.0
 */
export interface LayerOptions extends PostgresEventStore.Options {
  /** The connection URL, `postgres://user:password@host:port/database`. */
  readonly url: string | Redacted.Redacted
  /** Pool and session settings of `@effect/sql-pg` (size, timeouts, `startupParameters`…). */
  readonly client?: Omit<PgClient.PgPoolConfig, "url"> | undefined
}

/**
 * The event, checkpoint and snapshot stores on the database at `url`, sharing one connection
 * pool. To share the pool with your own queries, provide the stores' layers with your `PgClient`
 * layer instead (see `PostgresEventStore.layer`).
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(Postgres.layer({ url: Redacted.make(process.env.DATABASE_URL!) })))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (
  options: LayerOptions
): Layer.Layer<
  EventStore.EventStore | CheckpointStore.CheckpointStore | SnapshotStore.SnapshotStore,
  EventStore.StoreError
> =>
  Layer.mergeAll(
    PostgresEventStore.layer(options),
    PostgresCheckpointStore.layer(options),
    PostgresSnapshotStore.layer(options)
  ).pipe(
    Layer.provide(PgClient.layerFrom(
      PgClient.make({
        ...options.client,
        url: typeof options.url === "string" ? Redacted.make(options.url) : options.url
      }).pipe(Effect.mapError(Failure.storeError("connect")))
    ))
  )

const sqlErrorOf = (error: EventStore.StoreError | EventStore.WrongExpectedVersion | EventStore.StreamClosed) =>
  error._tag === "StoreError" && SqlError.isSqlError(error.cause) ? error.cause : undefined

/**
 * Whether an operation failed for a reason that may pass — the database unreachable or restarting,
 * the connection lost, a serialization failure, a deadlock, a lock or statement timeout — so that
 * trying it again later may succeed. A failed append wrote nothing (unless the connection dropped
 * during its `COMMIT`, see `PostgresEventStore`), so retrying it with the same exact expected
 * version is safe.
 *
 * @example
 * ```ts
 * store.append(streamId, events, expected).pipe(
 *   Effect.retry({ while: Postgres.isTransient, schedule: Schedule.exponential("100 millis"), times: 5 })
 * )
 * ```
 *
 * @since 0.1.0
 */
export const isTransient = (
  error: EventStore.StoreError | EventStore.WrongExpectedVersion | EventStore.StreamClosed
): boolean => {
  const cause = sqlErrorOf(error)
  return cause !== undefined && Failure.isTransient(cause)
}

/**
 * PostgreSQL's SQLSTATE code for a failed operation, when the server sent one (`40001`: a
 * serialization failure, `57014`: a statement cancelled, `23505`: a unique violation…).
 *
 * @example
 * ```ts
 * Effect.catchTag("StoreError", (error) => Effect.logError(`failed with SQLSTATE ${Postgres.sqlState(error)}`))
 * ```
 *
 * @since 0.1.0
 */
export const sqlState = (
  error: EventStore.StoreError | EventStore.WrongExpectedVersion | EventStore.StreamClosed
): string | undefined => {
  const cause = sqlErrorOf(error)
  return cause === undefined ? undefined : Failure.sqlStateOf(cause)
}
