/** Two tiny deciders for the combinator tests: a bounded counter and a toggle. */
import { Decider } from "@chronicle/core"
import { Result } from "effect"

export type CounterCommand = { readonly _tag: "Increment" } | { readonly _tag: "Reset" }
export type CounterEvent = { readonly _tag: "Incremented" } | { readonly _tag: "WasReset" }

/** Counts up to 3, then refuses; `Reset` goes back to 0. Terminal never. */
export const counter = Decider.make<CounterCommand, number, CounterEvent, "Full">({
  initialState: 0,
  decide: (command, count) =>
    command._tag === "Reset"
      ? Result.succeed([{ _tag: "WasReset" }])
      : count >= 3
      ? Result.fail("Full")
      : Result.succeed([{ _tag: "Incremented" }]),
  evolve: (count, event) => event._tag === "Incremented" ? count + 1 : 0
})

export type ToggleCommand = { readonly _tag: "Flip" } | { readonly _tag: "Break" }
export type ToggleEvent = { readonly _tag: "Flipped" } | { readonly _tag: "Broke" }

/** Flips between on and off until broken; broken is terminal. */
export const toggle = Decider.make<ToggleCommand, "on" | "off" | "broken", ToggleEvent, "Broken">({
  initialState: "off",
  decide: (command, state) =>
    state === "broken"
      ? Result.fail("Broken")
      : Result.succeed([command._tag === "Flip" ? { _tag: "Flipped" } : { _tag: "Broke" }]),
  evolve: (state, event) => event._tag === "Broke" ? "broken" : state === "on" ? "off" : "on",
  isTerminal: (state) => state === "broken"
})

export const isCounterCommand = (command: CounterCommand | ToggleCommand): command is CounterCommand =>
  command._tag === "Increment" || command._tag === "Reset"
export const isCounterEvent = (event: CounterEvent | ToggleEvent): event is CounterEvent =>
  event._tag === "Incremented" || event._tag === "WasReset"
