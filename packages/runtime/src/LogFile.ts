/**
 * **LogFile**: a whole event log as one JSON document, to export from a store and import into
 * another (a backup, a bug report, moving from memory to IndexedDB). An import checks everything
 * before it writes anything: the document's shape, every record's envelope, versions 1, 2, 3… per
 * stream, strictly increasing positions, that each record is what a store accepts (the one check
 * every store applies on append, `EventStore.problemOf`: metadata, reserved types, marker shape,
 * payload depth), and — given the domains' event Schemas — every payload. A
 * file that fails any check is refused with {@link InvalidLogFile} saying what and where, and the
 * store is left as it was.
 *
 * Imports go into an empty store only, so that the log is reproduced exactly (event ids, times and
 * order kept; positions are the target store's own, in the same order). Each run of consecutive
 * events of one stream is one atomic append; a store that fails in the middle of an import (quota,
 * connection) keeps the runs appended before, so import into a store you can discard.
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
 * The event Schemas (and upcasters) an import checks payloads with, by event type, and optionally
 * the stream each event belongs to. Records of types not listed (but the life-cycle markers) are
 * refused.
 *
 * @since 0.1.0
 */
export type Domains = ReadonlyArray<{
  readonly eventSchema: Codec.EventSchema<Codec.Tagged>
  readonly upcasters?: Upcaster.Upcasters | undefined
  /** The stream an event must sit in, e.g. `BankAccount.streamIdOf`. */
  readonly streamId?: ((event: never) => string) | undefined
}>

/**
 * Checks a document (parsed JSON, or the JSON text) and returns it as a {@link LogFile}, or says
 * what is wrong: the shape, then per record the stream versions and positions, then the payloads.
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
    invalid(`reading it threw${refusal.path.length === 0 ? "" : ` at ${Plain.formatPath(refusal.path)}`}: ${Plain.describeThrown(refusal.thrown)}`)
  if (!copied.ok) return unreadable(copied.refusal)
  const document = copied.value
  const decoded = Plain.attempt(() => {
    const result = Schema.decodeUnknownResult(LogFile)(document, { errors: "all" })
    return Result.mapError(result, (error) => Issues.format(error.issue, document))
  })
  if (!decoded.ok) return unreadable(decoded.refusal)
  const file = decoded.value
  if (Result.isFailure(file)) return invalid(`it is not a Chronicle event log: ${file.failure}`)
  const readers = new Map<string, (recorded: Envelope.Recorded) => string | undefined>()
  for (const { eventSchema, streamId, upcasters } of domains) {
    const read = reader(Codec.decoder(eventSchema, upcasters), streamId as ((event: Codec.Tagged) => string) | undefined)
    for (const type of Codec.eventTypes(eventSchema) ?? []) readers.set(type, read)
  }
  const versions = new Map<string, number>()
  const closed = new Set<string>()
  let position = 0
  for (const [i, recorded] of file.success.events.entries()) {
    const where = `event #${i + 1} (stream "${recorded.streamId}", version ${recorded.version})`
    const expected = (versions.get(recorded.streamId) ?? 0) + 1
    if (recorded.version !== expected) return invalid(`${where}: expected version ${expected} of its stream`)
    if (recorded.position <= position) return invalid(`${where}: position ${recorded.position} does not follow ${position}`)
    if (closed.has(recorded.streamId)) return invalid(`${where}: the stream was closed before it`)
    const read = readers.get(recorded.type)
    const problem = EventStore.problemOf(pendingOf(recorded)) ??
      (EventStore.closureOf(recorded.type) !== undefined
        ? undefined // a marker: nothing more to check
        : read === undefined
        ? `unknown event type "${recorded.type}"`
        : read(recorded))
    if (problem !== undefined) return invalid(`${where}: ${problem}`)
    if (EventStore.closureOf(recorded.type) === "Deleted") closed.add(recorded.streamId)
    versions.set(recorded.streamId, recorded.version)
    position = recorded.position
  }
  return Result.succeed(file.success)
}

/** Checks one record of a domain: its payload decodes, is of its own type, and sits in its stream. */
const reader = (
  decode: ReturnType<typeof Codec.decoder>,
  streamIdOf: ((event: Codec.Tagged) => string) | undefined
) =>
(recorded: Envelope.Recorded): string | undefined => {
  const decoded = decode(recorded)
  if (Result.isFailure(decoded)) return decoded.failure.reason
  if (decoded.success.data._tag !== recorded.type) return `its payload is a "${decoded.success.data._tag}"`
  const streamId = streamIdOf?.(decoded.success.data)
  return streamId === undefined || streamId === recorded.streamId ? undefined : `it belongs to stream "${streamId}"`
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
 * Validates a document and, if it is valid and the store is empty, appends its events stream by
 * stream in their global order, keeping event ids, times and the other metadata. Returns the number
 * of events imported.
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
    if ((yield* store.lastPosition) > 0) {
      return yield* new InvalidLogFile({ reason: "the store is not empty; import into an empty store" })
    }
    for (const run of runsByStream(file.events)) {
      const [first] = run
      yield* store.append(first!.streamId, run.map(pendingOf), ExpectedVersion.exact(first!.version - 1))
    }
    return file.events.length
  })

/** Splits the log into runs of consecutive events of one stream: one append each, in order. */
const runsByStream = (events: ReadonlyArray<Envelope.Recorded>): ReadonlyArray<ReadonlyArray<Envelope.Recorded>> => {
  const runs: Array<Array<Envelope.Recorded>> = []
  for (const event of events) {
    const last = runs.at(-1)
    if (last !== undefined && last[0]!.streamId === event.streamId) last.push(event)
    else runs.push([event])
  }
  return runs
}
