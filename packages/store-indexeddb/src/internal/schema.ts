/**
 * The layout of a Chronicle database in IndexedDB and its upgrades.
 *
 * - `events`: one record per event, the `Envelope.Recorded` itself, keyed by its global `position`;
 *   the unique index `stream` on `[streamId, version]` serves reads by stream and makes it
 *   impossible for two writers to both record version n of a stream.
 * - `checkpoints`: one record per projection, keyed by its name.
 * - `snapshots` (since version 2): the latest snapshot of each stream, keyed by its stream id.
 *
 * The database version is the number of migrations: a release that changes the layout appends a
 * migration, and `upgrade` runs the ones a database has not seen yet (inside the `versionchange`
 * transaction, so an upgrade is all or nothing and keeps what the database holds). It first checks
 * that the database is a Chronicle one of its version, so that it never changes someone else's.
 *
 * @internal
 */
import type { Envelope } from "@chronicle/core"
import type { CheckpointStore, SnapshotStore } from "@chronicle/runtime"
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
  readonly snapshots: {
    readonly key: string
    readonly value: SnapshotStore.Snapshot & { readonly streamId: string }
  }
}

/** An open connection to a Chronicle database. */
export type Database = IDBPDatabase<ChronicleSchema>

type Upgrade = IDBPTransaction<ChronicleSchema, ArrayLike<StoreNames<ChronicleSchema>>, "versionchange">

/** One step of the layout: the object stores it creates, and how. */
interface Migration {
  readonly creates: ReadonlyArray<StoreNames<ChronicleSchema>>
  readonly run: (database: Database) => void
}

const migrations: ReadonlyArray<Migration> = [
  {
    creates: ["events", "checkpoints"],
    run: (database) => {
      const events = database.createObjectStore("events", { keyPath: "position" })
      events.createIndex("stream", ["streamId", "version"], { unique: true })
      database.createObjectStore("checkpoints", { keyPath: "name" })
    }
  },
  {
    creates: ["snapshots"],
    run: (database) => void database.createObjectStore("snapshots", { keyPath: "streamId" })
  }
]

/** The version of the layout this code reads and writes. */
export const version = migrations.length

/** The object stores a database of layout `version` has. */
const storeNamesAt = (version: number): ReadonlyArray<StoreNames<ChronicleSchema>> =>
  migrations.slice(0, version).flatMap((migration) => migration.creates)

/** The object stores a database of this version has. */
export const storeNames: ReadonlyArray<StoreNames<ChronicleSchema>> = storeNamesAt(version)

/**
 * `idb`'s `upgrade` callback: runs the migrations from `oldVersion` up to `newVersion`. When the
 * database is not a Chronicle database of `oldVersion` (it lacks that layout's stores), it aborts the
 * upgrade instead, leaving the database as it was, and returns `false`.
 */
export const upgrade = (
  database: Database,
  oldVersion: number,
  newVersion: number | null,
  transaction: Upgrade
): boolean => {
  if (!storeNamesAt(oldVersion).every((store) => database.objectStoreNames.contains(store))) {
    transaction.done.catch(() => undefined) // the abort rejects it; the open request reports the failure
    transaction.abort()
    return false
  }
  for (const migration of migrations.slice(oldVersion, newVersion ?? undefined)) migration.run(database)
  return true
}
