/**
 * The in-memory **SnapshotStore** layer: snapshots in a `Map`, for tests and one-process apps.
 *
 * @since 0.1.0
 */
import { SnapshotStore } from "@chronicle/runtime"
import { Effect, Layer, Option } from "effect"

/**
 * Builds an empty in-memory snapshot store.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<SnapshotStore.Service> = Effect.sync(() => {
  const snapshots = new Map<string, SnapshotStore.Snapshot>()
  return {
    load: (streamId) => Effect.sync(() => Option.fromNullishOr(snapshots.get(streamId))),
    save: (streamId, snapshot) => Effect.sync(() => void snapshots.set(streamId, snapshot)),
    delete: (streamId) => Effect.sync(() => void snapshots.delete(streamId))
  }
})

/**
 * A layer providing a fresh, empty in-memory {@link SnapshotStore.SnapshotStore}.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<SnapshotStore.SnapshotStore> = Layer.effect(SnapshotStore.SnapshotStore, make)
