/**
 * **Pages**: reading a store page by page. A store layer supplies one function that reads a page of
 * records from a position; these helpers turn it into the port's streams, so every layer reads,
 * catches up and follows the log the same way:
 *
 * - {@link stream}: pages from a starting key until a short page (`read`, `readAll`).
 * - {@link follow}: catch-up then live (`subscribe`), waking up whenever the store's head moves.
 * - {@link hints}: moves a head on other writers' announcements without trusting them.
 *
 * A subscription never misses an event: it waits until the head reaches the next position it needs
 * and then reads from the store, the single source of truth. `SubscriptionRef.changes` starts with
 * the current head, so a head that moved before the wait began is seen at once. It never delivers an
 * event twice: each page starts after the last event delivered.
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { Effect, FiberSet, Option, Stream, SubscriptionRef } from "effect"
import type { Scope } from "effect"

/**
 * Reads up to `limit` items whose key is `from` or more, in key order.
 *
 * @since 0.1.0
 */
export type ReadPage<A, E> = (from: number, limit: number) => Effect.Effect<ReadonlyArray<A>, E>

/**
 * How many records a layer reads per page unless told otherwise.
 *
 * @since 0.1.0
 */
export const defaultPageSize = 1024

/**
 * Streams items page by page from `from` until a page comes back shorter than `pageSize`.
 * `key` gives an item's key (a version or a position); the next page starts after the last key.
 *
 * @since 0.1.0
 */
export const stream = <A, E>(options: {
  readonly from: number
  readonly readPage: ReadPage<A, E>
  readonly key: (item: A) => number
  readonly pageSize?: number | undefined
}): Stream.Stream<A, E> => {
  const pageSize = options.pageSize ?? defaultPageSize
  return Stream.paginate(options.from, (from) =>
    Effect.map(options.readPage(from, pageSize), (page) => {
      const last = page.at(-1)
      return [
        page,
        page.length < pageSize || last === undefined ? Option.none() : Option.some(options.key(last) + 1)
      ] as const
    }))
}

/**
 * Follows the global log from `from`: everything already recorded, then each event as the head
 * reaches it. `head` holds the position of the last committed event; the store moves it forward
 * after each commit (and, for shared stores, when another writer commits).
 *
 * @since 0.1.0
 */
export const follow = <E>(options: {
  readonly from: number
  readonly head: SubscriptionRef.SubscriptionRef<number>
  readonly readPage: ReadPage<Envelope.Recorded, E>
  readonly pageSize?: number | undefined
}): Stream.Stream<Envelope.Recorded, E> => {
  const pageSize = options.pageSize ?? defaultPageSize
  const reached = (position: number) =>
    SubscriptionRef.changes(options.head).pipe(
      Stream.filter((head) => head >= position),
      Stream.runHead
    )
  return Stream.paginate(options.from, (from) =>
    reached(from).pipe(
      Effect.andThen(options.readPage(from, pageSize)),
      Effect.map((page) => [page, Option.some((page.at(-1)?.position ?? from - 1) + 1)] as const)
    ))
}

/**
 * Makes the handler of a layer's wake-up messages from other writers (a `BroadcastChannel`, a
 * PostgreSQL `NOTIFY`), for the current scope. Anyone who can send one can send anything, so a
 * message is only a hint: one that is not a safe integer beyond the head is ignored; one that is
 * makes the head read the store's last position (`lastPosition`) and move to that — never to the
 * number in the message. So a bogus hint (`NaN`, a huge or negative number, a position not yet
 * written) can neither stop subscriptions nor make them spin. Hints that arrive while a read runs are
 * served by one more read after it. A failed read leaves the head where it is; the next hint reads
 * again. The head only moves forward.
 *
 * @example
 * ```ts
 * const hint = yield* Pages.hints({ head, lastPosition })
 * channel.onmessage = (message) => hint(message.data)
 * ```
 *
 * @since 0.1.0
 */
export const hints = (options: {
  readonly head: SubscriptionRef.SubscriptionRef<number>
  readonly lastPosition: Effect.Effect<number, unknown>
}): Effect.Effect<(hint: unknown) => void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { head } = options
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    let reading = false
    let hinted = false
    const refresh: Effect.Effect<void> = Effect.suspend(() => {
      hinted = false
      return options.lastPosition.pipe(
        Effect.flatMap((position) => SubscriptionRef.update(head, (current) => Math.max(current, position))),
        Effect.ignore,
        Effect.andThen(Effect.suspend(() => hinted ? refresh : Effect.sync(() => void (reading = false))))
      )
    })
    return (hint: unknown) => {
      if (!(Number.isSafeInteger(hint) && (hint as number) > SubscriptionRef.getUnsafe(head))) return
      if (reading) {
        hinted = true
      } else {
        reading = true
        run(refresh)
      }
    }
  })
