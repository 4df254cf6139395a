/**
 * The head of the log as this tab knows it: the position of the last committed event, which live
 * subscriptions (`Pages.follow`) wait on. It moves after each local commit, and when another tab
 * (or another connection in this one) announces a commit on a `BroadcastChannel` named after the
 * database. The message is only a wake-up: subscribers then read the store, the source of truth.
 * The head only moves forward, so late or repeated messages do no harm — and so the wake-ups of
 * commits that follow each other closely are sent as one, at most every {@link coalesce}
 * milliseconds, carrying the latest position (a message costs about a tenth of a one-event append).
 *
 * @internal
 */
import { Effect, FiberSet, SubscriptionRef } from "effect"
import type { Scope } from "effect"

/** How long a wake-up for other tabs may wait for the commits that follow it (ms). */
export const coalesce = 4

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
    let pending: number | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = () => {
      timer = undefined
      if (pending !== undefined) channel.postMessage(pending)
      pending = undefined
    }
    // Tell the other tabs about the last commit before the channel closes.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        clearTimeout(timer)
        flush()
      })
    )
    const announce = (position: number) =>
      Effect.sync(() => {
        pending = Math.max(pending ?? 0, position)
        timer ??= setTimeout(flush, coalesce)
      })
    return { ref, advance, publish: (position) => Effect.andThen(advance(position), announce(position)) }
  })
