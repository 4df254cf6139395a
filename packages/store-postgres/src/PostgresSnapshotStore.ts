/**
 * The PostgreSQL **SnapshotStore** layer: the latest snapshot of each stream in the `snapshots`
 * table of the event log's schema, shared by every instance, so that a command handler loads a
 * long stream as its snapshot plus the events after it.
 *
 * Snapshots are an optimisation only: deleting rows of this table changes no result.
 *
 * @since 0.1.0
 */
import { SnapshotStore } from "@chronicle/runtime"
import type { EventStore } from "@chronicle/runtime"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { storeError } from "./internal/failure.ts"
import { encodeJson } from "./internal/json.ts"
import * as Schema from "./internal/schema.ts"
import type * as Postgres from "./Postgres.ts"

interface Row {
  readonly version: number
  readonly state_version: number
  readonly state: unknown
  readonly command_ids: ReadonlyArray<string>
}

/**
 * Migrates the schema (see `Postgres.migrate`) and builds the snapshot store on it.
 *
 * @example
 * ```ts
 * const snapshots = yield* PostgresSnapshotStore.make({ schema: "billing" })
 * ```
 *
 * @since 0.1.0
 */
export const make = (
  options: Postgres.Options = {}
): Effect.Effect<SnapshotStore.Service, EventStore.StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const schema = yield* Schema.nameOf(options)
    yield* Schema.migrate(sql, schema)
    const { snapshots } = Schema.tables(sql, schema)
    return {
      load: (streamId) =>
        sql<Row>`SELECT version, state_version, state, command_ids FROM ${snapshots}
          WHERE stream_id = ${streamId}`.pipe(
          Effect.map((rows) =>
            Option.map(Option.fromNullishOr(rows[0]), (row) => ({
              version: row.version,
              stateVersion: row.state_version,
              state: row.state,
              commandIds: row.command_ids
            }))
          ),
          Effect.mapError(storeError("load snapshot", streamId))
        ),
      save: (streamId, snapshot) =>
        Effect.all([
          encodeJson("save snapshot", streamId, "the state", snapshot.state),
          encodeJson("save snapshot", streamId, "the command ids", snapshot.commandIds)
        ]).pipe(
          Effect.flatMap(([state, commandIds]) =>
            sql`INSERT INTO ${snapshots} (stream_id, version, state_version, state, command_ids)
              VALUES (${streamId}, ${snapshot.version}, ${snapshot.stateVersion}, ${state}::jsonb, ${commandIds}::jsonb)
              ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, state_version = excluded.state_version,
                state = excluded.state, command_ids = excluded.command_ids`.pipe(
              Effect.mapError(storeError("save snapshot", streamId))
            )
          ),
          Effect.asVoid
        ),
      delete: (streamId) =>
        sql`DELETE FROM ${snapshots} WHERE stream_id = ${streamId}`.pipe(
          Effect.mapError(storeError("delete snapshot", streamId)),
          Effect.asVoid
        )
    }
  })

/**
 * A layer providing a {@link SnapshotStore.SnapshotStore} on the database of the `SqlClient` it is
 * given (a `PgClient` layer provides one); use the same schema as the event store's.
 *
 * @example
 * ```ts
 * const layer = Layer.mergeAll(PostgresEventStore.layer(), PostgresSnapshotStore.layer()).pipe(
 *   Layer.provide(PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) }))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layer = (
  options: Postgres.Options = {}
): Layer.Layer<SnapshotStore.SnapshotStore, EventStore.StoreError, SqlClient.SqlClient> =>
  Layer.effect(SnapshotStore.SnapshotStore, make(options))
