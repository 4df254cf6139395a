/**
 * **W2 — read and fold one long stream** on the in-memory layer: one account with 200,000 events,
 * loaded into its current state and version.
 *
 * - Chronicle: `CommandHandler.load` — the store's paged `read`, `Codec` decoding, and the fold.
 * - Baseline: a `for` loop over the stream's array with the same `evolve`.
 * - Peers: fmodel-ts, its repository's `fetchEvents` folded with the decider (as its aggregate
 *   loads a stream); Emmett, `aggregateStream` on its in-memory store.
 *
 * The stores are filled with 1,000 events per append. `W2` runs cold: each Chronicle run reads a
 * store filled for it (untimed), records no one has read before, as after a restart; `W2-warm`
 * reads one store filled once, the records earlier runs read (see `Stores.Temperature`). Each peer
 * reads its own store at the same temperature. The baseline reads one plain store filled once.
 */
import { BankAccount } from "@chronicle/examples"
import * as PlainStore from "../baseline/PlainStore.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import * as Workload from "../harness/Workload.ts"
import * as Emmett from "../peers/Emmett.ts"
import * as Fmodel from "../peers/Fmodel.ts"

/**
 * The number of events in the stream: 200,000 as in the issue.
 */
export const size = 200_000

const accountId = "0"
const streamId = BankAccount.streamId(accountId)

const outcome = (state: BankAccount.State, version: number) =>
  Outcome.fromBalances(version, new Map([[accountId, Bank.balanceOf(state)]]), new Map([[streamId, version]]))

/**
 * The W2 workload, cold (`W2`, the default) or warm (`W2-warm`).
 */
export const make = (events: number = size, temperature: Stores.Temperature = "cold"): Workload.Workload => {
  const batches = Workload.shared(async () => Bank.batches({ accounts: 1, perAccount: events, batch: 1_000 }))
  const chronicleStore = Stores.reading(batches, temperature)
  const plainStore = Workload.shared(async () => PlainStore.fill(await batches()))
  const fmodelStore = Stores.atTemperature(async () => Fmodel.fill(await batches()), temperature)
  const emmettStore = Stores.atTemperature(async () => Emmett.fill(await batches()), temperature)
  return {
    id: temperature === "cold" ? "W2" : "W2-warm",
    work: `read one stream of ${events.toLocaleString("en")} events and fold it (memory; ${Stores.describe(temperature)})`,
    items: events,
    unit: "events",
    target: temperature === "cold" ? 0.5 : undefined,
    peerTarget: temperature === "cold" ? 1 : undefined,
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
    },
    peers: [
      {
        name: "fmodel-ts",
        contender: {
          prepare: async () => {
            const repository = await fmodelStore()
            return async () => {
              const { state, version } = await Fmodel.load(repository, { accountId })
              return outcome(state, version)
            }
          }
        }
      },
      {
        name: "Emmett",
        contender: {
          prepare: async () => {
            const store = await emmettStore()
            return async () => {
              const { state, version } = await Emmett.load(store, streamId)
              return outcome(state, version)
            }
          }
        }
      }
    ]
  }
}
