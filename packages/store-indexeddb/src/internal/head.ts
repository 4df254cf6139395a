/**
 * The head of the log as this tab knows it: the position of the last committed event, which live
 * subscriptions (`Pages.follow`) wait on. It moves after each local commit, and when another tab
 * (or another connection in this one) announces a commit on a `BroadcastChannel` named after the
 * database.
 *
 * A message on the channel is only a hint: any script of the origin can post anything there.
 * `Pages.hints` handles them: a hint beyond the head makes the head read the last position from the
 * database and move to that — never to the number in the message, so a bogus hint (`NaN`,
 * `Infinity`, a position not yet written) can neither stop subscriptions nor make them spin.
 *
 * The head only moves forward, so late or repeated messages do no harm — and so the wake-ups of
 * commits that follow each other closely are sent as one, at most every {@link coalesce}
 * milliseconds, carrying the latest position (a message costs about a tenth of a one-event append).
 * A commit that ends after the layer has closed (an append in flight when its scope ended) is
 * announced at once on a channel of its own: no timer outlives the layer.
 *
 * @internal
 */
import { Pages } from "@chronicle/runtime"
import { Effect, SubscriptionRef } from "effect"
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
 * Listens to the channel of database `name` for the current scope; `lastPosition` reads the
 * database's last position when a hint arrives. Listen before reading the initial position, so
 * that no commit falls between the two.
 */
export const make = (name: string, lastPosition: Effect.Effect<number, unknown>): Effect.Effect<Head, never, Scope.Scope> =>
  Effect.gen(function*() {
    const ref = yield* SubscriptionRef.make(0)
    const advance = (position: number) => SubscriptionRef.update(ref, (head) => Math.max(head, position))
    const hint = yield* Pages.hints({ head: ref, lastPosition })
    const channelName = `chronicle/${name}`
    const channel = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const channel = new BroadcastChannel(channelName)
        channel.onmessage = (message: MessageEvent<unknown>) => hint(message.data)
        return channel
      }),
      (channel) => Effect.sync(() => channel.close())
    )
    let closed = false
    let pending: number | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = () => {
      timer = undefined
      if (pending === undefined) return
      if (closed) {
        const once = new BroadcastChannel(channelName)
        once.postMessage(pending)
        once.close()
      } else {
        channel.postMessage(pending)
      }
      pending = undefined
    }
    // Tell the other tabs about the last commit before the channel closes.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        clearTimeout(timer)
        flush()
        closed = true
      })
    )
    const announce = (position: number) =>
      Effect.sync(() => {
        pending = Math.max(pending ?? 0, position)
        if (closed) flush()
        else timer ??= setTimeout(flush, coalesce)
      })
    return { ref, advance, publish: (position) => Effect.andThen(advance(position), announce(position)) }
  })
