/**
 * `LogFile.importLog` is one all-or-nothing write that stores what it checked: the store's own
 * export of archived and deleted streams imports again, a file the life cycle refuses writes
 * nothing, two imports racing into one empty store end with one whole log, a store failing half-way
 * writes nothing, duplicate event ids are refused, and payloads are stored as their Schema decodes
 * them (upcast to the current schema version). On the memory layer, on IndexedDB (fake-indexeddb)
 * and on PostgreSQL when the test database is reachable (see `test/postgres/database.ts`).
 */
import "fake-indexeddb/auto"
import { BankAccount, User } from "@chronicle/examples"
import { CommandHandler, EventStore, LogFile } from "@chronicle/runtime"
import { IndexedDb, IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { MemoryEventStore } from "@chronicle/store-memory"
import { PostgresEventStore } from "@chronicle/store-postgres"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result, Stream } from "effect"
import { describePostgres, useDatabase } from "../postgres/database.ts"
import { bankAccount } from "./fixtures.ts"

const accounts = CommandHandler.make(bankAccount)
const domains = [{ eventSchema: BankAccount.Event, streamId: BankAccount.streamIdOf }]

const history = EventStore.EventStore.use((store) => Stream.runCollect(store.readAll()))

let databases = 0

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<EventStore.EventStore, unknown>]> = [
  ["memory", () => MemoryEventStore.layer],
  ["indexeddb (fake-indexeddb)", () => IndexedDbEventStore.layer({ name: `log-import-${databases++}` })]
]

/** A log of two accounts: "b" open, "a" archived and at once deleted (its two markers in one run). */
const exported = Effect.gen(function*() {
  yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" })
  yield* accounts.handle({ _tag: "Open", accountId: "b", owner: "Bob" })
  yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 7 })
  yield* accounts.handle({ _tag: "Deposit", accountId: "b", amount: 3 })
  yield* EventStore.archive("account-a")
  yield* EventStore.remove("account-a")
  return yield* LogFile.exportLog
}).pipe(Effect.provide(MemoryEventStore.layer))

const record = (streamId: string, version: number, position: number, type: string, data: unknown) => ({
  streamId,
  version,
  position,
  type,
  data,
  metadata: { eventId: `e${position}`, recordedAt: 0 }
})

const opened = (id: string) => ({ _tag: "AccountOpened", accountId: id, owner: id.toUpperCase() })
const deposited = (id: string, amount: number) => ({ _tag: "Deposited", accountId: id, amount })

const file = <Event>(events: ReadonlyArray<Event>) => ({ format: "chronicle-log", formatVersion: 1, events })

/** Many streams, many runs: an import of several batches. */
const manyRuns = file(Array.from({ length: 40 }, (_, i) => record(`account-${i}`, 1, i + 1, "AccountOpened", opened(`${i}`))))

/** Declares the import's tests on the stores `layer` builds, a fresh one per test. */
const suite = (layer: () => Layer.Layer<EventStore.EventStore, unknown>) => {
  it.effect("the store's own export of a stream archived then deleted imports again, exactly", () =>
    Effect.gen(function*() {
      const source = yield* exported
      const copy = yield* Effect.gen(function*() {
        assert.strictEqual(yield* LogFile.importLog(JSON.stringify(source), domains), source.events.length)
        return yield* LogFile.exportLog
      }).pipe(Effect.provide(layer()))
      assert.deepStrictEqual(copy, source)
    }))

  it.effect("an event after an archive marker is refused by validation, and nothing is written", () =>
    Effect.gen(function*() {
      const bad = file([
        record("account-b", 1, 1, "AccountOpened", opened("b")),
        record("account-a", 1, 2, "AccountOpened", opened("a")),
        record("account-a", 2, 3, EventStore.archivedType, { _tag: EventStore.archivedType }),
        record("account-a", 3, 4, "Deposited", deposited("a", 1))
      ])
      assert.match(
        Result.getOrThrowWith(Result.flip(LogFile.validate(bad, domains)), () => "valid").reason,
        /event #4 \(stream "account-a", version 3\): the stream was closed before it: after an archive marker only a tombstone may follow/
      )
      const error = yield* Effect.flip(LogFile.importLog(bad, domains))
      assert.strictEqual(error._tag, "InvalidLogFile")
      assert.deepStrictEqual(yield* history, [])
    }).pipe(Effect.provide(layer())))

  it.effect("two imports racing into one empty store: one writes its whole log, the other is refused and writes nothing", () =>
    Effect.gen(function*() {
      const other = file(manyRuns.events.map((event) => ({
        ...event,
        metadata: { ...event.metadata, eventId: `other-${event.metadata.eventId}` }
      })))
      const [first, second] = yield* Effect.all(
        [Effect.result(LogFile.importLog(manyRuns, domains)), Effect.result(LogFile.importLog(other, domains))],
        { concurrency: "unbounded" }
      )
      const outcomes = [first, second].map((outcome) =>
        Result.isSuccess(outcome) ? "imported" : `${outcome.failure._tag}: ${outcome.failure.message}`
      )
      assert.deepStrictEqual(outcomes.toSorted(), [
        "InvalidLogFile: Invalid event log file: the store is not empty; import into an empty store",
        "imported"
      ])
      const winner = Result.isSuccess(first) ? manyRuns : other
      const log = yield* history
      assert.deepStrictEqual(log.map((event) => event.metadata.eventId), winner.events.map((event) => event.metadata.eventId))
    }).pipe(Effect.provide(layer())))

  it.effect("duplicate event ids are refused, naming both records", () =>
    Effect.gen(function*() {
      const twice = file([
        record("account-a", 1, 1, "AccountOpened", opened("a")),
        { ...record("account-a", 2, 2, "Deposited", deposited("a", 1)), metadata: { eventId: "e1", recordedAt: 0 } }
      ])
      const error = yield* Effect.flip(LogFile.importLog(twice, domains))
      assert.strictEqual(
        error.message,
        `Invalid event log file: event #2 (stream "account-a", version 2): its event id "e1" is already the id of event #1 (stream "account-a", version 1)`
      )
      assert.deepStrictEqual(yield* history, [])
    }).pipe(Effect.provide(layer())))

  it.effect("payload fields the Schema does not know are not stored", () =>
    Effect.gen(function*() {
      const extra = file([record("account-a", 1, 1, "AccountOpened", { ...opened("a"), isAdmin: true, note: { x: 1 } })])
      assert.strictEqual(yield* LogFile.importLog(extra, domains), 1)
      assert.deepStrictEqual((yield* history).map((event) => event.data), [opened("a")])
    }).pipe(Effect.provide(layer())))

  it.effect("a record of an older schema version is stored upcast, in the current one", () =>
    Effect.gen(function*() {
      const v1 = { _tag: "UserRegistered", userId: "u", name: "Ada King Lovelace", email: "ada@example.com" }
      const old = file([record("user-u", 1, 1, "UserRegistered", v1)])
      const users = [{ eventSchema: User.Event, upcasters: User.upcasters, streamId: User.streamIdOf }]
      assert.strictEqual(yield* LogFile.importLog(old, users), 1)
      const [stored] = yield* history
      assert.deepStrictEqual(
        [stored!.data, stored!.metadata],
        [
          { _tag: "UserRegistered", userId: "u", givenName: "Ada King", familyName: "Lovelace", email: "ada@example.com" },
          { eventId: "e1", recordedAt: 0, schemaVersion: 2 }
        ]
      )
    }).pipe(Effect.provide(layer())))
}

for (const [name, layer] of layers) describe(`LogFile.importLog (${name})`, () => suite(layer))

describePostgres("LogFile.importLog (postgres)", () => {
  const { inEmptySchema } = useDatabase()
  suite(() => inEmptySchema((schema) => PostgresEventStore.layer({ schema })))
})

describe("LogFile.importLog (indexeddb, failing half-way)", () => {
  it.effect("a quota error in the middle of an import writes nothing", () =>
    Effect.gen(function*() {
      const original = IDBObjectStore.prototype.add
      let adds = 0
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          IDBObjectStore.prototype.add = function(this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
            if (++adds === 25) throw new DOMException("Quota exceeded", "QuotaExceededError")
            return original.call(this, value, key)
          }
        }),
        () => Effect.sync(() => void (IDBObjectStore.prototype.add = original))
      )
      const error = yield* Effect.flip(LogFile.importLog(manyRuns, domains))
      assert.isTrue(error._tag === "StoreError" && IndexedDb.isQuotaExceeded(error))
      assert.deepStrictEqual(yield* history, [])
    }).pipe(Effect.provide(IndexedDbEventStore.layer({ name: `log-import-${databases++}` })), Effect.scoped))
})
