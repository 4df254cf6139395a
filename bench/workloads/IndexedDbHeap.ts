/**
 * **Heap while folding an IndexedDB stream**: folding a long stream must not hold it in memory at
 * once. The driver (`browser/Chromium.ts`) fills a database with one stream (untimed) and samples
 * the page's *live* heap (after a forced garbage collection) while a reader folds it:
 *
 * - `chronicle`: `CommandHandler.load` (paged reads through the store, decoding, the fold);
 * - `idb paged`: `RawIdb.load`, the same pages by hand.
 *
 * For reference it also measures the stream held whole in memory ({@link hold}): what a reader that
 * does not page would need at its peak.
 *
 * Runs in the page.
 */
import { deleteDB } from "idb"
import * as RawIdb from "../baseline/RawIdb.ts"
import * as Bank from "../fixtures/Bank.ts"
import type * as Outcome from "../harness/Outcome.ts"
import * as IndexedDb from "./IndexedDb.ts"

/**
 * How a stream is read and folded.
 */
export type Reader = "chronicle" | "idb paged"

/**
 * Every reader, in the order they are measured.
 */
export const readers: ReadonlyArray<Reader> = ["chronicle", "idb paged"]

interface Filled {
  readonly events: number
  readonly name: string
  readonly chronicle: IndexedDb.Runtime
  readonly idb: RawIdb.Database
}

let current: Filled | undefined
let held: ReadonlyArray<unknown> | undefined

/**
 * Fills a database with one stream of `events` events and opens it for every reader. The database
 * of the previous call is closed and deleted first, so only one is kept.
 */
export const prepare = async (events: number): Promise<void> => {
  if (current !== undefined) {
    await current.chronicle.dispose()
    current.idb.close()
    await deleteDB(current.name)
    current = undefined
  }
  const name = `bench-heap-${events}-${Date.now().toString(36)}`
  const chronicle = await IndexedDb.filled(name, events)
  current = { events, name, chronicle, idb: await RawIdb.openExisting(name) }
}

const prepared = (): Filled => {
  if (current === undefined) throw new Error("no database: call prepare first")
  return current
}

/**
 * Folds the prepared stream with `reader`.
 */
export const fold = async (reader: Reader): Promise<Outcome.Outcome> => {
  const { chronicle, idb } = prepared()
  switch (reader) {
    case "chronicle":
      return IndexedDb.loaded(await chronicle.runPromise(Bank.handler.load(IndexedDb.stream)))
    case "idb paged":
      return IndexedDb.loaded(await RawIdb.load(idb, IndexedDb.stream))
  }
}

/**
 * Reads the whole prepared stream in one request and keeps it until {@link release}; returns how
 * many records it holds.
 */
export const hold = async (): Promise<number> => {
  held = await RawIdb.readAll(prepared().idb, IndexedDb.stream)
  return held.length
}

/**
 * Lets go of what {@link hold} keeps.
 */
export const release = (): void => {
  held = undefined
}
