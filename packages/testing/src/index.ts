/**
 * `@chronicle/testing`: specs, property laws and the store contract suite.
 *
 * @since 0.1.0
 */

/** Given/when/then specifications for deciders. */
export * as DeciderSpec from "./DeciderSpec.ts"

/** Given/when/then specifications for projections. */
export * as ProjectionSpec from "./ProjectionSpec.ts"

/** Property laws (fast-check) for deciders, codecs, store layers and projections. */
export * as Laws from "./Laws.ts"

/** fast-check generators built from deciders and Schemas. */
export * as Arbitraries from "./Arbitraries.ts"

/** Laws of long histories: snapshots, idempotent commands, upcasters. */
export * as HistoryLaws from "./HistoryLaws.ts"

/** The contract suite every EventStore layer must pass. */
export * as EventStoreContract from "./EventStoreContract.ts"
