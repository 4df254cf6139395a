/**
 * Snapshots in IndexedDB, under Node on fake-indexeddb: load, replace and delete per stream id,
 * kept across a reload, typed failures, and the upgrade of a database of the previous layout (no
 * snapshot store yet) that keeps its events and checkpoints — while a foreign database is left alone.
 */
import "fake-indexeddb/auto"
import { ExpectedVersion } from "@chronicle/core"
import type { SnapshotStore } from "@chronicle/runtime"
import { IndexedDb, IndexedDbCheckpointStore, IndexedDbEventStore, IndexedDbSnapshotStore } from "@chronicle/store-indexeddb"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { openDB } from "idb"
import * as Schema from "../../packages/store-indexeddb/src/internal/schema.ts"

let databases = 0
const fresh = () => `snapshots-${databases++}`

const snapshot = (version: number, commandIds: ReadonlyArray<string> = []): SnapshotStore.Snapshot => ({
  version,
  stateVersion: 1,
  state: { _tag: "Opened", balance: version * 10 },
  commandIds
})

/** The object stores and version of a database, opened at whatever version it has. */
const layoutOf = (name: string) =>
  Effect.promise(async () => {
    const database = await openDB(name)
    const layout = { version: database.version, stores: [...database.objectStoreNames].sort() }
    database.close()
    return layout
  })

describe("IndexedDbSnapshotStore", () => {
  it.live("a stream without a snapshot has none; a save replaces the stream's snapshot, a delete removes it", () =>
    Effect.gen(function*() {
      const snapshots = yield* IndexedDbSnapshotStore.make({ name: fresh() })
      assert.deepStrictEqual(yield* snapshots.load("account-a"), Option.none())
      yield* snapshots.save("account-a", snapshot(2, ["c1"]))
      yield* snapshots.save("account-b", snapshot(4))
      yield* snapshots.save("account-a", snapshot(6, ["c1", "c2"]))
      assert.deepStrictEqual(yield* snapshots.load("account-a"), Option.some(snapshot(6, ["c1", "c2"])))
      yield* snapshots.delete("account-a")
      yield* snapshots.delete("account-never-saved")
      assert.deepStrictEqual(yield* snapshots.load("account-a"), Option.none())
      assert.deepStrictEqual(yield* snapshots.load("account-b"), Option.some(snapshot(4)))
    }).pipe(Effect.scoped))

  it.live("snapshots are kept across connections, as across a reload", () =>
    Effect.gen(function*() {
      const name = fresh()
      yield* Effect.scoped(Effect.flatMap(IndexedDbSnapshotStore.make({ name }), (snapshots) =>
        snapshots.save("account-a", snapshot(2, ["c1", "c2"]))))
      const snapshots = yield* IndexedDbSnapshotStore.make({ name })
      assert.deepStrictEqual(yield* snapshots.load("account-a"), Option.some(snapshot(2, ["c1", "c2"])))
    }).pipe(Effect.scoped))

  it.live("failures are typed: a state that cannot be stored, a closed connection", () =>
    Effect.gen(function*() {
      const snapshots = yield* Effect.scoped(Effect.gen(function*() {
        const snapshots = yield* IndexedDbSnapshotStore.make({ name: fresh() })
        yield* snapshots.save("account-a", snapshot(2))
        const error = yield* Effect.flip(snapshots.save("account-a", { ...snapshot(4), state: { f: () => 1 } }))
        assert.deepInclude(error, { _tag: "StoreError", operation: "save snapshot", streamId: "account-a" })
        assert.match(error.message, /save snapshot on stream "account-a" failed: DataCloneError/)
        assert.deepStrictEqual(yield* snapshots.load("account-a"), Option.some(snapshot(2)))
        return snapshots
      }))
      for (const [operation, attempt] of [
        ["load snapshot", snapshots.load("account-a")],
        ["save snapshot", snapshots.save("account-a", snapshot(6))],
        ["delete snapshot", snapshots.delete("account-a")]
      ] as const) {
        const error = yield* Effect.flip(attempt)
        assert.deepInclude(error, { operation, streamId: "account-a" })
        assert.instanceOf(error.cause, IndexedDb.ConnectionClosed)
        assert.strictEqual((error.cause as IndexedDb.ConnectionClosed).reason, "Released")
      }
    }))

  it.live("a database of the previous layout is upgraded in place: its events and checkpoints are kept", () =>
    Effect.gen(function*() {
      const name = fresh()
      // What the previous release (layout version 1) created and wrote.
      yield* Effect.promise(async () => {
        const database = await openDB<Schema.ChronicleSchema>(name, 1, {
          upgrade: (database, oldVersion, newVersion, transaction) =>
            void Schema.upgrade(database, oldVersion, newVersion, transaction)
        })
        for (const [position, streamId, version] of [[1, "a", 1], [2, "b", 1], [3, "a", 2]] as const) {
          await database.add("events", {
            streamId,
            version,
            position,
            type: "Noted",
            data: { n: position },
            metadata: { eventId: `e${position}`, recordedAt: 0 }
          })
        }
        await database.put("checkpoints", { name: "noted", position: 3, state: [1, 2, 3] })
        database.close()
      })
      assert.deepStrictEqual(yield* layoutOf(name), { version: 1, stores: ["checkpoints", "events"] })

      const snapshots = yield* IndexedDbSnapshotStore.make({ name })
      assert.deepStrictEqual(yield* layoutOf(name), {
        version: IndexedDb.schemaVersion,
        stores: ["checkpoints", "events", "snapshots"]
      })
      assert.deepStrictEqual(yield* snapshots.load("a"), Option.none())
      yield* snapshots.save("a", snapshot(2))
      assert.deepStrictEqual(yield* snapshots.load("a"), Option.some(snapshot(2)))

      const store = yield* IndexedDbEventStore.make({ name })
      const a = yield* Stream.runCollect(store.read("a"))
      assert.deepStrictEqual(a.map((event) => [event.version, event.position, event.data]), [[1, 1, { n: 1 }], [2, 3, { n: 3 }]])
      const next = yield* store.append("a", [{ type: "Noted", data: { n: 4 } }], ExpectedVersion.exact(2))
      assert.deepStrictEqual(next.events.map((event) => [event.version, event.position]), [[3, 4]])
      const checkpoints = yield* IndexedDbCheckpointStore.make({ name })
      assert.deepStrictEqual(yield* checkpoints.load("noted"), Option.some({ position: 3, state: [1, 2, 3] }))
    }).pipe(Effect.scoped))

  it.live("a foreign database of an older version is not upgraded: Incompatible, and left as it was", () =>
    Effect.gen(function*() {
      const name = fresh()
      yield* Effect.promise(() =>
        openDB(name, 1, { upgrade: (database) => void database.createObjectStore("notes") }).then((database) => database.close())
      )
      const error = yield* Effect.flip(IndexedDbSnapshotStore.make({ name }))
      assert.deepInclude(error, { _tag: "IndexedDbOpenError", database: name, reason: "Incompatible" })
      assert.deepStrictEqual(yield* layoutOf(name), { version: 1, stores: ["notes"] })
    }).pipe(Effect.scoped))
})
