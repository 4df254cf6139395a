/**
 * `@chronicle/store-postgres`: the PostgreSQL layers, for services that run on several instances
 * and share one durable event log.
 *
 * @since 0.1.0
 */

/** The PostgreSQL EventStore: `make` and `layer`. */
export * as PostgresEventStore from "./PostgresEventStore.ts"

/** The PostgreSQL CheckpointStore: `make` and `layer`. */
export * as PostgresCheckpointStore from "./PostgresCheckpointStore.ts"

/** The PostgreSQL SnapshotStore: `make` and `layer`. */
export * as PostgresSnapshotStore from "./PostgresSnapshotStore.ts"

/** The database the layers share: options, migration, one layer on a URL, and reading failures. */
export * as Postgres from "./Postgres.ts"

/** The health of a schema's log: head, stuck transactions, lock waits and projection lag. */
export * as PostgresHealth from "./PostgresHealth.ts"
