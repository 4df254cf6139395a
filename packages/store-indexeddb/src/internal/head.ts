/**
 * The head of the log as this tab knows it: the position of the last committed event, which live
 * subscriptions (`Pages.follow`) wait on. It moves after each local commit, and when another tab
 * (or another connection in this one) announces a commit on a `BroadcastChannel` named after the
 * database. The message is only a wake-up: subscribers then read the store, the source of truth.
 * The head only moves forward, so late or repeated messages do no harm.
 *
 * @internal
 */
import { Effect, FiberSet, SubscriptionRef } from "effect"
import type { Scope } from "effect"

/** The shared head of one database's log. */
export interface Head {
  readonly ref: SubscriptionRef.SubscriptionRef<number>
  /** Moves the head to `position` if it is further. */
  readonly advance: (position: number) => Effect.Effect<void>
  /** After a commit here: moves the head and tells the other tabs. */
  readonly publish: (position: number) => Effect.Effect<void>
}

/**
 * Listens to the channel of database `name` for the current scope. Listen before reading the
 * initial position, so that no commit falls between the two.
 */
export const make = (name: string): Effect.Effect<Head, never, Scope.Scope> =>
  Effect.gen(function*() {
    const ref = yield* SubscriptionRef.make(0)
    const advance = (position: number) => SubscriptionRef.update(ref, (head) => Math.max(head, position))
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const channel = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const channel = new BroadcastChannel(`chronicle/${name}`)
        channel.onmessage = (message: MessageEvent<unknown>) => {
          if (typeof message.data === "number") run(advance(message.data))
        }
        return channel
      }),
      (channel) => Effect.sync(() => channel.close())
    )
    return {
      ref,
      advance,
      publish: (position) => Effect.andThen(advance(position), Effect.sync(() => channel.postMessage(position)))
    }
  })
