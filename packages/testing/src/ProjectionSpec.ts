/**
 * **ProjectionSpec**: given/when/then specifications for projections. Given these events (from
 * any streams, in global order), then the read model is this. Specs fold the pure projection only
 * (no store, no Effect), compare by structural equality (Effect's `Equal`: plain objects, arrays,
 * maps and sets by content), throw an `AssertionError` with both sides when they fail, and so work
 * with any test runner.
 *
 * @example
 * ```ts
 * const spec = ProjectionSpec.make(BankAccount.balances)
 * spec.given([opened("a1"), deposited("a1", 100), opened("a2")]).then(new Map([["a1", 100], ["a2", 0]]))
 * ```
 *
 * @since 0.1.0
 */
import { Projection } from "@chronicle/core"
import * as Expect from "./internal/expect.ts"

/**
 * A projection under specification.
 *
 * @since 0.1.0
 */
export interface ProjectionSpec<State, Event> {
  /** The events the projection reads (oldest first). */
  readonly given: (events: ReadonlyArray<Event>) => Given<State>
}

/**
 * A history, waiting for the expected read model.
 *
 * @since 0.1.0
 */
export interface Given<State> {
  /** Asserts that folding the history gives exactly `expected`; returns the read model. */
  readonly then: (expected: State) => State
}

/**
 * Starts specifications for a projection (or for the state of a decider: a decider is a projection
 * with a `decide`).
 *
 * @example
 * ```ts
 * const count = Projection.make({ initialState: 0, evolve: (n: number, _event: unknown) => n + 1 })
 * ProjectionSpec.make(count).given(["a", "b"]).then(2)
 * ```
 *
 * @since 0.1.0
 */
export const make = <State, Event>(projection: Projection.Projection<State, Event>): ProjectionSpec<State, Event> => ({
  given: (history) => ({
    then: (expected) => {
      const state = Projection.fold(projection, history)
      Expect.equal("read models", expected, state)
      return state
    }
  })
})
