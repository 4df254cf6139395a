/**
 * The layout of a Chronicle database in IndexedDB and its upgrades.
 *
 * - `events`: one record per event, the `Envelope.Recorded` itself, keyed by its global `position`;
 *   the unique index `stream` on `[streamId, version]` serves reads by stream and makes it
 *   impossible for two writers to both record version n of a stream.
 * - `checkpoints`: one record per projection, keyed by its name.
 *
 * The database version is the number of migrations: a release that changes the layout appends a
 * migration, and `upgrade` runs the ones a database has not seen yet (inside the `versionchange`
 * transaction, so an upgrade is all or nothing).
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import type { CheckpointStore } from "@chronicle/runtime"
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from "idb"

/** The object stores and indexes of a Chronicle database, for `idb`'s typed API. */
export interface ChronicleSchema extends DBSchema {
  readonly events: {
    readonly key: number
    readonly value: Envelope.Recorded
    readonly indexes: { readonly stream: [string, number] }
  }
  readonly checkpoints: {
    readonly key: string
    readonly value: CheckpointStore.Saved & { readonly name: string }
  }
}

/** An open connection to a Chronicle database. */
export type Database = IDBPDatabase<ChronicleSchema>

type Migration = (
  database: Database,
  transaction: IDBPTransaction<ChronicleSchema, ArrayLike<StoreNames<ChronicleSchema>>, "versionchange">
) => void

const migrations: ReadonlyArray<Migration> = [
  (database) => {
    const events = database.createObjectStore("events", { keyPath: "position" })
    events.createIndex("stream", ["streamId", "version"], { unique: true })
    database.createObjectStore("checkpoints", { keyPath: "name" })
  }
]

/** The version of the layout this code reads and writes. */
export const version = migrations.length

/** The object stores a database of this version has. */
export const storeNames: ReadonlyArray<StoreNames<ChronicleSchema>> = ["events", "checkpoints"]

/** `idb`'s `upgrade` callback: runs the migrations a database at `oldVersion` has not seen. */
export const upgrade = (
  database: Database,
  oldVersion: number,
  _newVersion: number | null,
  transaction: IDBPTransaction<ChronicleSchema, ArrayLike<StoreNames<ChronicleSchema>>, "versionchange">
): void => {
  for (const migrate of migrations.slice(oldVersion)) migrate(database, transaction)
}
