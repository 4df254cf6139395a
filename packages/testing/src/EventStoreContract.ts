/**
 * **EventStoreContract**: the one test suite that every `EventStore` layer must pass — the in-memory
 * layer, the IndexedDB layer, and yours. It holds a layer to the port's promises:
 *
 * - **model**: fast-check generates sequences of appends (to a few streams, 0 to 5 events, right and
 *   wrong expected versions of all four kinds, appends the port must refuse, archive markers and
 *   tombstones), reads of version ranges, reads of the log and subscriptions from random positions;
 *   each sequence runs on a fresh store and on a plain array, and the store must answer exactly like
 *   the array (200 sequences by default).
 * - **concurrency**: many fibers append at once to one stream and to many, with retries on conflict
 *   and with exact expectations: nothing lost, nothing twice, versions 1…n, batches in one piece,
 *   conflicts only where the expectations call for them.
 * - **subscriptions**: catch-up then live from any position while appends race the switch; every
 *   subscriber gets exactly what `readAll` has, in order.
 * - **atomicity**: an append that fails (conflict, empty stream id or type, a payload that is not
 *   JSON anywhere in the batch) writes nothing.
 * - **lifecycle**: after `EventStore.archive` only a tombstone is accepted, after `EventStore.remove`
 *   nothing is; the refusals are `StreamClosed` (checked after the expected version) and write
 *   nothing; the markers show in `read`, `readAll` and `subscribe` at their version and position;
 *   appends racing an archive land before its marker or are refused.
 * - **validation**: metadata `Envelope.Metadata` refuses, reserved (`$`) types other than
 *   `EventStore.marker`s of the fixed shape, and payloads nested deeper than `Envelope.maxDepth` are
 *   refused with a `StoreError` naming the event and the problem, writing nothing.
 * - **integrity**: recorded events are immutable (changing an appended payload or a returned event
 *   changes nothing stored); one append of `hugeBatch` events succeeds and reads back; read ranges that
 *   are not whole numbers of 0 or more are a `StoreError` everywhere; an append interrupted at any
 *   point is never left behind the head subscribers wait on.
 * - **multiStream**: `appendMany` writes several streams in one all-or-nothing write — contiguous
 *   positions in batch order; a conflict, a closed stream or a bad event in any batch writes nothing
 *   and names the stream; subscribers never see part of a write; the `expectedLastPosition`
 *   condition is checked inside the write, so racing writers into one empty store end with one
 *   whole winner; racing writes of several streams each land in one piece.
 *
 * The suite is a list of {@link Check}s (a name and an async test), so it runs under any test runner:
 * {@link register} declares them with `describe`/`it` (vitest, jest, mocha…), and {@link checks} gives
 * them to a runner of your own (a browser page, say). Each check builds fresh stores with your
 * `makeLayer` and closes them when done.
 *
 * @example
 * ```ts
 * // test/stores/MyStore.test.ts
 * import { EventStoreContract } from "@chronicle/testing"
 * import { describe, it } from "vitest"
 *
 * EventStoreContract.register({ describe, it }, {
 *   name: "my store",
 *   makeLayer: () => MyStore.layer({ database: crypto.randomUUID() }) // a fresh, empty store each time
 * })
 * ```
 *
 * @since 0.1.0
 */
import type { EventStore } from "@chronicle/runtime"
import type { Layer } from "effect"
import fc from "fast-check"
import * as Atomicity from "./internal/storeContract/atomicity.ts"
import * as Concurrency from "./internal/storeContract/concurrency.ts"
import * as Integrity from "./internal/storeContract/integrity.ts"
import * as Lifecycle from "./internal/storeContract/lifecycle.ts"
import * as Model from "./internal/storeContract/model.ts"
import * as MultiStream from "./internal/storeContract/multiStream.ts"
import * as Subscriptions from "./internal/storeContract/subscriptions.ts"
import * as Validation from "./internal/storeContract/validation.ts"
import { withStore } from "./internal/storeContract/support.ts"

/**
 * The store under test.
 *
 * @example
 * ```ts
 * const options: EventStoreContract.Options = { name: "memory", makeLayer: () => MemoryEventStore.layer }
 * ```
 *
 * @since 0.1.0
 */
export interface Options {
  /** Names the store in reports. */
  readonly name: string
  /**
   * Builds a fresh, empty store. Called for every check and for every generated sequence, so a
   * persistent layer must use a new database (name) on each call.
   */
  readonly makeLayer: () => Layer.Layer<EventStore.EventStore, unknown>
  /** How many command sequences the model-based property generates. Default 200. */
  readonly numRuns?: number | undefined
  /** The time limit of each check in milliseconds, for {@link register}. Default 300 000. */
  readonly timeout?: number | undefined
  /**
   * How many events the integrity group's one huge append writes: keep it above 65,536 (a call's
   * argument limit in some engines). Default 200 000; a slow layer may pass fewer.
   */
  readonly hugeBatch?: number | undefined
}

/**
 * One check of the contract: its group and name, and a test that rejects (with an `AssertionError`
 * showing both sides, or fast-check's counterexample) when the store breaks the contract.
 *
 * @example
 * ```ts
 * const check: EventStoreContract.Check = EventStoreContract.checks(options)[0]!
 * await check.run()
 * ```
 *
 * @since 0.1.0
 */
export interface Check {
  readonly group:
    | "model"
    | "concurrency"
    | "subscriptions"
    | "atomicity"
    | "lifecycle"
    | "validation"
    | "integrity"
    | "multiStream"
  readonly name: string
  readonly run: () => Promise<void>
}

/**
 * The checks of the contract for a store layer, to run with any runner.
 *
 * @example
 * ```ts
 * for (const check of EventStoreContract.checks({ name: "memory", makeLayer: () => MemoryEventStore.layer })) {
 *   await check.run() // rejects when the store breaks the contract
 * }
 * ```
 *
 * @since 0.1.0
 */
export const checks = (options: Options): ReadonlyArray<Check> => {
  const group = (name: Check["group"], of: ReadonlyArray<Omit<Check, "group">>) =>
    of.map((check) => ({ group: name, ...check }))
  return [
    ...group("model", [{
      name: "any sequence of appends, closures, reads and subscriptions behaves like a plain array",
      run: () =>
        fc.assert(Model.property((program) => withStore(options.makeLayer, program)), { numRuns: options.numRuns ?? 200 })
    }]),
    ...group("concurrency", Concurrency.checks(options.makeLayer)),
    ...group("subscriptions", Subscriptions.checks(options.makeLayer)),
    ...group("atomicity", Atomicity.checks(options.makeLayer)),
    ...group("lifecycle", Lifecycle.checks(options.makeLayer)),
    ...group("validation", Validation.checks(options.makeLayer)),
    ...group("integrity", Integrity.checks(options.makeLayer, options.hugeBatch ?? Integrity.hugeBatch)),
    ...group("multiStream", MultiStream.checks(options.makeLayer))
  ]
}

/**
 * The part of a test runner's API that {@link register} uses: vitest's, jest's and mocha's
 * `describe` and `it` fit.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest"
 * const runner: EventStoreContract.Runner = { describe, it }
 * ```
 *
 * @since 0.1.0
 */
export interface Runner {
  readonly describe: (name: string, body: () => void) => void
  readonly it: (name: string, body: () => Promise<void>, timeout?: number) => void
}

/**
 * Declares the contract's checks as tests of a runner, one `describe` per group.
 *
 * @example
 * ```ts
 * import { describe, it } from "vitest"
 *
 * EventStoreContract.register({ describe, it }, { name: "memory", makeLayer: () => MemoryEventStore.layer })
 * ```
 *
 * @since 0.1.0
 */
export const register = (runner: Runner, options: Options): void =>
  runner.describe(`EventStore contract: ${options.name}`, () => {
    const all = checks(options)
    for (const group of new Set(all.map((check) => check.group))) {
      runner.describe(group, () => {
        for (const check of all.filter((check) => check.group === group)) {
          runner.it(check.name, check.run, options.timeout ?? 300_000)
        }
      })
    }
  })
