/**
 * The page of the IndexedDB benchmark (W5 and the heap figures), driven from Node by
 * `Chromium.ts` through playwright-core. It measures with the same harness as the Node workloads
 * and returns plain JSON.
 */
import * as Measure from "../harness/Measure.ts"
import type * as Outcome from "../harness/Outcome.ts"
import * as IndexedDb from "../workloads/IndexedDb.ts"
import * as IndexedDbHeap from "../workloads/IndexedDbHeap.ts"

/**
 * What the driver calls, as `window.bench`.
 */
export interface Api {
  /**
   * Measures one W5 workload at the given size. With `profile`, each timed run is wrapped in
   * `console.profile`, which the driver's DevTools session receives.
   */
  readonly measure: (
    id: IndexedDb.Id,
    size: IndexedDb.Size,
    options: Pick<Measure.Options, "warmups" | "repetitions"> & { readonly profile: boolean }
  ) => Promise<Measure.Measured>
  /** Fills a database with a stream of `events` events, for the heap figures. */
  readonly prepareHeap: (events: number) => Promise<void>
  /** Folds the prepared stream with a reader. */
  readonly fold: (reader: IndexedDbHeap.Reader) => Promise<Outcome.Outcome>
  /** Holds the whole prepared stream in memory; returns its length. */
  readonly hold: () => Promise<number>
  /** Lets go of it. */
  readonly release: () => void
}

declare global {
  interface Window {
    bench: Api
  }
}

const profiles = new Map<string, number>()

const profiled: Measure.Options["around"] = async (side, workload, timed) => {
  const name = `${workload}-${side}`
  const count = (profiles.get(name) ?? 0) + 1
  profiles.set(name, count)
  const title = `${name}-${count}`
  console.profile(title)
  try {
    return await timed()
  } finally {
    console.profileEnd(title)
  }
}

window.bench = {
  measure: (id, size, { profile, repetitions, warmups }) =>
    Measure.run(IndexedDb.make(id, size), {
      repetitions,
      warmups,
      log: (line) => console.log(line),
      around: profile ? profiled : undefined
    }),
  prepareHeap: IndexedDbHeap.prepare,
  fold: IndexedDbHeap.fold,
  hold: IndexedDbHeap.hold,
  release: IndexedDbHeap.release
}
