/**
 * The in-memory **EventStore** layer: the reference implementation of the port. It keeps the global
 * log in one array and an index of each stream's events, checks the expected version and writes in
 * one synchronous step (so no other fiber can interleave between check and write), then moves the
 * head that live subscriptions follow.
 *
 * It is what tests, the playground's memory mode and one-process apps use; the contract suite in
 * `@chronicle/testing` holds every other layer to its behaviour.
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { EventStore, Pages } from "@chronicle/runtime"
import { Effect, Layer, Result, SubscriptionRef } from "effect"

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
    const recorded = events.map((event, i): Envelope.Recorded => ({
      streamId,
      version: actual + i + 1,
      position: log.length + i + 1,
      type: event.type,
      data: event.data,
      metadata: metadata[i]!
    }))
    if (recorded.length > 0) {
      // Append in place: readers only ever get copies (slices), so no one sees the array grow.
      log.push(...recorded)
      if (stream === undefined) streams.set(streamId, [...recorded])
      else stream.push(...recorded)
    }
    return Result.succeed({ version: actual + recorded.length, events: recorded })
  }

  const append: EventStore.Service["append"] = (streamId, events, expected) =>
    EventStore.validate(streamId, events).pipe(
      Effect.andThen(EventStore.stamp(events)),
      Effect.flatMap((metadata) => {
        const result = write(streamId, events, expected, metadata)
        if (Result.isFailure(result)) return Effect.fail(result.failure)
        return result.success.events.length === 0
          ? Effect.succeed(result.success)
          : Effect.as(SubscriptionRef.update(head, (position) => Math.max(position, log.length)), result.success)
      })
    )

  const readLog: Pages.ReadPage<Envelope.Recorded, never> = (from, limit) =>
    Effect.sync(() => log.slice(from - 1, from - 1 + limit))
  const startOf = (range: EventStore.PositionRange | undefined) => Math.max(range?.from ?? 1, 1)

  return {
    append,
    read: (streamId, range) => {
      const from = startOf(range)
      const to = Math.max(range?.to ?? Number.MAX_SAFE_INTEGER, 0) // a negative end would count from the end in `slice`
      return Pages.stream({
        from,
        key: (recorded) => recorded.version,
        readPage: (version, limit) =>
          Effect.sync(() => (streams.get(streamId) ?? []).slice(version - 1, Math.min(version - 1 + limit, to)))
      })
    },
    readAll: (range) => Pages.stream({ from: startOf(range), key: (recorded) => recorded.position, readPage: readLog }),
    subscribe: (range) => Pages.follow({ from: startOf(range), head, readPage: readLog }),
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
