/**
 * The bad-input catalogue: every kind of bad input the library can meet, each with the typed error
 * a user gets and a check that nothing already stored was lost or changed. Runs on every store layer
 * listed in `layers` (IndexedDB under Node on fake-indexeddb, a new database per test), and on
 * PostgreSQL when the test database is reachable (see `test/postgres/database.ts`; an empty schema
 * per test).
 */
import "fake-indexeddb/auto"
import { Decider, ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, LogFile, SnapshotStore } from "@chronicle/runtime"
import { IndexedDbEventStore, IndexedDbSnapshotStore } from "@chronicle/store-indexeddb"
import { MemoryEventStore, MemorySnapshotStore } from "@chronicle/store-memory"
import { PostgresEventStore, PostgresSnapshotStore } from "@chronicle/store-postgres"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Result, Schema, Stream } from "effect"
import { describePostgres, useDatabase } from "./postgres/database.ts"
import { bankAccount, user } from "./runtime/fixtures.ts"
import { nested } from "./runtime/payloads.ts"

type Stores = EventStore.EventStore | SnapshotStore.SnapshotStore

let databases = 0

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<Stores, unknown>]> = [
  ["memory", () => Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer)],
  ["indexeddb (fake-indexeddb)", () => {
    const name = `bad-input-${databases++}`
    return Layer.merge(IndexedDbEventStore.layer({ name }), IndexedDbSnapshotStore.layer({ name }))
  }]
]

const accounts = CommandHandler.make({
  ...bankAccount,
  snapshots: { stateSchema: BankAccount.State, stateVersion: 2, every: 2 }
})

const users = CommandHandler.make(user)

/** A domain whose one event is tagged like the store's tombstone, with exactly a tombstone's data. */
const FakeTombstone = Schema.TaggedStruct(EventStore.deletedType, {})

const fakeTombstones = CommandHandler.make({
  decider: Decider.make({
    initialState: 0,
    decide: (_: { readonly _tag: "Close"; readonly id: string }) => Result.succeed([FakeTombstone.make({})]),
    evolve: (count: number) => count + 1
  }),
  commandSchema: Schema.TaggedStruct("Close", { id: Schema.String }),
  eventSchema: FakeTombstone,
  streamId: (command) => `account-${command.id}`
})

/** A log file of one opened account with `change` applied to its record. */
const fileWith = (change: Record<string, unknown>) => ({
  format: "chronicle-log",
  formatVersion: 1,
  events: [{
    streamId: "account-b",
    version: 1,
    position: 1,
    type: "AccountOpened",
    data: { _tag: "AccountOpened", accountId: "b", owner: "B" },
    metadata: { eventId: "e1", recordedAt: 0 },
    ...change
  }]
})

const deposit = { _tag: "Deposited", accountId: "a", amount: 1 }

/** The record that opens account "b", as a log file holds it. */
const opening = fileWith({}).events[0]!

/** A life-cycle marker of account "b" at `version` (and the same position). */
const marker = (version: number, type: EventStore.MarkerType) => ({
  ...opening,
  version,
  position: version,
  type,
  data: { _tag: type },
  metadata: { eventId: `e${version}`, recordedAt: 0 }
})

/** A log file of `events`. */
const fileOf = (events: ReadonlyArray<unknown>) => ({ format: "chronicle-log", formatVersion: 1, events })
/** A value with a getter that throws `1` at `key`. */
const throwingAt = <A extends object>(value: A, key: string): A =>
  Object.defineProperty({ ...value }, key, {
    enumerable: true,
    get() {
      throw 1
    }
  })

/** A value whose getter at `key` answers `first` once, then throws: read it twice and it fails. */
const onceAt = <A extends object>(value: A, key: string, first: unknown): A => {
  let reads = 0
  return Object.defineProperty({ ...value }, key, {
    enumerable: true,
    get() {
      if (reads++ > 0) throw new Error(`read ${key} twice`)
      return first
    }
  })
}

/** A Proxy whose every trap throws. */
const hostile = new Proxy({}, {
  get: () => {
    throw new Error("get trap")
  },
  ownKeys: () => {
    throw new Error("ownKeys trap")
  },
  getPrototypeOf: () => {
    throw new Error("getPrototypeOf trap")
  },
  has: () => {
    throw new Error("has trap")
  },
  getOwnPropertyDescriptor: () => {
    throw new Error("getOwnPropertyDescriptor trap")
  }
})

/** A domain whose decider puts a throwing getter into the event it decides. */
const throwingEvents = CommandHandler.make({
  decider: Decider.make({
    initialState: 0,
    decide: (command: BankAccount.Command): Result.Result<ReadonlyArray<BankAccount.Event>, never> =>
      Result.succeed([throwingAt(BankAccount.Event.cases.Deposited.make({ accountId: command.accountId, amount: 1 }), "amount")]),
    evolve: (count: number, _: BankAccount.Event) => count + 1
  }),
  commandSchema: BankAccount.Command.cases.Deposit,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf
})

/** Writes a raw record, as a foreign or older writer could have. */
const raw = (streamId: string, type: string, data: unknown, schemaVersion?: number, metadata?: Partial<EventStore.Pending>) =>
  EventStore.EventStore.use((store) => store.append(streamId, [{ type, data, schemaVersion, ...metadata }], ExpectedVersion.any))

const history = EventStore.EventStore.use((store) => Stream.runCollect(store.readAll()))

interface Case {
  readonly name: string
  /** What is in the store before the bad input arrives (beyond an open account "a" with 100). */
  readonly given?: Effect.Effect<unknown, unknown, Stores>
  /** The bad input, expected to fail. */
  readonly when: Effect.Effect<unknown, { readonly _tag: string; readonly message: string }, Stores>
  readonly error: string
  readonly message: RegExp
}

const catalogue: ReadonlyArray<Case> = [
  {
    name: "a malformed command (not a command at all)",
    when: accounts.handleUnknown("deposit 100 please"),
    error: "InvalidCommand",
    message: /Invalid command: Expected/
  },
  {
    name: "a command with fields of the wrong type",
    when: accounts.handleUnknown({ _tag: "Deposit", accountId: "a", amount: "ten" }),
    error: "InvalidCommand",
    message: /at \["amount"\]/
  },
  {
    name: "a command with an unknown tag",
    when: accounts.handleUnknown({ _tag: "Embezzle", accountId: "a", amount: 1 }),
    error: "InvalidCommand",
    message: /Invalid command: Unknown _tag "Embezzle": expected one of "Open", "Deposit", "Withdraw" at \["_tag"\]/
  },
  {
    name: "a command whose getter throws",
    when: Effect.suspend(() => accounts.handleUnknown(throwingAt({ _tag: "Open", accountId: "a", owner: "A" }, "owner"))),
    error: "InvalidCommand",
    message: /Invalid command: Reading the input threw: 1 at \["owner"\]/
  },
  {
    name: "a command that is a Proxy whose traps throw",
    when: Effect.suspend(() => accounts.handleUnknown({ _tag: "Deposit", accountId: "a", amount: hostile })),
    error: "InvalidCommand",
    message: /Invalid command: Reading the input threw: .*trap at \["amount"\]/
  },
  {
    name: "an event whose payload's getter throws (raw append)",
    when: Effect.suspend(() => raw("account-a", "Deposited", throwingAt(deposit, "amount"))),
    error: "StoreError",
    message: /event 1 \("Deposited"\): reading its data threw at \["amount"\]: 1/
  },
  {
    name: "an event whose payload is a Proxy whose traps throw (raw append)",
    when: Effect.suspend(() => raw("account-a", "Deposited", { ...deposit, note: [hostile] })),
    error: "StoreError",
    message: /event 1 \("Deposited"\): reading its data threw at \["note"\]\[0\]: .*trap/
  },
  {
    name: "an event that is itself a Proxy whose traps throw (raw append)",
    when: Effect.suspend(() =>
      EventStore.EventStore.use((store) => store.append("account-a", [hostile as EventStore.Pending], ExpectedVersion.any))
    ),
    error: "StoreError",
    message: /event 1: reading it threw: get trap/
  },
  {
    name: "a decided event whose getter throws (through a CommandHandler)",
    when: Effect.suspend(() => throwingEvents.handle({ _tag: "Deposit", accountId: "a", amount: 1 })),
    error: "EventEncodeError",
    message: /"Deposited" for stream "account-a" does not encode: reading it threw at \["amount"\]: 1/
  },
  {
    name: "an unknown event type in storage",
    given: raw("account-a", "Embezzled", { _tag: "Embezzled", accountId: "a" }),
    when: accounts.handle({ _tag: "Deposit", accountId: "a", amount: 1 }),
    error: "EventDecodeError",
    message: /"Embezzled" .* at stream "account-a" version 3 \(position 3\) cannot be read: Unknown _tag "Embezzled"/
  },
  {
    name: "a truncated record (a required field missing)",
    given: raw("account-a", "Deposited", { _tag: "Deposited", accountId: "a" }),
    when: accounts.handle({ _tag: "Deposit", accountId: "a", amount: 1 }),
    error: "EventDecodeError",
    message: /version 3 \(position 3\) cannot be read: Missing key/
  },
  {
    name: "a record that is not JSON (refused on append: nothing written)",
    when: raw("account-a", "Deposited", { _tag: "Deposited", accountId: "a", amount: 1, at: new Date(0) }),
    error: "StoreError",
    message: /not JSON/
  },
  {
    name: "an event from a future schema version",
    given: raw("user-u", "UserRegistered", { _tag: "UserRegistered", userId: "u" }, 9),
    when: users.handle({ _tag: "Deactivate", userId: "u" }),
    error: "EventDecodeError",
    message: /schema version 9 is unknown here \(the current version is 2\)/
  },
  {
    name: "an old event the upcaster cannot handle",
    given: raw("user-u", "UserRegistered", { _tag: "UserRegistered", userId: "u", email: "u@example.com" }),
    when: users.handle({ _tag: "Deactivate", userId: "u" }),
    error: "EventDecodeError",
    message: /upcaster from version 1 to 2 failed/
  },
  {
    name: "a wrong expected version",
    when: EventStore.EventStore.use((store) =>
      store.append("account-a", [{ type: "Deposited", data: { _tag: "Deposited", accountId: "a", amount: 1 } }], ExpectedVersion.noStream)
    ),
    error: "WrongExpectedVersion",
    message: /Stream "account-a": expected no stream, but it is at version 2/
  },
  {
    name: "an empty stream id",
    when: raw("", "Deposited", {}),
    error: "StoreError",
    message: /stream id is empty/
  },
  {
    name: "an event with an empty event id (refused on append: nothing written)",
    when: raw("account-a", "Deposited", deposit, undefined, { eventId: "" }),
    error: "StoreError",
    message: /event 1 \("Deposited"\): its metadata is invalid: .*\["eventId"\]/s
  },
  {
    name: "an event recorded at NaN",
    when: raw("account-a", "Deposited", deposit, undefined, { recordedAt: Number.NaN }),
    error: "StoreError",
    message: /event 1 \("Deposited"\): its metadata is invalid: Expected an integer.*\["recordedAt"\]/s
  },
  {
    name: "a trace with a function for a correlation id (raw append)",
    when: raw("account-a", "Deposited", deposit, undefined, { trace: { correlationId: (() => "c") as never } }),
    error: "StoreError",
    message: /its metadata is invalid: .*\["correlationId"\]/s
  },
  {
    name: "a command handled with an object for a correlation id",
    when: accounts.handle({ _tag: "Deposit", accountId: "a", amount: 1 }, { correlationId: { id: "c" } as never }),
    error: "StoreError",
    message: /event 1 \("Deposited"\): its metadata is invalid: .*\["correlationId"\]/s
  },
  {
    name: "an archive marker appended raw, with an arbitrary payload",
    when: raw("account-a", EventStore.archivedType, { reason: "because" }),
    error: "StoreError",
    message: /event 1 \("\$StreamArchived"\): it is a malformed life-cycle marker/
  },
  {
    name: "a domain event tagged like a tombstone (through a CommandHandler): the stream stays open",
    when: fakeTombstones.handle({ _tag: "Close", id: "z" }),
    error: "EventEncodeError",
    message: /"\$StreamDeleted".*its type is reserved/
  },
  {
    name: "another type in the reserved $ namespace",
    when: raw("account-a", "$Snapshot", {}),
    error: "StoreError",
    message: /its type is reserved: types starting with "\$"/
  },
  {
    name: "a payload nested 10,000 levels deep",
    when: raw("account-a", "Deposited", { ...deposit, note: nested(10_000) }),
    error: "StoreError",
    message: /its data nests arrays and objects more than 64 levels deep/
  },
  {
    name: "an import of a marker with an arbitrary payload",
    when: LogFile.importLog(fileWith({ type: EventStore.archivedType, data: { reason: "x" } }), [{ eventSchema: BankAccount.Event }]),
    error: "InvalidLogFile",
    message: /event #1 .*: it is a malformed life-cycle marker/
  },
  {
    name: "an import of an event of a reserved type",
    when: LogFile.importLog(fileWith({ type: "$Snapshot", data: {} }), [{ eventSchema: BankAccount.Event }]),
    error: "InvalidLogFile",
    message: /event #1 .*: its type is reserved/
  },
  {
    name: "an import with an empty correlation id",
    when: LogFile.importLog(fileWith({ metadata: { eventId: "e1", recordedAt: 0, correlationId: "" } }), [{ eventSchema: BankAccount.Event }]),
    error: "InvalidLogFile",
    message: /not a Chronicle event log: .*\["correlationId"\]/s
  },
  {
    name: "an import of a payload nested 10,000 levels deep",
    when: LogFile.importLog(fileWith({ data: { _tag: "AccountOpened", accountId: "b", owner: "B", x: nested(10_000) } }), [{
      eventSchema: BankAccount.Event
    }]),
    error: "InvalidLogFile",
    message: /JSON nested at most 64 levels deep/
  },
  {
    name: "an import of a record whose getter throws",
    when: Effect.suspend(() =>
      LogFile.importLog(fileWith({ data: throwingAt({ _tag: "AccountOpened", accountId: "b", owner: "B" }, "owner") }), [{
        eventSchema: BankAccount.Event
      }])
    ),
    error: "InvalidLogFile",
    message: /reading it threw at \["events"\]\[0\]\["data"\]\["owner"\]: 1/
  },
  {
    name: "an import of a file that is a Proxy whose traps throw",
    when: Effect.suspend(() => LogFile.importLog(hostile, [{ eventSchema: BankAccount.Event }])),
    error: "InvalidLogFile",
    message: /reading it threw: .*trap/
  },
  {
    name: "an import of a foreign file",
    when: LogFile.importLog({ rows: [{ id: 1 }] }, [{ eventSchema: BankAccount.Event }]),
    error: "InvalidLogFile",
    message: /not a Chronicle event log/
  },
  {
    name: "an import of a file that is not JSON",
    when: LogFile.importLog("{\"format\": \"chronicle-log\", \"events\": [", [{ eventSchema: BankAccount.Event }]),
    error: "InvalidLogFile",
    message: /it is not JSON/
  },
  {
    name: "an import whose versions have a gap",
    when: LogFile.importLog(
      {
        format: "chronicle-log",
        formatVersion: 1,
        events: [1, 3].map((version) => ({
          streamId: "account-b",
          version,
          position: version,
          type: "AccountOpened",
          data: { _tag: "AccountOpened", accountId: "b", owner: "B" },
          metadata: { eventId: `e${version}`, recordedAt: 0 }
        }))
      },
      [{ eventSchema: BankAccount.Event }]
    ),
    error: "InvalidLogFile",
    message: /event #2 \(stream "account-b", version 3\): expected version 2 of its stream/
  },
  {
    name: "an import with an event after an archive marker",
    when: LogFile.importLog(
      fileOf([opening, marker(2, EventStore.archivedType), { ...marker(3, EventStore.archivedType), type: "AccountOpened", data: opening.data }]),
      [{ eventSchema: BankAccount.Event }]
    ),
    error: "InvalidLogFile",
    message: /event #3 \(stream "account-b", version 3\): the stream was closed before it: after an archive marker only a tombstone may follow/
  },
  {
    name: "an import with an event after a tombstone",
    when: LogFile.importLog(fileOf([opening, marker(2, EventStore.deletedType), marker(3, EventStore.archivedType)]), [{
      eventSchema: BankAccount.Event
    }]),
    error: "InvalidLogFile",
    message: /event #3 \(stream "account-b", version 3\): the stream was closed before it: nothing may follow a tombstone/
  },
  {
    name: "an import with two records of one event id",
    when: LogFile.importLog(
      fileOf([opening, { ...opening, streamId: "account-c", position: 2, data: { ...opening.data, accountId: "c" } }]),
      [{ eventSchema: BankAccount.Event }]
    ),
    error: "InvalidLogFile",
    message: /event #2 \(stream "account-c", version 1\): its event id "e1" is already the id of event #1 \(stream "account-b", version 1\)/
  },
  {
    name: "a multi-stream append with a conflict in its second batch (nothing written, the stream named)",
    when: EventStore.EventStore.use((store) =>
      store.appendMany([
        { streamId: "account-c", events: [{ type: "AccountOpened", data: opening.data }], expected: ExpectedVersion.noStream },
        { streamId: "account-a", events: [{ type: "Deposited", data: deposit }], expected: ExpectedVersion.noStream }
      ])
    ),
    error: "WrongExpectedVersion",
    message: /Stream "account-a": expected no stream, but it is at version 2/
  },
  {
    name: "a multi-stream append into a store that is no longer where the writer expected it",
    when: EventStore.EventStore.use((store) =>
      store.appendMany([{ streamId: "account-a", events: [{ type: "Deposited", data: deposit }], expected: ExpectedVersion.any }], {
        expectedLastPosition: 0
      })
    ),
    error: "WrongExpectedPosition",
    message: /expected the log at position 0, but it is at position 2/
  },
  {
    name: "a multi-stream append with an expected position that is not a whole number",
    when: EventStore.EventStore.use((store) => store.appendMany([], { expectedLastPosition: -1 })),
    error: "StoreError",
    message: /the expected last position is -1, not a whole number of 0 or more/
  },
  {
    name: "an import into a store that is not empty",
    when: Effect.flatMap(LogFile.exportLog, (file) => LogFile.importLog(file, [{ eventSchema: BankAccount.Event }])),
    error: "InvalidLogFile",
    message: /the store is not empty/
  }
]

const openAccount = Effect.gen(function*() {
  yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" })
  yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 100 })
})

/**
 * Stored snapshots written by a buggy or foreign writer: the Snapshot type is not checked. The last
 * field says whether the case exists only on layers that keep a snapshot as it was given (memory,
 * IndexedDB): PostgreSQL's integer column turns the version "2" into 2, a well-formed snapshot.
 */
const badSnapshots: ReadonlyArray<readonly [string, Record<string, unknown>, "verbatim only"?]> = [
  ["a snapshot whose command ids are not a list", { version: 2, stateVersion: 2, state: { _tag: "Opened", balance: 5 }, commandIds: 5 }],
  ["a snapshot whose version is not a number", { version: "2", stateVersion: 2, state: { _tag: "Opened", balance: 5 }, commandIds: [] }, "verbatim only"],
  ["a snapshot past the stream's last version", { version: 40, stateVersion: 2, state: { _tag: "Opened", balance: 5 }, commandIds: [] }]
]

/**
 * Declares the catalogue's tests on the stores `layer` builds, a fresh one per test; `snapshotsKept` says
 * whether its SnapshotStore keeps records as given ("verbatim") or in typed columns ("typed").
 */
const suite = (layer: () => Layer.Layer<Stores, unknown>, snapshotsKept: "verbatim" | "typed" = "verbatim") => {
    for (const entry of catalogue) {
      it.effect(`${entry.name} → ${entry.error}, nothing lost or changed`, () =>
        Effect.gen(function*() {
          yield* openAccount
          if (entry.given !== undefined) yield* entry.given
          const before = yield* history
          const error = yield* Effect.flip(entry.when)
          assert.strictEqual(error._tag, entry.error)
          assert.match(error.message, entry.message)
          assert.deepStrictEqual(yield* history, before)
        }).pipe(Effect.provide(layer())))
    }

    it.effect("a payload and a command whose getters throw after the first read → the first answers are what is recorded", () =>
      Effect.gen(function*() {
        yield* openAccount
        const appended = yield* raw("account-a", "Deposited", onceAt(deposit, "amount", 7))
        const handled = yield* accounts.handleUnknown(onceAt({ _tag: "Deposit", accountId: "a", amount: 0 }, "amount", 5))
        assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 112 }, 4])
        const stored = yield* history
        assert.deepStrictEqual(stored.slice(2).map((recorded) => recorded.data), [
          { ...deposit, amount: 7 },
          { _tag: "Deposited", accountId: "a", amount: 5 }
        ])
        assert.deepStrictEqual(appended.events[0]!.data, { ...deposit, amount: 7 })
      }).pipe(Effect.provide(layer())))

    it.effect("a snapshot of an old state shape → ignored and rebuilt, never misread", () =>
      Effect.gen(function*() {
        yield* openAccount
        yield* SnapshotStore.SnapshotStore.use((snapshots) =>
          snapshots.save("account-a", { version: 2, stateVersion: 1, state: { balance: 5 }, commandIds: [] })
        )
        const before = yield* history
        assert.deepStrictEqual(yield* accounts.load("account-a"), { state: { _tag: "Opened", balance: 100 }, version: 2 })
        assert.deepStrictEqual(yield* history, before)
      }).pipe(Effect.provide(layer())))

    it.effect("after every refusal the store's own export is a valid log file that imports elsewhere", () =>
      Effect.gen(function*() {
        yield* openAccount
        for (const entry of catalogue) yield* Effect.ignore(entry.when)
        const file = yield* LogFile.exportLog
        const text = JSON.stringify(file)
        const imported = yield* LogFile.importLog(text, [{ eventSchema: BankAccount.Event }]).pipe(
          Effect.provide(Layer.fresh(MemoryEventStore.layer)) // a new store, not the one under test
        )
        assert.strictEqual(imported, file.events.length)
      }).pipe(Effect.provide(layer())))

    for (const [name, snapshot] of badSnapshots.filter(([, , only]) => only === undefined || snapshotsKept === "verbatim")) {
      it.effect(`${name} → ignored, the command goes through on the replayed state, nothing lost`, () =>
        Effect.gen(function*() {
          yield* openAccount
          yield* SnapshotStore.SnapshotStore.use((snapshots) =>
            snapshots.save("account-a", snapshot as unknown as SnapshotStore.Snapshot)
          )
          const before = yield* history
          const handled = yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 1 })
          assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 101 }, 3])
          const after = yield* history
          assert.deepStrictEqual(after.slice(0, before.length), before)
          assert.strictEqual(after.length, before.length + 1)
        }).pipe(Effect.provide(layer())))
    }
}

for (const [layerName, layer] of layers) describe(`bad input (${layerName})`, () => suite(layer))

describePostgres("bad input (postgres)", () => {
  const { inEmptySchema } = useDatabase()
  suite(
    () => inEmptySchema((schema) => Layer.merge(PostgresEventStore.layer({ schema }), PostgresSnapshotStore.layer({ schema }))),
    "typed"
  )
})
