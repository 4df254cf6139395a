/**
 * The in-memory **CheckpointStore** layer: checkpoints in a `Map`, for tests and one-process apps
 * whose read models need not outlive the process.
 *
 * @since 0.1.0
 */
import { CheckpointStore } from "@chronicle/runtime"
import { Effect, Layer, Option } from "effect"

/**
 * Builds an empty in-memory checkpoint store.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<CheckpointStore.Service> = Effect.sync(() => {
  const saved = new Map<string, CheckpointStore.Saved>()
  return {
    load: (name) => Effect.sync(() => Option.fromNullishOr(saved.get(name))),
    save: (name, checkpoint) => Effect.sync(() => void saved.set(name, checkpoint))
  }
})

/**
 * A layer providing a fresh, empty in-memory {@link CheckpointStore.CheckpointStore}.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<CheckpointStore.CheckpointStore> = Layer.effect(CheckpointStore.CheckpointStore, make)
