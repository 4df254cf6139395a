/**
 * The **Projector** keeps a read model up to date: it follows the store's global log from a
 * checkpoint (catch-up, then live), decodes each event of the types its Schema knows, and folds it
 * into the projection's state. The read model and its checkpoint (the last position applied) change
 * together, and every change can be watched.
 *
 * - Re-delivery of a position already applied changes nothing (the checkpoint guards it).
 * - Events of other types (other domains sharing the store) only move the checkpoint.
 * - `rebuild` starts again from zero; incremental application and rebuild give the same read model.
 * - A record that no longer decodes stops the projector with a typed error; nothing is skipped.
 * - A stream archived or deleted reaches the projection explicitly, through `onClosed`.
 *
 * A projection reads the decoded events by default. With `input: "recorded"` it reads the decoded
 * recorded envelopes instead (`Projection<State, Envelope.Recorded<Event>>`): stream id, version,
 * position and metadata (`recordedAt`, ids) next to the event, for read models keyed by stream or
 * by time. `Projection.recorded` lifts a projection of events to envelopes, so that both kinds combine.
 *
 * @since 0.1.0
 */
import type { Envelope, Upcaster } from "@chronicle/core"
import { Projection } from "@chronicle/core"
import { Effect, FiberHandle, Option, Result, Schema, Stream, SubscriptionRef } from "effect"
import type { Scope } from "effect"
import { CheckpointStore } from "./CheckpointStore.ts"
import * as Codec from "./Codec.ts"
import { type Closure, closureOf, EventStore, StoreError } from "./EventStore.ts"

/**
 * A read model with the position of the last event applied to it.
 *
 * @since 0.1.0
 */
export interface Checkpointed<State> {
  readonly state: State
  /** The global position of the last event applied (0 before any). */
  readonly position: number
}

/**
 * Why a projector stopped.
 *
 * @since 0.1.0
 */
export type ProjectorError = Codec.EventDecodeError | StoreError

/**
 * A projection of the decoded events: `evolve(state, event)`.
 *
 * @example
 * ```ts
 * const balances = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
 * ```
 *
 * @since 0.1.0
 */
export interface EventInput<State, Event> {
  /** The projection to run. */
  readonly projection: Projection.Projection<State, Event>
  /** It reads events (the default). */
  readonly input?: "event" | undefined
}

/**
 * A projection of the decoded recorded envelopes: `evolve(state, recorded)`, where `recorded.data`
 * is the event and `streamId`, `version`, `position` and `metadata` say where and when it was
 * recorded.
 *
 * @example
 * ```ts
 * const lastActivity = yield* Projector.make({
 *   projection: BankAccount.lastActivity,
 *   input: "recorded",
 *   eventSchema: BankAccount.Event
 * })
 * ```
 *
 * @since 0.1.0
 */
export interface RecordedInput<State, Event> {
  /** The projection to run. */
  readonly projection: Projection.Projection<State, Envelope.Recorded<Event>>
  /** It reads recorded envelopes. */
  readonly input: "recorded"
}

/**
 * What a projector folds: events (by default) or their recorded envelopes.
 *
 * @since 0.1.0
 */
export type Input<State, Event> = EventInput<State, Event> | RecordedInput<State, Event>

/**
 * How to run a projection, whatever it reads.
 *
 * @since 0.1.0
 */
export interface Settings<State, Event extends Codec.Tagged> {
  /** Decodes the events the projection reads; records of other types are passed over. */
  readonly eventSchema: Codec.EventSchema<Event>
  /** Bring events written in older shapes to the current one. Default: none. */
  readonly upcasters?: Upcaster.Upcasters | undefined
  /**
   * Called when a stream is archived or deleted (at its marker event), e.g. to drop what the read
   * model keeps for it. Default: the read model does not change.
   */
  readonly onClosed?:
    | ((state: State, closed: { readonly streamId: string; readonly closure: Closure }) => State)
    | undefined
  /** Where to resume: a read model saved earlier with its position. Default: from zero. */
  readonly from?: Checkpointed<State> | undefined
  /** Called after each batch of events is applied, e.g. to save the checkpoint. */
  readonly onApplied?: ((checkpoint: Checkpointed<State>) => Effect.Effect<void, StoreError>) | undefined
}

/**
 * How to run a projection: what it reads ({@link Input}) and its {@link Settings}.
 *
 * @since 0.1.0
 */
export type Options<State, Event extends Codec.Tagged> = Input<State, Event> & Settings<State, Event>

/** The projection as a fold of recorded envelopes, whatever it reads. */
const overRecorded = <State, Event>(input: Input<State, Event>): Projection.Projection<State, Envelope.Recorded<Event>> =>
  input.input === "recorded" ? input.projection : Projection.recorded(input.projection)

/**
 * A running projection.
 *
 * @since 0.1.0
 */
export interface Projector<State> {
  /** The read model now, with its checkpoint. */
  readonly current: Effect.Effect<Checkpointed<State>>
  /** The read model now, then each time it changes. */
  readonly changes: Stream.Stream<Checkpointed<State>>
  /**
   * Waits until the events up to `position` are applied (read-your-writes after a command), or
   * fails with the error that stopped the projector. It waits for as long as it takes: bound it with
   * `Effect.timeout` where a store might never deliver.
   */
  readonly awaitPosition: (position: number) => Effect.Effect<Checkpointed<State>, ProjectorError>
  /** Drops the read model, replays from zero up to the store's current last event, and goes on live. */
  readonly rebuild: Effect.Effect<Checkpointed<State>, ProjectorError>
}

/**
 * Applies a batch of recorded events to a checkpointed read model: positions at or below the
 * checkpoint are ignored (re-delivery is a no-op), events of types the Schema does not know only move
 * the checkpoint, stream archive and delete markers go to `onClosed`, the others are decoded and
 * folded in. Pure.
 *
 * @since 0.1.0
 */
export const step = <State, Event extends Codec.Tagged>(
  options: Input<State, Event> & Pick<Settings<State, Event>, "eventSchema" | "upcasters" | "onClosed">
) => {
  const projection = overRecorded(options)
  const decode = Codec.decoder(options.eventSchema, options.upcasters)
  const types = Codec.eventTypes(options.eventSchema)
  return (
    checkpoint: Checkpointed<State>,
    records: Iterable<Envelope.Recorded>
  ): Result.Result<Checkpointed<State>, Codec.EventDecodeError> => {
    let { position, state } = checkpoint
    for (const recorded of records) {
      if (recorded.position <= position) continue
      const closure = closureOf(recorded.type)
      if (closure !== undefined) {
        if (options.onClosed !== undefined) state = options.onClosed(state, { streamId: recorded.streamId, closure })
      } else if (types === undefined || types.has(recorded.type)) {
        const decoded = decode(recorded)
        if (Result.isFailure(decoded)) return Result.fail(decoded.failure)
        state = projection.evolve(state, decoded.success)
      }
      position = recorded.position
    }
    return Result.succeed({ state, position })
  }
}

interface Status<State> {
  readonly checkpoint: Checkpointed<State>
  /** Incremented by each rebuild, so a superseded run cannot write. */
  readonly generation: number
  readonly failure?: ProjectorError | undefined
}

/**
 * Starts a projector in the current scope; it stops when the scope closes.
 *
 * @example
 * ```ts
 * const balances = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
 * const { events } = yield* accounts.handle(deposit)
 * const { state } = yield* balances.awaitPosition(events[0]!.position)
 * ```
 *
 * @since 0.1.0
 */
export const make = <State, Event extends Codec.Tagged>(
  options: Options<State, Event>
): Effect.Effect<Projector<State>, never, EventStore | Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* EventStore
    const apply = step(options)
    const zero: Checkpointed<State> = { state: options.projection.initialState, position: 0 }
    const status = yield* SubscriptionRef.make<Status<State>>({ checkpoint: options.from ?? zero, generation: 0 })
    const runner = yield* FiberHandle.make()

    // The checkpoint moves (and `awaitPosition` returns) only once `onApplied` is done: a read
    // model that is seen at a position is also saved at it.
    const applyPage = (generation: number) => (page: ReadonlyArray<Envelope.Recorded>) =>
      Effect.flatMap(SubscriptionRef.get(status), (current) => {
        if (current.generation !== generation || current.failure !== undefined) return Effect.void
        const next = apply(current.checkpoint, page)
        if (Result.isFailure(next)) return fail(generation)(next.failure)
        return Effect.andThen(
          options.onApplied === undefined ? Effect.void : options.onApplied(next.success),
          SubscriptionRef.update(status, (latest) =>
            latest.generation === generation ? { ...latest, checkpoint: next.success } : latest)
        )
      })

    const fail = (generation: number) => (failure: ProjectorError) =>
      SubscriptionRef.update(status, (current) => current.generation === generation ? { ...current, failure } : current)

    const start = (generation: number, from: number) =>
      FiberHandle.run(
        runner,
        store.subscribe({ from: from + 1 }).pipe(
          Stream.runForEachArray(applyPage(generation)),
          Effect.catch(fail(generation))
        )
      )

    const awaitPosition = (position: number) =>
      SubscriptionRef.changes(status).pipe(
        Stream.filter((current) => current.failure !== undefined || current.checkpoint.position >= position),
        Stream.runHead,
        Effect.flatMap((reached) => {
          const current = Option.getOrThrow(reached) // the changes of a SubscriptionRef never end
          return current.failure === undefined ? Effect.succeed(current.checkpoint) : Effect.fail(current.failure)
        })
      )

    yield* start(0, (options.from ?? zero).position)

    return {
      current: Effect.map(SubscriptionRef.get(status), (current) => current.checkpoint),
      changes: Stream.map(SubscriptionRef.changes(status), (current) => current.checkpoint),
      awaitPosition,
      rebuild: Effect.gen(function*() {
        const generation = yield* SubscriptionRef.modify(status, (current) => {
          const next = current.generation + 1
          return [next, { checkpoint: zero, generation: next }] as const
        })
        yield* start(generation, 0)
        return yield* awaitPosition(yield* store.lastPosition)
      })
    }
  })

/**
 * Starts a projector whose read model is saved in the {@link CheckpointStore} under `name` after
 * each batch (as JSON, through `Schema.toCodecJson(stateSchema)`), and resumed from there next time. A saved state that no longer decodes with
 * `stateSchema` (the read model's shape changed) is dropped and the projection replays from zero.
 *
 * @example
 * ```ts
 * const balances = yield* Projector.makePersistent({
 *   name: "balances",
 *   stateSchema: Schema.ReadonlyMap(Schema.String, Schema.Int),
 *   projection: BankAccount.balances,
 *   eventSchema: BankAccount.Event
 * })
 * ```
 *
 * @since 0.1.0
 */
export const makePersistent = <State, Event extends Codec.Tagged>(
  options: Input<State, Event> & Omit<Settings<State, Event>, "from" | "onApplied"> & {
    /** The key the checkpoint is saved under. */
    readonly name: string
    /** Encodes the read model for saving and decodes it on resume. */
    readonly stateSchema: Schema.Codec<State, unknown, never, never>
  }
): Effect.Effect<Projector<State>, StoreError, EventStore | CheckpointStore | Scope.Scope> =>
  Effect.gen(function*() {
    const checkpoints = yield* CheckpointStore
    const stateJson = Schema.toCodecJson(options.stateSchema)
    const decodeState = Schema.decodeUnknownOption(stateJson)
    const encodeState = Schema.encodeEffect(stateJson)
    const saved = yield* checkpoints.load(options.name)
    const from = Option.flatMap(saved, ({ position, state }) =>
      Option.map(decodeState(state), (decoded) => ({ position, state: decoded })))
    return yield* make({
      ...options,
      from: Option.getOrUndefined(from),
      onApplied: ({ position, state }) =>
        encodeState(state).pipe(
          Effect.mapError((error) =>
            new StoreError({ operation: "save checkpoint", reason: `the read model does not encode: ${error.message}` })
          ),
          Effect.flatMap((encoded) => checkpoints.save(options.name, { position, state: encoded }))
        )
    })
  })
