/**
 * **W4 — append rate as a stream grows** on the in-memory layer: 100,000 events appended to one
 * stream, one event per call, each with the exact expected version. The rates of the first and of
 * the last 10% of the appends are reported apart: the last must not be slower than the first (no
 * cost that grows with the stream).
 *
 * - Chronicle: `EventStore.append` on a fresh `MemoryEventStore` (events already encoded: encoding
 *   is part of W1), in one Effect program.
 * - Baseline: `PlainStore.append` (version check, envelope, push).
 */
import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import type { EventStore } from "@chronicle/runtime"
import { Effect } from "effect"
import * as PlainStore from "../baseline/PlainStore.ts"
import * as Bank from "../fixtures/Bank.ts"
import * as Stores from "../fixtures/Stores.ts"
import * as Outcome from "../harness/Outcome.ts"
import type * as Workload from "../harness/Workload.ts"

/**
 * The number of appends: 100,000 as in the issue.
 */
export const size = 100_000

const streamId = BankAccount.streamId("0")

const outcome = (events: number, version: number) => Outcome.fromBalances(events, new Map(), new Map([[streamId, version]]))

/** The laps of an append-rate run. */
export const first = "first 10%"

/** The laps of an append-rate run. */
export const last = "last 10%"

/**
 * Times the first and the last tenth of `count` appends as laps: call `before(i)` and `after(i)`
 * around the `i`-th append.
 */
export const tenths = (count: number, laps: Workload.Laps) => {
  const tenth = count / 10
  return {
    before: (i: number) => {
      if (i === 0) laps.begin(first)
      if (i === count - tenth) laps.begin(last)
    },
    after: (i: number) => {
      if (i === tenth - 1) laps.end(first)
      if (i === count - 1) laps.end(last)
    }
  }
}

/**
 * Chronicle's side of W4 on `store`: `pending[i]` appended alone with the exact expected version `i`.
 * Returns the store's last position and the stream's version.
 */
export const appendOneByOne = (
  store: EventStore.Service,
  streamId: string,
  pending: ReadonlyArray<EventStore.Pending>,
  laps: Workload.Laps
) =>
  Effect.gen(function*() {
    const lap = tenths(pending.length, laps)
    let version = 0
    for (let i = 0; i < pending.length; i++) {
      lap.before(i)
      version = (yield* store.append(streamId, [pending[i]!], ExpectedVersion.exact(i))).version
      lap.after(i)
    }
    return { events: yield* store.lastPosition, version }
  })

/**
 * The W4 workload.
 */
export const make = (count: number = size): Workload.Workload => {
  const events = Bank.events(Bank.commands(count, 1))
  const pending = Bank.pending(streamId, events)
  return {
    id: "W4",
    work: `append ${count.toLocaleString("en")} events one per call to one stream, expected version (memory)`,
    items: count,
    unit: "events",
    target: 0.5,
    laps: [{ name: first, items: count / 10 }, { name: last, items: count / 10 }],
    chronicle: {
      prepare: async () => {
        const store = await Stores.memory()
        return (laps) =>
          Stores.runWith(
            store,
            Effect.map(appendOneByOne(store, streamId, pending, laps), ({ events, version }) => outcome(events, version))
          )
      }
    },
    baseline: {
      prepare: async () => {
        const store = PlainStore.make()
        return async (laps) => {
          const lap = tenths(count, laps)
          let version: number | undefined = 0
          for (let i = 0; i < count; i++) {
            lap.before(i)
            version = PlainStore.append(store, streamId, [events[i]!], i)
            lap.after(i)
          }
          return outcome(store.log.length, version ?? NaN)
        }
      }
    }
  }
}
