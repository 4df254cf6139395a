/**
 * A **Projection** builds a read model from events: an `initialState` and an `evolve`, like a
 * decider without `decide`. Where a decider keeps the state of one stream to take decisions, a
 * projection usually reads the events of many streams to answer queries (balances of all accounts,
 * a summary per cart).
 *
 * The events a projection reads may be the domain's events, or the recorded envelopes around them
 * (`Projection<State, Envelope.Recorded<Event>>`) when the read model needs the stream id, version,
 * position or metadata (`recordedAt`, say); {@link recorded} turns the first kind into the second, so
 * that both combine.
 *
 * ```ts
 * initialState: State | (() => State)
 * evolve: (state: State, event: Event) => State
 * ```
 *
 * `initialState` is a value, or a thunk that makes one. A read model that `evolve` changes in place
 * (a `Map` it sets entries in) must be given as a thunk: {@link initial} calls it once per fold, so
 * every fold and every rebuild starts from a fresh state instead of the one the last fold filled. A
 * read model that is itself a function is given as a thunk that returns it.
 *
 * @since 0.1.0
 */
import type { Function } from "effect"
import type { Decider } from "./Decider.ts"
import type { Recorded } from "./Envelope.ts"

/**
 * A read model built by folding events.
 *
 * @since 0.1.0
 */
export interface Projection<State, in Event> {
  /**
   * The read model before any event, or a thunk that makes a fresh one each time it is called (for a
   * read model `evolve` changes in place). Read it with {@link initial}.
   */
  readonly initialState: State | Function.LazyArg<State>
  /** The read model after `event`. */
  readonly evolve: (state: State, event: Event) => State
}

/**
 * Builds a {@link Projection}.
 *
 * @example
 * ```ts
 * const count = Projection.make({ initialState: 0, evolve: (n: number, _event: unknown) => n + 1 })
 * // changed in place: a fresh Map for every fold
 * const perStream = Projection.make({
 *   initialState: () => new Map<string, number>(),
 *   evolve: (counts, event: Envelope.Recorded) => counts.set(event.streamId, (counts.get(event.streamId) ?? 0) + 1)
 * })
 * ```
 *
 * @since 0.1.0
 */
export const make = <State, Event>(projection: Projection<State, Event>): Projection<State, Event> => projection

/**
 * The read model before any event: `initialState` itself, or what its thunk makes (a fresh state on
 * each call). Everything that starts a fold (`fold`, a projector, a rebuild) starts from it.
 *
 * @example
 * ```ts
 * Projection.initial(Projection.make({ initialState: () => new Map(), evolve })) // a new Map each time
 * Projection.initial(count) // 0
 * ```
 *
 * @since 0.1.0
 */
export const initial = <State>(projection: Pick<Projection<State, never>, "initialState">): State =>
  typeof projection.initialState === "function"
    ? (projection.initialState as Function.LazyArg<State>)()
    : projection.initialState

/**
 * The state a decider keeps, seen as a read model: its `initialState` and `evolve`.
 *
 * @since 0.1.0
 */
export const fromDecider = <State, Event>(
  decider: Pick<Decider<never, State, Event, unknown>, "initialState" | "evolve">
): Projection<State, Event> => ({ initialState: decider.initialState, evolve: decider.evolve })

/**
 * Folds events into the read model, from `state` (by default {@link initial}: a fresh state when
 * `initialState` is a thunk).
 *
 * @example
 * ```ts
 * Projection.fold(count, ["a", "b"]) // 2
 * Projection.fold(count, ["c"], 2) // 3
 * ```
 *
 * @since 0.1.0
 */
export const fold = <State, Event>(
  projection: Projection<State, Event>,
  events: Iterable<Event>,
  state: State = initial(projection)
): State => {
  let current = state
  for (const event of events) current = projection.evolve(current, event)
  return current
}

/**
 * Runs two projections over the same events, keeping both read models side by side.
 *
 * @example
 * ```ts
 * const both = Projection.combine(BankAccount.balances, count) // state: [balances, count]
 * ```
 *
 * @since 0.1.0
 */
export const combine = <StateLeft, EventLeft, StateRight, EventRight>(
  left: Projection<StateLeft, EventLeft>,
  right: Projection<StateRight, EventRight>
): Projection<readonly [StateLeft, StateRight], EventLeft & EventRight> => ({
  initialState: () => [initial(left), initial(right)],
  evolve: ([stateLeft, stateRight], event) => [left.evolve(stateLeft, event), right.evolve(stateRight, event)]
})

/**
 * Adapts the event type: `f` turns each outer event into the projection's event, or `undefined` for
 * events the projection ignores.
 *
 * @example
 * ```ts
 * const depositsOnly = Projection.mapEvent(total, (e: Event) => e._tag === "Deposited" ? e : undefined)
 * ```
 *
 * @since 0.1.0
 */
export const mapEvent = <State, Event, Outer>(
  projection: Projection<State, Event>,
  f: (event: Outer) => Event | undefined
): Projection<State, Outer> => ({
  initialState: projection.initialState,
  evolve: (state, outer) => {
    const event = f(outer)
    return event === undefined ? state : projection.evolve(state, event)
  }
})

/**
 * The same projection reading recorded envelopes: `evolve` gets the envelope and folds its `data`.
 * Use it to combine a projection of events with one that needs the envelope.
 *
 * @example
 * ```ts
 * const both = Projection.combine(Projection.recorded(BankAccount.balances), BankAccount.lastActivity)
 * Projection.fold(both, recordedEvents) // [balances, last activity per stream]
 * ```
 *
 * @since 0.1.0
 */
export const recorded = <State, Event>(
  projection: Projection<State, Event>
): Projection<State, Recorded<Event>> => ({
  initialState: projection.initialState,
  evolve: (state, recorded) => projection.evolve(state, recorded.data)
})
