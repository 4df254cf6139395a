/**
 * The store switch: which EventStore layer the playground runs on. Switching is providing another
 * Layer — the domains, handlers and projectors do not change. The IndexedDB layer is loaded on first
 * use, so the in-memory playground does not download it.
 */
import type { EventStore } from "@chronicle/runtime"
import type { IndexedDb } from "@chronicle/store-indexeddb"
import { MemoryEventStore } from "@chronicle/store-memory"
import { Effect, Layer } from "effect"

/** The stores the playground can run on. */
export type StoreKind = "memory" | "indexeddb"

/** The stores, in the order of the switch. */
export const kinds: ReadonlyArray<StoreKind> = ["memory", "indexeddb"]

/** What the switch says about each store. */
export const info: { readonly [K in StoreKind]: { readonly label: string; readonly description: string } } = {
  memory: { label: "Memory", description: "in this page only; a reload starts afresh" },
  indexeddb: { label: "IndexedDB", description: "kept across reloads, shared live by this site's tabs" }
}

/** The store named in the page's address, or memory. */
export const parseKind = (value: string | null): StoreKind => value === "indexeddb" ? "indexeddb" : "memory"

/** The IndexedDB database the playground keeps its log in. */
export const databaseName = "chronicle-playground"

/**
 * The EventStore layer of a store. Each build gives a new connection (IndexedDB) or a new, empty
 * store (memory).
 */
export const layer = (kind: StoreKind): Layer.Layer<EventStore.EventStore, IndexedDb.OpenError> =>
  kind === "memory"
    ? MemoryEventStore.layer
    : Layer.unwrap(
      Effect.map(
        Effect.promise(() => import("@chronicle/store-indexeddb")),
        ({ IndexedDbEventStore }) => IndexedDbEventStore.layer({ name: databaseName })
      )
    )

/**
 * Deletes everything a store keeps outside the page: the IndexedDB database (other tabs' connections
 * close, and they reconnect to a new, empty one). A memory store needs nothing: dropping its layer
 * drops its log. Call it once the store's own connection is closed.
 */
export const erase = (kind: StoreKind): Promise<void> =>
  kind === "memory" ? Promise.resolve() : new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(databaseName)
    request.onsuccess = () => resolve()
    request.onerror = () => reject(request.error)
  })

/**
 * Whether a failure means the store's connection was closed from outside: another tab reset the
 * IndexedDB log (deleted the database) or upgraded it. The page then reconnects.
 */
export const closedElsewhere = (error: unknown): boolean => {
  const cause = (error as { readonly _tag?: unknown; readonly cause?: { readonly _tag?: unknown; readonly reason?: unknown } })
  return cause._tag === "StoreError" && cause.cause?._tag === "IndexedDbConnectionClosed" && cause.cause.reason !== "Released"
}
