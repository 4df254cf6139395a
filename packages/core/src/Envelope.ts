/**
 * The **envelope** a store wraps around each event it records: where the event sits (stream,
 * version, global position), what it is (type), its payload and metadata (event id, time of
 * recording, correlation and causation ids).
 *
 * A store keeps `data` in its Schema-encoded, JSON-safe form (`Recorded<unknown>`); the runtime
 * decodes it on read into the domain's event type (`Recorded<Event>`), so the same envelope type
 * describes both.
 *
 * What a store records is checked by these Schemas, on every layer alike: the metadata ids are
 * non-empty strings, `recordedAt` a whole number of milliseconds, `schemaVersion` a whole number
 * from 1, and the payload JSON nested at most {@link maxDepth} levels deep.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

const Id = Schema.NonEmptyString

/**
 * How deep a payload may nest arrays and objects: 64 levels. Domain payloads are a few levels deep;
 * the limit keeps every consumer that walks a payload recursively (`JSON.stringify` of an export,
 * IndexedDB's structured clone, Schema decoding, deep equality in tests) far from the JavaScript
 * stack's limit, so a payload a store accepts can always be read, exported and compared.
 *
 * @example
 * ```ts
 * Envelope.isWithinDepth({ a: [1] }) // true: 2 levels
 * ```
 *
 * @since 0.1.0
 */
export const maxDepth = 64

const isContainer = (value: unknown): value is object => typeof value === "object" && value !== null

/**
 * Whether `value` nests arrays and objects at most `max` levels deep (a scalar is 0 levels, `{}` one).
 * It walks one level at a time, with no recursion, so that it cannot overflow the stack whatever the
 * input; each level visits every distinct container once, and a cycle ends it as too deep. A value
 * that cannot be read (a getter or Proxy trap that throws) is not within any depth: `false`.
 *
 * @example
 * ```ts
 * Envelope.isWithinDepth([[[]]], 2) // false: 3 levels
 * ```
 *
 * @since 0.1.0
 */
export const isWithinDepth = (value: unknown, max: number = maxDepth): boolean => {
  try {
    let level = new Set<object>(isContainer(value) ? [value] : [])
    for (let depth = 1; level.size > 0; depth++) {
      if (depth > max) return false
      const inner = new Set<object>()
      for (const container of level) {
        for (const child of Object.values(container)) if (isContainer(child)) inner.add(child)
      }
      level = inner
    }
    return true
  } catch {
    return false
  }
}

/**
 * The schema of a stored payload: JSON (`Schema.Json`) nested at most {@link maxDepth} levels deep.
 *
 * @example
 * ```ts
 * Schema.is(Envelope.Data)({ amount: 1 }) // true
 * ```
 *
 * @since 0.1.0
 */
export const Data = Schema.Json.check(
  Schema.makeFilter((data) => isWithinDepth(data), { expected: `JSON nested at most ${maxDepth} levels deep` })
)

/**
 * Metadata recorded with every event.
 *
 * - `eventId`: unique id of this event (a non-empty string, as are the other ids).
 * - `recordedAt`: whole epoch milliseconds at which the store recorded it (from the runtime's `Clock`).
 * - `correlationId`: id of the conversation this event belongs to (the first command's id, say).
 * - `causationId`: id of the message that caused this event (usually the command's id).
 * - `commandId`: id of the command that decided this event, when the command carried one (it makes
 *   handling the same command twice a no-op).
 * - `schemaVersion`: the version of the event type's shape it was written with (1 when absent); see
 *   `Upcaster`.
 *
 * The one definition of valid metadata: stores check what they record against it (through
 * `EventStore.validate`), and log-file imports check what they read.
 *
 * @example
 * ```ts
 * Schema.is(Envelope.Metadata)({ eventId: "e-1", recordedAt: 0, correlationId: "" }) // false: an empty id
 * ```
 *
 * @since 0.1.0
 */
export const Metadata = Schema.Struct({
  eventId: Id,
  recordedAt: Schema.Int,
  correlationId: Schema.optionalKey(Id),
  causationId: Schema.optionalKey(Id),
  commandId: Schema.optionalKey(Id),
  schemaVersion: Schema.optionalKey(Count)
})

/**
 * Metadata recorded with every event.
 *
 * @since 0.1.0
 */
export type Metadata = typeof Metadata.Type

/**
 * The metadata a writer may pass along with the events it appends; the store fills in the rest.
 *
 * @since 0.1.0
 */
export interface Trace {
  readonly correlationId?: string | undefined
  readonly causationId?: string | undefined
  /** Makes the command idempotent: handled twice, it appends nothing the second time. */
  readonly commandId?: string | undefined
}

/**
 * The schema of a recorded event in its stored form, with `data` as encoded JSON ({@link Data}). Use
 * it to check records that come from outside (an import, a foreign database).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownResult(Envelope.Recorded)(JSON.parse(line))
 * ```
 *
 * @since 0.1.0
 */
export const Recorded = Schema.Struct({
  streamId: Schema.NonEmptyString,
  version: Count,
  position: Count,
  type: Schema.NonEmptyString,
  data: Data,
  metadata: Metadata
})

/**
 * A recorded event. `Data` is `unknown` (the encoded payload) as a store holds it, and the domain
 * event type once the runtime has decoded it.
 *
 * @since 0.1.0
 */
export interface Recorded<Data = unknown> {
  /** The stream the event belongs to. */
  readonly streamId: string
  /** Its place in the stream: 1, 2, 3… without gaps. */
  readonly version: number
  /** Its place among all events of the store, strictly increasing in commit order. */
  readonly position: number
  /** The event's type: the `_tag` of a tagged event. */
  readonly type: string
  /** The payload: encoded as stored, or decoded. */
  readonly data: Data
  /** Ids and time of recording. */
  readonly metadata: Metadata
}
