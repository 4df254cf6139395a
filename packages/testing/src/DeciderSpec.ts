/**
 * **DeciderSpec**: given/when/then specifications for deciders. Given the events already in a
 * stream, when a command arrives, then these events are decided — or the command is rejected, or
 * the stream is terminated and refuses it. Specs run the pure decider only (no store, no Effect),
 * and answer what the `CommandHandler` answers after the same history: a stream whose state is
 * terminal (`isTerminal` holds) refuses every command with `StreamTerminated` before `decide` is
 * asked, so there the spec expects {@link When.thenTerminated}. Specs throw an `AssertionError`
 * with both sides when they fail, and so work with any test runner.
 *
 * @example
 * ```ts
 * const spec = DeciderSpec.make(BankAccount.decider)
 * spec.given([opened, deposited(100)]).when(withdraw(40)).then([withdrawn(40)])
 * spec.given([opened]).when(withdraw(40)).thenRejects(insufficientFunds)
 * DeciderSpec.make(User.decider).given([registered, deactivated]).when(changeEmail).thenTerminated()
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
 * A history and a command, waiting for the expected outcome. Each assertion fails on the other two
 * outcomes, naming the outcome there was.
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
  /**
   * Asserts that the stream is terminated: `isTerminal` holds after the given events, so the
   * command is refused with `StreamTerminated` and `decide` is not asked. Returns the terminal state.
   */
  readonly thenTerminated: () => State
}

/** The outcome of a command after a history, as the `CommandHandler` gives it. */
type Outcome<State, Event, Rejection> =
  | { readonly _tag: "Accepted"; readonly events: ReadonlyArray<Event>; readonly state: State }
  | { readonly _tag: "Rejected"; readonly rejection: Rejection }
  | { readonly _tag: "Terminated"; readonly state: State }

const outcomeOf = <Command, State, Event, Rejection>(
  decider: Decider.Decider<Command, State, Event, Rejection>,
  command: Command,
  state: State
): Outcome<State, Event, Rejection> => {
  if (decider.isTerminal(state)) return { _tag: "Terminated", state }
  const decided = Decider.transition(decider, command, state)
  return Result.isSuccess(decided)
    ? { _tag: "Accepted", ...decided.success }
    : { _tag: "Rejected", rejection: decided.failure }
}

/** Fails an assertion that expected `expected`, naming the outcome there was instead. */
const unexpected = (expectation: string, expected: unknown, outcome: Outcome<unknown, unknown, unknown>): never => {
  switch (outcome._tag) {
    case "Accepted":
      return Expect.fail(`${expectation}, but it was accepted`, expected, outcome.events)
    case "Rejected":
      return Expect.fail(`${expectation}, but it was rejected`, expected, outcome.rejection)
    case "Terminated":
      return Expect.fail(
        `${expectation}, but the stream is terminated: isTerminal holds for the state after the given events (actual), so every command is refused with StreamTerminated`,
        expected,
        outcome.state
      )
  }
}

/**
 * Starts specifications for a decider.
 *
 * @example
 * ```ts
 * const spec = DeciderSpec.make(Bulb.decider)
 * spec.given([]).when({ _tag: "Fit", bulbId: "hall", maxUses: 1 }).then([{ _tag: "Fitted", bulbId: "hall", maxUses: 1 }])
 * ```
 *
 * @since 0.1.0
 */
export const make = <Command, State, Event, Rejection>(
  decider: Decider.Decider<Command, State, Event, Rejection>
): DeciderSpec<Command, State, Event, Rejection> => ({
  given: (history) => ({
    when: (command) => {
      const outcome = outcomeOf(decider, command, Decider.fold(decider, history))
      return {
        then: (events) => {
          if (outcome._tag !== "Accepted") return unexpected("expected the command to be accepted", events, outcome)
          Expect.equal("decided events", events, outcome.events)
          return outcome.state
        },
        thenRejects: (expected) => {
          if (outcome._tag !== "Rejected") return unexpected("expected the command to be rejected", expected, outcome)
          if (typeof expected === "function") {
            if (!(expected as (rejection: Rejection) => boolean)(outcome.rejection)) {
              Expect.fail("the rejection does not satisfy the predicate", expected, outcome.rejection)
            }
          } else {
            Expect.equal("rejections", expected, outcome.rejection)
          }
          return outcome.rejection
        },
        thenTerminated: () =>
          outcome._tag === "Terminated" ? outcome.state : unexpected(
            "expected the stream to be terminated (isTerminal to hold after the given events)",
            "StreamTerminated",
            outcome
          )
      }
    }
  })
})
