/**
 * The layout of a Chronicle schema in PostgreSQL and its migrations.
 *
 * - `events`: one row per event, keyed by its global `position`; the unique constraint
 *   `events_stream_version` on `(stream_id, version)` serves reads by stream and makes it
 *   impossible for two writers to both record version n of a stream. `data` and `metadata` are
 *   `jsonb`.
 * - `head`: one row holding the position of the last event appended. An append locks it first and
 *   holds the lock until it commits: appends run one at a time and positions are handed out in
 *   commit order (see `PostgresEventStore`).
 * - `append(appends jsonb, channel text)`: the function that writes (migration 2). It locks the
 *   head, then admits and inserts each append of its argument in turn, and returns each one's
 *   outcome; called as one autocommit statement, it holds the head lock only while the server runs
 *   it and commits. See {@link appendFunction}.
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
  /** Not a table: the schema's append function (see {@link appendFunction}). */
  readonly append: Statement.Fragment
}

/** The tables of `schema`. */
export const tables = (sql: SqlClient.SqlClient, schema: string): Tables => ({
  events: sql`${sql(schema)}.events`,
  head: sql`${sql(schema)}.head`,
  checkpoints: sql`${sql(schema)}.checkpoints`,
  snapshots: sql`${sql(schema)}.snapshots`,
  migrations: sql`${sql(schema)}.migrations`,
  append: sql`${sql(schema)}.append`
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
    ], { discard: true }),
  (sql, tables) => appendFunction(sql, tables)
]

/**
 * Creates (or replaces) the append function of a schema. Its argument is a JSON array of appends,
 * each `{ "position": <expected last position> | null, "batches": [{ "streamId", "expected",
 * "events": [{ "type", "data", "metadata" }] }] }`: one `append` is one batch, an `appendMany`
 * all its batches. It returns one outcome per append, in order:
 *
 * - `{ "last": p, "starts": [v…] }`: written, after position `p`, each batch after version `v`;
 * - `{ "position": p }`: refused, the log is at `p`, not at the expected last position;
 * - `{ "conflict": b, "actual": v }`: refused, batch `b` (from 0) expected its stream elsewhere;
 * - `{ "closed": b, "closure": "Archived" | "Deleted" }`: refused, batch `b`'s stream is closed.
 *
 * It takes the head's row lock first, so that the positions it hands out follow commit order.
 * Each append is then one statement, which sees what the appends before it in the call wrote:
 * every batch is checked against its stream as the batches before it leave it — the rules of
 * `EventStore.admit` (expected version first, then `EventStore.closedBy`), which
 * `test/postgres/AppendRules.test.ts` holds this SQL to case by case — and either all the append's
 * events are inserted, at consecutive positions and versions, or none. A refused append leaves the
 * others of the call alone. One `pg_notify` of the new last position goes out at commit.
 *
 * A call of one append of one batch — what a lone writer sends — takes a shorter path to the same
 * outcome: one indexed read of the stream's last event, the checks as plain conditions, one insert.
 */
const appendFunction = (sql: SqlClient.SqlClient, { append, events, head }: Tables) =>
  sql`CREATE OR REPLACE FUNCTION ${append}(appends jsonb, channel text) RETURNS jsonb
  LANGUAGE plpgsql AS $body$
  DECLARE
    start_position int8;
    end_position int8;
    one jsonb;
    outcome jsonb;
    outcomes jsonb[] := '{}';
    written int8;
    batch jsonb;
    stream text;
    tail_version int4;
    tail_type text;
  BEGIN
    SELECT position INTO start_position FROM ${head} FOR UPDATE;
    end_position := start_position;
    -- The common case, one append of one batch (a lone writer's append): the same rules, checked
    -- with one indexed tail lookup and plain conditions instead of the general statement's window
    -- functions, whose planning is most of a call's time.
    IF jsonb_array_length(appends) = 1 AND jsonb_array_length(appends->0->'batches') = 1 THEN
      one := appends->0;
      IF jsonb_typeof(one->'position') = 'number' AND (one->>'position')::int8 <> start_position THEN
        RETURN jsonb_build_array(jsonb_build_object('position', start_position));
      END IF;
      batch := one->'batches'->0;
      stream := batch->>'streamId';
      SELECT e.version, e.type INTO tail_version, tail_type FROM ${events} AS e
        WHERE e.stream_id = stream ORDER BY e.version DESC LIMIT 1;
      tail_version := coalesce(tail_version, 0);
      IF NOT coalesce(CASE batch->'expected'->>'_tag'
        WHEN 'Any' THEN true
        WHEN 'NoStream' THEN tail_version = 0
        WHEN 'StreamExists' THEN tail_version > 0
        WHEN 'Exact' THEN batch->'expected'->'version' = to_jsonb(tail_version)
      END, false) THEN
        RETURN jsonb_build_array(jsonb_build_object('conflict', 0, 'actual', tail_version));
      END IF;
      IF tail_type = '$StreamDeleted' THEN
        RETURN jsonb_build_array(jsonb_build_object('closed', 0, 'closure', 'Deleted'));
      END IF;
      IF tail_type = '$StreamArchived' AND EXISTS (
        SELECT FROM jsonb_array_elements(batch->'events') AS e(x) WHERE e.x->>'type' IS DISTINCT FROM '$StreamDeleted'
      ) THEN
        RETURN jsonb_build_array(jsonb_build_object('closed', 0, 'closure', 'Archived'));
      END IF;
      INSERT INTO ${events} (position, stream_id, version, type, data, metadata)
        SELECT start_position + e.j, stream, tail_version + e.j, e.x->>'type', e.x->'data', e.x->'metadata'
        FROM jsonb_array_elements(batch->'events') WITH ORDINALITY AS e(x, j);
      GET DIAGNOSTICS written = ROW_COUNT;
      IF written > 0 THEN
        UPDATE ${head} SET position = start_position + written;
        PERFORM pg_notify(channel, (start_position + written)::text);
      END IF;
      RETURN jsonb_build_array(jsonb_build_object('last', start_position, 'starts', jsonb_build_array(tail_version)));
    END IF;
    FOR one IN SELECT value FROM jsonb_array_elements(appends) LOOP
      IF jsonb_typeof(one->'position') = 'number' AND (one->>'position')::int8 <> end_position THEN
        outcomes := outcomes || jsonb_build_object('position', end_position);
        CONTINUE;
      END IF;
      WITH batches AS (
        SELECT b.i, b.x->>'streamId' AS stream_id, b.x->'expected' AS expected, b.x->'events' AS events,
          jsonb_array_length(b.x->'events') AS n, b.x->'events'->-1->>'type' AS last_type
        FROM jsonb_array_elements(one->'batches') WITH ORDINALITY AS b(x, i)
      ), stored AS (
        SELECT s.stream_id, coalesce(t.version, 0) AS version, t.type
        FROM (SELECT DISTINCT stream_id FROM batches) AS s
        LEFT JOIN LATERAL (
          SELECT e.version, e.type FROM ${events} AS e
          WHERE e.stream_id = s.stream_id ORDER BY e.version DESC LIMIT 1
        ) AS t ON true
      ), placed AS (
        -- Each batch's stream as the batches before it leave it, and the position before its events.
        SELECT b.*, s.type AS stored_type,
          s.version + coalesce(sum(b.n) OVER earlier, 0) AS version,
          max(CASE WHEN b.last_type IS NOT NULL THEN b.i END) OVER earlier AS typed_by,
          end_position + sum(b.n) OVER (ORDER BY b.i) - b.n AS base
        FROM batches AS b JOIN stored AS s USING (stream_id)
        WINDOW earlier AS (PARTITION BY b.stream_id ORDER BY b.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
      ), checked AS (
        SELECT p.i, p.stream_id, p.events, p.version, p.base, CASE
          WHEN NOT coalesce(CASE p.expected->>'_tag'
            WHEN 'Any' THEN true
            WHEN 'NoStream' THEN p.version = 0
            WHEN 'StreamExists' THEN p.version > 0
            WHEN 'Exact' THEN p.expected->'version' = to_jsonb(p.version)
          END, false) THEN jsonb_build_object('conflict', p.i - 1, 'actual', p.version)
          WHEN coalesce(t.last_type, p.stored_type) = '$StreamDeleted'
            THEN jsonb_build_object('closed', p.i - 1, 'closure', 'Deleted')
          WHEN coalesce(t.last_type, p.stored_type) = '$StreamArchived' AND EXISTS (
            SELECT FROM jsonb_array_elements(p.events) AS e(x) WHERE e.x->>'type' IS DISTINCT FROM '$StreamDeleted'
          ) THEN jsonb_build_object('closed', p.i - 1, 'closure', 'Archived')
        END AS refusal
        FROM placed AS p LEFT JOIN batches AS t ON t.i = p.typed_by
      ), refused AS (
        SELECT c.refusal FROM checked AS c WHERE c.refusal IS NOT NULL ORDER BY c.i LIMIT 1
      ), inserted AS (
        INSERT INTO ${events} (position, stream_id, version, type, data, metadata)
        SELECT c.base + e.j, c.stream_id, c.version + e.j, e.x->>'type', e.x->'data', e.x->'metadata'
        FROM checked AS c, jsonb_array_elements(c.events) WITH ORDINALITY AS e(x, j)
        WHERE NOT EXISTS (SELECT FROM refused)
        RETURNING 1
      )
      SELECT coalesce(
          (SELECT r.refusal FROM refused AS r),
          jsonb_build_object('last', end_position, 'starts',
            coalesce((SELECT jsonb_agg(c.version ORDER BY c.i) FROM checked AS c), '[]'))
        ),
        (SELECT count(*) FROM inserted)
      INTO outcome, written;
      end_position := end_position + written;
      outcomes := outcomes || outcome;
    END LOOP;
    IF end_position > start_position THEN
      UPDATE ${head} SET position = end_position;
      PERFORM pg_notify(channel, end_position::text);
    END IF;
    RETURN to_jsonb(outcomes);
  END
  $body$`

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
