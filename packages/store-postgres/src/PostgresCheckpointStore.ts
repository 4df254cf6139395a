/**
 * The PostgreSQL **CheckpointStore** layer: projections save their read model and position in the
 * `checkpoints` table of the event log's schema, so that `Projector.makePersistent` resumes where
 * it stopped — after a restart, or on another instance — instead of replaying the whole log.
 *
 * A save replaces the checkpoint in one statement (`INSERT … ON CONFLICT DO UPDATE`); inside a
 * `withTransaction` of the same client it commits with that transaction.
 *
 * @since 0.1.0
 */
import { CheckpointStore } from "@chronicle/runtime"
import type { EventStore } from "@chronicle/runtime"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { storeError } from "./internal/failure.ts"
import { encodeJson } from "./internal/json.ts"
import * as Schema from "./internal/schema.ts"
import type * as Postgres from "./Postgres.ts"

interface Row {
  readonly position: bigint
  readonly state: unknown
}

/**
 * Migrates the schema (see `Postgres.migrate`) and builds the checkpoint store on it.
 *
 * @example
 * ```ts
 * const checkpoints = yield* PostgresCheckpointStore.make({ schema: "billing" })
 * ```
 *
 * @since 0.1.0
 */
export const make = (
  options: Postgres.Options = {}
): Effect.Effect<CheckpointStore.Service, EventStore.StoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const schema = yield* Schema.nameOf(options)
    yield* Schema.migrate(sql, schema)
    const { checkpoints } = Schema.tables(sql, schema)
    return {
      load: (name) =>
        sql<Row>`SELECT position, state FROM ${checkpoints} WHERE name = ${name}`.pipe(
          Effect.map((rows) =>
            Option.map(Option.fromNullishOr(rows[0]), ({ position, state }) => ({ position: Number(position), state }))
          ),
          Effect.mapError(storeError("load checkpoint"))
        ),
      save: (name, { position, state }) =>
        encodeJson("save checkpoint", undefined, "the state", state).pipe(
          Effect.flatMap((json) =>
            sql`INSERT INTO ${checkpoints} (name, position, state)
              VALUES (${name}, ${BigInt(position)}::int8, ${json}::jsonb)
              ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state`.pipe(
              Effect.mapError(storeError("save checkpoint"))
            )
          ),
          Effect.asVoid
        )
    }
  })

/**
 * A layer providing a {@link CheckpointStore.CheckpointStore} on the database of the `SqlClient` it
 * is given (a `PgClient` layer provides one); use the same schema as the event store's.
 *
 * @example
 * ```ts
 * const layer = Layer.mergeAll(PostgresEventStore.layer(), PostgresCheckpointStore.layer()).pipe(
 *   Layer.provide(PgClient.layer({ url: Redacted.make(process.env.DATABASE_URL!) }))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layer = (
  options: Postgres.Options = {}
): Layer.Layer<CheckpointStore.CheckpointStore, EventStore.StoreError, SqlClient.SqlClient> =>
  Layer.effect(CheckpointStore.CheckpointStore, make(options))
