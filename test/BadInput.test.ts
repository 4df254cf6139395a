/**
 * The bad-input catalogue: every kind of bad input the library can meet, each with the typed error
 * a user gets and a check that nothing already stored was lost or changed. Runs on every store layer
 * listed in `layers` (IndexedDB under Node on fake-indexeddb, a new database per test).
 */
import "fake-indexeddb/auto"
import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, LogFile, SnapshotStore } from "@chronicle/runtime"
import { IndexedDbEventStore, IndexedDbSnapshotStore } from "@chronicle/store-indexeddb"
import type { IndexedDb } from "@chronicle/store-indexeddb"
import { MemoryEventStore, MemorySnapshotStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { bankAccount, user } from "./runtime/fixtures.ts"

type Stores = EventStore.EventStore | SnapshotStore.SnapshotStore

let databases = 0

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<Stores, IndexedDb.OpenError>]> = [
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

/** Writes a raw record, as a foreign or older writer could have. */
const raw = (streamId: string, type: string, data: unknown, schemaVersion?: number) =>
  EventStore.EventStore.use((store) => store.append(streamId, [{ type, data, schemaVersion }], ExpectedVersion.any))

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

for (const [layerName, layer] of layers) {
  describe(`bad input (${layerName})`, () => {
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
  })
}

/** Stored snapshots written by a buggy or foreign writer: the Snapshot type is not checked. */
const badSnapshots: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["a snapshot whose command ids are not a list", { version: 2, stateVersion: 2, state: { _tag: "Opened", balance: 5 }, commandIds: 5 }],
  ["a snapshot whose version is not a number", { version: "2", stateVersion: 2, state: { _tag: "Opened", balance: 5 }, commandIds: [] }],
  ["a snapshot past the stream's last version", { version: 40, stateVersion: 2, state: { _tag: "Opened", balance: 5 }, commandIds: [] }]
]

for (const [layerName, layer] of layers) {
  describe(`bad stored snapshots (${layerName})`, () => {
    for (const [name, snapshot] of badSnapshots) {
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
  })
}
