/**
 * **W5 — IndexedDB in real Chromium**: the three things a browser app does with its log, each
 * against hand-written `idb` transactions on the same layout (`RawIdb`):
 *
 * - **W5a** append one event per transaction: 300 appends to one stream, each with the exact
 *   expected version;
 * - **W5b** append a batch in one transaction: 5,000 events to a new stream;
 * - **W5c** read a 10,000-event stream and fold it: Chronicle's `CommandHandler.load` against
 *   `RawIdb.load` (same pages, same `evolve`), both on one database Chronicle filled.
 *
 * Writes go to a fresh database per repetition (created and, afterwards, deleted untimed), so every
 * repetition starts from the same empty log. A transaction costs about a millisecond here, so the
 * sizes keep the whole of W5 to a minute or so. These workloads run in the page (`browser/page.ts`).
 */
import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { EventStore } from "@chronicle/runtime"
import { IndexedDbEventStore } from "@chronicle/store-indexeddb"
import { Effect, ManagedRuntime } from "effect"
import { deleteDB } from "idb"
import * as RawIdb from "../baseline/RawIdb.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import * as Workload from "../harness/Workload.ts"

/**
 * Chronicle's IndexedDB store on one database, for as long as the runtime lives.
 */
export type Runtime = ManagedRuntime.ManagedRuntime<EventStore.EventStore, unknown>

/**
 * Opens Chronicle's store on database `name` (creating it), ready to run programs.
 */
export const openChronicle = async (name: string): Promise<Runtime> => {
  const runtime = ManagedRuntime.make(IndexedDbEventStore.layer({ name }))
  await runtime.runPromise(Effect.void) // builds the layer: opens the database
  return runtime
}

/**
 * The sizes of the W5 workloads.
 */
export interface Size {
  /** Appends of one event each (W5a). */
  readonly single: number
  /** Events in the one batch (W5b). */
  readonly batch: number
  /** Events in the stream read (W5c). */
  readonly read: number
}

/**
 * The default sizes: 300 single appends, a batch of 5,000, a 10,000-event stream.
 */
export const size: Size = { single: 300, batch: 5_000, read: 10_000 }

const streamId = BankAccount.streamId("0")

const run = Date.now().toString(36)

/**
 * A fresh database for each repetition: `next()` closes and deletes the previous one (untimed, in
 * `prepare`) and opens a new one named `prefix-n`.
 */
const freshDatabases = <A>(prefix: string, open: (name: string) => Promise<A>, close: (database: A) => Promise<void>) => {
  let current: { readonly name: string; readonly database: A } | undefined
  let count = 0
  return async (): Promise<A> => {
    if (current !== undefined) {
      await close(current.database)
      await deleteDB(current.name)
    }
    const name = `bench-${run}-${prefix}-${count++}`
    current = { name, database: await open(name) }
    return current.database
  }
}

const appended = (version: number) => Outcome.fromBalances(version, new Map(), new Map([[streamId, version]]))

const appendWorkload = (options: {
  readonly id: Id
  readonly work: string
  readonly events: number
  /** How many events each append carries. */
  readonly perAppend: number
}): Workload.Workload => {
  const { events: count, perAppend } = options
  const events = Bank.events(Bank.commands(count, 1))
  const pending = Bank.pending(streamId, events)
  const chronicle = freshDatabases(`${options.id}-chronicle`, openChronicle, (runtime) => runtime.dispose())
  const baseline = freshDatabases(`${options.id}-idb`, RawIdb.open, async (database) => database.close())
  return {
    id: options.id,
    work: options.work,
    items: count,
    unit: "events",
    target: 0.9,
    chronicle: {
      prepare: async () => {
        const runtime = await chronicle()
        return () =>
          runtime.runPromise(Effect.gen(function*() {
            const store = yield* EventStore.EventStore
            let version = 0
            for (let from = 0; from < count; from += perAppend) {
              const batch = pending.slice(from, from + perAppend)
              version = (yield* store.append(streamId, batch, ExpectedVersion.exact(version))).version
            }
            return appended(version)
          }))
      }
    },
    baseline: {
      prepare: async () => {
        const database = await baseline()
        return async () => {
          let version: number | undefined = 0
          for (let from = 0; from < count && version !== undefined; from += perAppend) {
            version = await RawIdb.append(database, streamId, events.slice(from, from + perAppend), version)
          }
          return appended(version ?? NaN)
        }
      }
    }
  }
}

/**
 * The W5 workloads, by id.
 */
export type Id = "W5a" | "W5b" | "W5c"

/**
 * Every W5 workload, in order.
 */
export const ids: ReadonlyArray<Id> = ["W5a", "W5b", "W5c"]

const count = (n: number) => n.toLocaleString("en")

/**
 * What a W5 workload does at a size, in a line.
 */
export const describe = (id: Id, { batch, read, single }: Size = size): string => {
  switch (id) {
    case "W5a":
      return `append ${count(single)} events one per transaction, expected version (IndexedDB, Chromium)`
    case "W5b":
      return `append a batch of ${count(batch)} events in one transaction (IndexedDB, Chromium)`
    case "W5c":
      return `read a stream of ${count(read)} events and fold it (IndexedDB, Chromium)`
  }
}

/**
 * A W5 workload at a size.
 */
export const make = (id: Id, workloadSize: Size = size): Workload.Workload => {
  const work = describe(id, workloadSize)
  switch (id) {
    case "W5a":
      return appendWorkload({ id, work, events: workloadSize.single, perAppend: 1 })
    case "W5b":
      return appendWorkload({ id, work, events: workloadSize.batch, perAppend: workloadSize.batch })
    case "W5c":
      return read(work, workloadSize.read)
  }
}

/**
 * A database holding one stream of `events` events, written by Chronicle in appends of 5,000.
 */
export const filled = async (name: string, events: number): Promise<Runtime> => {
  const runtime = await openChronicle(name)
  const batches = Bank.batches({ accounts: 1, perAccount: events, batch: 5_000 })
  await runtime.runPromise(EventStore.EventStore.use(Stores.fill(batches)))
  return runtime
}

/**
 * The outcome of loading the stream: its balance, version and event count.
 */
export const loaded = ({ state, version }: { readonly state: BankAccount.State; readonly version: number }) =>
  Outcome.fromBalances(version, new Map([["0", Bank.balanceOf(state)]]), new Map([[streamId, version]]))

/**
 * The stream every read workload folds.
 */
export const stream = streamId

const read = (work: string, events: number): Workload.Workload => {
  const name = `bench-${run}-W5c`
  const chronicle = Workload.shared(() => filled(name, events))
  const baseline = Workload.shared(async () => {
    await chronicle() // the database exists and holds the stream
    return RawIdb.openExisting(name)
  })
  return {
    id: "W5c",
    work,
    items: events,
    unit: "events",
    target: 0.9,
    chronicle: {
      prepare: async () => {
        const runtime = await chronicle()
        return async () => loaded(await runtime.runPromise(Bank.handler.load(streamId)))
      }
    },
    baseline: {
      prepare: async () => {
        const database = await baseline()
        return async () => loaded(await RawIdb.load(database, streamId))
      }
    }
  }
}
