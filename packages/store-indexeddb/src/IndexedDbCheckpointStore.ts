/**
 * The IndexedDB **CheckpointStore** layer: projections save their read model and position in the
 * same database as the event log (its own object store), so that after a reload
 * `Projector.makePersistent` resumes where it stopped instead of replaying the whole log.
 *
 * @since 0.1.0
 */
import { CheckpointStore } from "@chronicle/runtime"
import { Effect, Layer, Option } from "effect"
import type { Scope } from "effect"
import type * as IndexedDb from "./IndexedDb.ts"
import * as Connection from "./internal/connection.ts"

/**
 * Opens (creating or upgrading) the database `name` and builds the checkpoint store on it, for the
 * current scope.
 *
 * @example
 * ```ts
 * const checkpoints = yield* IndexedDbCheckpointStore.make({ name: "bank" })
 * ```
 *
 * @since 0.1.0
 */
export const make = (options: IndexedDb.Options): Effect.Effect<CheckpointStore.Service, IndexedDb.OpenError, Scope.Scope> =>
  Effect.map(Connection.open(options.name), (connection) => ({
    load: (name) =>
      connection.transact("load checkpoint", undefined, (database) => database.get("checkpoints", name)).pipe(
        Effect.map((saved) => Option.map(Option.fromNullishOr(saved), ({ position, state }) => ({ position, state })))
      ),
    save: (name, { position, state }) =>
      connection.transact("save checkpoint", undefined, (database) => database.put("checkpoints", { name, position, state }))
        .pipe(Effect.asVoid)
  }))

/**
 * A layer providing a {@link CheckpointStore.CheckpointStore} on the IndexedDB database `name`;
 * use the same name as the event store's.
 *
 * @example
 * ```ts
 * const layer = Layer.mergeAll(
 *   IndexedDbEventStore.layer({ name: "bank" }),
 *   IndexedDbCheckpointStore.layer({ name: "bank" })
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: IndexedDb.Options): Layer.Layer<CheckpointStore.CheckpointStore, IndexedDb.OpenError> =>
  Layer.effect(CheckpointStore.CheckpointStore, make(options))
