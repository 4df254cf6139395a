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
 *   What is recorded is checked first ({@link validate}), the same way on every layer: payloads are
 *   JSON nested at most `Envelope.maxDepth` (64) levels deep, metadata is what `Envelope.Metadata`
 *   allows, and a refused append fails with {@link StoreError} naming the event, its type and what is
 *   wrong.
 * - `appendMany` writes several {@link Batch}es, each to its stream at its own expected version, in
 *   one all-or-nothing write: a conflict, a closed stream or a bad event in any batch writes nothing
 *   and names the stream; positions are contiguous in batch order; subscribers see the whole write
 *   at once. With `expectedLastPosition` ({@link AppendManyOptions}) it writes only if the log is at
 *   that position, checked inside the write, and fails with {@link WrongExpectedPosition} otherwise.
 * - Global positions are strictly increasing in commit order (a layer may leave gaps).
 * - `read` returns a stream's events in version order; `readAll` all events in global order.
 * - `subscribe` delivers catch-up then live events in global order: no gap, no duplicate.
 * - Streams have a life cycle: {@link archive} closes a stream for writing and {@link remove} ends it
 *   with a tombstone. Both record a marker event, so the global log (and every projection) sees them;
 *   after a marker the layer refuses appends with {@link StreamClosed} ({@link closedBy} says when).
 * - Types that start with `$` are reserved for the store's own events ({@link isReserved}): a domain
 *   event may not use one. The markers are the only such events, with a fixed shape, and are
 *   appended only as {@link marker}s (which `archive` and `remove` make).
 *
 * @since 0.1.0
 */
import { Envelope, ExpectedVersion } from "@chronicle/core"
import { Clock, Context, Data, Effect, Random, Result, Schema, Struct } from "effect"
import type { Stream } from "effect"
import * as Issues from "./internal/issues.ts"
import * as Plain from "./internal/plain.ts"

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
  /**
   * The Schema whose JSON codec produced `data` (`Codec.encoder` sets it). A store that keeps its
   * records in this process's memory, frozen, keeps this with the record ({@link encodedWithOf}),
   * so that a reader decoding with the same Schema object need not check again what that Schema
   * produced. A reference cannot be serialised: no imported or stored record ever carries one.
   */
  readonly encodedWith?: Schema.Top | undefined
}

/**
 * The key under which an in-memory record keeps the Schema that encoded its payload: a symbol, not
 * enumerable, so JSON, spreads and equality never see it.
 *
 * @since 0.1.0
 */
export const encodedWith: unique symbol = Symbol("@chronicle/runtime/EventStore/encodedWith")

/**
 * Gives a record about to be frozen the Schema its payload was encoded with (see
 * {@link Pending.encodedWith}); a record without one is left as it is. In-memory layers call it as
 * they record; layers that store records elsewhere never do, since what is read back from storage
 * may have been changed there.
 *
 * @example
 * ```ts
 * const recorded = Object.freeze(EventStore.keepEncodedWith({ ...fields }, pending.encodedWith))
 * ```
 *
 * @since 0.1.0
 */
export const keepEncodedWith = <R extends Envelope.Recorded>(recorded: R, schema: Schema.Top | undefined): R =>
  schema === undefined ? recorded : Object.defineProperty(recorded, encodedWith, { value: schema })

/**
 * The Schema a record's payload was encoded with, when an in-memory layer kept it
 * ({@link keepEncodedWith}); `undefined` for every other record.
 *
 * @example
 * ```ts
 * EventStore.encodedWithOf(recorded) === BankAccount.Event // written through Codec.encoder(BankAccount.Event)
 * ```
 *
 * @since 0.1.0
 */
export const encodedWithOf = (recorded: Envelope.Recorded): Schema.Top | undefined =>
  (recorded as { readonly [encodedWith]?: Schema.Top })[encodedWith]

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
   * Appends several batches, each to its stream at its own expected version, in one all-or-nothing
   * write (see {@link Batch}); the results in batch order.
   */
  readonly appendMany: (
    batches: ReadonlyArray<Batch>,
    options?: AppendManyOptions
  ) => Effect.Effect<ReadonlyArray<AppendResult>, WrongExpectedVersion | StreamClosed | WrongExpectedPosition | StoreError>
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

/**
 * Whether an event type is reserved for the store's own events: every type that starts with `$`.
 * Today the reserved types in use are the life-cycle markers ({@link archivedType},
 * {@link deletedType}); reserving the whole namespace keeps any marker added later from meaning
 * something else in an existing log. {@link validate} refuses any event of a reserved type but a
 * well-formed marker, and `Codec.encoder` refuses a domain event of a reserved type (so a domain
 * event tagged `"$StreamDeleted"` never reaches the store as a tombstone).
 *
 * @example
 * ```ts
 * EventStore.isReserved("$StreamDeleted") // true
 * EventStore.isReserved("Deposited") // false
 * ```
 *
 * @since 0.1.0
 */
export const isReserved = (type: string): boolean => type.startsWith("$")

/**
 * The types of the life-cycle markers.
 *
 * @since 0.1.0
 */
export type MarkerType = typeof archivedType | typeof deletedType

/**
 * A life-cycle marker to append: the one way to write an event of a reserved type. Its data is
 * always `{ _tag: type }` and it has no schema version; `kept` keeps an imported marker's event id,
 * time and trace. {@link archive} and {@link remove} append one; append one yourself to close a stream
 * in the same append as its last events (the marker last).
 *
 * @example
 * ```ts
 * yield* store.append("cart-1", [checkedOut, EventStore.marker(EventStore.archivedType)], ExpectedVersion.exact(4))
 * ```
 *
 * @since 0.1.0
 */
export const marker = (type: MarkerType, kept: Omit<Pending, "type" | "data" | "schemaVersion"> = {}): Pending => ({
  ...kept,
  type,
  data: { _tag: type }
})

/** Whether `data` is exactly a marker's payload, `{ _tag: type }`. */
const isMarkerData = (type: string, data: unknown): boolean =>
  typeof data === "object" && data !== null && Object.keys(data).length === 1 &&
  (data as { readonly _tag?: unknown })._tag === type

const close = (type: MarkerType) =>
(
  streamId: string,
  expected: ExpectedVersion.ExpectedVersion = ExpectedVersion.streamExists
): Effect.Effect<AppendResult, WrongExpectedVersion | StreamClosed | StoreError, EventStore> =>
  EventStore.use((store) => store.append(streamId, [marker(type)], expected))

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
 * One batch of an {@link Service.appendMany}: events for one stream, at the version the writer
 * expects that stream to be. A stream may have several batches in one write; each one's expectation
 * is checked against the stream as the batches before it leave it (so a batch of events ending in an
 * archive marker can be followed by a batch holding just the tombstone).
 *
 * @example
 * ```ts
 * const batch: EventStore.Batch = { streamId: "account-1", events: [opened], expected: ExpectedVersion.noStream }
 * ```
 *
 * @since 0.1.0
 */
export interface Batch {
  readonly streamId: string
  readonly events: ReadonlyArray<Pending>
  readonly expected: ExpectedVersion.ExpectedVersion
}

/**
 * Conditions on a whole {@link Service.appendMany}, checked inside its write.
 *
 * @example
 * ```ts
 * const intoEmpty: EventStore.AppendManyOptions = { expectedLastPosition: 0 }
 * ```
 *
 * @since 0.1.0
 */
export interface AppendManyOptions {
  /**
   * Write only if the log's last position is this one (0: only into an empty store); otherwise fail
   * with {@link WrongExpectedPosition} and write nothing.
   */
  readonly expectedLastPosition?: number | undefined
}

/**
 * The write was refused: the log is not at the position the writer expected (another writer got
 * there first). Nothing was written.
 *
 * @example
 * ```ts
 * new EventStore.WrongExpectedPosition({ expected: 0, actual: 12 }).message
 * // "expected the log at position 0, but it is at position 12"
 * ```
 *
 * @since 0.1.0
 */
export class WrongExpectedPosition extends Data.TaggedError("WrongExpectedPosition")<{
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    return `expected the log at position ${this.expected}, but it is at position ${this.actual}`
  }
}

/**
 * Checks an `appendMany` before anything is written, as {@link validate} checks an `append`: every
 * batch passes {@link validate}, and an `expectedLastPosition` is a whole number of 0 or more. It
 * returns the batches with {@link validate}'s snapshots of their events: that is what a layer records.
 * Store layers call it first in `appendMany`.
 *
 * @example
 * ```ts
 * yield* EventStore.validateMany([{ streamId: "", events: [], expected: ExpectedVersion.any }])
 * // fails: StoreError "append failed: the stream id is empty"
 * ```
 *
 * @since 0.1.0
 */
export const validateMany = (
  batches: ReadonlyArray<Batch>,
  options: AppendManyOptions = {}
): Effect.Effect<ReadonlyArray<Batch>, StoreError> => {
  const position = options.expectedLastPosition
  if (position !== undefined && !(Number.isSafeInteger(position) && position >= 0)) {
    const reason = `the expected last position is ${String(position)}, not a whole number of 0 or more`
    return Effect.fail(new StoreError({ operation: "append", reason }))
  }
  return Effect.forEach(batches, (batch) => Effect.map(validate(batch.streamId, batch.events), (events) => ({ ...batch, events })))
}

/**
 * A condition on the log's last position, which a layer applies inside its write: the error to fail
 * with, or `undefined` to go on.
 *
 * @since 0.1.0
 */
export type Condition<E> = (lastPosition: number) => E | undefined

/**
 * The position condition of an `appendMany`, for a layer to apply inside its write to the log's last
 * position: the {@link WrongExpectedPosition} to fail with, or `undefined` to go on. A single `append`
 * has none ({@link anyPosition}).
 *
 * @example
 * ```ts
 * EventStore.positionCondition({ expectedLastPosition: 0 })(3) // WrongExpectedPosition { expected: 0, actual: 3 }
 * ```
 *
 * @since 0.1.0
 */
export const positionCondition = (options: AppendManyOptions = {}): Condition<WrongExpectedPosition> => {
  const expected = options.expectedLastPosition
  return expected === undefined
    ? anyPosition
    : (actual) => (actual === expected ? undefined : new WrongExpectedPosition({ expected, actual }))
}

/**
 * The condition of a write that may go at any position: it never refuses.
 *
 * @since 0.1.0
 */
export const anyPosition: Condition<never> = () => undefined

/**
 * The last record of a stream as a layer reads it inside its write: its version (0 for a new stream)
 * and type.
 *
 * @since 0.1.0
 */
export interface Tail {
  readonly version: number
  readonly type: string | undefined
}

/**
 * Admits one batch against its stream's tail, read inside the write: the expected version must
 * match ({@link WrongExpectedVersion}), then the stream must accept the events ({@link closedBy},
 * {@link StreamClosed}). Returns the stream's version before the batch. A single `append` is this
 * check; {@link admit} applies it to every batch of an `appendMany`.
 *
 * @example
 * ```ts
 * EventStore.admitBatch({ streamId: "s", events, expected: ExpectedVersion.exact(2) }, { version: 2, type: "Noted" })
 * // Result.succeed(2)
 * ```
 *
 * @since 0.1.0
 */
export const admitBatch = (
  { events, expected, streamId }: Batch,
  tail: Tail
): Result.Result<number, WrongExpectedVersion | StreamClosed> => {
  if (!ExpectedVersion.matches(expected, tail.version)) {
    return Result.fail(new WrongExpectedVersion({ streamId, expected, actual: tail.version }))
  }
  const closure = closedBy(tail.type, events)
  return closure === undefined ? Result.succeed(tail.version) : Result.fail(new StreamClosed({ streamId, closure }))
}

/**
 * Admits the batches of an `appendMany` against the streams' tails (read inside the write), in batch
 * order, each with {@link admitBatch} against the stream as the batches before it leave it. Returns
 * each batch's version before it, or the first refusal, naming its stream. Store layers call it
 * inside their atomic write; a refusal writes nothing.
 *
 * @example
 * ```ts
 * EventStore.admit(batches, (streamId) => tails.get(streamId) ?? { version: 0, type: undefined })
 * ```
 *
 * @since 0.1.0
 */
export const admit = (
  batches: ReadonlyArray<Batch>,
  tailOf: (streamId: string) => Tail
): Result.Result<ReadonlyArray<number>, WrongExpectedVersion | StreamClosed> => {
  const moved = new Map<string, Tail>()
  const starts: Array<number> = []
  for (const batch of batches) {
    const tail = moved.get(batch.streamId) ?? tailOf(batch.streamId)
    const start = admitBatch(batch, tail)
    if (Result.isFailure(start)) return Result.fail(start.failure)
    starts.push(start.success)
    moved.set(batch.streamId, { version: start.success + batch.events.length, type: batch.events.at(-1)?.type ?? tail.type })
  }
  return Result.succeed(starts)
}

/**
 * Checks an append before anything is written, so that every layer refuses the same appends with the
 * same {@link StoreError}: the stream id must not be empty, each event must pass {@link problemOf},
 * and a life-cycle marker must be the last event of its append (so a stream's last record tells
 * whether it is closed). Store layers call it first in `append`, and record what it returns.
 *
 * It returns the events as a plain snapshot: each read once, its payload copied (frozen all the way
 * down) in the same pass that checks it, its metadata copied. An event may come from anywhere: a
 * getter or Proxy that throws fails the append with a `StoreError` naming where, and one that
 * answers differently on a second read cannot change what is recorded, as layers record the
 * snapshot, never the caller's objects. The walk recurses at most `Envelope.maxDepth` levels, so no
 * input can overflow the stack.
 *
 * @example
 * ```ts
 * const events = yield* EventStore.validate("counter-1", [{ type: "Noted", data: { at: new Date() } }])
 * // fails: StoreError "append on stream "counter-1" failed: event 1 ("Noted"): its data is not JSON at ["at"]"
 * ```
 *
 * @since 0.1.0
 */
export const validate = (streamId: string, events: ReadonlyArray<Pending>): Effect.Effect<ReadonlyArray<Pending>, StoreError> =>
  Effect.suspend(() => Effect.fromResult(validateResult(streamId, events)))

/**
 * {@link validate} as a plain function: the snapshot of the events, or the {@link StoreError}. For
 * a layer whose whole append is one synchronous step (the memory layer), so that checking costs no
 * Effect step of its own.
 *
 * @example
 * ```ts
 * EventStore.validateResult("counter-1", [{ type: "Noted", data: {} }]) // Result.succeed([{ type: "Noted", data: {}, … }])
 * ```
 *
 * @since 0.1.0
 */
export const validateResult = (streamId: string, events: ReadonlyArray<Pending>): Result.Result<ReadonlyArray<Pending>, StoreError> => {
  if (typeof streamId !== "string" || streamId.length === 0) {
    return Result.fail(new StoreError({ operation: "append", reason: "the stream id is empty" }))
  }
  const list = Plain.attempt(() => Array.from(events))
  if (!list.ok) {
    return Result.fail(new StoreError({ operation: "append", streamId, reason: Plain.threw("the events", list.refusal) }))
  }
  const all = list.value
  const snapshots: Array<Pending> = []
  for (let i = 0; i < all.length; i++) {
    const event = all[i]!
    const checked = check(event)
    const problem = Result.isFailure(checked)
      ? checked.failure
      : i < all.length - 1 && closureOf(checked.success.type) !== undefined
      ? "it closes the stream, so it must be the last event of its append"
      : undefined
    if (problem !== undefined) {
      const type = Result.isSuccess(checked) ? checked.success.type : typeOf(event)
      const named = type === undefined ? "" : ` ("${type}")`
      return Result.fail(new StoreError({ operation: "append", streamId, reason: `event ${i + 1}${named}: ${problem}` }))
    }
    snapshots.push((checked as Result.Success<Pending, string>).success)
  }
  return Result.succeed(snapshots)
}

/**
 * What is wrong with one event about to be recorded, or `undefined` when nothing is:
 * - reading it throws (a getter, a Proxy's trap): the message says where;
 * - its type is empty, or reserved ({@link isReserved}) and not a life-cycle marker's;
 * - its data nests arrays and objects deeper than `Envelope.maxDepth` levels (a cycle does), or is
 *   not JSON (`null`, booleans, finite numbers, strings, arrays and plain objects of those: what
 *   `Schema.Json` accepts — no `undefined`, function, symbol or `Date`);
 * - it is a marker whose data is not exactly `{ _tag: type }`, or that has a schema version;
 * - the metadata it brings is not what `Envelope.Metadata` allows (non-empty ids, whole milliseconds,
 *   a schema version from 1).
 *
 * {@link validate} applies it to every event of an append; `LogFile.validate` to every record of a file.
 *
 * @example
 * ```ts
 * EventStore.problemOf({ type: "Noted", data: {}, trace: { correlationId: "" } })
 * // 'its metadata is invalid: Expected a value with a length of at least 1 at ["correlationId"]'
 * ```
 *
 * @since 0.1.0
 */
export const problemOf = (event: Pending): string | undefined => {
  const checked = check(event)
  return Result.isFailure(checked) ? checked.failure : undefined
}

/** The type of an event that failed its check, for the message, if it can be read and is a string. */
const typeOf = (event: Pending): string | undefined => {
  const type = Plain.attempt(() => event.type)
  return type.ok && typeof type.value === "string" ? type.value : undefined
}

/** The event as a plain snapshot, its data a frozen copy, if it may be recorded; what is wrong if not. */
const check = (event: Pending): Result.Result<Pending, string> => {
  const read = Plain.attempt(() => snapshotOf(event))
  if (!read.ok) return Result.fail(Plain.threw("it", read.refusal))
  const recordable = read.value
  const { data, type } = recordable
  if (typeof type !== "string") return Result.fail("its type is not a string")
  if (type.length === 0) return Result.fail("its type is empty")
  if (isReserved(type) && closureOf(type) === undefined) {
    return Result.fail(
      `its type is reserved: types starting with "$" are the store's own; markers are appended with EventStore.archive, EventStore.remove or EventStore.marker`
    )
  }
  const copied = Plain.copy(data, "json", Envelope.maxDepth)
  if (!copied.ok) {
    const { path, problem } = copied.refusal
    return Result.fail(
      problem === "threw"
        ? Plain.threw("its data", copied.refusal)
        : problem === "deep"
        ? `its data nests arrays and objects more than ${Envelope.maxDepth} levels deep (or in a cycle)`
        : `its data is not JSON${path.length === 0 ? "" : ` at ${Plain.formatPath(path)}`}`
    )
  }
  recordable.data = copied.value
  if (isReserved(type) && (!isMarkerData(type, recordable.data) || (recordable.schemaVersion ?? 1) !== 1)) {
    return Result.fail(`it is a malformed life-cycle marker: its data must be exactly { _tag: "${type}" }, with no schema version`)
  }
  // Most appends bring no metadata of their own: skip the Schema check for them (it is on every append's path).
  if (!bringsMetadata(recordable)) return Result.succeed(recordable)
  const metadata = given(recordable)
  // A metadata value may be any object (a Proxy too): the check reads it, so it may throw.
  const decoded = Plain.attempt(() => {
    if (isGiven(metadata)) return undefined
    const result = decodeGiven(metadata)
    return Result.isFailure(result) ? `its metadata is invalid: ${Issues.format(result.failure.issue, metadata)}` : undefined
  })
  return !decoded.ok
    ? Result.fail(Plain.threw("its metadata", decoded.refusal))
    : decoded.value === undefined
    ? Result.succeed(recordable)
    : Result.fail(decoded.value)
}

/**
 * Each field of an event read once (its trace too), into a plain record; its data still the
 * caller's, until `check` puts the data's frozen copy in its place.
 */
const snapshotOf = (event: Pending): { -readonly [K in keyof Pending]: Pending[K] } => {
  const { data, encodedWith, eventId, recordedAt, schemaVersion, trace, type } = event
  return {
    type,
    data,
    eventId,
    recordedAt,
    schemaVersion,
    encodedWith,
    trace: trace === undefined
      ? undefined
      : { causationId: trace.causationId, commandId: trace.commandId, correlationId: trace.correlationId }
  }
}

/** The metadata a writer may give: `Envelope.Metadata`, the event id and time of recording optional. */
const Given = Envelope.Metadata.mapFields(Struct.evolve({
  eventId: (schema) => Schema.optionalKey(schema),
  recordedAt: (schema) => Schema.optionalKey(schema)
}))

const isGiven = Schema.is(Given)

const decodeGiven = Schema.decodeUnknownResult(Given)

/** Whether an event brings any metadata of its own (a schema version of 1 is none). */
const bringsMetadata = ({ eventId, recordedAt, schemaVersion, trace }: Pending): boolean =>
  eventId !== undefined || recordedAt !== undefined || (schemaVersion !== undefined && schemaVersion !== 1) ||
  (trace !== undefined && (trace.correlationId !== undefined || trace.causationId !== undefined || trace.commandId !== undefined))

/** The metadata an event brings, as it is recorded: the fields the writer set (schema version 1 left out). */
const given = (event: Pending): Partial<Envelope.Metadata> => {
  const metadata: { -readonly [K in keyof Envelope.Metadata]?: Envelope.Metadata[K] } = {}
  if (event.eventId !== undefined) metadata.eventId = event.eventId
  if (event.recordedAt !== undefined) metadata.recordedAt = event.recordedAt
  addTrace(metadata, event)
  return metadata
}

/**
 * Adds the ids of an event's trace, and its schema version above 1, to the metadata being built:
 * only the fields that are set, in the order `Envelope.Metadata` lists them.
 */
const addTrace = (metadata: { -readonly [K in keyof Envelope.Metadata]?: Envelope.Metadata[K] }, event: Pending): void => {
  const { schemaVersion, trace } = event
  if (trace !== undefined) {
    if (trace.correlationId !== undefined) metadata.correlationId = trace.correlationId
    if (trace.causationId !== undefined) metadata.causationId = trace.causationId
    if (trace.commandId !== undefined) metadata.commandId = trace.commandId
  }
  if (schemaVersion !== undefined && schemaVersion !== 1) metadata.schemaVersion = schemaVersion
}

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
  Effect.withFiber((fiber) => Effect.succeed(stampWith(fiber.getRef(Clock.Clock), fiber.getRef(Random.Random), events)))

/**
 * {@link stamp} with the `Clock` and `Random` already looked up (once per append): the time is read
 * once for all the events, each event without an id gets a fresh UUID from `random`. For a layer
 * whose whole append is one synchronous step (the memory layer); `stamp` is this in an Effect.
 *
 * @example
 * ```ts
 * Effect.withFiber((fiber) => Effect.succeed(EventStore.stampWith(fiber.getRef(Clock.Clock), fiber.getRef(Random.Random), events)))
 * ```
 *
 * @since 0.1.0
 */
export const stampWith = (
  clock: Clock.Clock,
  random: Random.Random,
  events: ReadonlyArray<Pending>
): ReadonlyArray<Envelope.Metadata> => {
  const now = clock.currentTimeMillisUnsafe()
  const stamped: Array<Envelope.Metadata> = []
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!
    const metadata: { -readonly [K in keyof Envelope.Metadata]?: Envelope.Metadata[K] } = {
      eventId: event.eventId ?? uuid(random),
      recordedAt: event.recordedAt ?? now
    }
    addTrace(metadata, event)
    stamped.push(metadata as Envelope.Metadata)
  }
  return stamped
}

/**
 * The records of an admitted `appendMany`, for a layer to store: each batch's events at the versions
 * after its stream's (`starts`, from {@link admit}), at the positions after `lastPosition` in batch
 * order, with their stamped metadata; and each batch's {@link AppendResult}.
 *
 * @example
 * ```ts
 * const results = EventStore.recordsOf(batches, starts, metadata, lastPosition)
 * ```
 *
 * @since 0.1.0
 */
export const recordsOf = (
  batches: ReadonlyArray<Batch>,
  starts: ReadonlyArray<number>,
  metadata: ReadonlyArray<ReadonlyArray<Envelope.Metadata>>,
  lastPosition: number
): ReadonlyArray<AppendResult> => {
  let position = lastPosition
  return batches.map(({ events, streamId }, b): AppendResult => {
    const actual = starts[b]!
    const recorded = events.map((event, i): Envelope.Recorded => ({
      streamId,
      version: actual + i + 1,
      position: position + i + 1,
      type: event.type,
      data: event.data,
      metadata: metadata[b]![i]!
    }))
    position += recorded.length
    return { version: actual + recorded.length, events: recorded }
  })
}

/**
 * {@link stamp}s the events of every batch of an `appendMany`, batch by batch.
 *
 * @since 0.1.0
 */
export const stampMany = (batches: ReadonlyArray<Batch>): Effect.Effect<ReadonlyArray<ReadonlyArray<Envelope.Metadata>>> =>
  batches.length === 1
    ? Effect.map(stamp(batches[0]!.events), (metadata) => [metadata])
    : Effect.forEach(batches, (batch) => stamp(batch.events))

/** The character codes of the hex digits 0–f. */
const hexCodes = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0))

const dash = "-".charCodeAt(0)

/** 32 random bits from Effect's Random. */
const word = (random: Random.Random) => (random.nextDoubleUnsafe() * 0x100000000) >>> 0

/** Writes the low `count` hex digits of `n` into `codes` from `at`. */
const putHex = (codes: Array<number>, at: number, n: number, count: number): void => {
  for (let i = at + count - 1; i >= at; i--) {
    codes[i] = hexCodes[n & 15]!
    n >>>= 4
  }
}

// RFC 4122 version 4 layout: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, y in 8..b: 122 random bits
// from four words, the version and variant bits set in place. Built from character codes in one
// call: a string concatenated from pieces is a tree of them, which every record would keep alive.
const uuid = (random: Random.Random): string => {
  const a = word(random)
  const b = word(random)
  const c = word(random)
  const d = word(random)
  const codes = new Array<number>(36)
  putHex(codes, 0, a, 8)
  codes[8] = dash
  putHex(codes, 9, b >>> 16, 4)
  codes[13] = dash
  putHex(codes, 14, (b & 0x0fff) | 0x4000, 4)
  codes[18] = dash
  putHex(codes, 19, ((c >>> 16) & 0x3fff) | 0x8000, 4)
  codes[23] = dash
  putHex(codes, 24, c, 4)
  putHex(codes, 28, d, 8)
  return String.fromCharCode.apply(null, codes)
}
