/**
 * **IndexedDb**: the database that the IndexedDB layers share, and what can go wrong with it.
 *
 * One database per name (and per origin) holds an event log, the checkpoints of its projections and
 * the snapshots of its streams.
 * Each layer opens its own connection when it is built and closes it when its scope ends. Its layout
 * is versioned ({@link schemaVersion}); a newer release of an app upgrades it through `idb`'s
 * `upgrade`, and every tab must then move to the new version:
 *
 * - opening fails with {@link OpenError} when the database cannot be opened at all, when a tab still
 *   holds an older version open and refuses to close it (`Blocked`), or when a newer release already
 *   upgraded it (`NewerVersion`: this tab runs old code and should reload);
 * - a connection closes cleanly as soon as another tab asks for a newer version (a `versionchange`)
 *   or deletes the database; from then on every operation fails with a `StoreError` whose `cause` is
 *   a {@link ConnectionClosed} saying why;
 * - a write beyond the browser's storage quota fails with a `StoreError` ({@link isQuotaExceeded})
 *   and writes nothing.
 *
 * @since 0.1.0
 */
import type { EventStore } from "@chronicle/runtime"
import { Data } from "effect"
import { describe, nameOf } from "./internal/failure.ts"
import * as Schema from "./internal/schema.ts"

/**
 * The version of the database layout this release reads and writes (IndexedDB's database version).
 *
 * @example
 * ```ts
 * console.log(`event log layout v${IndexedDb.schemaVersion}`)
 * ```
 *
 * @since 0.1.0
 */
export const schemaVersion: number = Schema.version

/**
 * Which database a layer uses.
 *
 * @example
 * ```ts
 * const options: IndexedDb.Options = { name: "bank" }
 * ```
 *
 * @since 0.1.0
 */
export interface Options {
  /** The database name: one event log per name and origin. */
  readonly name: string
}

/**
 * The database could not be opened, so the layer could not be built.
 *
 * - `Unavailable`: IndexedDB is missing (an old browser, some private modes) or refused to open.
 * - `Blocked`: another tab keeps an older version of the database open; close it and retry.
 * - `NewerVersion`: a newer release of the app already upgraded the database; reload this tab.
 * - `Incompatible`: a database of that name exists but was not created by Chronicle (it is left
 *   untouched).
 *
 * @example
 * ```ts
 * program.pipe(
 *   Effect.provide(IndexedDbEventStore.layer({ name: "bank" })),
 *   Effect.catchTag("IndexedDbOpenError", (error) => showBanner(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 */
export class OpenError extends Data.TaggedError("IndexedDbOpenError")<{
  readonly database: string
  readonly reason: "Unavailable" | "Blocked" | "NewerVersion" | "Incompatible"
  readonly cause?: unknown
}> {
  override get message(): string {
    const name = `IndexedDB database "${this.database}"`
    switch (this.reason) {
      case "Unavailable":
        return `${name} cannot be opened: ${describe(this.cause)}`
      case "Blocked":
        return `${name} cannot be upgraded to version ${schemaVersion}: another tab keeps an older version open`
      case "NewerVersion":
        return `${name} was upgraded past version ${schemaVersion} by a newer release of the app: reload the page`
      case "Incompatible":
        return `${name} exists but was not created by Chronicle`
    }
  }
}

/**
 * Why a connection closed. Found as the `cause` of the `StoreError` of every operation attempted
 * after it closed (a subscription that is running fails with it too).
 *
 * - `VersionChange`: another tab opened a newer version of the database; reload this tab.
 * - `Deleted`: another tab deleted the database.
 * - `Terminated`: the browser closed the connection (storage cleared, disk failure).
 * - `Released`: the layer's scope ended.
 *
 * @example
 * ```ts
 * Effect.catchTag("StoreError", (error) =>
 *   error.cause instanceof IndexedDb.ConnectionClosed ? askToReload : Effect.fail(error))
 * ```
 *
 * @since 0.1.0
 */
export class ConnectionClosed extends Data.TaggedError("IndexedDbConnectionClosed")<{
  readonly database: string
  readonly reason: "VersionChange" | "Deleted" | "Terminated" | "Released"
}> {
  override get message(): string {
    const name = `the connection to IndexedDB database "${this.database}" is closed`
    switch (this.reason) {
      case "VersionChange":
        return `${name}: another tab opened a newer version of it`
      case "Deleted":
        return `${name}: another tab deleted it`
      case "Terminated":
        return `${name}: the browser terminated it`
      case "Released":
        return `${name}: its layer was released`
    }
  }
}

/**
 * Whether a store operation failed because the browser's storage quota for the site is exceeded.
 * The transaction was aborted: nothing of the failed write was kept.
 *
 * @example
 * ```ts
 * Effect.catchIf(store.append(id, events, expected), IndexedDb.isQuotaExceeded, () => askToFreeSpace)
 * ```
 *
 * @since 0.1.0
 */
export const isQuotaExceeded = (
  error: EventStore.StoreError | EventStore.WrongExpectedVersion | EventStore.StreamClosed
): boolean =>
  error._tag === "StoreError" && nameOf(error.cause) === "QuotaExceededError"
