/**
 * `@chronicle/store-indexeddb`: the IndexedDB layers for browser apps.
 *
 * @since 0.1.0
 */

/** The IndexedDB EventStore: `make` and `layer`. */
export * as IndexedDbEventStore from "./IndexedDbEventStore.ts"

/** The IndexedDB CheckpointStore: `make` and `layer`. */
export * as IndexedDbCheckpointStore from "./IndexedDbCheckpointStore.ts"

/** The IndexedDB SnapshotStore (latest snapshot per stream, in the event log's database): `make` and `layer`. */
export * as IndexedDbSnapshotStore from "./IndexedDbSnapshotStore.ts"

/** The database the layers share: its options, schema version and typed errors. */
export * as IndexedDb from "./IndexedDb.ts"
