/**
 * **W2 — read and fold one long stream** on the in-memory layer: one account with 200,000 events,
 * loaded into its current state and version.
 *
 * - Chronicle: `CommandHandler.load` — the store's paged `read`, `Codec` decoding, and the fold.
 * - Baseline: a `for` loop over the stream's array with the same `evolve`.
 *
 * Both stores are filled once (1,000 events per append) and only read by the repetitions.
 */
import { BankAccount } from "@chronicle/examples"
import * as PlainStore from "../baseline/PlainStore.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import * as Workload from "../harness/Workload.ts"

/**
 * The number of events in the stream: 200,000 as in the issue.
 */
export const size = 200_000

const accountId = "0"
const streamId = BankAccount.streamId(accountId)

const outcome = (state: BankAccount.State, version: number) =>
  Outcome.fromBalances(version, new Map([[accountId, Bank.balanceOf(state)]]), new Map([[streamId, version]]))

/**
 * The W2 workload.
 */
export const make = (events: number = size): Workload.Workload => {
  const batches = Workload.shared(async () => Bank.batches({ accounts: 1, perAccount: events, batch: 1_000 }))
  const chronicleStore = Workload.shared(async () => Stores.memory(await batches()))
  const plainStore = Workload.shared(async () => PlainStore.fill(await batches()))
  return {
    id: "W2",
    work: `read one stream of ${events.toLocaleString("en")} events and fold it (memory)`,
    items: events,
    unit: "events",
    target: 0.8,
    chronicle: {
      prepare: async () => {
        const store = await chronicleStore()
        return async () => {
          const { state, version } = await Stores.runWith(store, Bank.handler.load(streamId))
          return outcome(state, version)
        }
      }
    },
    baseline: {
      prepare: async () => {
        const store = await plainStore()
        return async () => {
          const records = PlainStore.read(store, streamId)
          return outcome(PlainStore.fold(records), records.length)
        }
      }
    }
  }
}
