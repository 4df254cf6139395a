/**
 * **DeciderSpec**: given/when/then specifications for deciders. Given the events already in a
 * stream, when a command arrives, then these events are decided — or the command is rejected.
 * Specs run the pure decider only (no store, no Effect), throw an `AssertionError` with both sides
 * when they fail, and so work with any test runner.
 *
 * @example
 * ```ts
 * const spec = DeciderSpec.make(BankAccount.decider)
 * spec.given([opened, deposited(100)]).when(withdraw(40)).then([withdrawn(40)])
 * spec.given([opened]).when(withdraw(40)).thenRejects(insufficientFunds)
 * ```
 *
 * @since 0.1.0
 */
import { Decider } from "@chronicle/core"
import { Result } from "effect"
import * as Expect from "./internal/expect.ts"

/**
 * A decider under specification.
 *
 * @since 0.1.0
 */
export interface DeciderSpec<Command, State, Event, Rejection> {
  /** The events already recorded in the stream (oldest first). */
  readonly given: (events: ReadonlyArray<Event>) => Given<Command, State, Event, Rejection>
}

/**
 * A history, waiting for the command.
 *
 * @since 0.1.0
 */
export interface Given<Command, State, Event, Rejection> {
  /** The command to decide on. */
  readonly when: (command: Command) => When<State, Event, Rejection>
}

/**
 * A history and a command, waiting for the expected outcome.
 *
 * @since 0.1.0
 */
export interface When<State, Event, Rejection> {
  /** Asserts that the command is accepted with exactly these events; returns the state after them. */
  readonly then: (events: ReadonlyArray<Event>) => State
  /**
   * Asserts that the command is rejected: with a rejection equal to `expected`, or one that the
   * predicate accepts. Returns the rejection.
   */
  readonly thenRejects: (expected: Rejection | ((rejection: Rejection) => boolean)) => Rejection
}

/**
 * Starts specifications for a decider.
 *
 * @since 0.1.0
 */
export const make = <Command, State, Event, Rejection>(
  decider: Decider.Decider<Command, State, Event, Rejection>
): DeciderSpec<Command, State, Event, Rejection> => ({
  given: (history) => ({
    when: (command) => {
      const state = Decider.fold(decider, history)
      const outcome = Decider.transition(decider, command, state)
      return {
        then: (events) => {
          if (Result.isFailure(outcome)) {
            return Expect.fail("expected the command to be accepted, but it was rejected", events, outcome.failure)
          }
          Expect.equal("decided events", events, outcome.success.events)
          return outcome.success.state
        },
        thenRejects: (expected) => {
          if (Result.isSuccess(outcome)) {
            return Expect.fail("expected the command to be rejected, but it was accepted", expected, outcome.success.events)
          }
          if (typeof expected === "function") {
            if (!(expected as (rejection: Rejection) => boolean)(outcome.failure)) {
              Expect.fail("the rejection does not satisfy the predicate", expected, outcome.failure)
            }
          } else {
            Expect.equal("rejections", expected, outcome.failure)
          }
          return outcome.failure
        }
      }
    }
  })
})
