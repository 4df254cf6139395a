/**
 * **Codec**: the bridge between a domain's event Schema and the store's encoded records. Events are
 * encoded on the way into a store and decoded on the way out, through the Schema's JSON codec
 * (`Schema.toCodecJson`: dates become ISO strings, maps arrays of pairs, …) so that what a store
 * holds is always plain JSON. A record that no longer matches the Schema is caught on read and
 * reported with the stream, version and position it sits at — never skipped.
 *
 * Events are tagged: their `_tag` becomes the record's `type`.
 *
 * @since 0.1.0
 */
import { Envelope, Upcaster } from "@chronicle/core"
import { Data, Effect, Result, Schema, Stream } from "effect"
import type { Array as Arr } from "effect"
import { archivedType, deletedType, encodedWithOf, isReserved, type Pending, StreamClosed } from "./EventStore.ts"
import * as Compiled from "./internal/compiled.ts"
import * as Identity from "./internal/identity.ts"
import * as Issues from "./internal/issues.ts"
import * as Plain from "./internal/plain.ts"

/**
 * A tagged event, the shape every Chronicle event has.
 *
 * @since 0.1.0
 */
export interface Tagged {
  readonly _tag: string
}

/**
 * The Schema of a domain's events: decodes the stored form into `Event` and encodes it back,
 * without needing any service.
 *
 * @since 0.1.0
 */
export type EventSchema<Event extends Tagged> = Schema.Codec<Event, unknown, never, never>

/**
 * A recorded event cannot be read: it does not decode with the domain's Schema, it was written in a
 * schema version this code does not know (newer code wrote it), or an upcaster failed on it. Names
 * where it sits and the schema version it was written in.
 *
 * @since 0.1.0
 */
export class EventDecodeError extends Data.TaggedError("EventDecodeError")<{
  readonly streamId: string
  readonly version: number
  readonly position: number
  readonly type: string
  readonly schemaVersion: number
  readonly reason: string
}> {
  override get message(): string {
    return `Event "${this.type}" (schema version ${this.schemaVersion}) at stream "${this.streamId}" version ${this.version} (position ${this.position}) cannot be read: ${this.reason}`
  }
}

/**
 * An event could not be encoded with the domain's Schema (the decider produced an event its own
 * Schema refuses). Nothing was appended.
 *
 * @since 0.1.0
 */
export class EventEncodeError extends Data.TaggedError("EventEncodeError")<{
  readonly streamId: string
  readonly type: string
  readonly reason: string
}> {
  override get message(): string {
    return `Event "${this.type}" for stream "${this.streamId}" does not encode: ${this.reason}`
  }
}

const reservedReason = `its type is reserved: types starting with "$" are the store's own (life-cycle markers), not a domain's`

/**
 * Makes the encoder of a Schema: domain events in, events ready to append out (tagged with their
 * type's current schema version, given the domain's upcasters), or the first event that does not
 * encode — a domain event of a reserved type (`EventStore.isReserved`) does not. Where the Schema's
 * JSON form of a valid event is the event itself (flat tagged structs of strings, finite numbers,
 * booleans and literals, as most domains have), an event the Schema accepts exactly is encoded as
 * its frozen JSON copy, with no Schema pass; anything else goes through the Schema.
 *
 * @example
 * ```ts
 * const encode = Codec.encoder(BankAccount.Event)
 * const pending = encode("account-1", [deposited], { correlationId: "c-1" })
 * ```
 *
 * @since 0.1.0
 */
export const encoder = <Event extends Tagged>(schema: EventSchema<Event>, upcasters: Upcaster.Upcasters = Upcaster.none) => {
  const codec = Schema.toCodecJson(schema)
  const encode = Schema.encodeResult(codec)
  // Defined when the Schema's JSON form of a valid event is the event itself (see `internal/identity`).
  const exact = Identity.compile(codec.ast)
  const pendingOf = (streamId: string, type: string, data: unknown, trace: Envelope.Trace | undefined): Result.Result<Pending, EventEncodeError> =>
    isReserved(type)
      ? Result.fail(new EventEncodeError({ streamId, type, reason: reservedReason }))
      : Result.succeed({ type, data, trace, schemaVersion: Upcaster.currentVersion(upcasters, type), encodedWith: schema })
  /** Encodes an event already read into a plain copy. */
  const encodePlain = (streamId: string, event: Event, trace: Envelope.Trace | undefined): Result.Result<Pending, EventEncodeError> => {
    const type = event._tag
    if (isReserved(type)) return pendingOf(streamId, type, undefined, trace)
    const data = encode(event)
    return Result.isFailure(data)
      ? Result.fail(new EventEncodeError({ streamId, type, reason: Issues.format(data.failure.issue, event) }))
      : pendingOf(streamId, type, data.success, trace)
  }
  /**
   * An event may hold anything a decider put there (a getter, a Proxy): it is read once, into a
   * plain copy, which is what is encoded, and what throws while it is read is an EventEncodeError.
   * Where the JSON form is the event itself, the copy is a frozen JSON one, and when the Schema
   * accepts it exactly it is the encoded form as it is; otherwise the Schema encodes (and says
   * what is wrong).
   */
  const encodeOne = (streamId: string, event: Event, trace: Envelope.Trace | undefined): Result.Result<Pending, EventEncodeError> => {
    if (exact !== undefined) {
      const json = Plain.copy(event, "json", Envelope.maxDepth)
      const accepted = json.ok && Plain.attempt(() => exact(json.value))
      if (accepted !== false && accepted.ok && accepted.value) {
        const data = (json as { readonly value: Event }).value
        return pendingOf(streamId, data._tag, data, trace)
      }
    }
    const copied = Plain.copy(event, "loose", Envelope.maxDepth)
    const encoded = copied.ok ? Plain.attempt(() => encodePlain(streamId, copied.value as Event, trace)) : copied
    if (encoded.ok) return encoded.value
    const type = Plain.attempt(() => String((copied.ok ? copied.value as Event : event)._tag))
    return Result.fail(new EventEncodeError({ streamId, type: type.ok ? type.value : "?", reason: Plain.threw("it", encoded.refusal) }))
  }
  return (
    streamId: string,
    events: ReadonlyArray<Event>,
    trace?: Envelope.Trace
  ): Result.Result<ReadonlyArray<Pending>, EventEncodeError> => {
    const pending: Array<Pending> = []
    for (const event of events) {
      const encoded = encodeOne(streamId, event, trace)
      if (Result.isFailure(encoded)) return Result.fail(encoded.failure)
      pending.push(encoded.success)
    }
    return Result.succeed(pending)
  }
}

/**
 * Makes the event decoder of a Schema: a stored record in, its decoded event out (the record's
 * payload, brought to the current shape by the domain's upcasters when it was written in an older
 * schema version, then decoded by the Schema), or an {@link EventDecodeError} naming where the
 * record sits. Folds that need only the events use it and build no envelope.
 *
 * Every record is decoded, whichever layer it comes from and however often it is read: nothing is
 * remembered about record objects. The Schema's decoder is compiled on its first use (effect's JIT
 * compiler, where the platform allows it), so decoding a long history costs little more than
 * checking it; a record that does not decode is reported with the Schema's own issue.
 *
 * One record needs no decoding: one an in-memory layer keeps, frozen, with this very Schema as the
 * one that encoded it (`EventStore.encodedWithOf`), in the current schema version, when the Schema's
 * JSON form of a valid event is the event itself (flat structs of strings, finite numbers, booleans
 * and literals, and tagged unions of those: see `internal/identity`). Its payload is what this Schema's encoding produced and cannot have
 * changed since, so decoding it would give it back as it is: it is the event. Records read from
 * storage (IndexedDB, PostgreSQL, an imported file) never carry a Schema and are always decoded.
 *
 * @example
 * ```ts
 * const decodeEvent = Codec.eventDecoder(BankAccount.Event)
 * const event = decodeEvent(recorded) // Result<BankAccount.Event, EventDecodeError>
 * ```
 *
 * @since 0.1.0
 */
export const eventDecoder = <Event extends Tagged>(schema: EventSchema<Event>, upcasters: Upcaster.Upcasters = Upcaster.none) => {
  const decode = Compiled.jsonDecoder(schema)
  // The Schema whose own encodings are taken as they are, if its JSON form is its decoded form.
  const trusted = Identity.compile(Schema.toCodecJson(schema).ast) === undefined ? undefined : schema
  // Without upcasters every type is at version 1: no lookup per record.
  const currentVersion = Object.keys(upcasters).length === 0
    ? () => 1
    : (type: string) => Upcaster.currentVersion(upcasters, type)
  const failed = (recorded: Envelope.Recorded, schemaVersion: number, reason: string) =>
    new EventDecodeError({
      streamId: recorded.streamId,
      version: recorded.version,
      position: recorded.position,
      type: recorded.type,
      schemaVersion,
      reason
    })
  return (recorded: Envelope.Recorded): Result.Result<Event, EventDecodeError> => {
    const schemaVersion = recorded.metadata.schemaVersion ?? 1
    // Encoded by this Schema, in the current version, and kept frozen in this process: the payload is the event.
    if (
      trusted !== undefined && encodedWithOf(recorded) === trusted &&
      schemaVersion === currentVersion(recorded.type)
    ) return Result.succeed(recorded.data as Event)
    const current = Upcaster.upcast(upcasters, recorded.type, schemaVersion, recorded.data)
    if (Result.isFailure(current)) {
      const cause = current.failure
      return Result.fail(failed(
        recorded,
        schemaVersion,
        cause._tag === "UnknownVersion"
          ? `schema version ${schemaVersion} is unknown here (the current version is ${cause.current})`
          : `the upcaster from version ${cause.step} to ${cause.step + 1} failed: ${cause.reason}`
      ))
    }
    // A success passes through as it is: no second Result per record.
    return Result.mapError(decode(current.success), (issue) => failed(recorded, schemaVersion, Issues.format(issue, current.success)))
  }
}

/**
 * Makes the decoder of a Schema: a stored record in, the same envelope with its decoded event out
 * (see {@link eventDecoder}).
 *
 * @example
 * ```ts
 * const decode = Codec.decoder(User.Event, User.upcasters)
 * store.read("user-1").pipe(Stream.mapEffect((recorded) => Effect.fromResult(decode(recorded))))
 * ```
 *
 * @since 0.1.0
 */
export const decoder = <Event extends Tagged>(schema: EventSchema<Event>, upcasters: Upcaster.Upcasters = Upcaster.none) => {
  const decodeEvent = eventDecoder(schema, upcasters)
  return (recorded: Envelope.Recorded): Result.Result<Envelope.Recorded<Event>, EventDecodeError> => {
    const event = decodeEvent(recorded)
    return Result.isSuccess(event) ? Result.succeed({ ...recorded, data: event.success }) : Result.fail(event.failure)
  }
}

/**
 * Makes the decoder of one stream's records as a replay meets them: an archive marker gives
 * `undefined` (it ends the events, it is not one), a tombstone fails with `StreamClosed` (the stream
 * was deleted), any other record gives its decoded event (see {@link eventDecoder}).
 *
 * @example
 * ```ts
 * const decodeHistory = Codec.historyDecoder(BankAccount.Event)
 * const event = decodeHistory(recorded) // Result<BankAccount.Event | undefined, EventDecodeError | StreamClosed>
 * ```
 *
 * @since 0.1.0
 */
export const historyDecoder = <Event extends Tagged>(
  schema: EventSchema<Event>,
  upcasters: Upcaster.Upcasters = Upcaster.none
) => {
  const decodeEvent = eventDecoder(schema, upcasters)
  const ended = Result.succeed(undefined)
  return (recorded: Envelope.Recorded): Result.Result<Event | undefined, EventDecodeError | StreamClosed> =>
    recorded.type === archivedType
      ? ended
      : recorded.type === deletedType
      ? Result.fail(new StreamClosed({ streamId: recorded.streamId, closure: "Deleted" }))
      : decodeEvent(recorded)
}

/**
 * Decodes a stream of stored records with a Schema, a page (a chunk of the stream) at a time. The
 * stream fails with the first record that does not decode; the records of earlier pages have been
 * delivered, those of the failing page have not. Nothing is ever skipped.
 *
 * Life-cycle markers are handled explicitly: an archive marker ends the events (it is not an event
 * of the domain), a tombstone fails the stream with `StreamClosed` (the stream was deleted).
 *
 * @example
 * ```ts
 * const history = store.read("account-1").pipe(Codec.decodeStream(BankAccount.Event))
 * ```
 *
 * @since 0.1.0
 */
export const decodeStream = <Event extends Tagged>(
  schema: EventSchema<Event>,
  upcasters: Upcaster.Upcasters = Upcaster.none
) => {
  const decodeHistory = historyDecoder(schema, upcasters)
  return <E, R>(
    records: Stream.Stream<Envelope.Recorded, E, R>
  ): Stream.Stream<Envelope.Recorded<Event>, E | EventDecodeError | StreamClosed, R> =>
    records.pipe(
      Stream.filter((recorded) => recorded.type !== archivedType),
      Stream.mapArrayEffect((page): Effect.Effect<Arr.NonEmptyReadonlyArray<Envelope.Recorded<Event>>, EventDecodeError | StreamClosed> => {
      const decoded: Array<Envelope.Recorded<Event>> = []
      for (const recorded of page) {
        const event = decodeHistory(recorded)
        if (Result.isFailure(event)) return Effect.fail(event.failure)
        decoded.push({ ...recorded, data: event.success! }) // archive markers are filtered out above
      }
      return Effect.succeed(decoded as unknown as Arr.NonEmptyReadonlyArray<Envelope.Recorded<Event>>)
    }))
}

/**
 * The event types (`_tag` values) a Schema decodes, read from its structure: a tagged struct gives
 * its tag, a union the tags of its members. `undefined` when the Schema does not say (a transformed
 * or opaque schema), meaning "any type".
 *
 * @example
 * ```ts
 * Codec.eventTypes(BankAccount.Event) // Set { "AccountOpened", "Deposited", "Withdrawn" }
 * ```
 *
 * @since 0.1.0
 */
export const eventTypes = (schema: Schema.Top): ReadonlySet<string> | undefined => {
  const tags = Issues.tags(schema.ast)
  return tags === undefined ? undefined : new Set(tags)
}
