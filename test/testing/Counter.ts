/**
 * A tiny domain for testing the testing kit: counters that go up and down but never below zero,
 * and a read model of all counters' totals. Correct on purpose; the tests break it on purpose.
 */
import { Decider, Projection } from "@chronicle/core"
import { Result, Schema } from "effect"
import fc from "fast-check"

export const Command = Schema.TaggedUnion({
  Increment: { counterId: Schema.String, amount: Schema.Int },
  Decrement: { counterId: Schema.String, amount: Schema.Int },
  Reset: { counterId: Schema.String }
})
export type Command = typeof Command.Type

export const Event = Schema.TaggedUnion({
  Incremented: { counterId: Schema.String, amount: Schema.Int },
  Decremented: { counterId: Schema.String, amount: Schema.Int },
  WasReset: { counterId: Schema.String }
})
export type Event = typeof Event.Type

export interface WouldGoNegative {
  readonly _tag: "WouldGoNegative"
  readonly count: number
  readonly amount: number
}

export const evolve = (count: number, event: Event): number => {
  switch (event._tag) {
    case "Incremented":
      return count + event.amount
    case "Decremented":
      return count - event.amount
    case "WasReset":
      return 0
  }
}

export const decide = (command: Command, count: number): Result.Result<ReadonlyArray<Event>, WouldGoNegative> => {
  switch (command._tag) {
    case "Increment":
      return Result.succeed([{ _tag: "Incremented", counterId: command.counterId, amount: command.amount }])
    case "Decrement":
      return command.amount > count
        ? Result.fail({ _tag: "WouldGoNegative", count, amount: command.amount })
        : Result.succeed([{ _tag: "Decremented", counterId: command.counterId, amount: command.amount }])
    case "Reset":
      return count === 0 ? Result.succeed([]) : Result.succeed([{ _tag: "WasReset", counterId: command.counterId }])
  }
}

export const decider = Decider.make({ initialState: 0, decide, evolve })

export const streamId = (message: Command | Event): string => `counter-${message.counterId}`

/** The total of every counter that has seen an event. */
export const totals = Projection.make({
  initialState: new Map<string, number>() as ReadonlyMap<string, number>,
  evolve: (totals: ReadonlyMap<string, number>, event: Event) =>
    new Map(totals).set(event.counterId, evolve(totals.get(event.counterId) ?? 0, event))
})

const counterId = fc.constantFrom("a", "b")
const amount = fc.integer({ min: 1, max: 5 })

export const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ _tag: fc.constant("Increment" as const), counterId, amount }),
  fc.record({ _tag: fc.constant("Decrement" as const), counterId, amount }),
  fc.record({ _tag: fc.constant("Reset" as const), counterId })
)

export const commands: fc.Arbitrary<ReadonlyArray<Command>> = fc.array(command, { maxLength: 20 })

/** Handler options for `CommandHandler.make` and `Laws.liveEqualsReplay`. */
export const handler = { decider, commandSchema: Command, eventSchema: Event, streamId }
