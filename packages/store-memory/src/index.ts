/**
 * `@chronicle/store-memory`: the in-memory EventStore layer.
 *
 * @since 0.1.0
 */

/** The in-memory EventStore: `make` and `layer`. */
export * as MemoryEventStore from "./MemoryEventStore.ts"

/** The in-memory CheckpointStore: `make` and `layer`. */
export * as MemoryCheckpointStore from "./MemoryCheckpointStore.ts"

/** The in-memory SnapshotStore: `make` and `layer`. */
export * as MemorySnapshotStore from "./MemorySnapshotStore.ts"
