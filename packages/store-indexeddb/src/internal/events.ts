/**
 * The transactions of the event log, each one `async` function (see `connection.ts`): an append is
 * one readwrite transaction that reads the stream's last record and the log's last position, checks
 * the expectation, then that the stream is not closed (`EventStore.closedBy` on the last record's
 * type), and adds all records, or none; a page read is one readonly request.
 *
 * Readwrite transactions on the `events` store run one at a time, across connections and tabs, so
 * check-then-write cannot interleave and positions are assigned in commit order. The unique index on
 * `[streamId, version]` backs this up: should two writers ever both try version n, the loser's
 * transaction aborts with a `ConstraintError` and it is reported as a conflict.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { ExpectedVersion } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import type { IDBPIndex, IDBPTransaction } from "idb"
import { nameOf } from "./failure.ts"
import type { ChronicleSchema, Database } from "./schema.ts"

/** The outcome of an append transaction. */
export type Appended =
  | { readonly _tag: "Written"; readonly version: number; readonly events: ReadonlyArray<Envelope.Recorded> }
  | { readonly _tag: "Conflict"; readonly actual: number }
  | { readonly _tag: "Closed"; readonly closure: EventStore.Closure }

/** What to append: the events, their stamped metadata and the writer's expectation. */
export interface Append {
  readonly streamId: string
  readonly events: ReadonlyArray<EventStore.Pending>
  readonly metadata: ReadonlyArray<Envelope.Metadata>
  readonly expected: ExpectedVersion.ExpectedVersion
}

type Events<Mode extends IDBTransactionMode> = IDBPTransaction<ChronicleSchema, ["events"], Mode>

const ignore = () => undefined

const versions = (streamId: string, from: number, to: number) => IDBKeyRange.bound([streamId, from], [streamId, to])

type StreamIndex = IDBPIndex<ChronicleSchema, ["events"], "events", "stream", IDBTransactionMode>

/** The version and type of a stream's last record: version 0 and no type for a new stream. */
const lastRecordIn = async (index: StreamIndex, streamId: string) => {
  const cursor = await index.openCursor(versions(streamId, 1, Infinity), "prev")
  return cursor === null ? { version: 0, type: undefined } : { version: cursor.key[1], type: cursor.value.type }
}

const lastPositionIn = async <Mode extends IDBTransactionMode>(transaction: Events<Mode>) => {
  const cursor = await transaction.store.openKeyCursor(null, "prev")
  return cursor === null ? 0 : cursor.key
}

/** The position of the last recorded event, 0 for an empty log. */
export const lastPosition = (database: Database): Promise<number> => lastPositionIn(database.transaction("events"))

/** Appends all events or none, if the stream is where the writer expects it. */
export const append = async (database: Database, request: Append): Promise<Appended> => {
  const transaction = database.transaction("events", "readwrite")
  const writes: Array<Promise<number>> = []
  try {
    const [last, position] = await Promise.all([
      lastRecordIn(transaction.store.index("stream"), request.streamId),
      lastPositionIn(transaction)
    ])
    const actual = last.version
    if (!ExpectedVersion.matches(request.expected, actual)) {
      await transaction.done
      return { _tag: "Conflict", actual }
    }
    const closure = EventStore.closedBy(last.type, request.events)
    if (closure !== undefined) {
      await transaction.done
      return { _tag: "Closed", closure }
    }
    const events = request.events.map((event, i): Envelope.Recorded => ({
      streamId: request.streamId,
      version: actual + i + 1,
      position: position + i + 1,
      type: event.type,
      data: event.data,
      metadata: request.metadata[i]!
    }))
    for (const event of events) writes.push(transaction.store.add(event))
    await Promise.all(writes)
    await transaction.done
    return { _tag: "Written", version: actual + events.length, events }
  } catch (error) {
    // Abort explicitly: a request that threw (rather than failed) would otherwise let the
    // transaction commit the records added before it.
    for (const write of writes) write.catch(ignore)
    abort(transaction)
    await transaction.done.catch(ignore)
    if (nameOf(error) !== "ConstraintError") throw error
    const { version } = await lastRecordIn(database.transaction("events").store.index("stream"), request.streamId)
    return { _tag: "Conflict", actual: version }
  }
}

const abort = (transaction: Events<"readwrite">) => {
  try {
    transaction.abort()
  } catch {
    // already finished (aborted by the failed request, or committed)
  }
}

/** Up to `limit` events from global position `from`, in position order. */
export const readLog = (database: Database, from: number, limit: number): Promise<ReadonlyArray<Envelope.Recorded>> =>
  database.getAll("events", IDBKeyRange.lowerBound(from), limit)

/** Up to `limit` events of a stream with versions from `from` to `to`, in version order. */
export const readStream = async (
  database: Database,
  streamId: string,
  from: number,
  to: number,
  limit: number
): Promise<ReadonlyArray<Envelope.Recorded>> =>
  from > to ? [] : database.getAllFromIndex("events", "stream", versions(streamId, from, to), limit)
