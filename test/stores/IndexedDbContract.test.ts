/**
 * The IndexedDB layer passes the EventStore contract under Node, on fake-indexeddb: a new database
 * for every check and every generated sequence, and pages of 3 events so that reads and
 * subscriptions cross page boundaries.
 */
import "fake-indexeddb/auto"
import { IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { describe, it } from "@effect/vitest"
import { EventStoreContract } from "@chronicle/testing"

let databases = 0

EventStoreContract.register({ describe, it }, {
  name: "indexeddb (fake-indexeddb)",
  makeLayer: () => IndexedDbEventStore.layer({ name: `contract-${databases++}`, pageSize: 3 })
})
