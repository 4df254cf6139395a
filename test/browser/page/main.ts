/**
 * The page the browser tests drive (`test/browser/run.ts`, through playwright-core): the EventStore
 * contract for the in-memory and the IndexedDB layers, and what a tab of an app does with the
 * IndexedDB layers — append, read, follow the log, run a persistent projector, handle bank-account
 * commands with snapshots — so that the driver can play several tabs and reloads, and databases
 * left by an older release or by someone else. Everything it returns is plain JSON.
 */
import { ExpectedVersion, Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CheckpointStore, CommandHandler, EventStore, Projector, SnapshotStore } from "@chronicle/runtime"
import { IndexedDb, IndexedDbCheckpointStore, IndexedDbEventStore, IndexedDbSnapshotStore } from "@chronicle/store-indexeddb"
import { MemoryEventStore } from "@chronicle/store-memory"
import { Effect, Layer, ManagedRuntime, Option, Schedule, Schema, Stream } from "effect"
import { deleteDB, openDB } from "idb"
import * as Connection from "../../../packages/store-indexeddb/src/internal/connection.ts"
import * as Layout from "../../../packages/store-indexeddb/src/internal/schema.ts"
import { EventStoreContract } from "@chronicle/testing"

/** What a failed operation reports. */
export interface Failure {
  readonly tag: string
  readonly message: string
  /** Why the connection closed, when it did (`IndexedDb.ConnectionClosed`). */
  readonly closedBy?: string | undefined
  readonly quotaExceeded?: boolean | undefined
}

/** The outcome of an operation. */
export type Outcome<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: Failure }

/** A recorded event, without its metadata. */
export interface Row {
  readonly streamId: string
  readonly version: number
  readonly position: number
  readonly type: string
  readonly data: unknown
}

/** What the driver can call, as `window.chronicle`. */
export interface Api {
  readonly checks: (suite: Suite) => ReadonlyArray<{ readonly group: string; readonly name: string }>
  readonly runCheck: (suite: Suite, index: number) => Promise<Outcome<number>>
  readonly append: (db: string, streamId: string, data: ReadonlyArray<unknown>) => Promise<Outcome<ReadonlyArray<Row>>>
  readonly appendLarge: (db: string, streamId: string, kilobytes: number) => Promise<Outcome<ReadonlyArray<Row>>>
  readonly readAll: (db: string) => Promise<Outcome<ReadonlyArray<Row>>>
  readonly lastPosition: (db: string) => Promise<Outcome<number>>
  readonly follow: (db: string, from: number) => void
  readonly followed: (db: string) => { readonly rows: ReadonlyArray<Row>; readonly error?: Failure | undefined }
  readonly race: (db: string, streamId: string, writer: string, appends: number) => Promise<Outcome<number>>
  readonly project: (db: string) => Promise<Outcome<{ readonly resumed: unknown; readonly caughtUp: unknown }>>
  readonly holdOlderVersion: (db: string) => Promise<void>
  readonly releaseOlderVersion: (db: string) => void
  readonly openNewerVersion: (db: string) => Promise<void>
  readonly openBlocked: (db: string) => Promise<Outcome<string>>
  /** Creates `db` as the previous release did (layout version 1), holding `rows`. */
  readonly createPreviousLayout: (db: string, rows: ReadonlyArray<Row>) => Promise<void>
  /** Creates `db` as another library could have: version 1, one object store of its own. */
  readonly createForeign: (db: string) => Promise<void>
  /** The version and object stores of `db`, as it is now. */
  readonly layout: (db: string) => Promise<{ readonly version: number; readonly stores: ReadonlyArray<string> }>
  /** Handles a bank-account command (snapshots every 2 events) with a command id. */
  readonly handle: (db: string, command: unknown, commandId: string) => Promise<Outcome<{ readonly version: number; readonly state: unknown }>>
  /** The snapshot of a stream, or `null`. */
  readonly snapshot: (db: string, streamId: string) => Promise<Outcome<SnapshotStore.Snapshot | null>>
}

/** The contract suites run in the page. */
export type Suite = "memory" | "indexeddb"

declare global {
  interface Window {
    chronicle: Api
  }
}

// A new database per check and generated sequence, deleted when its store is closed.
const disposableStore = () => {
  const name = `contract-${crypto.randomUUID()}`
  return Layer.merge(
    IndexedDbEventStore.layer({ name, pageSize: 3 }),
    Layer.effectDiscard(Effect.addFinalizer(() => Effect.promise(() => deleteDB(name))))
  )
}

const suites: Record<Suite, ReadonlyArray<EventStoreContract.Check>> = {
  memory: EventStoreContract.checks({ name: "memory", makeLayer: () => MemoryEventStore.layer }),
  // As in Node: 66,000 events (still more than 65,536 call arguments) instead of 200,000 (~50 s here).
  indexeddb: EventStoreContract.checks({ name: "indexeddb", makeLayer: disposableStore, hugeBatch: 66_000 })
}

const failure = (error: unknown): Failure => {
  const tagged = error as { readonly _tag?: string; readonly message?: string; readonly cause?: unknown }
  return {
    tag: tagged._tag ?? (error instanceof Error ? error.name : typeof error),
    message: tagged.message ?? String(error),
    closedBy: tagged.cause instanceof IndexedDb.ConnectionClosed ? tagged.cause.reason : undefined,
    quotaExceeded: tagged._tag === "StoreError" ? IndexedDb.isQuotaExceeded(error as EventStore.StoreError) : undefined
  }
}

const outcome = <A>(promise: Promise<A>): Promise<Outcome<A>> =>
  promise.then((value) => ({ ok: true, value }), (error: unknown) => ({ ok: false, error: failure(error) }))

type Services = EventStore.EventStore | CheckpointStore.CheckpointStore | SnapshotStore.SnapshotStore

// One runtime per database, as an app holds one for its lifetime: the same connections throughout.
const runtimes = new Map<string, ManagedRuntime.ManagedRuntime<Services, IndexedDb.OpenError>>()
const run = <A, E>(db: string, program: Effect.Effect<A, E, Services>) => {
  let runtime = runtimes.get(db)
  if (runtime === undefined) {
    const layer = Layer.mergeAll(
      IndexedDbEventStore.layer({ name: db }),
      IndexedDbCheckpointStore.layer({ name: db }),
      IndexedDbSnapshotStore.layer({ name: db })
    )
    runtime = ManagedRuntime.make(layer)
    runtimes.set(db, runtime)
  }
  return outcome(runtime.runPromise(program))
}

const row = ({ data, position, streamId, type, version }: EventStore.AppendResult["events"][number]): Row => ({
  streamId,
  version,
  position,
  type,
  data
})

const Noted = Schema.TaggedStruct("Noted", { n: Schema.Int })
const noted = Projection.make({
  initialState: [] as ReadonlyArray<number>,
  evolve: (state, event: typeof Noted.Type) => [...state, event.n]
})

const use = EventStore.EventStore.use.bind(EventStore.EventStore)

const accounts = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf,
  snapshots: { stateSchema: BankAccount.State, stateVersion: 1, every: 2 }
})

const followed = new Map<string, { rows: Array<Row>; error?: Failure | undefined }>()
const olderVersions = new Map<string, IDBDatabase>()

const append = (db: string, streamId: string, data: ReadonlyArray<unknown>) =>
  run(
    db,
    use((store) => store.append(streamId, data.map((data) => ({ type: "Noted", data })), ExpectedVersion.any)).pipe(
      Effect.map(({ events }) => events.map(row))
    )
  )

// Random text does not compress, so its size on disk is about its length.
const randomText = (kilobytes: number) =>
  Array.from({ length: kilobytes }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(512))
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")
  }).join("")

window.chronicle = {
  checks: (suite) => suites[suite].map(({ group, name }) => ({ group, name })),
  runCheck: (suite, index) => {
    const started = performance.now()
    return outcome(suites[suite][index]!.run().then(() => Math.round(performance.now() - started)))
  },
  append,
  appendLarge: (db, streamId, kilobytes) =>
    append(db, streamId, [{ _tag: "Noted", n: 0 }, { text: randomText(kilobytes) }, { _tag: "Noted", n: 1 }]),
  readAll: (db) => run(db, use((store) => Stream.runCollect(store.readAll())).pipe(Effect.map((events) => events.map(row)))),
  lastPosition: (db) => run(db, use((store) => store.lastPosition)),
  follow: (db, from) => {
    const state: { rows: Array<Row>; error?: Failure | undefined } = { rows: [] }
    followed.set(db, state)
    void run(
      db,
      use((store) => store.subscribe({ from }).pipe(Stream.runForEach((event) => Effect.sync(() => state.rows.push(row(event))))))
    ).then((result) => {
      if (!result.ok) state.error = result.error
    })
  },
  followed: (db) => followed.get(db) ?? { rows: [] },
  race: (db, streamId, writer, appends) => {
    let conflicts = 0
    const once = (i: number) =>
      Effect.gen(function*() {
        const store = yield* EventStore.EventStore
        const version = (yield* Stream.runCollect(store.read(streamId))).at(-1)?.version ?? 0
        const events = [0, 1].map((k) => ({ type: "Noted", data: { writer, i, k } }))
        yield* store.append(streamId, events, ExpectedVersion.exact(version))
      }).pipe(
        Effect.tapError((error) => Effect.sync(() => void (error._tag === "WrongExpectedVersion" && conflicts++))),
        Effect.retry({ while: (error) => error._tag === "WrongExpectedVersion", times: 1000 })
      )
    const all = Effect.forEach(Array.from({ length: appends }, (_, i) => i), once, { discard: true })
    return run(db, Effect.map(all, () => conflicts))
  },
  project: (db) =>
    run(
      db,
      Effect.gen(function*() {
        const projector = yield* Projector.makePersistent({
          name: "noted",
          stateSchema: Schema.Array(Schema.Int),
          projection: noted,
          eventSchema: Noted
        })
        const resumed = yield* projector.current
        const caughtUp = yield* projector.awaitPosition(yield* use((store) => store.lastPosition))
        // The checkpoint is saved just after the read model moves: wait for it, as a reload follows.
        const saved = (checkpoint: Option.Option<CheckpointStore.Saved>) =>
          Option.exists(checkpoint, ({ position }) => position === caughtUp.position)
        yield* CheckpointStore.CheckpointStore.use((checkpoints) => checkpoints.load("noted")).pipe(
          Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: saved })
        )
        return { resumed, caughtUp }
      }).pipe(Effect.scoped)
    ),
  holdOlderVersion: (db) =>
    new Promise((resolve, reject) => {
      // An older release of the app: it never closes on `versionchange`.
      const request = indexedDB.open(db, IndexedDb.schemaVersion)
      request.onsuccess = () => resolve(void olderVersions.set(db, request.result))
      request.onerror = () => reject(request.error)
    }),
  releaseOlderVersion: (db) => olderVersions.get(db)?.close(),
  openNewerVersion: (db) =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(db, IndexedDb.schemaVersion + 1)
      request.onsuccess = () => resolve(request.result.close())
      request.onerror = () => reject(request.error)
    }),
  openBlocked: (db) =>
    outcome(Effect.runPromise(Effect.scoped(Effect.as(Connection.open(db, IndexedDb.schemaVersion + 1), "opened")))),
  createPreviousLayout: async (db, rows) => {
    const database = await openDB<Layout.ChronicleSchema>(db, 1, {
      upgrade: (database, oldVersion, newVersion, transaction) => void Layout.upgrade(database, oldVersion, newVersion, transaction)
    })
    for (const row of rows) await database.add("events", { ...row, metadata: { eventId: `e${row.position}`, recordedAt: 0 } })
    database.close()
  },
  createForeign: async (db) =>
    (await openDB(db, 1, { upgrade: (database) => void database.createObjectStore("notes") })).close(),
  layout: async (db) => {
    const database = await openDB(db)
    const layout = { version: database.version, stores: [...database.objectStoreNames].sort() }
    database.close()
    return layout
  },
  handle: (db, command, commandId) =>
    run(db, Effect.map(accounts.handleUnknown(command, { commandId }), ({ state, version }) => ({ state, version }))),
  snapshot: (db, streamId) =>
    run(db, SnapshotStore.SnapshotStore.use((snapshots) => snapshots.load(streamId)).pipe(Effect.map(Option.getOrNull)))
}
