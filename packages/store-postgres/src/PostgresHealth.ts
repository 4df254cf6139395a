/**
 * **PostgresHealth**: how the event log of one schema is doing, as a value a service can put on
 * its health endpoint — the head, the open transactions that hold locks on the log's tables, how
 * many sessions wait for a lock there, and how far each saved projection lags behind.
 *
 * **A stuck transaction.** Every append takes the row lock of the schema's `head` table until it
 * commits (see `PostgresEventStore`), so one session that opened a transaction, wrote to the log
 * and then stopped — a client paused mid-transaction, a `BEGIN` left open in `psql`, a process
 * frozen by the OS — stops every append of every instance, and nothing fails until timeouts say
 * so. {@link check} reads `pg_stat_activity` and `pg_locks` and lists each open transaction that
 * holds a lock on a table of the schema, oldest first, with its process id, `application_name`,
 * state, age and wait event, whether it holds a write lock, and how many sessions wait for it. A
 * transaction is **stuck** when it is older than {@link Options.stuckAfter} and is idle in
 * transaction, holds a write lock on the log or blocks another session: a long read that blocks
 * nobody is not stuck. To see into the transactions of other database roles than its own, the
 * role running the check needs `pg_read_all_stats` (or to be a superuser); otherwise PostgreSQL
 * hides their state, age and wait events: they are still listed, with those `undefined`, and are
 * never counted as stuck.
 *
 * **Projection lag.** For each checkpoint saved by `PostgresCheckpointStore` (a persistent
 * projector's), the position it reached and how far it is behind the head. A checkpoint *past*
 * the head means the events it applied are not in the log any more — typically the log was
 * restored from a backup older than the checkpoints (see the README's "Backup and restore"): it is
 * reported as a problem, since once new appends reuse those positions the projector would resume
 * past events it never saw.
 *
 * The check only reads, takes no lock that an append waits for, and works on a database that is
 * under load or blocked by the very transaction it reports.
 *
 * @since 0.1.0
 */
import { EventStore } from "@chronicle/runtime"
import { Duration, Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as Events from "./internal/events.ts"
import { storeError } from "./internal/failure.ts"
import * as Schema from "./internal/schema.ts"
import type * as Postgres from "./Postgres.ts"

/**
 * What to check, and when an open transaction counts as stuck.
 *
 * @example
 * ```ts
 * const options: PostgresHealth.Options = { schema: "billing", stuckAfter: "10 seconds" }
 * ```
 *
 * @since 0.1.0
 */
export interface Options extends Postgres.Options {
  /**
   * How old an open transaction on the log may get before it counts as stuck (when it is idle in
   * transaction, holds a write lock or blocks another session). Default {@link defaultStuckAfter}.
   */
  readonly stuckAfter?: Duration.Input | undefined
}

/**
 * The age past which an open transaction on the log counts as stuck unless told otherwise: an
 * append holds the head lock for a few round trips, milliseconds.
 *
 * @example
 * ```ts
 * console.log(`stuck after ${Duration.format(PostgresHealth.defaultStuckAfter)}`)
 * ```
 *
 * @since 0.1.0
 */
export const defaultStuckAfter: Duration.Duration = Duration.seconds(30)

/**
 * An open transaction holding a lock on a table of the log, as `pg_stat_activity` shows it.
 *
 * @example
 * ```ts
 * const describe = (t: PostgresHealth.Transaction) =>
 *   `pid ${t.pid} (${t.applicationName}) ${t.state} for ${t.stateMillis} ms, blocking ${t.blocking}`
 * ```
 *
 * @since 0.1.0
 */
export interface Transaction {
  /** The server process id of the session (`pg_terminate_backend(pid)` ends it). */
  readonly pid: number
  /** The database role of the session. */
  readonly role: string
  /** The session's `application_name` (empty when the client set none). */
  readonly applicationName: string
  /**
   * `active`, `idle in transaction`, `idle in transaction (aborted)`…; `undefined` when PostgreSQL
   * hides it from the checking role (another role's session, without `pg_read_all_stats`), and
   * so are the ages and wait events.
   */
  readonly state: string | undefined
  /** How long the transaction has been open, in milliseconds. */
  readonly ageMillis: number | undefined
  /** How long the session has been in its current state, in milliseconds. */
  readonly stateMillis: number | undefined
  /** The kind of what the session waits for: `Lock` behind another transaction, `Client` when idle. */
  readonly waitEventType: string | undefined
  /** What the session waits for: `transactionid` (another transaction's row lock), `ClientRead`… */
  readonly waitEvent: string | undefined
  /** Whether it holds a lock stronger than a read's on the log's tables: it wrote or locked rows. */
  readonly writing: boolean
  /** It waits for a lock that another session holds (an append queued behind the head lock, for one). */
  readonly waiting: boolean
  /** How many of the sessions locking the log's tables wait for it (appends queued behind it, for one). */
  readonly blocking: number
  /** Older than `stuckAfter`, and idle in transaction, writing or blocking (never when its age is hidden). */
  readonly stuck: boolean
}

/**
 * A projection's saved checkpoint against the head.
 *
 * @example
 * ```ts
 * const behind = health.checkpoints.filter((checkpoint) => checkpoint.lag > 1_000).map(({ name }) => name)
 * ```
 *
 * @since 0.1.0
 */
export interface Checkpoint {
  /** The name it is saved under (`Projector.makePersistent`'s `name`). */
  readonly name: string
  /** The position of the last event it applied. */
  readonly position: number
  /** How many positions it is behind the head: 0 when caught up, negative when {@link ahead}. */
  readonly lag: number
  /** Its position is past the head: it applied events that the log no longer has. */
  readonly ahead: boolean
}

/**
 * The health of one schema's event log.
 *
 * @example
 * ```ts
 * const health = yield* PostgresHealth.check({ schema: "billing" })
 * if (!health.healthy) yield* Effect.logWarning(health.problems.join("; "))
 * ```
 *
 * @since 0.1.0
 */
export interface Health {
  /** The schema checked. */
  readonly schema: string
  /** The position of the last committed event (0 for an empty log). */
  readonly head: number
  /** The open transactions holding a lock on the log's tables, oldest first. */
  readonly transactions: ReadonlyArray<Transaction>
  /** How many of `transactions` wait for a lock (appends queued behind the head lock, for one). */
  readonly waiting: number
  /** The saved checkpoints, by name. */
  readonly checkpoints: ReadonlyArray<Checkpoint>
  /** Some transaction is stuck. */
  readonly stuck: boolean
  /** What is wrong, in words: each stuck transaction and each checkpoint past the head. */
  readonly problems: ReadonlyArray<string>
  /** Nothing is wrong: no stuck transaction, no checkpoint past the head. */
  readonly healthy: boolean
}

interface TransactionRow {
  readonly pid: number
  readonly usename: string | null
  readonly application_name: string | null
  readonly state: string | null
  readonly age: number | null
  readonly in_state: number | null
  readonly wait_event_type: string | null
  readonly wait_event: string | null
  readonly writing: boolean
  readonly waiting: boolean
  readonly blocking: number
}

interface CheckpointRow {
  readonly name: string
  readonly position: bigint
}

const idle = (state: string | undefined) => state?.startsWith("idle in transaction") === true

const millis = (value: number | null) => value === null ? undefined : Math.round(value)

const transactionOf = (stuckAfter: number) => (row: TransactionRow): Transaction => {
  const state = row.state ?? undefined
  const ageMillis = millis(row.age)
  return {
    pid: row.pid,
    role: row.usename ?? "",
    applicationName: row.application_name ?? "",
    state,
    ageMillis,
    stateMillis: millis(row.in_state),
    waitEventType: row.wait_event_type ?? undefined,
    waitEvent: row.wait_event ?? undefined,
    writing: row.writing,
    waiting: row.waiting,
    blocking: row.blocking,
    stuck: ageMillis !== undefined && ageMillis >= stuckAfter && (idle(state) || row.writing || row.blocking > 0)
  }
}

const seconds = (millis: number | undefined) => `${((millis ?? 0) / 1000).toFixed(1)} s`

// Only for a stuck transaction, whose age and state are known.
const stuckProblem = (t: Transaction): string =>
  `the transaction of pid ${t.pid}${t.applicationName === "" ? "" : ` ("${t.applicationName}")`} has been open for ` +
  `${seconds(t.ageMillis)}, ${t.state} for ${seconds(t.stateMillis)}` +
  `${t.writing ? ", holding a write lock on the log" : ""}${t.blocking > 0 ? `, blocking ${t.blocking} session(s)` : ""}`

const aheadProblem = (head: number) => (c: Checkpoint): string =>
  `the checkpoint "${c.name}" is at position ${c.position}, past the head ${head}: it applied events the log ` +
  `no longer has (restored from an older backup?); delete it so that the projection rebuilds`

/**
 * Checks the event log of `options.schema` on the database of the `SqlClient` it is given; the
 * schema must exist (a store layer creates it). Fails with a `StoreError` when the database cannot
 * be read or `stuckAfter` is not a duration of 0 or more.
 *
 * @example
 * ```ts
 * // A health endpoint: 503 with the reasons while a transaction blocks the log.
 * const health = yield* PostgresHealth.check({ schema: "billing", stuckAfter: "10 seconds" })
 * return health.healthy ? respond(200, health) : respond(503, health)
 * ```
 *
 * @since 0.1.0
 */
export const check = (options: Options = {}): Effect.Effect<Health, EventStore.StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const schema = yield* Schema.nameOf(options)
    const threshold = Duration.fromInput(options.stuckAfter ?? defaultStuckAfter)
    const stuckAfter = Option.isSome(threshold) ? Duration.toMillis(threshold.value) : Number.NaN
    if (!(stuckAfter >= 0)) {
      return yield* new EventStore.StoreError({
        operation: "health check",
        reason: `stuckAfter (${String(options.stuckAfter)}) is not a duration of 0 or more`
      })
    }
    const tables = Schema.tables(sql, schema)
    // Checkpoints before the head: a checkpoint saved in between is at most the head read after it.
    const saved = yield* sql<CheckpointRow>`SELECT name, position FROM ${tables.checkpoints} ORDER BY name`
    const head = yield* Events.make(sql, tables).lastPosition
    // The sessions holding or awaiting a lock on a relation of the schema (tables, indexes), but
    // this one, and whom each waits for: `pg_locks` and `pg_blocking_pids` are visible to every
    // role, `pg_stat_activity`'s state and times only to privileged ones.
    const rows = yield* sql<TransactionRow>`
      WITH log AS (
        SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${schema}
      ), locking AS (
        SELECT l.pid, bool_or(l.mode <> 'AccessShareLock') AS writing FROM pg_locks l
        WHERE l.relation IN (SELECT oid FROM log) AND l.pid <> pg_backend_pid()
        GROUP BY l.pid
      ), blocked AS (
        SELECT pid, pg_blocking_pids(pid) AS by FROM locking
      )
      SELECT a.pid, a.usename, a.application_name, a.state, a.wait_event_type, a.wait_event, h.writing,
        (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::float8 AS age,
        (extract(epoch FROM clock_timestamp() - coalesce(a.state_change, a.xact_start)) * 1000)::float8 AS in_state,
        cardinality(b.by) > 0 AS waiting,
        (SELECT count(*) FROM blocked w WHERE a.pid = ANY (w.by))::int4 AS blocking
      FROM locking h JOIN blocked b ON b.pid = h.pid JOIN pg_stat_activity a ON a.pid = h.pid
      ORDER BY a.xact_start NULLS LAST, a.pid`
    const transactions = rows.map(transactionOf(stuckAfter))
    const checkpoints = saved.map(({ name, position }): Checkpoint => {
      const at = Number(position)
      return { name, position: at, lag: head - at, ahead: at > head }
    })
    const problems = [
      ...transactions.filter((t) => t.stuck).map(stuckProblem),
      ...checkpoints.filter((c) => c.ahead).map(aheadProblem(head))
    ]
    return {
      schema,
      head,
      transactions,
      waiting: transactions.filter((t) => t.waiting).length,
      checkpoints,
      stuck: transactions.some((t) => t.stuck),
      problems,
      healthy: problems.length === 0
    }
  }).pipe(Effect.catchTag("SqlError", (error) => Effect.fail(storeError("health check")(error))))
