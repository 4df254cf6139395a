/**
 * **PlainStore**: the plain-JavaScript baseline of the in-memory workloads — what a developer would
 * write by hand, with no library: an array for the global log, a `Map` from stream id to an array of
 * that stream's records, a version check before each append, and a `for` loop that folds with the
 * domain's own `decide`/`evolve`.
 *
 * It records the same envelopes as Chronicle (stream id, version, position, type, payload, an
 * event id and the time of recording), so both sides write the same things. It does no Schema
 * encoding or decoding, no validation and no Effect: that is the limit Chronicle is measured against.
 */
import type { Envelope } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { Result } from "effect"

/**
 * The log and the index of streams.
 */
export interface PlainStore {
  readonly log: Array<Envelope.Recorded<BankAccount.Event>>
  readonly streams: Map<string, Array<Envelope.Recorded<BankAccount.Event>>>
}

/**
 * An empty store.
 */
export const make = (): PlainStore => ({ log: [], streams: new Map() })

const empty: ReadonlyArray<Envelope.Recorded<BankAccount.Event>> = []

/**
 * The records of a stream, in version order (no copy).
 */
export const read = (store: PlainStore, streamId: string): ReadonlyArray<Envelope.Recorded<BankAccount.Event>> =>
  store.streams.get(streamId) ?? empty

/**
 * Appends events to a stream if it is at `expected`; returns the new version, or `undefined` (and
 * writes nothing) on a conflict.
 */
export const append = (
  store: PlainStore,
  streamId: string,
  events: ReadonlyArray<BankAccount.Event>,
  expected: number
): number | undefined => {
  let stream = store.streams.get(streamId)
  const actual = stream?.length ?? 0
  if (actual !== expected) return undefined
  if (stream === undefined) store.streams.set(streamId, stream = [])
  const recordedAt = Date.now()
  for (const event of events) {
    const record = {
      streamId,
      version: stream.length + 1,
      position: store.log.length + 1,
      type: event._tag,
      data: event,
      metadata: { eventId: crypto.randomUUID(), recordedAt }
    }
    stream.push(record)
    store.log.push(record)
  }
  return stream.length
}

/**
 * Folds records with the account's `evolve`.
 */
export const fold = (records: ReadonlyArray<Envelope.Recorded<BankAccount.Event>>): BankAccount.State => {
  let state = BankAccount.decider.initialState
  for (let i = 0; i < records.length; i++) state = BankAccount.decider.evolve(state, records[i]!.data)
  return state
}

/**
 * Handles a command: load (fold the stream), decide, append with the loaded version as expected.
 * Returns the new state and version and the number of events appended, or the rejection.
 */
export const handle = (
  store: PlainStore,
  command: BankAccount.Command
): Result.Result<
  { readonly state: BankAccount.State; readonly version: number; readonly events: number },
  BankAccount.Rejection | "Conflict"
> => {
  const streamId = BankAccount.streamIdOf(command)
  const records = read(store, streamId)
  let state = fold(records)
  const decided = BankAccount.decider.decide(command, state)
  if (Result.isFailure(decided)) return Result.fail(decided.failure)
  const version = append(store, streamId, decided.success, records.length)
  if (version === undefined) return Result.fail("Conflict")
  for (const event of decided.success) state = BankAccount.decider.evolve(state, event)
  return Result.succeed({ state, version, events: decided.success.length })
}

/**
 * Fills a store with batches of events, one append each.
 */
export const fill = (batches: ReadonlyArray<{ readonly streamId: string; readonly events: ReadonlyArray<BankAccount.Event> }>): PlainStore => {
  const store = make()
  for (const { events, streamId } of batches) append(store, streamId, events, read(store, streamId).length)
  return store
}
