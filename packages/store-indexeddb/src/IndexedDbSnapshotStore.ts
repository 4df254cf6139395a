/**
 * The IndexedDB **SnapshotStore** layer: the command handler keeps the latest snapshot of each stream
 * (its encoded state, version, state shape version and handled command ids) in the same database as
 * the event log (its own object store, keyed by stream id), so that after a reload a long stream
 * loads from its snapshot and tail, and a repeated command id is still recognised.
 *
 * Building it opens (and, from an older layout, upgrades) the database and fails with
 * {@link IndexedDb.OpenError}; its operations fail with `StoreError`s, as the event store's do.
 *
 * @since 0.1.0
 */
import { SnapshotStore } from "@chronicle/runtime"
import { Effect, Layer, Option } from "effect"
import type { Scope } from "effect"
import type * as IndexedDb from "./IndexedDb.ts"
import * as Connection from "./internal/connection.ts"

/**
 * Opens (creating or upgrading) the database `name` and builds the snapshot store on it, for the
 * current scope.
 *
 * @example
 * ```ts
 * const snapshots = yield* IndexedDbSnapshotStore.make({ name: "bank" })
 * yield* snapshots.delete("account-42") // the next load replays the stream from zero
 * ```
 *
 * @since 0.1.0
 */
export const make = (options: IndexedDb.Options): Effect.Effect<SnapshotStore.Service, IndexedDb.OpenError, Scope.Scope> =>
  Effect.map(Connection.open(options.name), (connection) => ({
    load: (streamId) =>
      connection.transact("load snapshot", streamId, (database) => database.get("snapshots", streamId)).pipe(
        Effect.map((saved) =>
          Option.map(Option.fromNullishOr(saved), ({ commandIds, state, stateVersion, version }) => ({
            version,
            stateVersion,
            state,
            commandIds
          }))
        )
      ),
    save: (streamId, { commandIds, state, stateVersion, version }) =>
      connection.transact(
        "save snapshot",
        streamId,
        (database) => database.put("snapshots", { streamId, version, stateVersion, state, commandIds })
      ).pipe(Effect.asVoid),
    delete: (streamId) => connection.transact("delete snapshot", streamId, (database) => database.delete("snapshots", streamId))
  }))

/**
 * A layer providing a {@link SnapshotStore.SnapshotStore} on the IndexedDB database `name`; use the
 * same name as the event store's.
 *
 * @example
 * ```ts
 * const layer = Layer.mergeAll(
 *   IndexedDbEventStore.layer({ name: "bank" }),
 *   IndexedDbSnapshotStore.layer({ name: "bank" })
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: IndexedDb.Options): Layer.Layer<SnapshotStore.SnapshotStore, IndexedDb.OpenError> =>
  Layer.effect(SnapshotStore.SnapshotStore, make(options))
