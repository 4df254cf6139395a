/**
 * `@chronicle/testing`: specs, property laws and the store contract suite.
 *
 * @since 0.1.0
 */

/** Given/when/then specifications for deciders. */
export * as DeciderSpec from "./DeciderSpec.ts"
