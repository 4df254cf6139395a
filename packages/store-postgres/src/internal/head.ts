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
 * The listening connection can be lost (a restart, a network cut): notifications sent meanwhile
 * are lost with it. So the listener listens again, `reconnectDelay` after each loss or failed attempt,
 * and after each `LISTEN` reads the last position before waiting for notifications: no commit is
 * missed, it is only seen later.
 *
 * @internal
 */
import type { PgClient } from "@effect/sql-pg"
import { Pages } from "@chronicle/runtime"
import { Duration, Effect, Exit, Queue, Scope, SubscriptionRef } from "effect"
import type { SqlError } from "effect/sql"

/** The head of one log. */
export interface Head {
  readonly ref: SubscriptionRef.SubscriptionRef<number>
  /** Moves the head to `position` if it is further. */
  readonly advance: (position: number) => Effect.Effect<void>
}

/**
 * Listens on `channel` for the current scope and follows the head. Fails if the first `LISTEN`
 * fails; later losses of the connection are retried in the background.
 */
export const make = (options: {
  readonly client: PgClient.PgClient
  readonly channel: string
  readonly lastPosition: Effect.Effect<number, SqlError.SqlError>
  readonly reconnectDelay?: Duration.Input | undefined
}): Effect.Effect<Head, SqlError.SqlError, Scope.Scope> =>
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
    const relisten = Effect.sleep(options.reconnectDelay ?? Duration.millis(250)).pipe(
      Effect.andThen(Effect.scoped(Effect.flatMap(listen, follow))),
      Effect.catch((error) =>
        Effect.logDebug(`Chronicle: listening on ${options.channel} failed; listening again`, error)
      ),
      Effect.forever
    )
    const scope = yield* Scope.Scope
    const first = yield* Scope.fork(scope)
    const notifications = yield* Scope.provide(listen, first)
    yield* follow(notifications).pipe(
      Effect.ensuring(Scope.close(first, Exit.void)),
      Effect.catch(() => Effect.void),
      Effect.andThen(relisten),
      Effect.forkIn(scope)
    )
    return { ref, advance }
  })
