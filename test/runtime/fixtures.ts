/**
 * Shared fixtures for the runtime tests: the bank-account handler and a store decorator that makes
 * concurrent writers really interleave.
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore } from "@chronicle/runtime"
import { Effect, Layer, Ref, Schedule, Stream } from "effect"

/** The bank-account command handler, with room for heavy contention. */
export const accounts = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamId,
  retry: Schedule.recurs(200)
})

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
