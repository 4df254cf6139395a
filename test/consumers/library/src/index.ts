/**
 * A user's library built on Chronicle: a counter decider, a projection and a command handler, all
 * exported with inferred types (no annotations), compiled with `declaration: true`. Its `.d.ts` must
 * name Chronicle's types through the packages' public entry points.
 */
import { Decider, Projection } from "@chronicle/core"
import { CommandHandler } from "@chronicle/runtime"
import { Result, Schema } from "effect"

export const Command = Schema.TaggedUnion({
  Increment: { counterId: Schema.String, by: Schema.Int.check(Schema.isGreaterThan(0)) },
  Reset: { counterId: Schema.String }
})

export const Event = Schema.TaggedUnion({
  Incremented: { counterId: Schema.String, by: Schema.Int },
  WasReset: { counterId: Schema.String }
})

export const decider = Decider.make({
  initialState: 0,
  decide: (command: typeof Command.Type, count: number) =>
    command._tag === "Increment"
      ? Result.succeed([{ _tag: "Incremented" as const, counterId: command.counterId, by: command.by }])
      : count === 0
      ? Result.fail("AlreadyZero" as const)
      : Result.succeed([{ _tag: "WasReset" as const, counterId: command.counterId }]),
  evolve: (count: number, event: typeof Event.Type) => event._tag === "Incremented" ? count + event.by : 0
})

export const total = Projection.make({
  initialState: 0,
  evolve: (sum: number, event: typeof Event.Type) => event._tag === "Incremented" ? sum + event.by : sum
})

export const counters = CommandHandler.make({
  decider,
  commandSchema: Command,
  eventSchema: Event,
  streamId: (command) => `counter-${command.counterId}`
})
