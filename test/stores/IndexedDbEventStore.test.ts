/**
 * What the IndexedDB layer promises beyond the contract, under Node on fake-indexeddb: data kept
 * across connections (a reload), two connections on one database (two tabs), a stream closed on one
 * connection closed for all, a connection closed by a newer version or a deletion elsewhere, typed
 * failures to open, quota exceeded and stale version checks with nothing half-written, records that
 * no longer decode.
 */
import "fake-indexeddb/auto"
import { ExpectedVersion } from "@chronicle/core"
import { Codec, EventStore } from "@chronicle/runtime"
import { IndexedDb, IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schema, Stream } from "effect"
import { deleteDB, openDB } from "idb"
import * as Connection from "../../packages/store-indexeddb/src/internal/connection.ts"

let databases = 0
const fresh = () => `store-${databases++}`

const noted = (n: number): EventStore.Pending => ({ type: "Noted", data: { _tag: "Noted", n } })
const notes = (from: number, count: number) => Array.from({ length: count }, (_, i) => noted(from + i))

const readAll = (store: EventStore.Service) => Stream.runCollect(store.readAll())
const positions = (events: ReadonlyArray<{ readonly position: number }>) => events.map((event) => event.position)

/** Replaces a prototype method for the current scope. */
const patch = <T extends object, K extends keyof T>(target: T, key: K, replace: (original: T[K]) => T[K]) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const original = target[key]
      target[key] = replace(original)
      return original
    }),
    (original) => Effect.sync(() => void (target[key] = original))
  )

const closedBy = (error: EventStore.StoreError | EventStore.WrongExpectedVersion | EventStore.StreamClosed) =>
  error._tag === "StoreError" && error.cause instanceof IndexedDb.ConnectionClosed ? error.cause.reason : undefined

describe("IndexedDbEventStore", () => {
  it.live("keeps the log across connections, as across a reload", () =>
    Effect.gen(function*() {
      const name = fresh()
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* IndexedDbEventStore.make({ name })
        yield* store.append("a", notes(1, 2), ExpectedVersion.noStream)
        yield* store.append("b", notes(3, 1), ExpectedVersion.noStream)
      }))
      const store = yield* IndexedDbEventStore.make({ name })
      assert.deepStrictEqual((yield* Stream.runCollect(store.read("a"))).map((event) => event.data), [noted(1).data, noted(2).data])
      assert.strictEqual(yield* store.lastPosition, 3)
      const next = yield* store.append("a", notes(4, 1), ExpectedVersion.exact(2))
      assert.deepStrictEqual(next.events.map((event) => [event.version, event.position]), [[3, 4]])
      assert.deepStrictEqual(positions(yield* readAll(store)), [1, 2, 3, 4])
    }).pipe(Effect.scoped))

  it.live("a subscription on one connection sees what another connection appends (two tabs)", () =>
    Effect.gen(function*() {
      const name = fresh()
      const tabA = yield* IndexedDbEventStore.make({ name })
      const tabB = yield* IndexedDbEventStore.make({ name })
      yield* tabA.append("s", notes(1, 1), ExpectedVersion.noStream)
      const live = yield* tabB.subscribe({ from: 2 }).pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
      for (const n of [2, 3, 4]) yield* tabA.append("s", notes(n, 1), ExpectedVersion.any)
      const delivered = yield* Fiber.join(live).pipe(Effect.timeout("5 seconds"))
      assert.deepStrictEqual(delivered.map((event) => [event.position, event.data]), [2, 3, 4].map((n) => [n, noted(n).data]))
    }).pipe(Effect.scoped))

  it.live("two connections racing on one stream never record a version twice", () =>
    Effect.gen(function*() {
      const name = fresh()
      const tabs = [yield* IndexedDbEventStore.make({ name }), yield* IndexedDbEventStore.make({ name })]
      const write = (store: EventStore.Service, n: number) =>
        Effect.gen(function*() {
          const version = (yield* Stream.runCollect(store.read("race"))).length
          return yield* store.append("race", notes(n, 2), ExpectedVersion.exact(version))
        }).pipe(Effect.retry({ while: (error) => error._tag === "WrongExpectedVersion", times: 100 }))
      yield* Effect.forEach(Array.from({ length: 20 }, (_, n) => n), (n) => write(tabs[n % 2]!, n * 2), { concurrency: "unbounded" })
      const events = yield* Stream.runCollect(tabs[1]!.read("race"))
      assert.deepStrictEqual(events.map((event) => event.version), Array.from({ length: 40 }, (_, i) => i + 1))
      assert.deepStrictEqual(new Set(events.map((event) => (event.data as { n: number }).n)).size, 40)
    }).pipe(Effect.scoped))

  it.live("a stream archived or deleted on one connection is closed for the others, and after a reload", () =>
    Effect.gen(function*() {
      const name = fresh()
      const tabA = yield* IndexedDbEventStore.make({ name })
      const tabB = yield* IndexedDbEventStore.make({ name })
      yield* tabA.append("a", notes(1, 1), ExpectedVersion.noStream)
      yield* tabA.append("d", notes(2, 1), ExpectedVersion.noStream)
      yield* EventStore.archive("a").pipe(Effect.provideService(EventStore.EventStore, tabA))
      yield* EventStore.remove("d").pipe(Effect.provideService(EventStore.EventStore, tabA))
      const refusals = (store: EventStore.Service) =>
        Effect.forEach(["a", "d"], (streamId) =>
          store.append(streamId, notes(9, 1), ExpectedVersion.any).pipe(
            Effect.flip,
            Effect.map((error) => error._tag === "StreamClosed" ? `${error.streamId} ${error.closure}` : error.message)
          ))
      assert.deepStrictEqual(yield* refusals(tabB), ["a Archived", "d Deleted"])
      assert.deepStrictEqual(yield* Effect.scoped(Effect.flatMap(IndexedDbEventStore.make({ name }), refusals)), [
        "a Archived",
        "d Deleted"
      ])
      assert.deepStrictEqual(positions(yield* readAll(tabB)), [1, 2, 3, 4])
    }).pipe(Effect.scoped))

  it.live("a newer version opened elsewhere closes the connection; later operations fail with a typed error", () =>
    Effect.gen(function*() {
      const name = fresh()
      const store = yield* IndexedDbEventStore.make({ name })
      yield* store.append("s", notes(1, 1), ExpectedVersion.noStream)
      const subscription = yield* store.subscribe().pipe(Stream.runDrain, Effect.flip, Effect.forkChild)
      const newer = yield* Effect.promise(() => openDB(name, IndexedDb.schemaVersion + 1)) // not blocked: we closed
      newer.close()
      const append = yield* Effect.flip(store.append("s", notes(2, 1), ExpectedVersion.any))
      assert.strictEqual(closedBy(append), "VersionChange")
      assert.match(append.message, /append on stream "s" failed: .*another tab opened a newer version/)
      const read = yield* Effect.flip(readAll(store))
      assert.strictEqual(closedBy(read), "VersionChange")
      const subscribed = yield* Fiber.join(subscription).pipe(Effect.timeout("5 seconds"))
      assert.strictEqual(subscribed.operation, "subscribe")
      assert.strictEqual(closedBy(subscribed), "VersionChange")
    }).pipe(Effect.scoped))

  it.live("a deletion elsewhere closes the connection", () =>
    Effect.gen(function*() {
      const name = fresh()
      const store = yield* IndexedDbEventStore.make({ name })
      yield* Effect.promise(() => deleteDB(name, { blocked: () => assert.fail("the delete was blocked") }))
      assert.strictEqual(closedBy(yield* Effect.flip(store.lastPosition)), "Deleted")
    }).pipe(Effect.scoped))

  it.live("opening fails with typed errors: newer version, foreign database, blocked upgrade, no IndexedDB", () =>
    Effect.gen(function*() {
      const open = (name: string) => Effect.scoped(Effect.flip(IndexedDbEventStore.make({ name })))

      const newer = fresh()
      yield* Effect.promise(() => openDB(newer, IndexedDb.schemaVersion + 1).then((database) => database.close()))
      assert.strictEqual((yield* open(newer)).reason, "NewerVersion")

      const foreign = fresh()
      yield* Effect.promise(() => openDB(foreign, IndexedDb.schemaVersion).then((database) => database.close()))
      assert.strictEqual((yield* open(foreign)).reason, "Incompatible")

      // An older tab whose code ignores `versionchange` keeps the upgrade of a newer release blocked.
      const blocked = fresh()
      const older = yield* Effect.promise(() => openDB(blocked, IndexedDb.schemaVersion))
      const error = yield* Effect.scoped(Effect.flip(Connection.open(blocked, IndexedDb.schemaVersion + 1)))
      assert.strictEqual(error.reason, "Blocked")
      assert.match(error.message, /another tab keeps an older version open/)
      older.close() // the upgrade now completes, and its connection is closed at once:
      yield* Effect.promise(() => deleteDB(blocked, { blocked: () => assert.fail("a connection leaked") }))

      const saved = globalThis.indexedDB
      const missing = yield* Effect.acquireUseRelease(
        Effect.sync(() => Reflect.deleteProperty(globalThis, "indexedDB")),
        () => open(fresh()),
        () => Effect.sync(() => void (globalThis.indexedDB = saved))
      )
      assert.strictEqual(missing.reason, "Unavailable")
    }))

  it.live("a write beyond the quota is aborted whole: nothing is written", () =>
    Effect.gen(function*() {
      const store = yield* IndexedDbEventStore.make({ name: fresh() })
      yield* store.append("s", notes(1, 1), ExpectedVersion.noStream)
      yield* patch(IDBObjectStore.prototype, "add", (add) =>
        function(this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
          if ((value as EventStore.Pending).type === "Huge") throw new DOMException("Quota exceeded", "QuotaExceededError")
          return add.call(this, value, key)
        })
      const error = yield* Effect.flip(store.append("s", [noted(2), { type: "Huge", data: {} }, noted(3)], ExpectedVersion.exact(1)))
      assert.isTrue(IndexedDb.isQuotaExceeded(error))
      assert.match(error.message, /append on stream "s" failed: the storage quota of the site is exceeded/)
      assert.deepStrictEqual(positions(yield* readAll(store)), [1])
      const next = yield* store.append("s", notes(2, 1), ExpectedVersion.exact(1))
      assert.deepStrictEqual(next.events.map((event) => [event.version, event.position]), [[2, 2]])
    }).pipe(Effect.scoped))

  it.live("the unique index on [streamId, version] turns a stale version check into a conflict", () =>
    Effect.gen(function*() {
      const store = yield* IndexedDbEventStore.make({ name: fresh() })
      yield* store.append("s", notes(1, 2), ExpectedVersion.noStream)
      // The next version check looks at an empty range, as a writer that read a stale version would.
      let stale = true
      yield* patch(IDBIndex.prototype, "openCursor", (openCursor) =>
        function(this: IDBIndex, query?: IDBValidKey | IDBKeyRange | null, direction?: IDBCursorDirection) {
          const range = stale ? IDBKeyRange.only(["", 0]) : query
          stale = false
          return openCursor.call(this, range, direction)
        })
      const error = yield* Effect.flip(store.append("s", notes(3, 2), ExpectedVersion.noStream))
      assert.strictEqual(error._tag, "WrongExpectedVersion")
      assert.strictEqual(error.message, `Stream "s": expected no stream, but it is at version 2`)
      assert.deepStrictEqual(positions(yield* readAll(store)), [1, 2])
    }).pipe(Effect.scoped))

  it.live("a stored event that no longer decodes is reported with stream, version and position; the others stay readable", () =>
    Effect.gen(function*() {
      const store = yield* IndexedDbEventStore.make({ name: fresh() })
      const Deposited = Schema.TaggedStruct("Deposited", { amount: Schema.Int })
      yield* store.append("acc-1", [{ type: "Deposited", data: { _tag: "Deposited", amount: 10 } }], ExpectedVersion.noStream)
      yield* store.append("acc-2", [{ type: "Deposited", data: { _tag: "Deposited", amount: 5 } }], ExpectedVersion.noStream)
      // Written by an older release, when amounts were strings.
      yield* store.append("acc-1", [{ type: "Deposited", data: { _tag: "Deposited", amount: "ten" } }], ExpectedVersion.exact(1))
      const error = yield* Effect.flip(Stream.runCollect(store.read("acc-1").pipe(Codec.decodeStream(Deposited))))
      assert.strictEqual(error._tag, "EventDecodeError")
      if (error._tag === "EventDecodeError") {
        assert.deepStrictEqual([error.streamId, error.version, error.position], ["acc-1", 2, 3])
      }
      const other = yield* Stream.runCollect(store.read("acc-2").pipe(Codec.decodeStream(Deposited)))
      assert.deepStrictEqual(other.map((event) => event.data.amount), [5])
      assert.strictEqual((yield* readAll(store)).length, 3)
    }).pipe(Effect.scoped))

  it.live("the connection closes when the layer's scope ends", () =>
    Effect.gen(function*() {
      const name = fresh()
      const store = yield* Effect.scoped(IndexedDbEventStore.make({ name }))
      assert.strictEqual(closedBy(yield* Effect.flip(store.lastPosition)), "Released")
      // Nothing holds the database open any more.
      const exit = yield* Effect.exit(Effect.promise(() => deleteDB(name, { blocked: () => assert.fail("still open") })))
      assert.isTrue(Exit.isSuccess(exit))
    }))
})
