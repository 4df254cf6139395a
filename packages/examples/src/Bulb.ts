/**
 * **Bulb**: the light bulb of Jérémie Chassaing's "Functional Event Sourcing Decider". A bulb is
 * fitted with a number of uses; each switch-on uses one; switching on a bulb with no use left blows
 * it instead, for good (the terminal state).
 *
 * Switching on a bulb that is on, or off a bulb that is off, changes nothing: the decision is
 * "no event", as in Chassaing's decider. Where his decider also answers "no event" to a bulb that is
 * not fitted or blown (its catch-all case), this one rejects the command, so that the caller learns
 * why nothing happened; fitting a bulb twice is a rejection in both.
 *
 * @example
 * ```ts
 * import { Decider } from "@chronicle/core"
 * import { Bulb } from "@chronicle/examples"
 *
 * Decider.run(Bulb.decider, [
 *   { _tag: "Fit", bulbId: "hall", maxUses: 1 },
 *   { _tag: "SwitchOn", bulbId: "hall" },
 *   { _tag: "SwitchOff", bulbId: "hall" },
 *   { _tag: "SwitchOn", bulbId: "hall" }
 * ]) // events: Fitted, SwitchedOn, SwitchedOff, Blew; state: { _tag: "Blown" }
 * ```
 *
 * @since 0.1.0
 */
import { Decider } from "@chronicle/core"
import { Result, Schema } from "effect"

const BulbId = Schema.NonEmptyString

const Uses = Schema.Int.check(Schema.isGreaterThan(0))

/**
 * The commands a bulb accepts.
 *
 * @since 0.1.0
 */
export const Command = Schema.TaggedUnion({
  Fit: { bulbId: BulbId, maxUses: Uses },
  SwitchOn: { bulbId: BulbId },
  SwitchOff: { bulbId: BulbId }
})

/**
 * A command to a bulb: `Fit` (with how many times it can be switched on), `SwitchOn` or `SwitchOff`.
 *
 * @since 0.1.0
 */
export type Command = typeof Command.Type

/**
 * The events a bulb records.
 *
 * @since 0.1.0
 */
export const Event = Schema.TaggedUnion({
  Fitted: { bulbId: BulbId, maxUses: Uses },
  SwitchedOn: { bulbId: BulbId },
  SwitchedOff: { bulbId: BulbId },
  Blew: { bulbId: BulbId }
})

/**
 * An event of a bulb: `Fitted`, `SwitchedOn`, `SwitchedOff` or `Blew`.
 *
 * @since 0.1.0
 */
export type Event = typeof Event.Type

/**
 * Why a bulb refuses a command.
 *
 * @since 0.1.0
 */
export const Rejection = Schema.TaggedUnion({
  AlreadyFitted: { bulbId: BulbId },
  NotFitted: { bulbId: BulbId },
  Blown: { bulbId: BulbId }
})

/**
 * A refusal: the bulb is already fitted (so cannot be fitted again), not fitted yet, or blown.
 *
 * @since 0.1.0
 */
export type Rejection = typeof Rejection.Type

/**
 * A bulb is not fitted yet, working (on or off, with the switch-ons it has left), or blown.
 *
 * @since 0.1.0
 */
export type State =
  | { readonly _tag: "NotFitted" }
  | { readonly _tag: "Working"; readonly status: "On" | "Off"; readonly remainingUses: number }
  | { readonly _tag: "Blown" }

type Decision = Result.Result<ReadonlyArray<Event>, Rejection>

type Working = Extract<State, { readonly _tag: "Working" }>

const notFitted = (command: Command): Decision =>
  command._tag === "Fit"
    ? Result.succeed([{ _tag: "Fitted", bulbId: command.bulbId, maxUses: command.maxUses }])
    : Result.fail({ _tag: "NotFitted", bulbId: command.bulbId })

const working = (command: Command, { status, remainingUses }: Working): Decision => {
  const { bulbId } = command
  switch (command._tag) {
    case "Fit":
      return Result.fail({ _tag: "AlreadyFitted", bulbId })
    case "SwitchOn":
      if (status === "On") return Result.succeed([])
      return Result.succeed([remainingUses > 0 ? { _tag: "SwitchedOn", bulbId } : { _tag: "Blew", bulbId }])
    case "SwitchOff":
      return Result.succeed(status === "On" ? [{ _tag: "SwitchedOff", bulbId }] : [])
  }
}

/**
 * The bulb decider: Chassaing's, with typed rejections for a bulb that is not fitted or blown. It
 * reads as the state machine it is: a bulb that is not fitted can only be fitted, a blown bulb
 * refuses everything, and a working bulb is switched.
 *
 * @example
 * ```ts
 * Bulb.decider.decide({ _tag: "SwitchOn", bulbId: "hall" }, { _tag: "Working", status: "Off", remainingUses: 0 })
 * // Result.succeed([{ _tag: "Blew", bulbId: "hall" }])
 * ```
 *
 * @since 0.1.0
 */
export const decider = Decider.make<Command, State, Event, Rejection>({
  initialState: { _tag: "NotFitted" },
  decide: (command, state) => {
    switch (state._tag) {
      case "NotFitted":
        return notFitted(command)
      case "Working":
        return working(command, state)
      case "Blown":
        return Result.fail({ _tag: "Blown", bulbId: command.bulbId })
    }
  },
  evolve: (state, event) => {
    switch (event._tag) {
      case "Fitted":
        return { _tag: "Working", status: "Off", remainingUses: event.maxUses }
      case "SwitchedOn":
        return state._tag === "Working" ? { ...state, status: "On", remainingUses: state.remainingUses - 1 } : state
      case "SwitchedOff":
        return state._tag === "Working" ? { ...state, status: "Off" } : state
      case "Blew":
        return { _tag: "Blown" }
    }
  },
  isTerminal: (state) => state._tag === "Blown"
})

/**
 * The stream of a bulb, from its id: `bulb-<bulbId>`. Use it where you hold an id, e.g. to
 * load the stream with a `StreamState`.
 *
 * @example
 * ```ts
 * Bulb.streamId("hall") // "bulb-hall"
 * const { state, version } = yield* bulbs.load(Bulb.streamId("hall"))
 * ```
 *
 * @since 0.1.0
 */
export const streamId = (bulbId: string): string => `bulb-${bulbId}`

/**
 * The stream a command or an event of a bulb belongs to (both name their bulb): the
 * `streamId` option of a `CommandHandler`.
 *
 * @example
 * ```ts
 * Bulb.streamIdOf({ _tag: "SwitchOn", bulbId: "hall" }) // "bulb-hall"
 * const handler = CommandHandler.make({
 *   decider: Bulb.decider,
 *   commandSchema: Bulb.Command,
 *   eventSchema: Bulb.Event,
 *   streamId: Bulb.streamIdOf
 * })
 * ```
 *
 * @since 0.1.0
 */
export const streamIdOf = (message: Command | Event): string => streamId(message.bulbId)
