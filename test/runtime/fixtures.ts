/**
 * Shared fixtures for the runtime tests: how to handle the example domains' commands, the
 * bank-account handler, a projection that throws (for the defect tests), and a store decorator
 * that makes concurrent writers really interleave.
 */
import { Projection } from "@chronicle/core"
import { BankAccount, Bulb, User } from "@chronicle/examples"
import { CommandHandler, EventStore } from "@chronicle/runtime"
import { Effect, Layer, Ref, Schedule, Stream } from "effect"

/** The options of a bank-account `CommandHandler`. */
export const bankAccount = {
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf
}

/** The options of a user `CommandHandler`, with the user's upcasters. */
export const user = {
  decider: User.decider,
  commandSchema: User.Command,
  eventSchema: User.Event,
  upcasters: User.upcasters,
  streamId: User.streamIdOf
}

/** The options of a light-bulb `CommandHandler`. */
export const bulb = {
  decider: Bulb.decider,
  commandSchema: Bulb.Command,
  eventSchema: Bulb.Event,
  streamId: Bulb.streamIdOf
}

/** What the throwing code of the defect tests throws. */
export const boom = new Error("boom")

/** Counts the events; throws {@link boom} at the first deposit. */
export const throwsOnDeposit = Projection.make({
  initialState: 0,
  evolve: (count: number, event: BankAccount.Event) => {
    if (event._tag === "Deposited") throw boom
    return count + 1
  }
})

/** The bank-account command handler, with room for heavy contention. */
export const accounts = CommandHandler.make({ ...bankAccount, retry: Schedule.recurs(200) })

/**
 * Wraps the store so that every read yields to other fibers before it starts and every append
 * yields before it writes: concurrent handlers then load the same version and race to append,
 * which the in-memory store would otherwise never let happen. Counts the conflicts it sees.
 */
export const contended = (conflicts: Ref.Ref<number>) =>
  Layer.effect(
    EventStore.EventStore,
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      return {
        ...store,
        read: (streamId, range) => Stream.unwrap(Effect.as(Effect.yieldNow, store.read(streamId, range))),
        append: (streamId, events, expected) =>
          Effect.yieldNow.pipe(
            Effect.andThen(store.append(streamId, events, expected)),
            Effect.tapError((error) => error._tag === "WrongExpectedVersion" ? Ref.update(conflicts, (n) => n + 1) : Effect.void)
          )
      } satisfies EventStore.Service
    })
  )
