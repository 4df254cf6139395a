/**
 * `@chronicle/core`: the pure algebra of event sourcing. No I/O, no clock, no runtime.
 *
 * @since 0.1.0
 */

/** Deciders: `decide`, `evolve`, `initialState`, `isTerminal`, and their combinators. */
export * as Decider from "./Decider.ts"

/** Projections: read models folded from events. */
export * as Projection from "./Projection.ts"

/** Sagas: `react(event)` gives the commands that follow from an event, and their combinators. */
export * as Saga from "./Saga.ts"

/** Process managers: commands decided on the events a process has seen, folded into its state. */
export * as ProcessManager from "./ProcessManager.ts"

/** Optimistic-concurrency expectations for appends. */
export * as ExpectedVersion from "./ExpectedVersion.ts"

/** The recorded-event envelope and its metadata. */
export * as Envelope from "./Envelope.ts"

/** Upcasters: old event shapes brought to the current one on read. */
export * as Upcaster from "./Upcaster.ts"
