/**
 * The head of the log as this instance knows it: the position of the last committed event, which
 * live subscriptions (`Pages.follow`) wait on. It moves after each local commit, and when any
 * instance's commit is announced on the schema's channel (`LISTEN`/`NOTIFY`). Anyone with access
 * to the database can `NOTIFY` anything there, so a notification is only a hint (`Pages.hints`):
 * one beyond the head makes the head read the last position from the table, the source of truth,
 * and move to that — never to the number notified, so a bogus payload (text, a huge or negative
 * number) can neither stop subscribers nor make them spin. The head only moves forward, so late or
 * repeated notifications do no harm.
 *
 * Listening starts with the first subscription ({@link Head.following}), not before: every
 * listener hears every append of every instance, its own included, and each notification wakes
 * the listening backend and this process — on a busy server about as much work again as the
 * append itself. An instance that only writes never pays for it. Once started, it listens until
 * its scope ends.
 *
 * The listening connection can be lost (a restart, a network cut): notifications sent meanwhile
 * are lost with it. So the listener listens again, `reconnectDelay` after each loss or failed attempt,
 * and after each `LISTEN` reads the last position before waiting for notifications: no commit is
 * missed, it is only seen later.
 *
 * @internal
 */
import type { PgClient } from "@effect/sql-pg"
import { Pages } from "@chronicle/runtime"
import { Duration, Effect, Queue, Scope, SubscriptionRef } from "effect"
import type { SqlError } from "effect/sql"

/** The head of one log. */
export interface Head {
  readonly ref: SubscriptionRef.SubscriptionRef<number>
  /** Moves the head to `position` if it is further. */
  readonly advance: (position: number) => Effect.Effect<void>
  /**
   * Starts listening, once: the head then also follows the other instances' appends (the first
   * `LISTEN` is followed by a read of the last position, which moves the head there).
   */
  readonly following: Effect.Effect<void>
}

/**
 * Makes the head for the current scope; it listens on `channel` once {@link Head.following} has
 * run, and until the scope ends. A failed `LISTEN` is retried in the background.
 */
export const make = (options: {
  readonly client: PgClient.PgClient
  readonly channel: string
  readonly lastPosition: Effect.Effect<number, SqlError.SqlError>
  readonly reconnectDelay?: Duration.Input | undefined
}): Effect.Effect<Head, never, Scope.Scope> =>
  Effect.gen(function*() {
    const ref = yield* SubscriptionRef.make(0)
    const advance = (position: number) => SubscriptionRef.update(ref, (head) => Math.max(head, position))
    // Listen first, then read: a commit between the two is both read and announced, never neither.
    const listen = Effect.tap(options.client.listen(options.channel), () =>
      Effect.flatMap(options.lastPosition, advance))
    const hint = yield* Pages.hints({ head: ref, lastPosition: options.lastPosition })
    // A payload that is not a number's text (`Number` gives NaN) is ignored as any bogus hint is.
    const follow = (notifications: Queue.Dequeue<{ readonly payload: string }, SqlError.SqlError>) =>
      Effect.forever(Effect.flatMap(Queue.take(notifications), ({ payload }) => Effect.sync(() => hint(Number(payload)))))
    // Each attempt listens until its connection is lost, or fails to listen.
    const attempt = Effect.scoped(Effect.flatMap(listen, follow)).pipe(
      Effect.catch((error) => Effect.logDebug(`Chronicle: listening on ${options.channel} failed; listening again`, error))
    )
    const listening = Effect.forever(Effect.andThen(attempt, Effect.sleep(options.reconnectDelay ?? Duration.millis(250))))
    const following = yield* Effect.cached(Effect.asVoid(Effect.forkIn(listening, yield* Scope.Scope)))
    return { ref, advance, following }
  })
