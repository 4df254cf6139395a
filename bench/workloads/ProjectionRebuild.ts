/**
 * **W3 — rebuild a projection** on the in-memory layer: the `balances` read model of
 * `BankAccount`, replayed from zero over 200,000 events of 100 accounts.
 *
 * - Chronicle: `Projector.make` from position 0 (catch-up through `subscribe`, `Codec` decoding,
 *   checkpointing), until `awaitPosition` reaches the last position.
 * - Baseline: a `for` loop over the log array with the same `balances.evolve`.
 * - Peers: fmodel-ts, a `MaterializedView` of the same `evolve` handed every event of its
 *   repository's log in order; Emmett, `readStream` over each account's stream, merged by global
 *   position and folded with the same `evolve` (its in-memory store has no read of the global log:
 *   see `peers/Emmett.ts`).
 *
 * The stores are filled with 100 events per append, round-robin over the accounts, so the log
 * interleaves the streams. `W3` runs cold: each Chronicle run reads a store filled for it
 * (untimed), records no one has read before, as after a restart; `W3-warm` reads one store filled
 * once, the records earlier runs read (see `Stores.Temperature`). Each peer reads its own store at
 * the same temperature. The baseline reads one plain store filled once.
 */
import { Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { EventStore, Projector } from "@chronicle/runtime"
import { Effect } from "effect"
import * as PlainStore from "../baseline/PlainStore.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import * as Workload from "../harness/Workload.ts"
import * as Emmett from "../peers/Emmett.ts"
import * as Fmodel from "../peers/Fmodel.ts"

/**
 * The sizes of the workload.
 */
export interface Size {
  readonly accounts: number
  readonly perAccount: number
}

/**
 * The size: 200,000 events over 100 accounts.
 */
export const size: Size = { accounts: 100, perAccount: 2_000 }

const rebuild = Effect.scoped(Effect.gen(function*() {
  const store = yield* EventStore.EventStore
  const last = yield* store.lastPosition
  const projector = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
  const { position, state } = yield* projector.awaitPosition(last)
  return Outcome.fromBalances(position, state)
}))

/**
 * The W3 workload, cold (`W3`, the default) or warm (`W3-warm`).
 */
export const make = ({ accounts, perAccount }: Size = size, temperature: Stores.Temperature = "cold"): Workload.Workload => {
  const events = accounts * perAccount
  const batches = Workload.shared(async () => Bank.batches({ accounts, perAccount, batch: 100 }))
  const chronicleStore = Stores.reading(batches, temperature)
  const plainStore = Workload.shared(async () => PlainStore.fill(await batches()))
  const fmodelStore = Stores.atTemperature(async () => Fmodel.fill(await batches()), temperature)
  const emmettStore = Stores.atTemperature(async () => Emmett.fill(await batches()), temperature)
  return {
    id: temperature === "cold" ? "W3" : "W3-warm",
    work: `rebuild the balances projection from ${events.toLocaleString("en")} events over ${accounts} streams (memory; ${
      Stores.describe(temperature)
    })`,
    items: events,
    unit: "events",
    target: temperature === "cold" ? 0.5 : undefined,
    peerTarget: temperature === "cold" ? 1 : undefined,
    chronicle: {
      prepare: async () => {
        const store = await chronicleStore()
        return () => Stores.runWith(store, rebuild)
      }
    },
    baseline: {
      prepare: async () => {
        const { log } = await plainStore()
        return async () => {
          let state = Projection.initial(BankAccount.balances)
          for (let i = 0; i < log.length; i++) state = BankAccount.balances.evolve(state, log[i]!.data)
          return Outcome.fromBalances(log.length, state)
        }
      }
    },
    peers: [
      {
        name: "fmodel-ts",
        contender: {
          prepare: async () => {
            const { log } = await fmodelStore()
            return async () => {
              const view = Fmodel.balances()
              let state = view.initialState
              for (const event of log) state = await view.handle(event)
              return Outcome.fromBalances(log.length, state)
            }
          }
        }
      },
      {
        name: "Emmett",
        contender: {
          prepare: async () => {
            const store = await emmettStore()
            const streamNames = new Set((await batches()).map(({ streamId }) => streamId))
            return async () => {
              const { events, state } = await Emmett.balances(store, streamNames)
              return Outcome.fromBalances(events, state)
            }
          }
        }
      }
    ]
  }
}
