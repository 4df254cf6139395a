/**
 * The statements of the event log. An append is, inside one READ COMMITTED transaction:
 *
 * 1. {@link Log.allocate}: `UPDATE head SET position = position + n RETURNING position` — takes
 *    the row lock of the head, which the transaction holds until it commits or rolls back. Every
 *    other append waits here, so the positions handed out follow commit order, with no gap.
 * 2. {@link Log.tail}: the stream's last version and type, read after the lock was granted (each
 *    statement of a READ COMMITTED transaction sees what was committed before it started).
 * 3. {@link Log.insert}: all rows in one `INSERT … SELECT … FROM unnest(…)`, whose statement also
 *    queues a `pg_notify` of the new last position (PostgreSQL delivers it on commit, and not at
 *    all on rollback).
 *
 * Reads are keyset pages: by position for the log, by `(stream_id, version)` for a stream.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
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

/** The statements of one schema's log. */
export interface Log {
  /** Takes the head lock and hands out `count` positions; the position of the last one. */
  readonly allocate: (count: number) => Effect.Effect<number, SqlError.SqlError>
  /** The last event of a stream, if it has one. */
  readonly tail: (streamId: string) => Effect.Effect<Tail | undefined, SqlError.SqlError>
  /** Inserts recorded events and announces the last position on `channel` at commit. */
  readonly insert: (events: ReadonlyArray<Envelope.Recorded>, channel: string) => Effect.Effect<void, SqlError.SqlError>
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

/** The statements of the log in `tables`, run through `sql`. */
export const make = (sql: SqlClient.SqlClient, { events, head }: Tables): Log => ({
  allocate: (count) =>
    Effect.map(
      sql<{ readonly position: bigint }>`UPDATE ${head} SET position = position + ${count} RETURNING position`,
      position
    ),
  tail: (streamId) =>
    Effect.map(
      sql<Tail>`SELECT version, type FROM ${events} WHERE stream_id = ${streamId} ORDER BY version DESC LIMIT 1`,
      (rows) => rows[0]
    ),
  insert: (recorded, channel) => {
    const first = recorded[0]!
    const last = recorded.at(-1)!
    // Positions and versions are consecutive: the first ones, plus the row number.
    return sql`WITH appended AS (
      INSERT INTO ${events} (position, stream_id, version, type, data, metadata)
      SELECT ${BigInt(first.position - 1)}::int8 + e.n, ${first.streamId}, ${first.version - 1}::int4 + e.n,
        e.type, e.data::jsonb, e.metadata::jsonb
      FROM unnest(
        ${recorded.map((event) => event.type)}::text[],
        ${recorded.map((event) => JSON.stringify(event.data))}::text[],
        ${recorded.map((event) => JSON.stringify(event.metadata))}::text[]
      ) WITH ORDINALITY AS e(type, data, metadata, n)
    )
    SELECT pg_notify(${channel}, ${String(last.position)})`.pipe(Effect.asVoid)
  },
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
