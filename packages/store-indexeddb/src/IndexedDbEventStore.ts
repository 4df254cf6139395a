/**
 * The IndexedDB **EventStore** layer: the event log of a browser app, kept across reloads and shared
 * by all its tabs.
 *
 * - Each `append` is one readwrite transaction: it reads the stream's last record, checks the
 *   expected version, refuses the events with `StreamClosed` if that record is a life-cycle marker
 *   that closes the stream (`EventStore.closedBy`), and adds all events or none. Readwrite
 *   transactions run one at a time, across tabs, so positions are assigned in commit order (1, 2, 3…
 *   without gaps) and no append slips in after an archive marker or a tombstone; a unique index on
 *   `[streamId, version]` guarantees that no two writers both record version n of a stream. An
 *   `appendMany` is the same transaction over all its batches (a single `append` is its one-batch
 *   case), its position condition checked on the log's last position inside it: two racing imports
 *   into one empty database cannot interleave.
 * - Reads by stream and by position go through indexes and key ranges, a page per transaction.
 * - `subscribe` delivers catch-up then live events, including those appended in other tabs: after
 *   each commit a tab posts the new last position on a `BroadcastChannel`, and the others read the
 *   new events from the database.
 * - Failures are typed: {@link IndexedDb.OpenError} when the layer is built, then `StoreError`s
 *   (quota exceeded, connection closed by a newer tab — see {@link IndexedDb}) with nothing
 *   half-written.
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { EventStore, Pages } from "@chronicle/runtime"
import { Effect, Layer, Result, Stream } from "effect"
import type { Scope } from "effect"
import * as IndexedDb from "./IndexedDb.ts"
import * as Connection from "./internal/connection.ts"
import * as Events from "./internal/events.ts"
import * as Head from "./internal/head.ts"

/**
 * How to build the store.
 *
 * @example
 * ```ts
 * IndexedDbEventStore.layer({ name: "bank", pageSize: 256 })
 * ```
 *
 * @since 0.1.0
 */
export interface Options extends IndexedDb.Options {
  /** How many events one read transaction fetches (a positive integer). Default `Pages.defaultPageSize`. */
  readonly pageSize?: number | undefined
}

/**
 * Opens (creating or upgrading) the database `name` and builds the store on it, for the current
 * scope: the connection closes when the scope ends.
 *
 * @example
 * ```ts
 * const store = yield* IndexedDbEventStore.make({ name: "bank" })
 * ```
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<EventStore.Service, IndexedDb.OpenError, Scope.Scope> =>
  Effect.gen(function*() {
    const connection = yield* Connection.open(options.name)
    const lastPosition = connection.transact("last position", undefined, Events.lastPosition)
    const head = yield* Head.make(options.name, lastPosition)
    yield* lastPosition.pipe(
      Effect.flatMap(head.advance),
      Effect.mapError((cause) => new IndexedDb.OpenError({ database: options.name, reason: "Unavailable", cause }))
    )
    const pageSize = options.pageSize

    // Writes checked batches: validation's snapshots of the events, never the caller's objects.
    const appendBatches = <E>(batches: ReadonlyArray<EventStore.Batch>, condition: EventStore.Condition<E>) =>
      Effect.gen(function*() {
        const metadata = yield* EventStore.stampMany(batches)
        // Once committed, the head must move even if the caller is interrupted, or live subscribers
        // in this tab would wait for the next commit. It moves once, to the write's last event.
        const outcome = yield* Effect.uninterruptible(
          connection.transact("append", batches.length === 1 ? batches[0]!.streamId : undefined, (database) =>
            Events.append(database, { batches, metadata, condition })).pipe(
              Effect.tap((outcome) => {
                const last = Result.isSuccess(outcome) ? outcome.success.findLast((result) => result.events.length > 0) : undefined
                return last === undefined ? Effect.void : head.publish(last.events.at(-1)!.position)
              })
            )
        )
        return yield* Effect.fromResult(outcome)
      })

    const appendMany: EventStore.Service["appendMany"] = (batches, options) =>
      Effect.flatMap(
        EventStore.validateMany(batches, options),
        (checked) => appendBatches(checked, EventStore.positionCondition(options))
      )

    const append: EventStore.Service["append"] = (streamId, given, expected) =>
      EventStore.validate(streamId, given).pipe(
        Effect.flatMap((events) => appendBatches([{ streamId, events, expected }], EventStore.anyPosition)),
        Effect.map((results) => results[0]!)
      )

    const readLog = (operation: string): Pages.ReadPage<Envelope.Recorded, EventStore.StoreError> => (from, limit) =>
      connection.transact(operation, undefined, (database) => Events.readLog(database, from, limit))
    const startOf = (range: { readonly from?: number | undefined } | undefined) => Math.max(range?.from ?? 1, 1)

    return {
      append,
      appendMany,
      read: (streamId, range) =>
        Stream.unwrap(Effect.as(
          EventStore.validateRange("read", range, streamId),
          Pages.stream({
            from: startOf(range),
            key: (recorded) => recorded.version,
            pageSize,
            readPage: (from, limit) =>
              connection.transact("read", streamId, (database) =>
                Events.readStream(database, streamId, from, range?.to ?? Infinity, limit))
          })
        )),
      readAll: (range) =>
        Stream.unwrap(Effect.as(
          EventStore.validateRange("read all", range),
          Pages.stream({ from: startOf(range), key: (recorded) => recorded.position, pageSize, readPage: readLog("read all") })
        )),
      subscribe: (range) =>
        Stream.unwrap(Effect.as(
          EventStore.validateRange("subscribe", range),
          Pages.follow({ from: startOf(range), head: head.ref, pageSize, readPage: readLog("subscribe") }).pipe(
            Stream.interruptWhen(connection.closed("subscribe"))
          )
        )),
      lastPosition
    }
  })

/**
 * A layer providing an {@link EventStore.EventStore} on the IndexedDB database `name`. Building it
 * fails with {@link IndexedDb.OpenError} when the database cannot be opened.
 *
 * @example
 * ```ts
 * const runtime = ManagedRuntime.make(IndexedDbEventStore.layer({ name: "bank" }))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<EventStore.EventStore, IndexedDb.OpenError> =>
  Layer.effect(EventStore.EventStore, make(options))
