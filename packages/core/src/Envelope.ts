/**
 * The **envelope** a store wraps around each event it records: where the event sits (stream,
 * version, global position), what it is (type), its payload and metadata (event id, time of
 * recording, correlation and causation ids).
 *
 * A store keeps `data` in its Schema-encoded, JSON-safe form (`Recorded<unknown>`); the runtime
 * decodes it on read into the domain's event type (`Recorded<Event>`), so the same envelope type
 * describes both.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/**
 * Metadata recorded with every event.
 *
 * - `eventId`: unique id of this event.
 * - `recordedAt`: epoch milliseconds at which the store recorded it (from the runtime's `Clock`).
 * - `correlationId`: id of the conversation this event belongs to (the first command's id, say).
 * - `causationId`: id of the message that caused this event (usually the command's id).
 * - `commandId`: id of the command that decided this event, when the command carried one (it makes
 *   handling the same command twice a no-op).
 * - `schemaVersion`: the version of the event type's shape it was written with (1 when absent); see
 *   `Upcaster`.
 *
 * @since 0.1.0
 */
export const Metadata = Schema.Struct({
  eventId: Schema.NonEmptyString,
  recordedAt: Schema.Int,
  correlationId: Schema.optionalKey(Schema.String),
  causationId: Schema.optionalKey(Schema.String),
  commandId: Schema.optionalKey(Schema.String),
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
 * The schema of a recorded event in its stored form, with `data` as encoded JSON. Use it to check
 * records that come from outside (an import, a foreign database).
 *
 * @since 0.1.0
 */
export const Recorded = Schema.Struct({
  streamId: Schema.NonEmptyString,
  version: Count,
  position: Count,
  type: Schema.NonEmptyString,
  data: Schema.Json,
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
