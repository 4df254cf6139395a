/**
 * Snapshot and checkpoint records are not trusted: what a store hands back is checked on load. A
 * malformed record, a snapshot past its stream's last version, a checkpoint past the log's last
 * position, or a state that does not decode is ignored (the stream or projection replays from zero)
 * and reported with a warning that names the store, the stream or projection, and what was wrong —
 * never fatal, never used. Runs on the memory layers and on IndexedDB (fake-indexeddb); the bad
 * records are written through the stores' own `save`.
 */
import "fake-indexeddb/auto"
import { BankAccount } from "@chronicle/examples"
import { CheckpointStore, CommandHandler, EventStore, Projector, SnapshotStore } from "@chronicle/runtime"
import { IndexedDbCheckpointStore, IndexedDbEventStore, IndexedDbSnapshotStore } from "@chronicle/store-indexeddb"
import type { IndexedDb } from "@chronicle/store-indexeddb"
import { MemoryCheckpointStore, MemoryEventStore, MemorySnapshotStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Schema } from "effect"
import { bankAccount } from "./fixtures.ts"

type Stores = EventStore.EventStore | SnapshotStore.SnapshotStore | CheckpointStore.CheckpointStore

let databases = 0

const layers: ReadonlyArray<readonly [string, () => Layer.Layer<Stores, IndexedDb.OpenError>]> = [
  ["memory", () => Layer.mergeAll(MemoryEventStore.layer, MemorySnapshotStore.layer, MemoryCheckpointStore.layer)],
  ["indexeddb (fake-indexeddb)", () => {
    const name = `stored-records-${databases++}`
    return Layer.mergeAll(
      IndexedDbEventStore.layer({ name }),
      IndexedDbSnapshotStore.layer({ name }),
      IndexedDbCheckpointStore.layer({ name })
    )
  }]
]

/** Runs `program` on a layer, collecting the warnings it logs. */
const withWarnings = <A, E>(
  layer: Layer.Layer<Stores, IndexedDb.OpenError>,
  program: (warnings: ReadonlyArray<string>) => Effect.Effect<A, E, Stores>
) => {
  const warnings: Array<string> = []
  const collect = Logger.make((options) => {
    if (options.logLevel === "Warn") warnings.push([options.message].flat().map(String).join(" "))
  })
  return program(warnings).pipe(Effect.provide(Layer.merge(layer, Logger.layer([collect]))))
}

const accounts = CommandHandler.make({
  ...bankAccount,
  snapshots: { stateSchema: BankAccount.State, stateVersion: 1, every: 10 }
})

const open = { _tag: "Open", accountId: "a", owner: "Ada" } as const
const deposit = (amount: number) => ({ _tag: "Deposit", accountId: "a", amount }) as const
const streamId = BankAccount.streamId("a")

/** Writes a snapshot as a buggy or foreign writer could have: the Snapshot type is not checked. */
const saveSnapshot = (snapshot: Record<string, unknown>) =>
  SnapshotStore.SnapshotStore.use((snapshots) => snapshots.save(streamId, snapshot as unknown as SnapshotStore.Snapshot))

const opened = { _tag: "Opened", balance: 999 } as const

/** The same account, handled without snapshots: the truth to compare with. */
const plain = CommandHandler.make(bankAccount)

const balances = Projector.makePersistent({
  name: "balances",
  stateSchema: Schema.ReadonlyMap(Schema.String, Schema.Int),
  projection: BankAccount.balances,
  eventSchema: BankAccount.Event
})

/** Writes a checkpoint as a buggy or foreign writer could have: the Saved type is not checked. */
const saveCheckpoint = (checkpoint: Record<string, unknown>) =>
  CheckpointStore.CheckpointStore.use((checkpoints) =>
    checkpoints.save("balances", checkpoint as unknown as CheckpointStore.Saved)
  )

/** Two accounts, a with 10 and b with 20: the log is at position 4. */
const twoAccounts = Effect.gen(function*() {
  for (const [accountId, amount] of [["a", 10], ["b", 20]] as const) {
    yield* plain.handle({ _tag: "Open", accountId, owner: accountId })
    yield* plain.handle({ _tag: "Deposit", accountId, amount })
  }
})

/** Starts the persistent projector and waits for the whole log. */
const project = Effect.scoped(Effect.flatMap(balances, (projector) => projector.awaitPosition(4)))

for (const [layerName, layer] of layers) {
  describe(`stored snapshots are checked on load (${layerName})`, () => {
    const snapshotCases: ReadonlyArray<readonly [string, Record<string, unknown>, RegExp]> = [
      [
        "command ids that are not a list",
        { version: 2, stateVersion: 1, state: opened, commandIds: 5 },
        /it is malformed: Expected array at \["commandIds"\]/
      ],
      [
        "a version that is not a number",
        { version: "2", stateVersion: 1, state: opened, commandIds: [] },
        /it is malformed: Expected number at \["version"\]/
      ],
      [
        "a negative version",
        { version: -1, stateVersion: 1, state: opened, commandIds: [] },
        /it is malformed: Expected a value greater than or equal to 0 at \["version"\]/
      ],
      [
        "a version past the stream",
        { version: 50, stateVersion: 1, state: opened, commandIds: [] },
        /its version 50 is past the stream, which is at version 2/
      ],
      [
        "a state that does not decode although its stateVersion is current",
        { version: 2, stateVersion: 1, state: { balance: "lots" }, commandIds: [] },
        /its state does not decode \(stateVersion 1\)/
      ]
    ]

    for (const [name, snapshot, reason] of snapshotCases) {
      it.live(`${name}: ignored and reported, the command goes through on the replayed state`, () =>
        withWarnings(layer(), (warnings) =>
          Effect.gen(function*() {
            yield* accounts.handle(open)
            yield* accounts.handle(deposit(100))
            yield* saveSnapshot(snapshot)
            const handled = yield* accounts.handle(deposit(1))
            assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 101 }, 3])
            assert.deepStrictEqual(yield* accounts.load(streamId), yield* plain.load(streamId))
            // Reported at each load that meets it (the handle, then the load), with the facts of the first.
            assert.strictEqual(warnings.length, 2)
            assert.match(warnings[0]!, reason)
            for (const warning of warnings) {
              assert.match(warning, /^SnapshotStore: the snapshot of stream "account-a" is ignored \(.+\); replaying from zero$/)
            }
          })))
    }

    it.live("a snapshot at the stream's last version is used, with no warning", () =>
      withWarnings(layer(), (warnings) =>
        Effect.gen(function*() {
          yield* accounts.handle(open)
          yield* accounts.handle(deposit(100))
          yield* saveSnapshot({ version: 2, stateVersion: 1, state: opened, commandIds: [] })
          // The state it holds (999, not 100) proves it was used rather than replayed.
          assert.deepStrictEqual(yield* accounts.load(streamId), { state: opened, version: 2 })
          assert.deepStrictEqual(warnings, [])
        })))
  })

  describe(`stored checkpoints are checked on load (${layerName})`, () => {
    const checkpointCases: ReadonlyArray<readonly [string, Record<string, unknown>, RegExp]> = [
      [
        "a position that is not a number",
        { position: "2", state: [["a", 999]] },
        /it is malformed: Expected number at \["position"\]/
      ],
      [
        "a position that is not a whole number",
        { position: 1.5, state: [["a", 999]] },
        /it is malformed: Expected an integer at \["position"\]/
      ],
      [
        "a position past the log",
        { position: 99, state: [["a", 999]] },
        /its position 99 is past the log, whose last position is 4/
      ],
      [
        "a state that does not decode",
        { position: 2, state: "old shape" },
        /its state does not decode: /
      ]
    ]

    for (const [name, checkpoint, reason] of checkpointCases) {
      it.live(`${name}: ignored and reported, the projection replays from zero`, () =>
        withWarnings(layer(), (warnings) =>
          Effect.gen(function*() {
            yield* twoAccounts
            yield* saveCheckpoint(checkpoint)
            const { position, state } = yield* project
            assert.strictEqual(position, 4)
            assert.deepStrictEqual([...state], [["a", 10], ["b", 20]])
            assert.strictEqual(warnings.length, 1)
            assert.match(warnings[0]!, /^CheckpointStore: the checkpoint "balances" is ignored \(/)
            assert.match(warnings[0]!, reason)
            assert.match(warnings[0]!, /the projection replays from zero$/)
          })))
    }

    it.live("a checkpoint at the log's last position is used, with no warning", () =>
      withWarnings(layer(), (warnings) =>
        Effect.gen(function*() {
          yield* twoAccounts
          yield* saveCheckpoint({ position: 4, state: [["a", 999]] })
          const { state } = yield* project
          assert.deepStrictEqual([...state], [["a", 999]])
          assert.deepStrictEqual(warnings, [])
        })))
  })
}
