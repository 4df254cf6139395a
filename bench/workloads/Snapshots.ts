/**
 * **W6 — command handling on a long stream, with and without snapshots**: an account whose stream
 * already holds `events` events receives `commands` deposits, each loaded, decided and appended.
 *
 * - W6a: the `CommandHandler` without snapshots (each load folds the whole stream).
 * - W6b: the same handler with `snapshots: { every: 100 }` on a memory `SnapshotStore`, primed with
 *   the snapshot an application would have saved (each load reads the snapshot and a tail of fewer
 *   than 100 events).
 * - W6c: W6b on a stream ten times shorter: its time per command, next to W6b's, shows whether the
 *   cost per command depends on the stream's length.
 *
 * Baseline: `PlainStore.handle`, which folds the whole stream for every command, as W6a does.
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore, SnapshotStore } from "@chronicle/runtime"
import { MemorySnapshotStore } from "@chronicle/store-memory"
import { Effect, Result, Schema } from "effect"
import * as PlainStore from "../baseline/PlainStore.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import type { Workload } from "../harness/Workload.ts"

/**
 * The number of events already in the stream: 10,000 as in the issue.
 */
export const size = 10_000

/** How many commands a run handles. */
const commandCount = 500

const stateVersion = 1
const every = 100

const snapshotting = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf,
  snapshots: { stateSchema: BankAccount.State, stateVersion, every }
})

const encodeState = Schema.encodeSync(Schema.toCodecJson(BankAccount.State))

const deposits: ReadonlyArray<BankAccount.Command> = Array.from(
  { length: commandCount },
  (_, i) => ({ _tag: "Deposit", accountId: "0", amount: 1 + (i % 9) })
)

const outcome = (state: BankAccount.State, version: number) =>
  Outcome.fromBalances(commandCount, new Map([["0", Bank.balanceOf(state)]]), new Map([["0", version]]))

/**
 * One W6 line: `events` events in the stream, handled with or without snapshots.
 */
export const line = (id: string, events: number, withSnapshots: boolean): Workload => {
  const batches = Bank.batches({ accounts: 1, perAccount: events, batch: 1_000 })
  const streamId = BankAccount.streamId("0")
  return {
    id,
    work: `handle ${commandCount} commands on a stream of ${events.toLocaleString("en")} events, ${
      withSnapshots ? `with snapshots every ${every}` : "without snapshots"
    } (memory)`,
    items: commandCount,
    unit: "commands",
    chronicle: {
      prepare: async () => {
        const store = await Stores.memory(batches)
        const snapshots = await Effect.runPromise(MemorySnapshotStore.make)
        if (withSnapshots) {
          // The snapshot the handler would have saved at the stream's current version.
          const records = PlainStore.read(PlainStore.fill(batches), streamId)
          const [state, version] = [PlainStore.fold(records), records.length]
          await Effect.runPromise(snapshots.save(streamId, { version, stateVersion, state: encodeState(state), commandIds: [] }))
        }
        const handler = withSnapshots ? snapshotting : Bank.handler
        return () =>
          Effect.runPromise(
            Effect.gen(function*() {
              let last: { state: BankAccount.State; version: number } | undefined
              for (const command of deposits) last = yield* handler.handle(command)
              return outcome(last!.state, last!.version)
            }).pipe(
              Effect.provideService(EventStore.EventStore, store),
              Effect.provideService(SnapshotStore.SnapshotStore, snapshots)
            )
          )
      }
    },
    baseline: {
      prepare: async () => {
        const store = PlainStore.fill(batches)
        return async () => {
          let last: { state: BankAccount.State; version: number } | undefined
          for (const command of deposits) last = Result.getOrThrow(PlainStore.handle(store, command))
          return outcome(last!.state, last!.version)
        }
      }
    }
  }
}
