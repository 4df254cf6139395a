/**
 * A **session** is the playground running on one store: one `ManagedRuntime` built from the store's
 * layer, a subscription to the store's global log, and a Projector for every read model of every
 * domain. Effects of the page (commands, the concurrency demo, export, import) run through it.
 */
import type { Envelope } from "@chronicle/core"
import { EventStore } from "@chronicle/runtime"
import type { Projector } from "@chronicle/runtime"
import type { IndexedDb } from "@chronicle/store-indexeddb"
import { Cause, Effect, Fiber, ManagedRuntime, Stream } from "effect"
import type { Exit } from "effect"
import * as Domains from "./domains.ts"
import * as Store from "./store.ts"

/** What a session reports as it runs. */
export interface Listeners {
  /** New events in the store's log (from this tab or another), in global order. */
  readonly records: (records: ReadonlyArray<Envelope.Recorded>) => void
  /** A read model changed. */
  readonly readModel: (key: string, checkpoint: Projector.Checkpointed<unknown>) => void
  /** A read model's projector stopped on an error (a defect in `evolve`, an event that does not decode). */
  readonly readModelStopped: (key: string, error: Projector.ProjectorError) => void
  /** The session stopped on an error: the store could not be opened, or its connection was lost. */
  readonly failed: (error: unknown) => void
}

/** A running session. */
export interface Session {
  /** The log as delivered so far. */
  readonly log: ReadonlyArray<Envelope.Recorded>
  /** Settles when the store is open and the projectors run; rejects when the store cannot open. */
  readonly ready: Promise<void>
  /** Runs an effect on the session's store. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, EventStore.EventStore>) => Promise<Exit.Exit<A, E | IndexedDb.OpenError>>
  /** The running projector of a read model (`bank/balances`). */
  readonly projector: (key: string) => Projector.Projector<unknown> | undefined
  /** Stops everything and closes the store (a memory store's log is dropped). */
  readonly dispose: () => Promise<void>
}

// How often a stopped projector is looked at again (a rebuild restarts it).
const stoppedLook = "1 second"

/**
 * Starts a session on a store.
 *
 * @example
 * ```ts
 * const session = Session.start("memory", { records: renderLog, readModel: renderModel, readModelStopped: showStop, failed: showError })
 * await session.ready
 * ```
 */
export const start = (kind: Store.StoreKind, listeners: Listeners): Session => {
  const runtime = ManagedRuntime.make(Store.layer(kind))
  const log: Array<Envelope.Recorded> = []
  const projectors = new Map<string, Projector.Projector<unknown>>()
  let opened = (): void => undefined
  let failed = (_error: unknown): void => undefined
  const ready = new Promise<void>((resolve, reject) => {
    opened = resolve
    failed = reject
  })

  const follow = Effect.gen(function*() {
    for (const model of Domains.all.flatMap((domain) => domain.readModels)) {
      const projector = yield* model.start
      projectors.set(model.key, projector)
      // `changes` ends with the error that stops the projector; until a rebuild starts it again,
      // every look says so again.
      yield* Effect.forkScoped(Effect.forever(
        Stream.runForEach(projector.changes, (checkpoint) => Effect.sync(() => listeners.readModel(model.key, checkpoint))).pipe(
          Effect.catch((error) => Effect.sync(() => listeners.readModelStopped(model.key, error))),
          Effect.andThen(Effect.sleep(stoppedLook))
        )
      ))
    }
    opened()
    const store = yield* EventStore.EventStore
    yield* store.subscribe().pipe(
      Stream.runForEachArray((records) =>
        Effect.sync(() => {
          log.push(...records)
          listeners.records(records)
        })
      )
    )
  }).pipe(
    Effect.scoped,
    Effect.catchCause((cause) =>
      Effect.sync(() => {
        if (Cause.hasInterruptsOnly(cause)) return
        const error = Cause.squash(cause)
        failed(error)
        listeners.failed(error)
      })
    )
  )

  const fiber = runtime.runFork(follow)
  // The failure is reported to `listeners.failed`; whoever does not wait for `ready` may ignore it.
  ready.catch(() => undefined)

  return {
    log,
    ready,
    run: (effect) => runtime.runPromiseExit(effect),
    projector: (key) => projectors.get(key),
    dispose: async () => {
      await Effect.runPromise(Fiber.interrupt(fiber))
      await runtime.dispose()
    }
  }
}
