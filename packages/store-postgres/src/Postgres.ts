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
import { EventStore } from "@chronicle/runtime"
import type { CheckpointStore, SnapshotStore } from "@chronicle/runtime"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
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
 *   client: { maxConnections: 20 },
 *   lockTimeout: "2 seconds"
 * }
 * ```
 *
 * @since 0.1.0
 */
export interface LayerOptions extends PostgresEventStore.Options {
  /** The connection URL, `postgres://user:password@host:port/database`. */
  readonly url: string | Redacted.Redacted
  /**
   * Pool and session settings of `@effect/sql-pg` (size, timeouts, `startupParameters`…). A
   * session setting given in `startupParameters` wins over the layer's own (below).
   */
  readonly client?: Omit<PgClient.PgPoolConfig, "url"> | undefined
  /**
   * The sessions' `lock_timeout`: how long a statement waits for a lock before it fails. An append
   * waits for the head's lock only while another append runs on the server — unless a transaction
   * that appended holds it until it ends (an append inside `withTransaction`, or a client that
   * froze in the middle of one): then the appends of every instance wait, this long at most, and
   * fail with a transient `StoreError` (`isTransient`). Default 5 seconds; 0 waits for ever.
   */
  readonly lockTimeout?: Duration.Input | undefined
  /**
   * The sessions' `statement_timeout`: a statement running longer is cancelled, with a transient
   * `StoreError`. Raise it for very large `appendMany`s (a log import is one statement). Default
   * 60 seconds; 0 never cancels.
   */
  readonly statementTimeout?: Duration.Input | undefined
  /**
   * The sessions' `idle_in_transaction_session_timeout`: a session that stays idle this long inside
   * a transaction is ended by the server, which rolls the transaction back and so releases its
   * locks — the head's among them, should a client freeze inside a transaction that appended.
   * Default 30 seconds; 0 never ends one.
   */
  readonly idleInTransactionTimeout?: Duration.Input | undefined
}

/**
 * The session settings {@link layer} uses unless told otherwise.
 *
 * @example
 * ```ts
 * Postgres.layer({ url, lockTimeout: Duration.times(Postgres.defaultTimeouts.lockTimeout, 2) })
 * ```
 *
 * @since 0.1.0
 */
export const defaultTimeouts: {
  readonly lockTimeout: Duration.Duration
  readonly statementTimeout: Duration.Duration
  readonly idleInTransactionTimeout: Duration.Duration
} = {
  lockTimeout: Duration.seconds(5),
  statementTimeout: Duration.seconds(60),
  idleInTransactionTimeout: Duration.seconds(30)
}

// The sessions' settings: the timeouts in whole milliseconds, and READ COMMITTED, the isolation
// level the append function is written for (each of its statements sees what committed before it).
const sessionSettings = (options: LayerOptions): Effect.Effect<Record<string, string>, EventStore.StoreError> =>
  Effect.gen(function*() {
    const settings: Record<string, string> = { default_transaction_isolation: "read committed" }
    const timeouts = [
      ["lockTimeout", "lock_timeout"],
      ["statementTimeout", "statement_timeout"],
      ["idleInTransactionTimeout", "idle_in_transaction_session_timeout"]
    ] as const
    for (const [option, setting] of timeouts) {
      const given = options[option] ?? defaultTimeouts[option]
      const duration = Option.getOrUndefined(Duration.fromInput(given))
      const millis = duration === undefined ? Number.NaN : Duration.toMillis(duration)
      if (!(Number.isFinite(millis) && millis >= 0 && millis < 2_147_483_648)) {
        return yield* new EventStore.StoreError({
          operation: "configure",
          reason: `${option} ${String(given)} is not a duration from 0 to 24 days`
        })
      }
      settings[setting] = String(Math.ceil(millis))
    }
    return settings
  })

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
      Effect.flatMap(sessionSettings(options), (settings) =>
        PgClient.make({
          ...options.client,
          startupParameters: { ...settings, ...options.client?.startupParameters },
          url: typeof options.url === "string" ? Redacted.make(options.url) : options.url
        }).pipe(Effect.mapError(Failure.storeError("connect"))))
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
