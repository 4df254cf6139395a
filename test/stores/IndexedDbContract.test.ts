/**
 * The IndexedDB layer passes the EventStore contract under Node, on fake-indexeddb: a new database
 * for every check and every generated sequence, and pages of 3 events so that reads and
 * subscriptions cross page boundaries. The huge append writes 66,000 events (just above the 65,536
 * arguments a call takes in some engines) rather than 200,000: fake-indexeddb needs about 20 s for
 * 70,000.
 */
import "fake-indexeddb/auto"
import { IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { describe, it } from "@effect/vitest"
import { EventStoreContract } from "@chronicle/testing"

let databases = 0

EventStoreContract.register({ describe, it }, {
  name: "indexeddb (fake-indexeddb)",
  makeLayer: () => IndexedDbEventStore.layer({ name: `contract-${databases++}`, pageSize: 3 }),
  hugeBatch: 66_000
})
