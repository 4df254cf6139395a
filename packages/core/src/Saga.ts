/**
 * A **Saga** (a reactor) says which commands follow from an event, and nothing else: one pure
 * function, with no state and no memory of earlier events.
 *
 * ```ts
 * react: (event: Event) => ReadonlyArray<Command>
 * ```
 *
 * An order placed at a restaurant becomes an order to prepare; a user deactivated becomes a command
 * to close each of their carts. `react` never throws, never reads the clock and does no I/O: the
 * runtime delivers the events and dispatches the commands. A saga that must remember what it has
 * seen (react only once two events have both arrived) is a `ProcessManager`; `ProcessManager.fromSaga`
 * turns a saga into one.
 *
 * Combinators: {@link combine} two sagas over the same events (their commands concatenated, left
 * first), adapt the event type with {@link mapEvent} (which may also ignore events) and the command
 * type with {@link mapCommand}.
 *
 * The combinators are dual: `Saga.mapCommand(saga, f)` or `pipe(saga, Saga.mapCommand(f))`.
 *
 * @since 0.1.0
 */
import { Function } from "effect"

/**
 * The saga: `react`, pure.
 *
 * @since 0.1.0
 */
export interface Saga<in Event, out Command> {
  /** The commands that follow from `event`, in the order they are to be dispatched (none: `[]`). */
  readonly react: (event: Event) => ReadonlyArray<Command>
}

/**
 * Builds a {@link Saga}.
 *
 * @example
 * ```ts
 * const kitchen = Saga.make({
 *   react: (event: OrderPlaced) => [{ _tag: "PrepareOrder", orderId: event.orderId }]
 * })
 * kitchen.react({ _tag: "OrderPlaced", orderId: "o-1" }) // [{ _tag: "PrepareOrder", orderId: "o-1" }]
 * ```
 *
 * @since 0.1.0
 */
export const make = <Event, Command>(saga: Saga<Event, Command>): Saga<Event, Command> => ({ react: saga.react })

/**
 * Runs two sagas on the same events: each event goes to both, and the commands are the left saga's
 * followed by the right one's. Sagas over different event types are first brought to a common one
 * with {@link mapEvent}, which lets each ignore the events that are not its own.
 *
 * @example
 * ```ts
 * const both = Saga.combine(kitchen, loyalty)
 * both.react(event) // [...kitchen.react(event), ...loyalty.react(event)]
 * pipe(kitchen, Saga.combine(loyalty)) // the same
 * ```
 *
 * @since 0.1.0
 */
export const combine: {
  <EventRight, CommandRight>(
    right: Saga<EventRight, CommandRight>
  ): <EventLeft, CommandLeft>(left: Saga<EventLeft, CommandLeft>) => Saga<EventLeft & EventRight, CommandLeft | CommandRight>
  <EventLeft, CommandLeft, EventRight, CommandRight>(
    left: Saga<EventLeft, CommandLeft>,
    right: Saga<EventRight, CommandRight>
  ): Saga<EventLeft & EventRight, CommandLeft | CommandRight>
} = Function.dual(2, <EventLeft, CommandLeft, EventRight, CommandRight>(
  left: Saga<EventLeft, CommandLeft>,
  right: Saga<EventRight, CommandRight>
): Saga<EventLeft & EventRight, CommandLeft | CommandRight> => ({
  react: (event) => [...left.react(event), ...right.react(event)]
}))

/**
 * Adapts the event type: `f` turns each outer event into the saga's event, or `undefined` for an
 * event the saga ignores (it reacts with no command).
 *
 * @example
 * ```ts
 * // reacts to the order events of a wider union, ignores the rest
 * const onOrders = Saga.mapEvent(kitchen, (event: RestaurantEvent) => event._tag === "OrderPlaced" ? event : undefined)
 * ```
 *
 * @since 0.1.0
 */
export const mapEvent: {
  <Event, Outer>(f: (event: Outer) => Event | undefined): <Command>(saga: Saga<Event, Command>) => Saga<Outer, Command>
  <Event, Command, Outer>(saga: Saga<Event, Command>, f: (event: Outer) => Event | undefined): Saga<Outer, Command>
} = Function.dual(2, <Event, Command, Outer>(
  saga: Saga<Event, Command>,
  f: (event: Outer) => Event | undefined
): Saga<Outer, Command> => ({
  react: (outer) => {
    const event = f(outer)
    return event === undefined ? [] : saga.react(event)
  }
}))

/**
 * Adapts the command type: `f` turns each command the saga gives into the outer type.
 *
 * @example
 * ```ts
 * const keyed = Saga.mapCommand(kitchen, (command) => ({ id: command.orderId, value: command }))
 * ```
 *
 * @since 0.1.0
 */
export const mapCommand: {
  <Command, Outer>(f: (command: Command) => Outer): <Event>(saga: Saga<Event, Command>) => Saga<Event, Outer>
  <Event, Command, Outer>(saga: Saga<Event, Command>, f: (command: Command) => Outer): Saga<Event, Outer>
} = Function.dual(2, <Event, Command, Outer>(
  saga: Saga<Event, Command>,
  f: (command: Command) => Outer
): Saga<Event, Outer> => ({
  react: (event) => saga.react(event).map((command) => f(command))
}))
