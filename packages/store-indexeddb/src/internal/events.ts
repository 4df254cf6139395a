/**
 * The transactions of the event log, each one `async` function (see `connection.ts`): an append (of
 * one batch or of several, `appendMany`) is one readwrite transaction that reads the last record of
 * each stream it writes and the log's last position, checks the position condition, then each
 * batch's expectation and that its stream is not closed (`EventStore.admit`), and adds all records,
 * or none; a page read is one readonly request.
 *
 * Readwrite transactions on the `events` store run one at a time, across connections and tabs, so
 * check-then-write cannot interleave and positions are assigned in commit order. The unique index on
 * `[streamId, version]` backs this up: should two writers ever both try version n, the loser's
 * transaction aborts with a `ConstraintError` and it is reported as a conflict.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import { Result } from "effect"
import type { IDBPIndex, IDBPTransaction } from "idb"
import { nameOf } from "./failure.ts"
import type { ChronicleSchema, Database } from "./schema.ts"

/** The outcome of an append transaction: each batch as written, or why nothing was. */
export type Appended<E> = Result.Result<
  ReadonlyArray<EventStore.AppendResult>,
  E | EventStore.WrongExpectedVersion | EventStore.StreamClosed
>

/** What to append: the batches, their stamped metadata and the condition on the log's last position. */
export interface Append<E> {
  readonly batches: ReadonlyArray<EventStore.Batch>
  readonly metadata: ReadonlyArray<ReadonlyArray<Envelope.Metadata>>
  readonly condition: EventStore.Condition<E>
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

/** The tails of the streams of `batches`, read in one transaction. */
const tailsIn = async (index: StreamIndex, batches: ReadonlyArray<EventStore.Batch>) => {
  const streamIds = [...new Set(batches.map((batch) => batch.streamId))]
  const tails = await Promise.all(streamIds.map((streamId) => lastRecordIn(index, streamId)))
  const byStream = new Map(streamIds.map((streamId, i) => [streamId, tails[i]!]))
  return (streamId: string): EventStore.Tail => byStream.get(streamId)!
}

/** Appends all batches or none, if the log and every stream are where the writer expects them. */
export const append = async <E>(database: Database, request: Append<E>): Promise<Appended<E>> => {
  const transaction = database.transaction("events", "readwrite")
  const writes: Array<Promise<number>> = []
  try {
    const [tailOf, position] = await Promise.all([
      tailsIn(transaction.store.index("stream"), request.batches),
      lastPositionIn(transaction)
    ])
    const moved = request.condition(position)
    if (moved !== undefined) {
      await transaction.done
      return Result.fail(moved)
    }
    const starts = EventStore.admit(request.batches, tailOf)
    if (Result.isFailure(starts)) {
      await transaction.done
      return Result.fail(starts.failure)
    }
    const results = EventStore.recordsOf(request.batches, starts.success, request.metadata, position)
    for (const { events } of results) for (const event of events) writes.push(transaction.store.add(event))
    await Promise.all(writes)
    await transaction.done
    return Result.succeed(results)
  } catch (error) {
    // Abort explicitly: a request that threw (rather than failed) would otherwise let the
    // transaction commit the records added before it.
    for (const write of writes) write.catch(ignore)
    abort(transaction)
    await transaction.done.catch(ignore)
    if (nameOf(error) !== "ConstraintError") throw error
    // Another writer took a version: report the stream it moved, as a conflict.
    const tailOf = await tailsIn(database.transaction("events").store.index("stream"), request.batches)
    const admitted = EventStore.admit(request.batches, tailOf)
    const { expected, streamId } = request.batches[0]!
    return Result.fail(
      Result.isFailure(admitted)
        ? admitted.failure
        : new EventStore.WrongExpectedVersion({ streamId, expected, actual: tailOf(streamId).version })
    )
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
