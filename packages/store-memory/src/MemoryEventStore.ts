/**
 * The in-memory **EventStore** layer: the reference implementation of the port. It keeps the global
 * log in one array and an index of each stream's events. It checks the expected version, writes and
 * moves the head that live subscriptions follow in one synchronous step: no other fiber can
 * interleave between check and write, and no interruption can fall between write and head move. An
 * `appendMany` is that same step over all its batches (a single `append` is its one-batch case): every
 * batch is checked before any is written.
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
import { EventStore, Pages } from "@chronicle/runtime"
import { Clock, Effect, Layer, PubSub, Random, Result, Stream, SubscriptionRef } from "effect"

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

  const tailOf = (streamId: string): EventStore.Tail => {
    const stream = streams.get(streamId)
    return stream === undefined ? { version: 0, type: undefined } : { version: stream.length, type: stream[stream.length - 1]!.type }
  }

  /** Records one admitted batch after the log's last event: a deep-frozen copy of each payload. */
  const record = (
    { events, streamId }: EventStore.Batch,
    actual: number,
    metadata: ReadonlyArray<Envelope.Metadata>
  ): EventStore.AppendResult => {
    // Each record keeps the Schema its payload was encoded with (if any): frozen here, in this
    // process, its payload cannot change, so a reader with the same Schema need not check it again.
    const recorded = events.map((event, i): Envelope.Recorded =>
      Object.freeze(EventStore.keepEncodedWith({
        streamId,
        version: actual + i + 1,
        position: log.length + i + 1,
        type: event.type,
        data: event.data,
        metadata: Object.freeze(metadata[i]!)
      }, event.encodedWith))
    )
    // Append in place: readers only ever get copies (slices), so no one sees the array grow. One
    // push per event: spreading a batch into one call overflows the stack past ~100,000 arguments.
    const stream = streams.get(streamId)
    const into = stream ?? []
    for (const event of recorded) {
      log.push(event)
      into.push(event)
    }
    if (stream === undefined && recorded.length > 0) streams.set(streamId, into)
    return { version: actual + recorded.length, events: recorded }
  }

  // Checks every batch before it writes any, so a refusal writes nothing.
  const write = <E>(
    batches: ReadonlyArray<EventStore.Batch>,
    metadata: ReadonlyArray<ReadonlyArray<Envelope.Metadata>>,
    condition: EventStore.Condition<E>
  ): Result.Result<ReadonlyArray<EventStore.AppendResult>, E | EventStore.WrongExpectedVersion | EventStore.StreamClosed> => {
    const moved = condition(log.length)
    if (moved !== undefined) return Result.fail(moved)
    const starts = EventStore.admit(batches, tailOf)
    return Result.isFailure(starts)
      ? Result.fail(starts.failure)
      : Result.succeed(batches.map((batch, i) => record(batch, starts.success[i]!, metadata[i]!)))
  }

  /**
   * Runs a write and moves the head in one synchronous step, so nothing can come between them (no
   * other fiber, no interruption) and subscribers see the whole write at once. The store is the
   * head's only writer and writes it only here, synchronously, so it moves the ref as the ref's own
   * `set` does (value, then publish), without taking the ref's lock, which orders effectful updates.
   */
  const commit = <A, E>(step: () => Result.Result<A, E>): Result.Result<A, E> => {
    const result = step()
    if (head.value !== log.length) {
      head.value = log.length
      PubSub.publishUnsafe(head.pubsub, log.length)
    }
    return result
  }

  const appendMany: EventStore.Service["appendMany"] = (batches, options) =>
    // Validation hands back the batches with snapshots of their events: that is what is recorded.
    Effect.flatMap(EventStore.validateMany(batches, options), (checked) =>
      Effect.flatMap(EventStore.stampMany(checked), (metadata) =>
        Effect.suspend(() => Effect.fromResult(commit(() => write(checked, metadata, EventStore.positionCondition(options)))))))

  // The one-batch case of `appendMany` (same checks, same record), without the bookkeeping of
  // several batches: it is on every command's path, so it is one synchronous step, with the
  // fiber's Clock and Random looked up once.
  const append: EventStore.Service["append"] = (streamId, given, expected) =>
    Effect.withFiber((fiber): ReturnType<EventStore.Service["append"]> => {
      // Validation hands back a snapshot of the events, their payloads frozen copies: that is what is recorded.
      const events = EventStore.validateResult(streamId, given)
      if (Result.isFailure(events)) return Effect.fail(events.failure)
      const metadata = EventStore.stampWith(fiber.getRef(Clock.Clock), fiber.getRef(Random.Random), events.success)
      return Effect.fromResult(commit(() => {
        const batch = { streamId, events: events.success, expected }
        const start = EventStore.admitBatch(batch, tailOf(streamId))
        return Result.isFailure(start) ? Result.fail(start.failure) : Result.succeed(record(batch, start.success, metadata))
      }))
    })

  const readLog: Pages.ReadPage<Envelope.Recorded, never> = (from, limit) =>
    Effect.sync(() => log.slice(from - 1, from - 1 + limit))
  const startOf = (range: EventStore.PositionRange | undefined) => Math.max(range?.from ?? 1, 1)

  return {
    append,
    appendMany,
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
