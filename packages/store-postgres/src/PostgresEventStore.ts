/**
 * The PostgreSQL **EventStore** layer: one durable event log shared by every instance of a service,
 * through `effect/sql` and `@effect/sql-pg`.
 *
 * **Positions in commit order.** A subscriber reads the log by position and must never step over
 * an event that is still being committed. With a sequence, a transaction can take position 11,
 * another 12, and 12 commit first: a reader that has seen 12 would miss 11. So positions do not
 * come from a sequence but from a one-row `head` table whose row lock every append takes first and
 * holds until it commits or rolls back: appends run one at a time and each one is handed the
 * positions after the last committed event. Positions follow commit order without gaps (a
 * rolled-back append gives its positions back), and "everything up to the head is committed" holds
 * for every reader. Reads never wait.
 *
 * **One statement per append, on the server.** The lock is held only while the server works: an
 * append is one autocommit statement that calls the schema's append function (created by the
 * migration), which takes the lock, reads the stream's last version and type, checks the
 * {@link ExpectedVersion} and the stream's life cycle (the rules of `EventStore.admit`), inserts
 * all events in one multi-row insert, announces the new head, and commits — one round trip, and no
 * lock held across round trips, so a client that freezes or loses its connection holds no lock.
 * The first call on each connection of the pool also compiles the function and plans its
 * statements (measured at 17–25 ms on an idle server, the first call of several appends at once
 * another 10–15 ms): once per connection, not per append, so it shows only in the latency of a
 * connection's first appends — a pool that opens connections often (a short idle timeout) pays it
 * again each time.
 *
 * **Write-combining.** Concurrent appends of one instance are gathered: what is waiting (up to
 * {@link Options.maxAppendsPerStatement}) goes in one call, two calls at a time, and the next call
 * carries what gathered meanwhile, so under load many appends share a round trip and a commit. Each append keeps
 * its own expected version and its own outcome — a conflict fails only that append — and an
 * `appendMany` stays one all-or-nothing unit inside the call. A large `appendMany` (a log import)
 * is one statement. Two instances racing on one stream get one winner and one
 * `WrongExpectedVersion`; the unique constraint on `(stream_id, version)` backs this up against
 * writers that bypass the lock, and its violation (SQLSTATE 23505) is reported as
 * `WrongExpectedVersion` too, never as a driver error. A statement that fails writes nothing; when
 * the server refused it for what one append carried (a version taken, a payload `jsonb` cannot
 * hold), each append is sent again alone, so that only that one fails.
 *
 * **Transactions.** Inside a `withTransaction` of the same client an append joins that transaction
 * (at the caller's isolation level, which should be READ COMMITTED) and is committed, and
 * announced, with it. It then holds the head lock until that transaction ends, and every append of
 * every instance waits for it — bounded by their `lock_timeout` (`Postgres.layer`'s `lockTimeout`),
 * after which they fail with a transient `StoreError`. That wait is the design: an event that
 * commits late must not get a position a reader may already have stepped over. Keep such
 * transactions short; `idle_in_transaction_session_timeout` ends one whose client froze.
 *
 * **Subscriptions across processes.** Each statement that wrote queues one `NOTIFY` of its last
 * position on the channel `chronicle/<schema>`, delivered at commit. An instance `LISTEN`s on it from its first
 * `subscribe` on (until its scope ends) and moves its head; `Pages.follow` then reads the new events
 * from the table: no gap, no duplicate. An instance that only writes does not listen: every
 * notification wakes each listener's backend and process, which on a busy server costs about as
 * much as the append itself. A lost
 * listening connection is re-established in the background, followed by a read of the last
 * position, so nothing announced meanwhile is missed.
 *
 * **Failures** are `StoreError`s naming the operation, with the `SqlError` as `cause`
 * (`Postgres.isTransient` says whether retrying may help): connection refused or lost,
 * serialization failures, statement and lock timeouts. The pool replaces dead connections, so the
 * next operation after the database comes back succeeds. One case stays open by nature: when the
 * connection drops while the append's statement is under way, it may or may not have been recorded.
 * Retrying it with the same exact expected version is safe either way — if it was recorded, the
 * retry fails with `WrongExpectedVersion` instead of recording it twice. The same holds for an
 * append interrupted once its statement was sent (one still waiting to be sent is left out).
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { EventStore, Pages } from "@chronicle/runtime"
import { PgClient } from "@effect/sql-pg"
import { Effect, identity, Layer, Option, Result, Stream } from "effect"
import type { Duration, Scope } from "effect"
import { SqlError } from "effect/sql"
import * as Combiner from "./internal/combiner.ts"
import * as Events from "./internal/events.ts"
import { sqlStateOf, storeError, transaction } from "./internal/failure.ts"
import * as Head from "./internal/head.ts"
import * as Schema from "./internal/schema.ts"
import type * as Postgres from "./Postgres.ts"

/**
 * How to build the store.
 *
 * @example
 * ```ts
 * PostgresEventStore.layer({ schema: "billing", pageSize: 500, reconnectDelay: "1 second" })
 * ```
 *
 * @since 0.1.0
 */
export interface Options extends Postgres.Options {
  /** How many events one read statement fetches (a positive integer). Default `Pages.defaultPageSize`. */
  readonly pageSize?: number | undefined
  /** How long to wait before listening again once the listening connection is lost. Default 250 ms. */
  readonly reconnectDelay?: Duration.Input | undefined
  /**
   * How many concurrent appends of this instance one statement may carry (a positive integer).
   * Default {@link defaultMaxAppendsPerStatement}; 1 sends every append on its own.
   */
  readonly maxAppendsPerStatement?: number | undefined
}

/**
 * How many concurrent appends one statement carries at most, unless told otherwise.
 *
 * @example
 * ```ts
 * PostgresEventStore.layer({ maxAppendsPerStatement: PostgresEventStore.defaultMaxAppendsPerStatement / 4 })
 * ```
 *
 * @since 0.1.0
 */
export const defaultMaxAppendsPerStatement: number = 256

const isVersionTaken = (error: SqlError.SqlError) =>
  error.reason._tag === "UniqueViolation" && error.reason.constraint === Schema.versionTaken

// A data exception (class 22) or an integrity violation (class 23): the statement was refused for
// what it carried, and wrote nothing.
const refusedForItsData = (error: SqlError.SqlError) => /^2[23]/.test(sqlStateOf(error) ?? "")

// `EventStore.validateRange` has checked that a given bound is a safe integer of 0 or more.
const startOf = (from: number | undefined) => Math.max(from ?? 1, 1)

/**
 * Migrates the schema (see `Postgres.migrate`) and builds the store, for the current scope: the
 * listening connection (taken by the first subscription) is released when the scope ends.
 *
 * @example
 * ```ts
 * const store = yield* PostgresEventStore.make({ schema: "billing" })
 * ```
 *
 * @since 0.1.0
 */
export const make = (
  options: Options = {}
): Effect.Effect<EventStore.Service, EventStore.StoreError, PgClient.PgClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* PgClient.PgClient
    const sql = client.withoutTransforms()
    const schema = yield* Schema.nameOf(options)
    const pageSize = options.pageSize
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
      const reason = `the page size ${pageSize} is not a positive integer`
      return yield* new EventStore.StoreError({ operation: "configure", reason })
    }
    const maxAppendsPerStatement = options.maxAppendsPerStatement ?? defaultMaxAppendsPerStatement
    if (!(Number.isInteger(maxAppendsPerStatement) && maxAppendsPerStatement > 0)) {
      const reason = `maxAppendsPerStatement ${maxAppendsPerStatement} is not a positive integer`
      return yield* new EventStore.StoreError({ operation: "configure", reason })
    }
    yield* Schema.migrate(sql, schema)
    const log = Events.make(sql, Schema.tables(sql, schema))
    const channel = Schema.channelOf(schema)
    const head = yield* Head.make({
      client,
      channel,
      lastPosition: log.lastPosition,
      reconnectDelay: options.reconnectDelay
    })

    const tailOf = (tail: Events.Tail | undefined): EventStore.Tail =>
      tail === undefined ? { version: 0, type: undefined } : tail

    // The tails of the streams of `batches`, read after another writer took a version.
    const tailsOf = (batches: ReadonlyArray<EventStore.Batch>) =>
      Effect.map(
        Effect.forEach([...new Set(batches.map((batch) => batch.streamId))], (streamId) =>
          Effect.map(log.tail(streamId), (tail) => [streamId, tailOf(tail)] as const)),
        (tails) => {
          const byStream = new Map(tails)
          return (streamId: string) => byStream.get(streamId)!
        }
      )

    const run = (appends: ReadonlyArray<Events.Encoded>) => log.append(appends, channel)

    // Concurrent appends of this instance share one statement; two statements are on their way at
    // a time, so that one is sent and waits for the head lock while the other runs (more were not
    // faster, and each takes a connection of the pool). A statement the server refused for
    // what one append holds (a payload jsonb cannot hold, a version another writer took) wrote
    // nothing: each append is sent again alone, so that only that one fails.
    const combiner = yield* Combiner.make<Events.Encoded, Events.Outcome, SqlError.SqlError>({
      maxBatch: maxAppendsPerStatement,
      senders: 2,
      send: (appends) =>
        run(appends).pipe(
          Effect.map((outcomes) => outcomes.map((outcome) => Result.succeed(outcome))),
          Effect.catchIf(
            (error) => appends.length > 1 && refusedForItsData(error),
            () => Effect.forEach(appends, (one) => Effect.result(Effect.map(run([one]), (outcomes) => outcomes[0]!)))
          )
        )
    })

    // Inside a transaction of the caller the statement runs on its connection, in a savepoint (a
    // failed statement leaves the caller's transaction usable), and the head moves once that
    // transaction has committed (even if the caller was interrupted); otherwise it goes through the
    // combiner, in autocommit.
    const write = (appended: Events.Encoded) =>
      Effect.flatMap(Effect.serviceOption(sql.transactionService), (inTransaction) =>
        Option.isSome(inTransaction)
          ? Effect.map(transaction(sql, run([appended])), (outcomes) => ({ outcome: outcomes[0]!, advance: sql.afterCommit }))
          : Effect.map(combiner.submit(appended), (outcome) => ({ outcome, advance: identity })))

    // What the append function decided, as the port's result or refusal. It refuses a position only
    // when given one, so only with a `condition` that refuses it.
    const settle = <E>(
      batches: ReadonlyArray<EventStore.Batch>,
      metadata: ReadonlyArray<ReadonlyArray<Envelope.Metadata>>,
      condition: EventStore.Condition<E>,
      outcome: Events.Outcome
    ): Result.Result<ReadonlyArray<EventStore.AppendResult>, E | EventStore.WrongExpectedVersion | EventStore.StreamClosed> => {
      if ("last" in outcome) return Result.succeed(EventStore.recordsOf(batches, outcome.starts, metadata, outcome.last))
      if ("position" in outcome) return Result.fail(condition(outcome.position)!)
      if ("conflict" in outcome) {
        const { expected, streamId } = batches[outcome.conflict]!
        return Result.fail(new EventStore.WrongExpectedVersion({ streamId, expected, actual: outcome.actual }))
      }
      return Result.fail(new EventStore.StreamClosed({ streamId: batches[outcome.closed]!.streamId, closure: outcome.closure }))
    }

    // Another writer took a version: report the stream it moved, as a conflict.
    const conflict = (batches: ReadonlyArray<EventStore.Batch>) =>
      tailsOf(batches).pipe(
        Effect.mapError(storeError("append", batches[0]!.streamId)),
        Effect.flatMap((tailOf) => {
          const admitted = EventStore.admit(batches, tailOf)
          const { expected, streamId } = batches[0]!
          return Effect.fail(
            Result.isFailure(admitted)
              ? admitted.failure
              : new EventStore.WrongExpectedVersion({ streamId, expected, actual: tailOf(streamId).version })
          )
        })
      )

    const appendBatches = <E>(
      batches: ReadonlyArray<EventStore.Batch>,
      options: EventStore.AppendManyOptions,
      condition: EventStore.Condition<E>
    ) =>
      Effect.gen(function*() {
        const metadata = yield* EventStore.stampMany(batches)
        const { advance, outcome } = yield* write(Events.encode(batches, metadata, options.expectedLastPosition))
        const results = yield* Effect.fromResult(settle(batches, metadata, condition, outcome))
        const last = results.findLast((result) => result.events.length > 0)?.events.at(-1)?.position
        if (last !== undefined) yield* advance(head.advance(last))
        return results
      }).pipe(
        Effect.catchIf(SqlError.isSqlError, (error) =>
          isVersionTaken(error)
            ? conflict(batches)
            : Effect.fail(storeError("append", batches.length === 1 ? batches[0]!.streamId : undefined)(error)))
      )

    const appendMany: EventStore.Service["appendMany"] = (batches, options) =>
      Effect.flatMap(
        EventStore.validateMany(batches, options),
        (checked) => appendBatches(checked, options ?? {}, EventStore.positionCondition(options))
      )

    const append: EventStore.Service["append"] = (streamId, given, expected) =>
      Effect.gen(function*() {
        // What is written is the snapshot validation makes, never the caller's objects.
        const events = yield* EventStore.validate(streamId, given)
        const batch = { streamId, events, expected }
        if (events.length === 0) {
          // Nothing to write: check the expectation without a transaction.
          const tail = yield* Effect.mapError(log.tail(streamId), storeError("append", streamId))
          return { version: yield* Effect.fromResult(EventStore.admitBatch(batch, tailOf(tail))), events: [] }
        }
        const [result] = yield* appendBatches([batch], {}, EventStore.anyPosition)
        return result!
      })

    const readLog = (operation: string): Pages.ReadPage<Envelope.Recorded, EventStore.StoreError> =>
    (from, limit) => log.readLog(from, limit).pipe(Effect.mapError(storeError(operation)))

    return {
      append,
      appendMany,
      read: (streamId, range) => {
        const to = Math.min(range?.to ?? Events.maxVersion, Events.maxVersion)
        const events = Pages.stream<Envelope.Recorded, EventStore.StoreError>({
          from: startOf(range?.from),
          key: (recorded) => recorded.version,
          pageSize,
          readPage: (from, limit) =>
            from > to
              ? Effect.succeed([])
              : log.readStream(streamId, from, to, limit).pipe(Effect.mapError(storeError("read", streamId)))
        })
        return Stream.unwrap(Effect.as(EventStore.validateRange("read", range, streamId), events))
      },
      readAll: (range) =>
        Stream.unwrap(Effect.as(
          EventStore.validateRange("read all", range),
          Pages.stream({ from: startOf(range?.from), key: (recorded) => recorded.position, pageSize, readPage: readLog("read all") })
        )),
      subscribe: (range) =>
        Stream.unwrap(EventStore.validateRange("subscribe", range).pipe(
          Effect.andThen(head.following),
          Effect.as(Pages.follow({ from: startOf(range?.from), head: head.ref, pageSize, readPage: readLog("subscribe") }))
        )),
      lastPosition: log.lastPosition.pipe(Effect.mapError(storeError("last position")))
    }
  })

/**
 * A layer providing an {@link EventStore.EventStore} on the PostgreSQL database of the `PgClient`
 * it is given (`@effect/sql-pg`). Building it migrates the schema and fails with a `StoreError`
 * when the database cannot be reached.
 *
 * @example
 * ```ts
 * import { PgClient } from "@effect/sql-pg"
 * import { Redacted } from "effect"
 *
 * const stores = Layer.mergeAll(
 *   PostgresEventStore.layer(),
 *   PostgresCheckpointStore.layer(),
 *   PostgresSnapshotStore.layer()
 * ).pipe(Layer.provide(PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) })))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<EventStore.EventStore, EventStore.StoreError, PgClient.PgClient> =>
  Layer.effect(EventStore.EventStore, make(options))
