/**
 * The **EventStore** port: where streams of recorded events live. Every store layer (in memory,
 * IndexedDB, …) implements this one service and passes the one contract suite in
 * `@chronicle/testing`, so domain code and programs never depend on which layer they run on.
 *
 * The port is domain-agnostic: it stores payloads in their Schema-encoded, JSON-safe form and knows
 * nothing of the domain's types. {@link Codec} encodes on the way in and decodes on the way out.
 *
 * Contract:
 * - `append` is atomic (all events or none) and checks the {@link ExpectedVersion} inside the write;
 *   versions continue 1, 2, 3… without gaps. A mismatch fails with {@link WrongExpectedVersion}.
 *   Payloads must be JSON; an append that is not ({@link validate}) fails with {@link StoreError}.
 * - Global positions are strictly increasing in commit order (a layer may leave gaps).
 * - `read` returns a stream's events in version order; `readAll` all events in global order.
 * - `subscribe` delivers catch-up then live events in global order: no gap, no duplicate.
 * - Streams have a life cycle: {@link archive} closes a stream for writing and {@link remove} ends it
 *   with a tombstone. Both record a marker event, so the global log (and every projection) sees them;
 *   after a marker the layer refuses appends with {@link StreamClosed} ({@link closedBy} says when).
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { Clock, Context, Data, Effect, Random, Schema } from "effect"
import type { Stream } from "effect"

/**
 * An event to append: its type, its encoded payload and the metadata the writer passes along.
 *
 * @since 0.1.0
 */
export interface Pending {
  /** The event's type (the `_tag` of a tagged event). */
  readonly type: string
  /** The Schema-encoded, JSON-safe payload. */
  readonly data: unknown
  /** Correlation, causation and command ids; the store adds the event id and time of recording. */
  readonly trace?: Envelope.Trace | undefined
  /** The version of the event type's shape the payload is written in (default 1). */
  readonly schemaVersion?: number | undefined
  /** Keeps an event's id when a log is imported; new events get a fresh one. */
  readonly eventId?: string | undefined
  /** Keeps an event's time of recording when a log is imported; new events get the `Clock`'s. */
  readonly recordedAt?: number | undefined
}

/**
 * What an accepted append wrote.
 *
 * @since 0.1.0
 */
export interface AppendResult {
  /** The stream's version after the append. */
  readonly version: number
  /** The events as recorded (empty when nothing was appended). */
  readonly events: ReadonlyArray<Envelope.Recorded>
}

/**
 * A version range of a stream, both ends included. `from` defaults to 1, `to` to the last version.
 *
 * @since 0.1.0
 */
export interface VersionRange {
  readonly from?: number | undefined
  readonly to?: number | undefined
}

/**
 * Where to start reading the global log: the first position to deliver (default 1). A projection
 * that has applied position `p` resumes `from: p + 1`.
 *
 * @since 0.1.0
 */
export interface PositionRange {
  readonly from?: number | undefined
}

/**
 * The append was refused: the stream is not where the writer expected it. Nothing was written.
 *
 * @since 0.1.0
 */
export class WrongExpectedVersion extends Data.TaggedError("WrongExpectedVersion")<{
  readonly streamId: string
  readonly expected: ExpectedVersion.ExpectedVersion
  readonly actual: number
}> {
  override get message(): string {
    return `Stream "${this.streamId}": expected ${ExpectedVersion.format(this.expected)}, but it is at version ${this.actual}`
  }
}

/**
 * The storage itself failed or refused the request (unavailable, quota, invalid argument). Says which
 * operation, on which stream where there is one, and why.
 *
 * @since 0.1.0
 */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly operation: string
  readonly streamId?: string | undefined
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    const where = this.streamId === undefined ? "" : ` on stream "${this.streamId}"`
    return `${this.operation}${where} failed: ${this.reason}`
  }
}

/**
 * The operations every store layer provides.
 *
 * @since 0.1.0
 */
export interface Service {
  /**
   * Appends events to a stream, atomically, if the stream is at the expected version.
   */
  readonly append: (
    streamId: string,
    events: ReadonlyArray<Pending>,
    expected: ExpectedVersion.ExpectedVersion
  ) => Effect.Effect<AppendResult, WrongExpectedVersion | StreamClosed | StoreError>
  /**
   * The events of one stream in version order; empty for a stream that does not exist. Life-cycle
   * markers are events too: a read returns them where they were recorded.
   */
  readonly read: (streamId: string, range?: VersionRange) => Stream.Stream<Envelope.Recorded, StoreError>
  /** All events of the store in global order, from a position. Ends at the current last event. */
  readonly readAll: (range?: PositionRange) => Stream.Stream<Envelope.Recorded, StoreError>
  /**
   * All events in global order from a position, then every event appended later, as it is
   * committed. Never ends by itself: interrupt it (or `Stream.take`) to stop.
   */
  readonly subscribe: (range?: PositionRange) => Stream.Stream<Envelope.Recorded, StoreError>
  /** The position of the last recorded event (0 for an empty store). */
  readonly lastPosition: Effect.Effect<number, StoreError>
}

/**
 * The EventStore service. Provide a store layer (e.g. `MemoryEventStore.layer`) to run programs
 * that need it.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const store = yield* EventStore
 *   yield* store.append("counter-1", [{ type: "Incremented", data: { _tag: "Incremented" } }], ExpectedVersion.noStream)
 * })
 * ```
 *
 * @since 0.1.0
 */
export class EventStore extends Context.Service<EventStore, Service>()("@chronicle/runtime/EventStore") {}

/**
 * The type of the marker event that archives a stream: its history stays readable, nothing more
 * can be appended (but a {@link deletedType} marker).
 *
 * @since 0.1.0
 */
export const archivedType = "$StreamArchived"

/**
 * The type of the tombstone that deletes a stream: reading it through the runtime fails with
 * {@link StreamClosed}, nothing more can be appended. The events stay in the global log.
 *
 * @since 0.1.0
 */
export const deletedType = "$StreamDeleted"

/**
 * Why a stream accepts no more events.
 *
 * @since 0.1.0
 */
export type Closure = "Archived" | "Deleted"

/**
 * The stream was archived or deleted: nothing was appended.
 *
 * @since 0.1.0
 */
export class StreamClosed extends Data.TaggedError("StreamClosed")<{
  readonly streamId: string
  readonly closure: Closure
}> {
  override get message(): string {
    return `Stream "${this.streamId}" is ${this.closure === "Archived" ? "archived" : "deleted"}: it accepts no more events`
  }
}

/**
 * Whether a stream whose last event has type `lastType` refuses `events`, and why. Layers call it
 * inside their atomic append, with the type of the stream's last record (`undefined` for a new
 * stream), once the expected version has matched (a writer with a stale expectation gets
 * {@link WrongExpectedVersion} first, as on an open stream): after a tombstone nothing is accepted,
 * after an archive marker only a tombstone.
 *
 * @example
 * ```ts
 * EventStore.closedBy("$StreamArchived", [{ type: "Deposited", data: {} }]) // "Archived"
 * EventStore.closedBy("Deposited", [{ type: "Deposited", data: {} }]) // undefined
 * ```
 *
 * @since 0.1.0
 */
export const closedBy = (lastType: string | undefined, events: ReadonlyArray<Pending>): Closure | undefined => {
  const closure = closureOf(lastType)
  return closure === "Archived" && events.every((event) => event.type === deletedType) ? undefined : closure
}

/**
 * The closure an event type marks, if it is a life-cycle marker.
 *
 * @since 0.1.0
 */
export const closureOf = (type: string | undefined): Closure | undefined =>
  type === archivedType ? "Archived" : type === deletedType ? "Deleted" : undefined

const close = (type: string) =>
(
  streamId: string,
  expected: ExpectedVersion.ExpectedVersion = ExpectedVersion.streamExists
): Effect.Effect<AppendResult, WrongExpectedVersion | StreamClosed | StoreError, EventStore> =>
  EventStore.use((store) => store.append(streamId, [{ type, data: { _tag: type } }], expected))

/**
 * Archives a stream: appends the {@link archivedType} marker. Its events stay readable; later
 * appends fail with {@link StreamClosed}. By default the stream must exist.
 *
 * @example
 * ```ts
 * yield* EventStore.archive("account-42")
 * ```
 *
 * @since 0.1.0
 */
export const archive = close(archivedType)

/**
 * Deletes a stream: appends the {@link deletedType} tombstone. Reading the stream through the runtime
 * (`Codec.decodeStream`, the `CommandHandler`) fails with {@link StreamClosed}; later appends too.
 * Projectors see the tombstone and can drop what they keep for the stream. By default the stream
 * must exist.
 *
 * @example
 * ```ts
 * yield* EventStore.remove("user-7")
 * ```
 *
 * @since 0.1.0
 */
export const remove = close(deletedType)

/**
 * Checks an append before anything is written, so that every layer refuses the same appends with the
 * same {@link StoreError}: the stream id and each event's type must not be empty, and each payload
 * must be JSON (`null`, booleans, finite numbers, strings, arrays and plain objects of those: what
 * `Schema.Json` accepts — no `undefined`, function, symbol, `Date` or cycle), and a life-cycle marker
 * must be the last event of its append (so a stream's last record tells whether it is closed). Store
 * layers call it first in `append`.
 *
 * @example
 * ```ts
 * yield* EventStore.validate("counter-1", [{ type: "Noted", data: { at: new Date() } }])
 * // fails: StoreError "append on stream "counter-1" failed: the data of event 1 ("Noted") is not JSON"
 * ```
 *
 * @since 0.1.0
 */
export const validate = (streamId: string, events: ReadonlyArray<Pending>): Effect.Effect<void, StoreError> => {
  if (streamId.length === 0) {
    return Effect.fail(new StoreError({ operation: "append", reason: "the stream id is empty" }))
  }
  for (const [i, event] of events.entries()) {
    const reason = event.type.length === 0
      ? `event ${i + 1} has an empty type`
      : !isJson(event.data)
      ? `the data of event ${i + 1} ("${event.type}") is not JSON`
      : closureOf(event.type) !== undefined && i < events.length - 1
      ? `event ${i + 1} ("${event.type}") closes the stream, so it must be the last event of its append`
      : undefined
    if (reason !== undefined) return Effect.fail(new StoreError({ operation: "append", streamId, reason }))
  }
  return Effect.void
}

const isJson = Schema.is(Schema.Json)

/**
 * Checks a read range before anything is read, so that every layer answers a bad range with the
 * same {@link StoreError} (naming the operation, the stream where there is one, and the bound):
 * each bound given must be a whole number of 0 or more (a safe integer — not `1.5`, `-1`, `NaN` or
 * `Infinity`). A `from` of 0 reads from the start, as 1 does. Store layers call it first in `read`
 * (with its {@link VersionRange}), `readAll` and `subscribe` (with their {@link PositionRange}).
 *
 * @example
 * ```ts
 * yield* EventStore.validateRange("read", { from: 1.5 }, "counter-1")
 * // fails: StoreError "read on stream "counter-1" failed: the range's from is 1.5, not a whole number of 0 or more"
 * ```
 *
 * @since 0.1.0
 */
export const validateRange = (
  operation: string,
  range: VersionRange | PositionRange | undefined,
  streamId?: string
): Effect.Effect<void, StoreError> => {
  const { from, to }: VersionRange = range ?? {}
  for (const [bound, value] of [["from", from], ["to", to]] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      const reason = `the range's ${bound} is ${String(value)}, not a whole number of 0 or more`
      return Effect.fail(new StoreError({ operation, streamId, reason }))
    }
  }
  return Effect.void
}

/**
 * Stamps events about to be recorded: a fresh event id each (a UUID drawn from Effect's `Random`, so
 * seeded runs are reproducible), the time of recording from `Clock` (so `TestClock` controls it), the
 * writer's correlation, causation and command ids, and the payload's schema version when above 1.
 * Store layers call it once per append.
 *
 * @since 0.1.0
 */
export const stamp = (events: ReadonlyArray<Pending>): Effect.Effect<ReadonlyArray<Envelope.Metadata>> =>
  // On every append's path: read the fiber's Clock and Random directly rather than through a generator.
  Effect.withFiber((fiber) => {
    const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
    const random = fiber.getRef(Random.Random)
    return Effect.succeed(events.map((event) => ({
      eventId: event.eventId ?? uuid(random),
      recordedAt: event.recordedAt ?? now,
      ...(event.trace?.correlationId === undefined ? {} : { correlationId: event.trace.correlationId }),
      ...(event.trace?.causationId === undefined ? {} : { causationId: event.trace.causationId }),
      ...(event.trace?.commandId === undefined ? {} : { commandId: event.trace.commandId }),
      ...(event.schemaVersion === undefined || event.schemaVersion === 1 ? {} : { schemaVersion: event.schemaVersion })
    })))
  })

const byteHex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

/** 32 random bits from Effect's Random. */
const word = (random: Random.Random) => Math.floor(random.nextDoubleUnsafe() * 0x100000000)

/** The hex digits of the bytes of `n`, most significant first, from byte `from` to byte `to` (exclusive). */
const bytes = (n: number, from: number, to: number) => {
  let text = ""
  for (let i = from; i < to; i++) text += byteHex[(n >>> (24 - 8 * i)) & 0xff]
  return text
}

// RFC 4122 version 4 layout: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, y in 8..b.
const uuid = (random: Random.Random): string => {
  const a = word(random)
  const b = word(random)
  const c = word(random)
  const d = word(random)
  const version = byteHex[0x40 | ((b >>> 8) & 0x0f)]! + bytes(b, 3, 4)
  const variant = byteHex[0x80 | ((c >>> 24) & 0x3f)]! + bytes(c, 1, 2)
  return `${bytes(a, 0, 4)}-${bytes(b, 0, 2)}-${version}-${variant}-${bytes(c, 2, 4)}${bytes(d, 0, 4)}`
}
