/**
 * **Fmodel**: the fmodel-ts peer of the in-memory workloads — the bank account written the way
 * fmodel-ts documents it (its README and `EventSourcingLockingAggregate`'s doc comments): a
 * `Decider` for the domain, an `EventSourcingLockingAggregate` over an `EventLockingRepository`
 * that we implement in memory, and a `MaterializedView` of a `View` for the balances read model.
 *
 * fmodel-ts ships no store: an application writes its repository. Ours is what its docs describe,
 * kept as small as the plain baseline's: a `Map` from stream id to an array of `[event, version]`
 * pairs, a version check before each append (the *locking* repository is the one of fmodel-ts that
 * takes the version the aggregate loaded; its plain `EventRepository` has no way to check one),
 * and the global log in append order for the read model. It stamps no event ids or times and
 * validates nothing: what fmodel-ts leaves to the application.
 *
 * The domain is Chronicle's `BankAccount`, its `decide` and `evolve` unchanged: fmodel-ts's
 * `decide` returns the events alone, so a rejection becomes a thrown error (the fixtures have none).
 */
import {
  Decider,
  type EventLockingRepository,
  EventSourcingLockingAggregate,
  MaterializedView,
  View,
  type ViewStateRepository
} from "@fraktalio/fmodel-ts"
import { Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { Result } from "effect"
import type * as Bank from "../fixtures/Bank.ts"

/**
 * What the repository needs of a command or an event to find its stream: the account it is about.
 */
export interface Addressed {
  readonly accountId: string
}

/**
 * The account as an fmodel-ts `Decider`, over Chronicle's `decide` and `evolve`.
 *
 * @example
 * ```ts
 * Fmodel.decider.decide({ _tag: "Open", accountId: "1", owner: "Ada" }, Fmodel.decider.initialState)
 * // [{ _tag: "AccountOpened", accountId: "1", owner: "Ada" }]
 * ```
 */
export const decider = new Decider<BankAccount.Command, BankAccount.State, BankAccount.Event>(
  (command, state) => Result.getOrThrow(BankAccount.decider.decide(command, state)),
  BankAccount.decider.evolve,
  BankAccount.decider.initialState
)

/**
 * The in-memory event repository: fmodel-ts's `EventLockingRepository`, plus the global log it
 * keeps for the read model.
 */
export interface Repository extends EventLockingRepository<Addressed, BankAccount.Event, number> {
  /** Every saved event, in the order saved. */
  readonly log: ReadonlyArray<BankAccount.Event>
}

/**
 * Two saves raced for a stream: the version the caller loaded is no longer the stream's.
 */
export class VersionConflict extends Error {
  readonly streamId: string
  readonly expected: number
  readonly actual: number
  constructor(streamId: string, expected: number, actual: number) {
    super(`${streamId}: expected version ${expected}, the stream is at ${actual}`)
    this.name = "VersionConflict"
    this.streamId = streamId
    this.expected = expected
    this.actual = actual
  }
}

type Saved = readonly [BankAccount.Event, number]

const none: ReadonlyArray<Saved> = []

/**
 * An empty repository.
 *
 * @example
 * ```ts
 * const repository = Fmodel.repository()
 * await repository.saveAll([opened], null) // [[opened, 1]]
 * await repository.saveAll([deposited], null) // throws VersionConflict: the stream is at 1
 * ```
 */
export const repository = (): Repository => {
  const streams = new Map<string, Array<Saved>>()
  const log: Array<BankAccount.Event> = []
  const latest = (addressed: Addressed): number | null =>
    streams.get(BankAccount.streamId(addressed.accountId))?.length || null
  const saveAll = async (events: ReadonlyArray<BankAccount.Event>, latestVersion: number | null) => {
    if (events.length === 0) return none
    const streamId = BankAccount.streamId(events[0]!.accountId)
    let stream = streams.get(streamId)
    const actual = stream?.length ?? 0
    if (actual !== (latestVersion ?? 0)) throw new VersionConflict(streamId, latestVersion ?? 0, actual)
    if (stream === undefined) streams.set(streamId, stream = [])
    const saved: Array<Saved> = []
    for (const event of events) {
      const pair: Saved = [event, stream.length + 1]
      stream.push(pair)
      log.push(event)
      saved.push(pair)
    }
    return saved
  }
  const save = async (event: BankAccount.Event, latestVersion: number | null) => (await saveAll([event], latestVersion))[0]!
  return {
    log,
    fetchEvents: async (addressed) => streams.get(BankAccount.streamId(addressed.accountId)) ?? none,
    save,
    saveAll,
    latestVersionProvider: async (event) => latest(event),
    saveByLatestVersionProvided: async (event, provider) => save(event, await provider(event)),
    saveAllByLatestVersionProvided: async (events, provider) =>
      events.length === 0 ? none : saveAll(events, await provider(events[0]!))
  }
}

/**
 * A repository holding `batches`, one `saveAll` each; every event is a fresh copy, as a store
 * returns records it has just read.
 *
 * @example
 * ```ts
 * const filled = await Fmodel.fill(Bank.batches({ accounts: 1, perAccount: 1_000, batch: 100 }))
 * ```
 */
export const fill = async (batches: ReadonlyArray<Bank.Batch>): Promise<Repository> => {
  const filled = repository()
  for (const { events } of batches) {
    const [first] = events
    if (first !== undefined) await filled.saveAll(events.map((event) => ({ ...event })), await filled.latestVersionProvider(first))
  }
  return filled
}

/**
 * The aggregate that handles commands on `repository`: fetch the stream, fold it with the
 * decider, decide, save with the version fetched.
 *
 * @example
 * ```ts
 * const saved = await Fmodel.aggregate(Fmodel.repository()).handle({ _tag: "Open", accountId: "1", owner: "Ada" })
 * // [[{ _tag: "AccountOpened", … }, 1]]
 * ```
 */
export const aggregate = (repository: Repository) =>
  new EventSourcingLockingAggregate<BankAccount.Command, BankAccount.State, BankAccount.Event, number>(decider, repository)

/**
 * The state and version of a stream, loaded as the aggregate loads it before deciding: its events
 * fetched, then folded with the decider from its initial state.
 *
 * @example
 * ```ts
 * const { state, version } = await Fmodel.load(repository, { accountId: "0" })
 * ```
 */
export const load = async (repository: Repository, addressed: Addressed) => {
  const saved = await repository.fetchEvents(addressed)
  const state = saved.map(([event]) => event).reduce(decider.evolve, decider.initialState)
  return { state, version: saved.at(-1)?.[1] ?? 0 }
}

/**
 * The balances read model as an fmodel-ts `MaterializedView`: a `View` of Chronicle's `balances`
 * projection over an in-memory state repository (one state: the read model is one document).
 *
 * @example
 * ```ts
 * const balances = Fmodel.balances()
 * for (const event of repository.log) await balances.handle(event)
 * ```
 */
export const balances = () => {
  let state: ReadonlyMap<string, number> | null = null
  const states: ViewStateRepository<BankAccount.Event, ReadonlyMap<string, number>> = {
    fetchState: async () => state,
    save: async (next) => state = next
  }
  return new MaterializedView(new View(BankAccount.balances.evolve, Projection.initial(BankAccount.balances)), states)
}
