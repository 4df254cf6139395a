/**
 * **W1 — command handling** on the in-memory layer: 20,000 commands round-robin over 100 accounts,
 * each one loaded (read and fold the stream), decided and appended with the loaded version as the
 * expected version. Streams grow to 200 events, so a command folds 100 events on average.
 *
 * - Chronicle: `CommandHandler.handle` for each command, in one Effect program, on a fresh
 *   `MemoryEventStore` with a fresh `StateCache` beside it (room for every account), as an app
 *   that opts into the cache runs: a command reads no more of its stream than what it has not seen.
 * - Baseline: `PlainStore.handle` (a `Map` of arrays, a `for` loop fold, the same `decide`/`evolve`).
 * - Peers: fmodel-ts, `EventSourcingLockingAggregate.handle` on a fresh in-memory repository (its
 *   balances and versions read back from the repository after the run: `handle` returns only the
 *   saved events); Emmett, `DeciderCommandHandler` on a fresh `getInMemoryEventStore()`.
 */
import { BankAccount } from "@chronicle/examples"
import { StateCache } from "@chronicle/runtime"
import { Effect, Result } from "effect"
import * as PlainStore from "../baseline/PlainStore.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import type * as Workload from "../harness/Workload.ts"
import * as Emmett from "../peers/Emmett.ts"
import * as Fmodel from "../peers/Fmodel.ts"

/**
 * The sizes of the workload.
 */
export interface Size {
  readonly commands: number
  readonly accounts: number
}

/**
 * The size: 20,000 commands over 100 accounts.
 */
export const size: Size = { commands: 20_000, accounts: 100 }

/**
 * Tracks what handled commands lead to (balances, versions, event count), for the outcome.
 */
export const track = () => {
  const balances = new Map<string, number>()
  const versions = new Map<string, number>()
  let events = 0
  return {
    handled: (command: BankAccount.Command, state: BankAccount.State, version: number, appended: number) => {
      balances.set(command.accountId, Bank.balanceOf(state))
      versions.set(command.accountId, version)
      events += appended
    },
    outcome: () => Outcome.fromBalances(events, balances, versions)
  }
}

/**
 * Chronicle's side of W1 on the store in the context: each command through `CommandHandler.handle`.
 */
export const handleAll = (commands: ReadonlyArray<BankAccount.Command>) =>
  Effect.gen(function*() {
    const tracked = track()
    for (const command of commands) {
      const handled = yield* Bank.handler.handle(command)
      tracked.handled(command, handled.state, handled.version, handled.events.length)
    }
    return tracked.outcome()
  })

const fmodel = (commands: ReadonlyArray<BankAccount.Command>): Workload.Contender => {
  const accountIds = new Set(commands.map(({ accountId }) => accountId))
  return {
    prepare: async () => {
      const repository = Fmodel.repository()
      const aggregate = Fmodel.aggregate(repository)
      return async () => {
        let events = 0
        for (const command of commands) events += (await aggregate.handle(command)).length
        const balances = new Map<string, number>()
        const versions = new Map<string, number>()
        for (const accountId of accountIds) {
          const { state, version } = await Fmodel.load(repository, { accountId })
          balances.set(accountId, Bank.balanceOf(state))
          versions.set(accountId, version)
        }
        return Outcome.fromBalances(events, balances, versions)
      }
    }
  }
}

const emmett = (commands: ReadonlyArray<BankAccount.Command>): Workload.Contender => {
  const messages = commands.map(Emmett.command)
  return {
    prepare: async () => {
      const store = await Emmett.fill([])
      return async () => {
        const tracked = track()
        for (let i = 0; i < commands.length; i++) {
          const command = commands[i]!
          const handled = await Emmett.handle(store, BankAccount.streamIdOf(command), messages[i]!)
          tracked.handled(command, handled.newState, Number(handled.nextExpectedStreamVersion), handled.newEvents.length)
        }
        return tracked.outcome()
      }
    }
  }
}

/**
 * The W1 workload.
 */
export const make = ({ accounts, commands: count }: Size = size): Workload.Workload => {
  const commands = Bank.commands(count, accounts)
  return {
    id: "W1",
    work: `handle ${count.toLocaleString("en")} commands round-robin over ${accounts} accounts (memory)`,
    items: count,
    unit: "commands",
    target: 0.5,
    peerTarget: 1,
    chronicle: {
      prepare: async () => {
        const store = await Stores.memory()
        const cache = await Effect.runPromise(StateCache.make({ capacity: accounts }))
        return () => Stores.runWith(store, Effect.provideService(handleAll(commands), StateCache.StateCache, cache))
      }
    },
    baseline: {
      prepare: async () => {
        const store = PlainStore.make()
        return async () => {
          const tracked = track()
          for (const command of commands) {
            const { events, state, version } = Result.getOrThrow(PlainStore.handle(store, command))
            tracked.handled(command, state, version, events)
          }
          return tracked.outcome()
        }
      }
    },
    peers: [{ name: "fmodel-ts", contender: fmodel(commands) }, { name: "Emmett", contender: emmett(commands) }]
  }
}
