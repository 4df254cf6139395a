/**
 * The statements of the event log. Every write is one autocommit statement, `SELECT
 * <schema>.append(appends, channel)` ({@link Log.append}), which runs the schema's append function
 * (`Schema.appendFunction`): the head lock, each append's checks and its multi-row insert, and the
 * `pg_notify` of the new last position happen on the server, in one round trip. Inside a
 * transaction of the caller the same statement joins it, and its lock and notification wait for
 * that transaction's end.
 *
 * Reads are keyset pages: by position for the log, by `(stream_id, version)` for a stream.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import type { EventStore } from "@chronicle/runtime"
import { Effect } from "effect"
import type { SqlClient, SqlError } from "effect/sql"
import type { Tables } from "./schema.ts"

/** The largest version a stream can reach (the `integer` column). */
export const maxVersion = 2_147_483_647

/** The last event of a stream: its version and type. */
export interface Tail {
  readonly version: number
  readonly type: string
}

/**
 * What the append function did with one append (see `Schema.appendFunction`): written after
 * position `last`, each batch after version `starts[b]`; or refused.
 */
export type Outcome =
  | { readonly last: number; readonly starts: ReadonlyArray<number> }
  | { readonly position: number }
  | { readonly conflict: number; readonly actual: number }
  | { readonly closed: number; readonly closure: "Archived" | "Deleted" }

/** One append for the append function: its JSON (see {@link encode}). */
export type Encoded = string

/** The statements of one schema's log. */
export interface Log {
  /**
   * Runs the append function on `appends` (each from {@link encode}), announcing on `channel`:
   * one outcome per append, in order.
   */
  readonly append: (
    appends: ReadonlyArray<Encoded>,
    channel: string
  ) => Effect.Effect<ReadonlyArray<Outcome>, SqlError.SqlError>
  /** The last event of a stream, if it has one. */
  readonly tail: (streamId: string) => Effect.Effect<Tail | undefined, SqlError.SqlError>
  /** Up to `limit` events from position `from`, in position order. */
  readonly readLog: (from: number, limit: number) => Effect.Effect<ReadonlyArray<Envelope.Recorded>, SqlError.SqlError>
  /** Up to `limit` events of a stream with versions from `from` to `to`, in version order. */
  readonly readStream: (
    streamId: string,
    from: number,
    to: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<Envelope.Recorded>, SqlError.SqlError>
  /** The position of the last committed event, 0 for an empty log. */
  readonly lastPosition: Effect.Effect<number, SqlError.SqlError>
}

interface Row {
  readonly position: bigint
  readonly stream_id: string
  readonly version: number
  readonly type: string
  readonly data: unknown
  readonly metadata: Envelope.Metadata
}

const recorded = (row: Row): Envelope.Recorded => ({
  streamId: row.stream_id,
  version: row.version,
  position: Number(row.position),
  type: row.type,
  data: row.data,
  metadata: row.metadata
})

const position = (rows: ReadonlyArray<{ readonly position: bigint }>) => Number(rows[0]?.position ?? 0n)

/**
 * One append as the append function takes it: its batches with their stamped metadata, and the
 * last position it expects of the log, if any.
 */
export const encode = (
  batches: ReadonlyArray<EventStore.Batch>,
  metadata: ReadonlyArray<ReadonlyArray<Envelope.Metadata>>,
  expectedLastPosition: number | undefined
): Encoded =>
  JSON.stringify({
    position: expectedLastPosition ?? null,
    batches: batches.map(({ events, expected, streamId }, b) => ({
      streamId,
      expected,
      events: events.map(({ data, type }, i) => ({ type, data, metadata: metadata[b]![i] }))
    }))
  })

/** The statements of the log in `tables`, run through `sql`. */
export const make = (sql: SqlClient.SqlClient, { append, events }: Tables): Log => ({
  append: (appends, channel) =>
    Effect.map(
      sql<{ readonly outcomes: ReadonlyArray<Outcome> }>`SELECT ${append}(${`[${appends.join(",")}]`}::jsonb, ${channel}) AS outcomes`,
      (rows) => rows[0]!.outcomes
    ),
  tail: (streamId) =>
    Effect.map(
      sql<Tail>`SELECT version, type FROM ${events} WHERE stream_id = ${streamId} ORDER BY version DESC LIMIT 1`,
      (rows) => rows[0]
    ),
  readLog: (from, limit) =>
    Effect.map(
      sql<Row>`SELECT position, stream_id, version, type, data, metadata FROM ${events}
        WHERE position >= ${BigInt(from)}::int8 ORDER BY position LIMIT ${limit}`,
      (rows) => rows.map(recorded)
    ),
  readStream: (streamId, from, to, limit) =>
    Effect.map(
      sql<Row>`SELECT position, stream_id, version, type, data, metadata FROM ${events}
        WHERE stream_id = ${streamId} AND version BETWEEN ${from} AND ${to} ORDER BY version LIMIT ${limit}`,
      (rows) => rows.map(recorded)
    ),
  lastPosition: Effect.map(
    sql<{ readonly position: bigint }>`SELECT coalesce(max(position), 0)::int8 AS position FROM ${events}`,
    position
  )
})
