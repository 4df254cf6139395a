/**
 * A **ProcessManager** (a workflow, Chassaing's *process*) reacts to events with commands, like a
 * `Saga`, but remembers what it has seen: a decider turned around, whose inputs are events and whose
 * outputs are commands.
 *
 * ```ts
 * initialState: State
 * decide: (event: Event, state: State) => ReadonlyArray<Command>
 * evolve: (state: State, event: Event) => State
 * isTerminal: (state: State) => boolean
 * ```
 *
 * On each input event the process first **decides, on the state before the event** (what it knew
 * when the event arrived), then **folds the event** into its state with `evolve`. So a process
 * that must confirm a booking once both the payment and the booking request have arrived, in either
 * order, issues the confirmation on the second of the two, and a repeated one sees that both are
 * already known and issues nothing. Once the state is terminal the process is over: further events
 * give no command and leave the state as it is. {@link step} and {@link run} are these rules, the
 * ones a runtime replaying the process from its events follows.
 *
 * Everything is pure: no I/O, no clock. A **timeout** is an ordinary input event: the process asks
 * for it with a command of its own (say `{ _tag: "ScheduleReminder", bookingId, after: "15m" }`), the
 * runtime delivers the event when it is due (`{ _tag: "ReminderDue", bookingId }`), and the process
 * decides on it as on any other event (cancel if still unpaid, nothing if confirmed meanwhile). So a
 * replay of the same events decides the same commands, whatever the time of the replay.
 *
 * Combinators: {@link fromSaga} (a stateless process), {@link combine} (two processes on the same
 * events), {@link mapEvent} and {@link mapCommand}; these three are dual:
 * `ProcessManager.mapCommand(process, f)` or `pipe(process, ProcessManager.mapCommand(f))`.
 *
 * @since 0.1.0
 */
import { Function } from "effect"
import type { Saga } from "./Saga.ts"

/**
 * The process manager: `initialState`, `decide`, `evolve` and `isTerminal`, all pure.
 *
 * @since 0.1.0
 */
export interface ProcessManager<in Event, State, out Command> {
  /** The state of the process before any event. */
  readonly initialState: State
  /** The commands that follow from `event` when it arrives in `state` (the state before `event`). */
  readonly decide: (event: Event, state: State) => ReadonlyArray<Command>
  /** The state after `event`. */
  readonly evolve: (state: State, event: Event) => State
  /** Whether the process is over: a terminal state decides no more commands and no longer changes. */
  readonly isTerminal: (state: State) => boolean
}

/**
 * Builds a {@link ProcessManager}; `isTerminal` defaults to "never terminal".
 *
 * @example
 * ```ts
 * // confirms once both the payment and the booking request have arrived, in either order
 * const payment = ProcessManager.make({
 *   initialState: { paid: false, requested: false },
 *   decide: (event: PaymentEvent, seen) =>
 *     (event._tag === "PaymentReceived" ? !seen.paid && seen.requested : !seen.requested && seen.paid)
 *       ? [{ _tag: "ConfirmBooking", bookingId: event.bookingId }]
 *       : [],
 *   evolve: (seen, event) =>
 *     event._tag === "PaymentReceived" ? { ...seen, paid: true } : { ...seen, requested: true }
 * })
 * ```
 *
 * @since 0.1.0
 */
export const make = <Event, State, Command>(definition: {
  readonly initialState: State
  readonly decide: (event: Event, state: State) => ReadonlyArray<Command>
  readonly evolve: (state: State, event: Event) => State
  readonly isTerminal?: ((state: State) => boolean) | undefined
}): ProcessManager<Event, State, Command> => ({
  initialState: definition.initialState,
  decide: definition.decide,
  evolve: definition.evolve,
  isTerminal: definition.isTerminal ?? never
})

const never = (): boolean => false

/**
 * What a process did with some events: the commands they caused, in order, and its state after them.
 *
 * @since 0.1.0
 */
export interface Reaction<State, Command> {
  readonly commands: ReadonlyArray<Command>
  readonly state: State
}

/**
 * One input event: the commands `decide` gives on the state before it, and the state `evolve` makes
 * of it. A terminal state gives no command and stays as it is.
 *
 * @example
 * ```ts
 * ProcessManager.step(payment, { _tag: "PaymentReceived", bookingId: "b-1" }, { paid: false, requested: true })
 * // { commands: [{ _tag: "ConfirmBooking", bookingId: "b-1" }], state: { paid: true, requested: true } }
 * ```
 *
 * @since 0.1.0
 */
export const step = <Event, State, Command>(
  process: ProcessManager<Event, State, Command>,
  event: Event,
  state: State
): Reaction<State, Command> =>
  process.isTerminal(state)
    ? { commands: [], state }
    : { commands: process.decide(event, state), state: process.evolve(state, event) }

/**
 * Steps through events one after the other from `state` (by default `initialState`), collecting the
 * commands in order. It is a fold: running `first` then `second` from where `first` left the state
 * gives the commands of both, concatenated, and the same state as running them together — which is
 * what lets a runtime resume a process from its saved state.
 *
 * @example
 * ```ts
 * ProcessManager.run(payment, [
 *   { _tag: "PaymentReceived", bookingId: "b-1" },
 *   { _tag: "BookingRequested", bookingId: "b-1" }
 * ]) // { commands: [{ _tag: "ConfirmBooking", bookingId: "b-1" }], state: { paid: true, requested: true } }
 * ```
 *
 * @since 0.1.0
 */
export const run = <Event, State, Command>(
  process: ProcessManager<Event, State, Command>,
  events: Iterable<Event>,
  state: State = process.initialState
): Reaction<State, Command> => {
  const commands: Array<Command> = []
  let current = state
  for (const event of events) {
    const next = step(process, event, current)
    commands.push(...next.commands)
    current = next.state
  }
  return { commands, state: current }
}

/**
 * The saga as a process that keeps no state: it decides what the saga reacts, and is never terminal.
 *
 * @example
 * ```ts
 * ProcessManager.run(ProcessManager.fromSaga(kitchen), events).commands // events.flatMap(kitchen.react)
 * ```
 *
 * @since 0.1.0
 */
export const fromSaga = <Event, Command>(saga: Saga<Event, Command>): ProcessManager<Event, undefined, Command> => ({
  initialState: undefined,
  decide: (event) => saga.react(event),
  evolve: (state) => state,
  isTerminal: never
})

/**
 * Runs two processes on the same events, keeping both states side by side. On each event both
 * {@link step}: the commands are the left one's followed by the right one's, and a side that is over
 * stays over while the other goes on. The combination is over when both sides are. Processes over
 * different event types are first brought to a common one with {@link mapEvent}.
 *
 * @example
 * ```ts
 * const both = ProcessManager.combine(payment, ProcessManager.fromSaga(kitchen))
 * // state: [payment's state, undefined]
 * pipe(payment, ProcessManager.combine(ProcessManager.fromSaga(kitchen))) // the same
 * ```
 *
 * @since 0.1.0
 */
export const combine: {
  <EventRight, StateRight, CommandRight>(
    right: ProcessManager<EventRight, StateRight, CommandRight>
  ): <EventLeft, StateLeft, CommandLeft>(
    left: ProcessManager<EventLeft, StateLeft, CommandLeft>
  ) => ProcessManager<EventLeft & EventRight, readonly [StateLeft, StateRight], CommandLeft | CommandRight>
  <EventLeft, StateLeft, CommandLeft, EventRight, StateRight, CommandRight>(
    left: ProcessManager<EventLeft, StateLeft, CommandLeft>,
    right: ProcessManager<EventRight, StateRight, CommandRight>
  ): ProcessManager<EventLeft & EventRight, readonly [StateLeft, StateRight], CommandLeft | CommandRight>
} = Function.dual(2, <EventLeft, StateLeft, CommandLeft, EventRight, StateRight, CommandRight>(
  left: ProcessManager<EventLeft, StateLeft, CommandLeft>,
  right: ProcessManager<EventRight, StateRight, CommandRight>
): ProcessManager<EventLeft & EventRight, readonly [StateLeft, StateRight], CommandLeft | CommandRight> => ({
  initialState: [left.initialState, right.initialState],
  decide: (event, [stateLeft, stateRight]) => [
    ...step(left, event, stateLeft).commands,
    ...step(right, event, stateRight).commands
  ],
  evolve: ([stateLeft, stateRight], event) => [step(left, event, stateLeft).state, step(right, event, stateRight).state],
  isTerminal: ([stateLeft, stateRight]) => left.isTerminal(stateLeft) && right.isTerminal(stateRight)
}))

/**
 * Adapts the event type: `f` turns each outer event into the process's event, or `undefined` for an
 * event the process ignores (no command, state unchanged).
 *
 * @example
 * ```ts
 * const onPayments = ProcessManager.mapEvent(payment, (event: HotelEvent) => isPaymentEvent(event) ? event : undefined)
 * ```
 *
 * @since 0.1.0
 */
export const mapEvent: {
  <Event, Outer>(
    f: (event: Outer) => Event | undefined
  ): <State, Command>(process: ProcessManager<Event, State, Command>) => ProcessManager<Outer, State, Command>
  <Event, State, Command, Outer>(
    process: ProcessManager<Event, State, Command>,
    f: (event: Outer) => Event | undefined
  ): ProcessManager<Outer, State, Command>
} = Function.dual(2, <Event, State, Command, Outer>(
  process: ProcessManager<Event, State, Command>,
  f: (event: Outer) => Event | undefined
): ProcessManager<Outer, State, Command> => ({
  initialState: process.initialState,
  decide: (outer, state) => {
    const event = f(outer)
    return event === undefined ? [] : process.decide(event, state)
  },
  evolve: (state, outer) => {
    const event = f(outer)
    return event === undefined ? state : process.evolve(state, event)
  },
  isTerminal: process.isTerminal
}))

/**
 * Adapts the command type: `f` turns each command the process decides into the outer type.
 *
 * @example
 * ```ts
 * const keyed = ProcessManager.mapCommand(payment, (command) => ({ id: command.bookingId, value: command }))
 * ```
 *
 * @since 0.1.0
 */
export const mapCommand: {
  <Command, Outer>(
    f: (command: Command) => Outer
  ): <Event, State>(process: ProcessManager<Event, State, Command>) => ProcessManager<Event, State, Outer>
  <Event, State, Command, Outer>(
    process: ProcessManager<Event, State, Command>,
    f: (command: Command) => Outer
  ): ProcessManager<Event, State, Outer>
} = Function.dual(2, <Event, State, Command, Outer>(
  process: ProcessManager<Event, State, Command>,
  f: (command: Command) => Outer
): ProcessManager<Event, State, Outer> => ({
  ...process,
  decide: (event, state) => process.decide(event, state).map((command) => f(command))
}))
