/**
 * The in-memory **EventStore** layer: the reference implementation of the port. It keeps the global
 * log in one array and an index of each stream's events. It checks the expected version, writes and
 * moves the head that live subscriptions follow in one synchronous step: no other fiber can
 * interleave between check and write, and no interruption can fall between write and head move.
 *
 * Recorded events are immutable: an append records the deep-frozen copy of each payload that
 * `EventStore.validate` makes as it checks it (the caller keeps its own objects, free to change),
 * and reads hand out those frozen records, so no caller can change what another one reads.
 *
 * It is what tests, the playground's memory mode and one-process apps use; the contract suite in
 * `@chronicle/testing` holds every other layer to its behaviour.
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { EventStore, Pages } from "@chronicle/runtime"
import { Effect, Layer, Result, Stream, SubscriptionRef } from "effect"

/**
 * Builds an empty in-memory store. Each call gives a new, independent store.
 *
 * @example
 * ```ts
 * const store = yield* MemoryEventStore.make
 * ```
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<EventStore.Service> = Effect.gen(function*() {
  const log: Array<Envelope.Recorded> = []
  const streams = new Map<string, Array<Envelope.Recorded>>()
  const head = yield* SubscriptionRef.make(0)

  const write = (
    streamId: string,
    events: ReadonlyArray<EventStore.Pending>,
    expected: ExpectedVersion.ExpectedVersion,
    metadata: ReadonlyArray<Envelope.Metadata>
  ): Result.Result<EventStore.AppendResult, EventStore.WrongExpectedVersion | EventStore.StreamClosed> => {
    const stream = streams.get(streamId)
    const actual = stream?.length ?? 0
    if (!ExpectedVersion.matches(expected, actual)) {
      return Result.fail(new EventStore.WrongExpectedVersion({ streamId, expected, actual }))
    }
    const closure = EventStore.closedBy(stream?.at(-1)?.type, events)
    if (closure !== undefined) return Result.fail(new EventStore.StreamClosed({ streamId, closure }))
    const recorded = events.map((event, i): Envelope.Recorded =>
      Object.freeze({
        streamId,
        version: actual + i + 1,
        position: log.length + i + 1,
        type: event.type,
        data: event.data,
        metadata: Object.freeze(metadata[i]!)
      })
    )
    // Append in place: readers only ever get copies (slices), so no one sees the array grow. One
    // push per event: spreading a batch into one call overflows the stack past ~100,000 arguments.
    const into = stream ?? []
    for (const event of recorded) {
      log.push(event)
      into.push(event)
    }
    if (stream === undefined && recorded.length > 0) streams.set(streamId, into)
    return Result.succeed({ version: actual + recorded.length, events: recorded })
  }

  const append: EventStore.Service["append"] = (streamId, events, expected) =>
    // Validation hands back a snapshot of the events, their payloads frozen copies: that is what is recorded.
    EventStore.validate(streamId, events).pipe(
      Effect.flatMap((events) =>
        EventStore.stamp(events).pipe(
          // Write and head move in one step, so an interruption cannot leave subscribers behind the log.
          Effect.flatMap((metadata) =>
            SubscriptionRef.modify(head, () => [write(streamId, events, expected, metadata), log.length] as const)
          )
        )
      ),
      Effect.flatMap(Effect.fromResult)
    )

  const readLog: Pages.ReadPage<Envelope.Recorded, never> = (from, limit) =>
    Effect.sync(() => log.slice(from - 1, from - 1 + limit))
  const startOf = (range: EventStore.PositionRange | undefined) => Math.max(range?.from ?? 1, 1)

  return {
    append,
    read: (streamId, range) => {
      const to = range?.to ?? Number.MAX_SAFE_INTEGER
      const events = Pages.stream<Envelope.Recorded, never>({
        from: startOf(range),
        key: (recorded) => recorded.version,
        readPage: (version, limit) =>
          Effect.sync(() => (streams.get(streamId) ?? []).slice(version - 1, Math.min(version - 1 + limit, to)))
      })
      return Stream.unwrap(Effect.as(EventStore.validateRange("read", range, streamId), events))
    },
    readAll: (range) =>
      Stream.unwrap(Effect.as(
        EventStore.validateRange("read all", range),
        Pages.stream({ from: startOf(range), key: (recorded) => recorded.position, readPage: readLog })
      )),
    subscribe: (range) =>
      Stream.unwrap(Effect.as(
        EventStore.validateRange("subscribe", range),
        Pages.follow({ from: startOf(range), head, readPage: readLog })
      )),
    lastPosition: Effect.sync(() => log.length)
  }
})

/**
 * A layer providing a fresh, empty in-memory {@link EventStore.EventStore}.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(MemoryEventStore.layer))
 * ```
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<EventStore.EventStore> = Layer.effect(EventStore.EventStore, make)
