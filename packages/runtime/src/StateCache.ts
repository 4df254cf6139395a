/**
 * The **StateCache** keeps, per stream, the state a `CommandHandler` last saw and the version it
 * saw it at, so that the next command on that stream does not read and fold the stream again.
 *
 * It is correct by construction because a recorded version never changes: the state at version `n`
 * of a stream is the same for every reader forever. A cached entry can only be *behind* the store,
 * never wrong, and the handler never answers from one without the store agreeing:
 *
 * - a command that appends is appended with the cached version as the expected version, so the
 *   store itself checks that nothing came after it; on a conflict the handler reads only the tail
 *   after the cached version, folds it in and decides again;
 * - a decision that appends nothing (a rejection, a decision with no events, an idempotent repeat,
 *   a terminated or archived stream) is confirmed first: the handler reads the tail after the
 *   cached version and decides again if it was not empty.
 *
 * The cache is opt-in and explicit: provide {@link layer} beside the store layer, so it lives as
 * long as the store does (a handler value itself holds no state and can be used with any store).
 * Without it the handler loads every stream from the store (snapshot and tail, where there is one).
 * An entry belongs to one handler and one store service: another handler, or the same handler
 * over another store, finds nothing there (and takes the slot over). It is bounded: past
 * `capacity` streams, the entry of the stream least recently handled is dropped, and that stream is
 * loaded from the store again on its next command.
 *
 * @example
 * ```ts
 * const live = Layer.merge(MemoryEventStore.layer, StateCache.layer({ capacity: 10_000 }))
 * yield* accounts.handle(deposit).pipe(Effect.provide(live))
 * ```
 *
 * @since 0.1.0
 */
import { Context, Data, Effect, Layer } from "effect"
import type { History } from "./StreamState.ts"

/**
 * The options of a cache: how many streams it keeps at most.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The most streams kept; the least recently handled one is dropped past it. Default: {@link defaultCapacity}. */
  readonly capacity?: number | undefined
}

/**
 * How many streams a cache keeps unless told otherwise.
 *
 * @since 0.1.0
 */
export const defaultCapacity = 1_000

/**
 * The options of a cache are not usable: `option` names which, `reason` says why.
 *
 * @example
 * ```ts
 * new StateCache.InvalidOptions({ option: "capacity", reason: "0 is not a whole number of 1 or more" }).message
 * // "StateCache: the option capacity is invalid: 0 is not a whole number of 1 or more"
 * ```
 *
 * @since 0.1.0
 */
export class InvalidOptions extends Data.TaggedError("InvalidOptions")<{
  readonly option: string
  readonly reason: string
}> {
  override get message(): string {
    return `StateCache: the option ${this.option} is invalid: ${this.reason}`
  }
}

/**
 * The operations of a cache. They are synchronous: a lookup is on every command's path.
 *
 * - `get(owner, store, streamId)`: the entry of the stream for this handler (`owner`) over this
 *   store, if there is one.
 * - `set(owner, store, streamId, history)`: keeps `history` for the stream as its most recent
 *   entry, dropping the least recent one past capacity.
 *
 * Recency is that of `set`: a handler stores a stream's entry after every command it decides on
 * it (after the append, the catch-up or the load), so the entry dropped is that of the stream least
 * recently handled; a lookup alone (on every command's path) moves nothing.
 *
 * @example
 * ```ts
 * const cache = yield* StateCache.make({ capacity: 2 })
 * cache.get(handler, store, "account-a1") // undefined: nothing cached yet
 * ```
 *
 * @since 0.1.0
 */
export interface Service {
  readonly capacity: number
  readonly get: (owner: unknown, store: unknown, streamId: string) => History<unknown> | undefined
  readonly set: (owner: unknown, store: unknown, streamId: string, history: History<unknown>) => void
}

/**
 * A cache that keeps nothing: what a handler uses when no {@link layer} is provided.
 *
 * @example
 * ```ts
 * // Turn the cache off for one program run on a layer that has one.
 * program.pipe(Effect.provideService(StateCache.StateCache, StateCache.none))
 * ```
 *
 * @since 0.1.0
 */
export const none: Service = { capacity: 0, get: () => undefined, set: () => undefined }

/**
 * The cache in the context; by default {@link none}. Provide one with {@link layer} (or
 * `Effect.provideService` and a cache from {@link make}).
 *
 * @example
 * ```ts
 * const cache = yield* StateCache.make()
 * yield* accounts.handle(deposit).pipe(Effect.provideService(StateCache.StateCache, cache))
 * ```
 *
 * @since 0.1.0
 */
export const StateCache: Context.Reference<Service> = Context.Reference<Service>("@chronicle/runtime/StateCache", {
  defaultValue: () => none
})

interface Slot {
  readonly owner: unknown
  readonly store: unknown
  readonly history: History<unknown>
}

/**
 * Makes an empty cache. A `capacity` that is not a whole number of 1 or more fails with
 * {@link InvalidOptions}.
 *
 * @example
 * ```ts
 * const cache = yield* StateCache.make({ capacity: 100 })
 * yield* accounts.handle(deposit).pipe(Effect.provideService(StateCache.StateCache, cache))
 * ```
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<Service, InvalidOptions> =>
  Effect.suspend(() => {
    const capacity = options.capacity ?? defaultCapacity
    if (!(Number.isSafeInteger(capacity) && capacity >= 1)) {
      return Effect.fail(new InvalidOptions({ option: "capacity", reason: `${String(capacity)} is not a whole number of 1 or more` }))
    }
    // A Map iterates in insertion order: re-inserting an entry when it is stored keeps the least recent first.
    const slots = new Map<string, Slot>()
    return Effect.succeed<Service>({
      capacity,
      get: (owner, store, streamId) => {
        const slot = slots.get(streamId)
        return slot === undefined || slot.owner !== owner || slot.store !== store ? undefined : slot.history
      },
      set: (owner, store, streamId, history) => {
        slots.delete(streamId)
        slots.set(streamId, { owner, store, history })
        if (slots.size > capacity) slots.delete(slots.keys().next().value!)
      }
    })
  })

/**
 * A layer providing a fresh cache as {@link StateCache}: merge it with the store layer, so that the
 * cache lives exactly as long as the store.
 *
 * @example
 * ```ts
 * const live = Layer.merge(MemoryEventStore.layer, StateCache.layer({ capacity: 10_000 }))
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<never, InvalidOptions> =>
  Layer.effectContext(Effect.map(make(options), (cache) => Context.make(StateCache, cache)))
