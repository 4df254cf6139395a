/**
 * A **Decider** is the whole behaviour of one consistency boundary (an account, a cart, a bulb)
 * as three pure functions and a value, after Jérémie Chassaing's functional event sourcing:
 *
 * ```ts
 * initialState: State
 * decide: (command: Command, state: State) => Result<ReadonlyArray<Event>, Rejection>
 * evolve: (state: State, event: Event) => State
 * isTerminal: (state: State) => boolean
 * ```
 *
 * `decide` says what happens (events) or why not (a typed rejection); it never throws and never reads
 * the clock. `evolve` says what the state becomes after an event; folding a stream's events with it
 * from `initialState` rebuilds the state. The argument order is the one of `Array.prototype.reduce`,
 * so `events.reduce(decider.evolve, decider.initialState)` is a fold.
 *
 * Combinators build bigger deciders from smaller ones: {@link combine} two, adapt their types with
 * {@link mapCommand}, {@link mapEvent}, {@link mapState} and {@link mapRejection}, or run one per key
 * with {@link many}. {@link neutral} is the identity of {@link combine}.
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import type { Predicate } from "effect"
import * as Projection from "./Projection.ts"

/**
 * The decider: `initialState`, `decide`, `evolve` and `isTerminal`, all pure.
 *
 * @since 0.1.0
 */
export interface Decider<in Command, State, Event, out Rejection = never> {
  /** The state of an instance before any event. */
  readonly initialState: State
  /** What happens when `command` arrives in `state`: events to record, or a typed rejection. */
  readonly decide: (command: Command, state: State) => Result.Result<ReadonlyArray<Event>, Rejection>
  /** The state after `event`. */
  readonly evolve: (state: State, event: Event) => State
  /** Whether the instance has reached an end where no command can change it any more. */
  readonly isTerminal: (state: State) => boolean
}

/**
 * Builds a {@link Decider}; `isTerminal` defaults to "never terminal".
 *
 * @example
 * ```ts
 * const counter = Decider.make({
 *   initialState: 0,
 *   decide: (command: "inc", state: number) => state < 10 ? Result.succeed(["incremented"]) : Result.fail("full"),
 *   evolve: (state: number, _event: "incremented") => state + 1
 * })
 * ```
 *
 * @since 0.1.0
 */
export const make = <Command, State, Event, Rejection = never>(definition: {
  readonly initialState: State
  readonly decide: (command: Command, state: State) => Result.Result<ReadonlyArray<Event>, Rejection>
  readonly evolve: (state: State, event: Event) => State
  readonly isTerminal?: ((state: State) => boolean) | undefined
}): Decider<Command, State, Event, Rejection> => ({
  initialState: definition.initialState,
  decide: definition.decide,
  evolve: definition.evolve,
  isTerminal: definition.isTerminal ?? never
})

const never = (): boolean => false

/**
 * Folds events into a state with the decider's `evolve`, starting from `state` (by default the
 * decider's `initialState`).
 *
 * @example
 * ```ts
 * const state = Decider.fold(counter, ["incremented", "incremented"]) // 2
 * ```
 *
 * @since 0.1.0
 */
export const fold = <State, Event>(
  decider: Pick<Decider<never, State, Event, unknown>, "initialState" | "evolve">,
  events: Iterable<Event>,
  state: State = decider.initialState
): State => Projection.fold(decider, events, state)

/**
 * The outcome of one accepted command: the events it produced and the state after them.
 *
 * @since 0.1.0
 */
export interface Transition<State, Event> {
  readonly events: ReadonlyArray<Event>
  readonly state: State
}

/**
 * Decides on a command and evolves the state by the resulting events, in one pure step.
 *
 * @example
 * ```ts
 * Decider.transition(counter, "inc", 0) // Result.succeed({ events: ["incremented"], state: 1 })
 * ```
 *
 * @since 0.1.0
 */
export const transition = <Command, State, Event, Rejection>(
  decider: Decider<Command, State, Event, Rejection>,
  command: Command,
  state: State
): Result.Result<Transition<State, Event>, Rejection> =>
  Result.map(decider.decide(command, state), (events) => ({ events, state: fold(decider, events, state) }))

/**
 * Runs commands one after the other from `initialState`, stopping at the first rejection. Useful in
 * tests and for pre-computing histories.
 *
 * @since 0.1.0
 */
export const run = <Command, State, Event, Rejection>(
  decider: Decider<Command, State, Event, Rejection>,
  commands: Iterable<Command>,
  state: State = decider.initialState
): Result.Result<Transition<State, Event>, Rejection> => {
  const events: Array<Event> = []
  let current = state
  for (const command of commands) {
    const step = transition(decider, command, current)
    if (Result.isFailure(step)) return step
    events.push(...step.success.events)
    current = step.success.state
  }
  return Result.succeed({ events, state: current })
}

/**
 * How {@link combine} tells which of its two deciders a command or an event belongs to: guards for
 * the left decider's commands and events (the rest go to the right one). Schema tagged unions give
 * these for free, e.g. `Schema.is(Account.Command)`.
 *
 * @since 0.1.0
 */
export interface Route<CommandLeft, CommandRight, EventLeft, EventRight> {
  readonly isLeftCommand: Predicate.Refinement<CommandLeft | CommandRight, CommandLeft>
  readonly isLeftEvent: Predicate.Refinement<EventLeft | EventRight, EventLeft>
}

/**
 * Combines two deciders into one that accepts the commands of both and keeps both states side by
 * side. Each command goes to the decider whose guard accepts it; each event evolves the state of the
 * decider it belongs to.
 *
 * A combined decider is meant to run behind one `CommandHandler`, where each stream holds the events
 * of one side only (an order stream, a payment stream): on such a stream the other side never leaves
 * its `initialState`. So the combination is terminal when **either** side is: a finished order
 * stream refuses further commands, while the other side's streams go on. A stream that mixes the
 * events of both sides ends as soon as one side ends, and then refuses the commands of both. (A side
 * whose `initialState` is terminal would make every stream terminal.)
 *
 * @example
 * ```ts
 * const both = Decider.combine(BankAccount.decider, User.decider, {
 *   isLeftCommand: Schema.is(BankAccount.Command),
 *   isLeftEvent: Schema.is(BankAccount.Event)
 * })
 * ```
 *
 * @since 0.1.0
 */
export const combine = <CommandLeft, StateLeft, EventLeft, RejectionLeft, CommandRight, StateRight, EventRight, RejectionRight>(
  left: Decider<CommandLeft, StateLeft, EventLeft, RejectionLeft>,
  right: Decider<CommandRight, StateRight, EventRight, RejectionRight>,
  route: Route<CommandLeft, CommandRight, EventLeft, EventRight>
): Decider<
  CommandLeft | CommandRight,
  readonly [StateLeft, StateRight],
  EventLeft | EventRight,
  RejectionLeft | RejectionRight
> => ({
  initialState: [left.initialState, right.initialState],
  decide: (command, [stateLeft, stateRight]) =>
    route.isLeftCommand(command)
      ? left.decide(command, stateLeft)
      : right.decide(command as CommandRight, stateRight),
  evolve: (state, event) =>
    route.isLeftEvent(event)
      ? [left.evolve(state[0], event), state[1]]
      : [state[0], right.evolve(state[1], event as EventRight)],
  isTerminal: ([stateLeft, stateRight]) => left.isTerminal(stateLeft) || right.isTerminal(stateRight)
})

/**
 * The decider that accepts no command, records no event and is never terminal: the identity of
 * {@link combine} (which is terminal when either side is, so the identity must never be).
 *
 * @example
 * ```ts
 * const same = Decider.combine(Decider.neutral, counter, { isLeftCommand: nothing, isLeftEvent: nothing })
 * same.isTerminal([undefined, state]) === counter.isTerminal(state) // for every state
 * ```
 *
 * @since 0.1.0
 */
export const neutral: Decider<never, undefined, never, never> = {
  initialState: undefined,
  decide: () => Result.succeed([]),
  evolve: (state) => state,
  isTerminal: never
}

/**
 * Adapts the command type: the new decider accepts `Outer` commands and turns each into the inner
 * decider's command.
 *
 * @since 0.1.0
 */
export const mapCommand = <Command, State, Event, Rejection, Outer>(
  decider: Decider<Command, State, Event, Rejection>,
  f: (command: Outer) => Command
): Decider<Outer, State, Event, Rejection> => ({
  ...decider,
  decide: (command, state) => decider.decide(f(command), state)
})

/**
 * Adapts the event type both ways: `to` turns decided events into the outer type, `from` turns them
 * back before `evolve`. The two must be inverse of each other.
 *
 * @since 0.1.0
 */
export const mapEvent = <Command, State, Event, Rejection, Outer>(
  decider: Decider<Command, State, Event, Rejection>,
  iso: { readonly to: (event: Event) => Outer; readonly from: (event: Outer) => Event }
): Decider<Command, State, Outer, Rejection> => ({
  initialState: decider.initialState,
  decide: (command, state) => Result.map(decider.decide(command, state), (events) => events.map(iso.to)),
  evolve: (state, event) => decider.evolve(state, iso.from(event)),
  isTerminal: decider.isTerminal
})

/**
 * Adapts the state type both ways; `to` and `from` must be inverse of each other.
 *
 * @since 0.1.0
 */
export const mapState = <Command, State, Event, Rejection, Outer>(
  decider: Decider<Command, State, Event, Rejection>,
  iso: { readonly to: (state: State) => Outer; readonly from: (state: Outer) => State }
): Decider<Command, Outer, Event, Rejection> => ({
  initialState: iso.to(decider.initialState),
  decide: (command, state) => decider.decide(command, iso.from(state)),
  evolve: (state, event) => iso.to(decider.evolve(iso.from(state), event)),
  isTerminal: (state) => decider.isTerminal(iso.from(state))
})

/**
 * Adapts the rejection type.
 *
 * @since 0.1.0
 */
export const mapRejection = <Command, State, Event, Rejection, Outer>(
  decider: Decider<Command, State, Event, Rejection>,
  f: (rejection: Rejection) => Outer
): Decider<Command, State, Event, Outer> => ({
  ...decider,
  decide: (command, state) => Result.mapError(decider.decide(command, state), f)
})

/**
 * A command or an event addressed to one instance of a {@link many} decider.
 *
 * @since 0.1.0
 */
export interface Keyed<A> {
  readonly id: string
  readonly value: A
}

/**
 * Runs one instance of a decider per id. Commands and events carry the id of their instance; the
 * state maps each id that has seen an event to its own state. Instances that have seen nothing are in
 * `initialState`. The whole is never terminal: a new id can always start a new instance.
 *
 * @example
 * ```ts
 * const counters = Decider.many(counter)
 * counters.decide({ id: "a", value: "inc" }, counters.initialState) // [{ id: "a", value: "incremented" }]
 * ```
 *
 * @since 0.1.0
 */
export const many = <Command, State, Event, Rejection>(
  decider: Decider<Command, State, Event, Rejection>
): Decider<Keyed<Command>, ReadonlyMap<string, State>, Keyed<Event>, Rejection> => {
  const stateOf = (states: ReadonlyMap<string, State>, id: string) => states.get(id) ?? decider.initialState
  return {
    initialState: new Map(),
    decide: ({ id, value }, states) =>
      Result.map(decider.decide(value, stateOf(states, id)), (events) => events.map((event) => ({ id, value: event }))),
    evolve: (states, { id, value }) => new Map(states).set(id, decider.evolve(stateOf(states, id), value)),
    isTerminal: never
  }
}
