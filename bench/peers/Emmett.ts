/**
 * **Emmett**: the Emmett peer of the in-memory workloads — the bank account written the way
 * Emmett 0.42 documents it: events and commands as `{ type, data }` messages, a `Decider`
 * (`decide`, `evolve`, `initialState()`), `DeciderCommandHandler` over `getInMemoryEventStore()`
 * to handle commands, `aggregateStream` to load a stream, `appendToStream` with
 * `expectedStreamVersion` to append.
 *
 * Emmett's in-memory store has no read of the global log (no `readAll`, and its projections run
 * inline, on append, never from a position), so a read model is rebuilt here by `readStream` over
 * each account's stream — the streams the application knows — folding the events with the same
 * `evolve`. Balances are per account, so the order of the streams does not change them — but it
 * changes the cost: `balances.evolve` copies its map on every event, and while the k-th stream is
 * folded the map holds k accounts, where in the log's order it holds all of them after the first
 * round. Stream by stream thus copies about half as much as a fold of the global log (Chronicle's
 * and the baseline's): bear that in mind when reading W3's Emmett column.
 *
 * Its in-memory `appendToStream` builds a new array of the whole stream on every append, so
 * appending one event at a time to a long stream costs time that grows with the stream (see
 * {@link appendCost}): W4 does not run it.
 *
 * The domain is Chronicle's `BankAccount`, its `decide` and `evolve` unchanged, its events and
 * commands the `data` of Emmett's messages (their `type` is the `_tag`); Emmett's `decide` returns
 * the events alone, so a rejection becomes a thrown error (the fixtures have none).
 */
import {
  type Command,
  type Decider,
  DeciderCommandHandler,
  type Event,
  getInMemoryEventStore,
  type InMemoryEventStore
} from "@event-driven-io/emmett"
import { Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { Result } from "effect"
import type * as Bank from "../fixtures/Bank.ts"

/**
 * An account's event as an Emmett event.
 */
export type AccountEvent = Event<BankAccount.Event["_tag"], BankAccount.Event>

/**
 * An account's command as an Emmett command.
 */
export type AccountCommand = Command<BankAccount.Command["_tag"], BankAccount.Command>

/**
 * An event as Emmett appends it.
 *
 * @example
 * ```ts
 * Emmett.event({ _tag: "Deposited", accountId: "1", amount: 5 })
 * // { type: "Deposited", data: { _tag: "Deposited", accountId: "1", amount: 5 } }
 * ```
 */
export const event = (data: BankAccount.Event): AccountEvent => ({ type: data._tag, data })

/**
 * A command as Emmett handles it.
 *
 * @example
 * ```ts
 * Emmett.command({ _tag: "Open", accountId: "1", owner: "Ada" }) // { type: "Open", data: { … } }
 * ```
 */
export const command = (data: BankAccount.Command): AccountCommand => ({ type: data._tag, data })

/**
 * The account as an Emmett `Decider`, over Chronicle's `decide` and `evolve`.
 *
 * @example
 * ```ts
 * Emmett.decider.decide(Emmett.command({ _tag: "Open", accountId: "1", owner: "Ada" }), Emmett.decider.initialState())
 * // [{ type: "AccountOpened", data: { … } }]
 * ```
 */
export const decider: Decider<BankAccount.State, AccountCommand, AccountEvent> = {
  decide: (command, state) => {
    // A rejection throws, as Emmett's deciders do, with the rejection in its message.
    const decided = BankAccount.decider.decide(command.data, state)
    if (Result.isFailure(decided)) throw new Error(`command rejected: ${JSON.stringify(decided.failure)}`)
    return decided.success.map(event)
  },
  evolve: (state, { data }) => BankAccount.decider.evolve(state, data),
  initialState: () => BankAccount.decider.initialState
}

/**
 * The command handler: `handle(store, streamName, command)` loads the stream (`aggregateStream`),
 * decides, and appends with the version it read as `expectedStreamVersion`.
 *
 * @example
 * ```ts
 * const { newState, nextExpectedStreamVersion } = await Emmett.handle(store, "account-1", Emmett.command(open))
 * ```
 */
export const handle = DeciderCommandHandler(decider)

/**
 * Why W4 (100,000 one-event appends to one stream) does not run Emmett, as the report prints it.
 *
 * @example
 * ```ts
 * const peer: Workload.Peer = { name: "Emmett", unavailable: Emmett.appendCost }
 * ```
 */
export const appendCost =
  "its in-memory appendToStream copies the whole stream into a new array on every append ([...current, ...new]), " +
  "so one-event appends to one stream cost O(n) each, O(n²) in all (20,000 of them already took about a minute here)"

/**
 * A fresh in-memory event store holding `batches`, one `appendToStream` each with the stream's
 * version as `expectedStreamVersion`; every event is a fresh copy, as a store returns records it
 * has just read.
 *
 * @example
 * ```ts
 * const store = await Emmett.fill(Bank.batches({ accounts: 1, perAccount: 1_000, batch: 100 }))
 * ```
 */
export const fill = async (batches: ReadonlyArray<Bank.Batch>): Promise<InMemoryEventStore> => {
  const store = getInMemoryEventStore()
  const versions = new Map<string, bigint>()
  for (const { events, streamId } of batches) {
    const appended = await store.appendToStream(streamId, events.map((data) => event({ ...data })), {
      expectedStreamVersion: versions.get(streamId) ?? 0n
    })
    versions.set(streamId, appended.nextExpectedStreamVersion)
  }
  return store
}

/**
 * The state and version of a stream, by `aggregateStream` with the decider's `evolve`.
 *
 * @example
 * ```ts
 * const { state, version } = await Emmett.load(store, BankAccount.streamId("0"))
 * ```
 */
export const load = async (store: InMemoryEventStore, streamName: string) => {
  const { currentStreamVersion, state } = await store.aggregateStream(streamName, decider)
  return { state, version: Number(currentStreamVersion) }
}

/**
 * The balances read model rebuilt from `streamNames` in the log's global order: Emmett's in-memory
 * store has no read of the whole log, so each stream is read with `readStream` and the events are
 * merged by their `globalPosition` before the fold (a rebuild in stream order would fold a
 * different sequence than Chronicle, fmodel-ts and the baseline do). Returns the read model and
 * the number of events read.
 *
 * @example
 * ```ts
 * const { events, state } = await Emmett.balances(store, [BankAccount.streamId("0")])
 * ```
 */
export const balances = async (store: InMemoryEventStore, streamNames: Iterable<string>) => {
  const read: Array<{ readonly data: AccountEvent["data"]; readonly position: bigint }> = []
  for (const streamName of streamNames) {
    for (const { data, metadata } of (await store.readStream<AccountEvent>(streamName)).events) {
      read.push({ data, position: metadata.globalPosition })
    }
  }
  read.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
  let state = Projection.initial(BankAccount.balances)
  for (const { data } of read) state = BankAccount.balances.evolve(state, data)
  return { events: read.length, state }
}
