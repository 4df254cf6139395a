/**
 * A **Rebuild** folds a projection over the log up to its head and stops: no live subscription, no
 * fiber left running, no `Scope` to provide. It reads the store's last position when it starts (the
 * head), folds every event up to that position — of the whole log, or of one stream — and returns the
 * read model with the position it reached. Events appended while it runs are not waited for: the
 * next catch-up picks them up.
 *
 * It folds exactly as a `Projector` does (the same per-page fold, `Projector.folder`): events of types
 * the Schema does not know only move the position, archive and delete markers go to `onClosed`, a
 * record that does not decode fails it with the `EventDecodeError` naming where it sits, and a defect
 * in the projection's `evolve`, the Schema or `onClosed` fails it with a `Projector.ProjectionDefect`
 * naming the event. Use it for a batch job, a report, a read model built once at start-up, or to
 * bring a saved read model up to date ({@link Rebuild.catchUp}) before serving it.
 *
 * Each run from zero starts from a fresh `Projection.initial(projection)`, so a read model that
 * `evolve` changes in place (given as a thunk) is never shared between runs.
 *
 * @example
 * ```ts
 * const balances = Rebuild.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
 * const { state, position } = yield* balances.fromZero
 * const later = yield* balances.catchUp({ state, position }) // only what was appended since
 * ```
 *
 * @since 0.1.0
 */
import { type Envelope, Projection } from "@chronicle/core"
import { Cause, Effect, Result, Stream } from "effect"
import type * as Codec from "./Codec.ts"
import { EventStore, type Service } from "./EventStore.ts"
import * as Projector from "./Projector.ts"

/**
 * What a rebuild folds and how: the projection and what it reads (events, or recorded envelopes
 * with `input: "recorded"`), the event Schema and upcasters, `onClosed`, as for a `Projector`, and
 * optionally one stream to fold instead of the whole log.
 *
 * @example
 * ```ts
 * const options: Rebuild.Options<ReadonlyMap<string, number>, BankAccount.Event> = {
 *   projection: BankAccount.balances,
 *   eventSchema: BankAccount.Event,
 *   streamId: BankAccount.streamId("a1")
 * }
 * ```
 *
 * @since 0.1.0
 */
export type Options<State, Event extends Codec.Tagged> =
  & Projector.Input<State, Event>
  & Pick<Projector.Settings<State, Event>, "eventSchema" | "upcasters" | "onClosed">
  & {
    /**
     * Fold only the events of this stream (positions stay global: the position reached is that of
     * its last event up to the head). A catch-up reads the stream from its start and passes over
     * the events up to the checkpoint. Default: the whole log.
     */
    readonly streamId?: string | undefined
  }

/**
 * A projection ready to be folded up to the head, from zero or from a checkpoint. Its effects need
 * an `EventStore` and nothing else (no `Scope`).
 *
 * @since 0.1.0
 */
export interface Rebuild<State> {
  /** The read model of every event up to the head, from `Projection.initial` (fresh each run). */
  readonly fromZero: Effect.Effect<Projector.Checkpointed<State>, Projector.ProjectorError, EventStore>
  /**
   * `checkpoint` (a read model saved with the last position applied to it) brought up to the head:
   * only the events after its position are folded into its state. At or past the head, it is
   * returned as it is. A state that `evolve` changes in place is changed in place.
   */
  readonly catchUp: (
    checkpoint: Projector.Checkpointed<State>
  ) => Effect.Effect<Projector.Checkpointed<State>, Projector.ProjectorError, EventStore>
}

/**
 * Makes the rebuild of a projection (see the module's description).
 *
 * @example
 * ```ts
 * const balances = Rebuild.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
 * const { state } = yield* balances.fromZero
 * state.get("a1") // the balance of account a1
 * ```
 *
 * @since 0.1.0
 */
export const make = <State, Event extends Codec.Tagged>(options: Options<State, Event>): Rebuild<State> => {
  const fold = Projector.folder(options)
  const { streamId } = options

  const records = (store: Service, after: number, head: number) =>
    (streamId === undefined ? store.readAll({ from: after + 1 }) : store.read(streamId)).pipe(
      Stream.takeWhile((recorded) => recorded.position <= head)
    )

  const catchUp = (checkpoint: Projector.Checkpointed<State>) =>
    EventStore.use((store) =>
      Effect.suspend(() => {
        let reached = checkpoint
        let applying: Envelope.Recorded | undefined
        const watch: Projector.Applying = (recorded) => {
          applying = recorded
        }
        // A throw in `fold` (the projection's code) is a defect of this suspended page.
        const foldPage = (page: ReadonlyArray<Envelope.Recorded>) =>
          Effect.suspend(() => {
            const next = fold(reached, page, watch)
            if (Result.isFailure(next)) return Effect.fail(next.failure)
            reached = next.success
            applying = undefined
            return Effect.void
          })
        const stopped = (cause: Cause.Cause<Projector.ProjectorError>) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.failCause(cause)
            : Effect.fail(Projector.stoppedBy(cause, applying === undefined ? "read" : "apply", reached.position, applying))
        return Effect.flatMap(store.lastPosition, (head) =>
          head <= checkpoint.position
            ? Effect.succeed(checkpoint)
            : records(store, checkpoint.position, head).pipe(
              Stream.runForEachArray(foldPage),
              Effect.catchCause(stopped),
              Effect.map(() => reached)
            ))
      })
    )

  return {
    fromZero: Effect.suspend(() => catchUp({ state: Projection.initial(options.projection), position: 0 })),
    catchUp
  }
}
