/**
 * A scoped connection to a Chronicle database: opened (and upgraded) when acquired, closed when its
 * scope ends or as soon as another tab needs a newer version, and the one place where IndexedDB
 * transactions enter Effect.
 *
 * Each transaction is one `async` function wrapped once by `Effect.tryPromise`: IndexedDB commits a
 * transaction as soon as control returns to the event loop without a pending request, so no Effect
 * step may run between the requests of a transaction.
 *
 * @internal
 */
import { EventStore } from "@chronicle/runtime"
import { Deferred, Effect } from "effect"
import type { Scope } from "effect"
import { openDB } from "idb"
import { ConnectionClosed, OpenError } from "../IndexedDb.ts"
import { describe, nameOf } from "./failure.ts"
import * as Schema from "./schema.ts"

/** An open connection. */
export interface Connection {
  /**
   * Runs one transaction: `run` gets the database and returns a promise. Fails with a `StoreError`
   * naming `operation` (and the stream, where there is one) if the connection is closed or the
   * transaction fails.
   */
  readonly transact: <A>(
    operation: string,
    streamId: string | undefined,
    run: (database: Schema.Database) => Promise<A>
  ) => Effect.Effect<A, EventStore.StoreError>
  /** Fails with a `StoreError` naming `operation` when the connection closes; never succeeds. */
  readonly closed: (operation: string) => Effect.Effect<never, EventStore.StoreError>
}

/**
 * Opens the database `name`, upgrading it to this release's layout, for the current scope. `version`
 * is the database version to ask for: this release's, unless a test plays a newer release.
 */
export const open = (
  name: string,
  version: number = Schema.version
): Effect.Effect<Connection, OpenError, Scope.Scope> =>
  Effect.gen(function*() {
    const closed = Deferred.makeUnsafe<never, ConnectionClosed>()
    const close = (reason: ConnectionClosed["reason"]) =>
      Deferred.doneUnsafe(closed, Effect.fail(new ConnectionClosed({ database: name, reason })))
    const database = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => openDatabase(name, version, close),
        catch: (cause) => cause instanceof OpenError ? cause : openError(name, cause)
      }),
      (database) =>
        Effect.sync(() => {
          close("Released")
          database.close()
        })
    )
    const storeError = (operation: string, streamId: string | undefined) => (cause: unknown) =>
      new EventStore.StoreError({
        operation,
        streamId,
        reason: cause instanceof ConnectionClosed ? cause.message : describe(cause),
        cause
      })
    return {
      transact: (operation, streamId, run) =>
        Effect.suspend(() =>
          Deferred.isDoneUnsafe(closed)
            ? Deferred.await(closed)
            : Effect.tryPromise({ try: () => run(database), catch: (cause) => cause })
        ).pipe(Effect.mapError(storeError(operation, streamId))),
      closed: (operation) => Deferred.await(closed).pipe(Effect.mapError(storeError(operation, undefined)))
    }
  })

const openError = (database: string, cause: unknown): OpenError =>
  new OpenError({ database, reason: nameOf(cause) === "VersionError" ? "NewerVersion" : "Unavailable", cause })

// `blocked` leaves the request pending until the older tab closes: the layer fails at once, and the
// connection, should it open later, is closed straight away. An upgrade refused because the database
// is not Chronicle's aborts, and the open request then fails: it is reported as `Incompatible`.
const openDatabase = (name: string, version: number, onClose: (reason: ConnectionClosed["reason"]) => void) =>
  new Promise<Schema.Database>((resolve, reject) => {
    let blocked = false
    let incompatible = false
    const refuse = () => new OpenError({ database: name, reason: "Incompatible" })
    openDB<Schema.ChronicleSchema>(name, version, {
      upgrade: (database, oldVersion, newVersion, transaction) => {
        incompatible = !Schema.upgrade(database, oldVersion, newVersion, transaction)
      },
      blocked: () => {
        blocked = true
        reject(new OpenError({ database: name, reason: "Blocked" }))
      },
      blocking: (_version, newVersion, event) => {
        ;(event.target as IDBDatabase).close()
        onClose(newVersion === null ? "Deleted" : "VersionChange")
      },
      terminated: () => onClose("Terminated")
    }).then((database) => {
      if (blocked) {
        database.close()
      } else if (Schema.storeNames.every((store) => database.objectStoreNames.contains(store))) {
        resolve(database)
      } else {
        database.close()
        reject(refuse())
      }
    }, (error: unknown) => reject(incompatible ? refuse() : error))
  })
