/**
 * `@chronicle/runtime`: Effect programs that run deciders and projections over an EventStore.
 *
 * @since 0.1.0
 */

/** The EventStore port, its errors and the helpers store layers share. */
export * as EventStore from "./EventStore.ts"

/** Encoding and decoding events with the domain's Schema. */
export * as Codec from "./Codec.ts"

/** Page-by-page reading and catch-up-then-live following, for store layers. */
export * as Pages from "./Pages.ts"

/** Loads a stream's state and version by id, from a decider and an event Schema. */
export * as StreamState from "./StreamState.ts"

/** Appends a domain's typed events outside a command handler, encoded as the handler encodes them. */
export * as Appender from "./Appender.ts"

/** Load, decide, append — with retries on conflict. */
export * as CommandHandler from "./CommandHandler.ts"

/** The last state and version of each stream a command handler saw, so it reads only the tail. */
export * as StateCache from "./StateCache.ts"

/** Keeps a projection's read model up to date from the store. */
export * as Projector from "./Projector.ts"

/** Folds a projection up to the log's head and stops: no subscription, no scope. */
export * as Rebuild from "./Rebuild.ts"

/** Where projectors save their read models and positions. */
export * as CheckpointStore from "./CheckpointStore.ts"

/** What the runtime does, as a stream of data (for UIs, logs and tests). */
export * as Inspector from "./Inspector.ts"

/** Where command handlers keep snapshots of long streams. */
export * as SnapshotStore from "./SnapshotStore.ts"

/** Export and import of a whole event log as one validated JSON document. */
export * as LogFile from "./LogFile.ts"
