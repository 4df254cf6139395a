/**
 * **LogFile**: a whole event log as one JSON document, to export from a store and import into
 * another (a backup, a bug report, moving from memory to IndexedDB). An import checks everything
 * before it writes anything: the document's shape, every record's envelope, versions 1, 2, 3… per
 * stream, strictly increasing positions, the streams' life cycle (after an archive marker only a
 * tombstone, after a tombstone nothing), event ids unique in the file, that each record is what a
 * store accepts (the one check every store applies on append, `EventStore.problemOf`: metadata,
 * reserved types, marker shape, payload depth), and — given the domains' event Schemas — every
 * payload. A file that fails any check is refused with {@link InvalidLogFile} saying what and where,
 * and the store is left as it was.
 *
 * What is stored is what was checked: each payload as its domain's Schema decodes it, encoded again
 * by `Codec` (fields the Schema does not know are dropped; a record of an older schema version is
 * upcast and stored in the current one).
 *
 * Imports go into an empty store only, so that the log is reproduced exactly (event ids, times and
 * order kept; positions are the target store's own, in the same order). The whole import is one
 * `EventStore.appendMany`: one all-or-nothing write, on the condition that the store is still empty
 * when it happens. A store that fails in the middle (quota, connection) has written nothing, and of
 * two imports racing into one empty store one writes its whole log and the other is refused.
 *
 * @since 0.1.0
 */
import { Envelope, ExpectedVersion } from "@chronicle/core"
import type { Upcaster } from "@chronicle/core"
import { Data, Effect, Result, Schema, Stream } from "effect"
import * as Codec from "./Codec.ts"
import * as EventStore from "./EventStore.ts"
import type { StoreError, StreamClosed, WrongExpectedVersion } from "./EventStore.ts"
import * as Issues from "./internal/issues.ts"
import * as Plain from "./internal/plain.ts"

/**
 * The document: a format tag, its version, and the records in global order.
 *
 * @since 0.1.0
 */
export const LogFile = Schema.Struct({
  format: Schema.Literal("chronicle-log"),
  formatVersion: Schema.Literal(1),
  events: Schema.Array(Envelope.Recorded)
})

/**
 * An exported event log.
 *
 * @since 0.1.0
 */
export type LogFile = typeof LogFile.Type

/**
 * The file cannot be imported. `reason` says what is wrong and where; nothing was written.
 *
 * @since 0.1.0
 */
export class InvalidLogFile extends Data.TaggedError("InvalidLogFile")<{ readonly reason: string }> {
  override get message(): string {
    return `Invalid event log file: ${this.reason}`
  }
}

/**
 * Reads the whole log of the store in the context into a {@link LogFile}.
 *
 * @since 0.1.0
 */
export const exportLog: Effect.Effect<LogFile, StoreError, EventStore.EventStore> = EventStore.EventStore.use((store) =>
  Stream.runCollect(store.readAll()).pipe(
    Effect.map((events): LogFile => ({ format: "chronicle-log", formatVersion: 1, events: events as LogFile["events"] }))
  )
)

/**
 * One domain of a log file: its event Schema (and upcasters) and optionally the stream each of its
 * events belongs to.
 *
 * @since 0.1.0
 */
export interface Domain<Event extends Codec.Tagged> {
  readonly eventSchema: Codec.EventSchema<Event>
  readonly upcasters?: Upcaster.Upcasters | undefined
  /** The stream an event must sit in, e.g. `BankAccount.streamIdOf`. */
  readonly streamId?: ((event: Event) => string) | undefined
}

/**
 * Types one entry of {@link Domains}: `streamId` must take the domain's own events, so that a
 * function of an id (`BankAccount.streamId`) is a type error rather than a wrong stream at import.
 *
 * @example
 * ```ts
 * const domains = [LogFile.domain({ eventSchema: BankAccount.Event, streamId: BankAccount.streamIdOf })]
 * ```
 *
 * @since 0.1.0
 */
export const domain = <Event extends Codec.Tagged>(domain: Domain<Event>): Domains[number] => domain

/**
 * The event Schemas (and upcasters) an import checks payloads with, by event type, and optionally
 * the stream each event belongs to (build each with {@link domain} to have `streamId` checked
 * against its events). Records of types not listed (but the life-cycle markers) are refused.
 *
 * @since 0.1.0
 */
export type Domains = ReadonlyArray<{
  readonly eventSchema: Codec.EventSchema<Codec.Tagged>
  readonly upcasters?: Upcaster.Upcasters | undefined
  readonly streamId?: ((event: never) => string) | undefined
}>

/**
 * Checks a document (parsed JSON, or the JSON text) and returns it as a {@link LogFile}, or says
 * what is wrong: the shape, then per record the stream versions and positions, that its event id
 * is new in the file (else naming both records), that its stream is still open for it (after an
 * archive marker only a tombstone, after a tombstone nothing), then the payloads. The file returned
 * is what an import stores: each domain payload as its Schema decodes it, encoded again by `Codec`
 * (unknown fields dropped, in the current schema version).
 *
 * @example
 * ```ts
 * LogFile.validate(JSON.parse(text), [{ eventSchema: BankAccount.Event }])
 * ```
 *
 * @since 0.1.0
 */
export const validate = (input: unknown, domains: Domains): Result.Result<LogFile, InvalidLogFile> => {
  const invalid = (reason: string) => Result.fail(new InvalidLogFile({ reason }))
  const parsed = typeof input === "string" ? parseJson(input) : Result.succeed(input)
  if (Result.isFailure(parsed)) return invalid("it is not JSON")
  // Read the document once, into a plain copy: what is checked is what is returned (and imported),
  // and a getter or Proxy that throws is an InvalidLogFile naming where.
  // Deep enough for the file, its list of events, a record, then a payload's own levels.
  const copied = Plain.copy(parsed.success, "loose", Envelope.maxDepth + 3)
  const unreadable = (refusal: Plain.Refusal) =>
    invalid(Plain.threw("it", refusal))
  if (!copied.ok) return unreadable(copied.refusal)
  const document = copied.value
  const decoded = Plain.attempt(() => {
    const result = Schema.decodeUnknownResult(LogFile)(document, { errors: "all" })
    return Result.mapError(result, (error) => Issues.format(error.issue, document))
  })
  if (!decoded.ok) return unreadable(decoded.refusal)
  const file = decoded.value
  if (Result.isFailure(file)) return invalid(`it is not a Chronicle event log: ${file.failure}`)
  const readers = new Map<string, (recorded: Envelope.Recorded) => Result.Result<Envelope.Recorded, string>>()
  for (const { eventSchema, streamId, upcasters } of domains) {
    const read = reader(
      Codec.decoder(eventSchema, upcasters),
      Codec.encoder(eventSchema, upcasters),
      streamId as ((event: Codec.Tagged) => string) | undefined
    )
    for (const type of Codec.eventTypes(eventSchema) ?? []) readers.set(type, read)
  }
  const tails = new Map<string, { readonly version: number; readonly type: string }>()
  const ids = new Map<string, string>()
  const records: Array<LogFile["events"][number]> = []
  let position = 0
  for (const [i, recorded] of file.success.events.entries()) {
    const where = `event #${i + 1} (stream "${recorded.streamId}", version ${recorded.version})`
    const tail = tails.get(recorded.streamId)
    const expected = (tail?.version ?? 0) + 1
    if (recorded.version !== expected) return invalid(`${where}: expected version ${expected} of its stream`)
    if (recorded.position <= position) return invalid(`${where}: position ${recorded.position} does not follow ${position}`)
    const twin = ids.get(recorded.metadata.eventId)
    if (twin !== undefined) return invalid(`${where}: its event id "${recorded.metadata.eventId}" is already the id of ${twin}`)
    const pending = pendingOf(recorded)
    const closure = EventStore.closedBy(tail?.type, [pending])
    if (closure !== undefined) return invalid(`${where}: the stream was closed before it: ${afterClosure[closure]}`)
    const problem = EventStore.problemOf(pending)
    if (problem !== undefined) return invalid(`${where}: ${problem}`)
    const read = readers.get(recorded.type)
    const stored = EventStore.closureOf(recorded.type) !== undefined
      ? Result.succeed(recorded) // a marker: nothing more to check
      : read === undefined
      ? Result.fail(`unknown event type "${recorded.type}"`)
      : read(recorded)
    if (Result.isFailure(stored)) return invalid(`${where}: ${stored.failure}`)
    // A re-encoded payload is JSON: `Codec.encoder` encodes with the Schema's JSON codec.
    records.push(stored.success as LogFile["events"][number])
    ids.set(recorded.metadata.eventId, where)
    tails.set(recorded.streamId, recorded)
    position = recorded.position
  }
  return Result.succeed({ ...file.success, events: records })
}

/** What may follow a life-cycle marker in its stream. */
const afterClosure: Record<EventStore.Closure, string> = {
  Archived: "after an archive marker only a tombstone may follow",
  Deleted: "nothing may follow a tombstone"
}

/**
 * Checks one record of a domain: its payload decodes, is of its own type, and sits in its stream.
 * Returns the record as it is stored: its payload encoded again from what the Schema decoded, in the
 * current schema version.
 */
const reader = (
  decode: ReturnType<typeof Codec.decoder>,
  encode: ReturnType<typeof Codec.encoder<Codec.Tagged>>,
  streamIdOf: ((event: Codec.Tagged) => string) | undefined
) =>
(recorded: Envelope.Recorded): Result.Result<Envelope.Recorded, string> => {
  const decoded = decode(recorded)
  if (Result.isFailure(decoded)) return Result.fail(decoded.failure.reason)
  const event = decoded.success.data
  if (event._tag !== recorded.type) return Result.fail(`its payload is a "${event._tag}"`)
  const streamId = streamIdOf?.(event)
  if (streamId !== undefined && streamId !== recorded.streamId) return Result.fail(`it belongs to stream "${streamId}"`)
  const encoded = encode(recorded.streamId, [event])
  if (Result.isFailure(encoded)) return Result.fail(`it does not encode again: ${encoded.failure.reason}`)
  const [{ data, schemaVersion }] = encoded.success as [EventStore.Pending]
  const { schemaVersion: _, ...metadata } = recorded.metadata
  return Result.succeed({
    ...recorded,
    data,
    metadata: schemaVersion === undefined || schemaVersion === 1 ? metadata : { ...metadata, schemaVersion }
  })
}

/**
 * The event an import appends for a record: its type, data and metadata as they are. A marker is
 * appended as an `EventStore.marker` (the only way to write one); it carries the record's data and
 * schema version, so that `EventStore.problemOf` refuses a marker that is not exactly a marker.
 */
const pendingOf = ({ data, metadata, type }: Envelope.Recorded): EventStore.Pending => {
  const kept = { trace: metadata, eventId: metadata.eventId, recordedAt: metadata.recordedAt }
  const base = EventStore.closureOf(type) === undefined ? { type } : EventStore.marker(type as EventStore.MarkerType)
  return { ...base, ...kept, data, schemaVersion: metadata.schemaVersion }
}

const parseJson = (text: string): Result.Result<unknown, unknown> => {
  try {
    return Result.succeed(JSON.parse(text))
  } catch (error) {
    return Result.fail(error)
  }
}

/**
 * Validates a document and, if it is valid, appends its events — as {@link validate} returns them —
 * in one all-or-nothing `EventStore.appendMany` that only writes into an empty store, keeping event
 * ids, times and the other metadata. Returns the number of events imported. A store that is not
 * empty (or another import that got there first) is refused with {@link InvalidLogFile}; a store that
 * fails has written nothing.
 *
 * @example
 * ```ts
 * const count = yield* LogFile.importLog(text, [{ eventSchema: BankAccount.Event }])
 * ```
 *
 * @since 0.1.0
 */
export const importLog = (
  input: unknown,
  domains: Domains
): Effect.Effect<number, InvalidLogFile | StoreError | StreamClosed | WrongExpectedVersion, EventStore.EventStore> =>
  Effect.gen(function*() {
    const file = yield* Effect.fromResult(validate(input, domains))
    const store = yield* EventStore.EventStore
    yield* store.appendMany(batchesOf(file.events), { expectedLastPosition: 0 }).pipe(
      Effect.catchTag("WrongExpectedPosition", () =>
        Effect.fail(new InvalidLogFile({ reason: "the store is not empty; import into an empty store" })))
    )
    return file.events.length
  })

/**
 * Splits the log into runs of consecutive events of one stream, a life-cycle marker ending its run
 * (it must be the last event of its batch): one batch each, in order.
 */
const batchesOf = (events: ReadonlyArray<Envelope.Recorded>): ReadonlyArray<EventStore.Batch> => {
  const runs: Array<Array<Envelope.Recorded>> = []
  for (const event of events) {
    const last = runs.at(-1)
    const tail = last?.at(-1)
    if (tail !== undefined && tail.streamId === event.streamId && EventStore.closureOf(tail.type) === undefined) {
      last!.push(event)
    } else {
      runs.push([event])
    }
  }
  return runs.map((run) => ({
    streamId: run[0]!.streamId,
    events: run.map(pendingOf),
    expected: ExpectedVersion.exact(run[0]!.version - 1)
  }))
}
