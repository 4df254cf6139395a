/**
 * **RawIdb**: the plain-`idb` baseline of the IndexedDB workloads — hand-written transactions on the
 * same database layout as `@chronicle/store-indexeddb`, doing the same reads and writes in the same
 * transaction layout:
 *
 * - an append is one readwrite transaction that reads the stream's last record (a cursor on the
 *   `stream` index: Chronicle reads the record, not only its key, to see whether the stream was
 *   closed) and the log's last position (a key cursor on the store), checks the expected version,
 *   adds the records and waits for the commit;
 * - a read is one readonly `getAllFromIndex` per page of 1,024 records, folded with the same
 *   `evolve` as Chronicle's, until a page comes back short.
 *
 * The records are the same envelopes Chronicle writes (stream id, version, position, type, payload,
 * event id, time of recording). What the baseline leaves out is Chronicle's own work: Effect,
 * validation, Schema encoding and decoding, and the cross-tab notification after a commit.
 */
import type { Envelope } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { type DBSchema, type IDBPDatabase, openDB } from "idb"

interface Layout extends DBSchema {
  readonly events: {
    readonly key: number
    readonly value: Envelope.Recorded<BankAccount.Event>
    readonly indexes: { readonly stream: [string, number] }
  }
}

/**
 * An open database with the event-log layout.
 */
export type Database = IDBPDatabase<Layout>

/**
 * Opens (creating if needed) a database with Chronicle's event-log layout: records keyed by global
 * position, a unique index `stream` on `[streamId, version]`.
 */
export const open = (name: string): Promise<Database> =>
  openDB<Layout>(name, 1, {
    upgrade: (database) => {
      const events = database.createObjectStore("events", { keyPath: "position" })
      events.createIndex("stream", ["streamId", "version"], { unique: true })
    }
  })

/**
 * Opens an existing database as it is (e.g. one Chronicle filled), to read it.
 */
export const openExisting = (name: string): Promise<Database> => openDB<Layout>(name)

const versions = (streamId: string, from: number) => IDBKeyRange.bound([streamId, from], [streamId, Infinity])

/**
 * Appends events to a stream in one transaction if the stream is at `expected`; returns the new
 * version, or `undefined` (nothing written) on a conflict.
 */
export const append = async (
  database: Database,
  streamId: string,
  events: ReadonlyArray<BankAccount.Event>,
  expected: number
): Promise<number | undefined> => {
  const transaction = database.transaction("events", "readwrite")
  const [last, head] = await Promise.all([
    transaction.store.index("stream").openCursor(versions(streamId, 1), "prev"),
    transaction.store.openKeyCursor(null, "prev")
  ])
  const actual = last === null ? 0 : last.key[1]
  const position = head === null ? 0 : head.key
  if (actual !== expected) {
    await transaction.done
    return undefined
  }
  const recordedAt = Date.now()
  const writes = events.map((event, i) =>
    transaction.store.add({
      streamId,
      version: actual + i + 1,
      position: position + i + 1,
      type: event._tag,
      data: event,
      metadata: { eventId: crypto.randomUUID(), recordedAt }
    })
  )
  await Promise.all(writes)
  await transaction.done
  return actual + events.length
}

/**
 * How many records a read transaction fetches: Chronicle's default page size.
 */
export const pageSize = 1024

/**
 * Reads a stream page by page (one readonly transaction each) and folds it with the account's
 * `evolve`; returns the state and version.
 */
export const load = async (
  database: Database,
  streamId: string
): Promise<{ readonly state: BankAccount.State; readonly version: number }> => {
  let state = BankAccount.decider.initialState
  let version = 0
  for (;;) {
    const page = await database.getAllFromIndex("events", "stream", versions(streamId, version + 1), pageSize)
    for (let i = 0; i < page.length; i++) state = BankAccount.decider.evolve(state, page[i]!.data)
    version = page.at(-1)?.version ?? version
    if (page.length < pageSize) return { state, version }
  }
}

/**
 * Reads a whole stream in one request: what a reader that does not page holds at once.
 */
export const readAll = (database: Database, streamId: string): Promise<ReadonlyArray<Envelope.Recorded<BankAccount.Event>>> =>
  database.getAllFromIndex("events", "stream", versions(streamId, 1))
