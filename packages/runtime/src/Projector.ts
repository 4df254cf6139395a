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
 * - A defect (anything thrown, or an `Effect.die`) in the projection's `evolve`, the event Schema's
 *   decoding, `onClosed` or `onApplied` stops it too, with a {@link ProjectionDefect} that says where:
 *   `awaitPosition` and `rebuild` fail with it, `changes` ends with it. Nothing hangs silently.
 * - A stream archived or deleted reaches the projection explicitly, through `onClosed`.
 *
 * A projection reads the decoded events by default. With `input: "recorded"` it reads the decoded
 * recorded envelopes instead (`Projection<State, Envelope.Recorded<Event>>`): stream id, version,
 * position and metadata (`recordedAt`, ids) next to the event, for read models keyed by stream or
 * by time. `Projection.recorded` lifts a projection of events to envelopes, so that both kinds combine.
 *
 * @since 0.1.0
 */
import { type Envelope, Projection, type Upcaster } from "@chronicle/core"
import { Cause, Data, Effect, FiberHandle, Option, Result, Schema, Stream, SubscriptionRef } from "effect"
import type { Scope } from "effect"
import * as CheckpointStore from "./CheckpointStore.ts"
import * as Codec from "./Codec.ts"
import { type Closure, closureOf, EventStore, StoreError } from "./EventStore.ts"
import * as Issues from "./internal/issues.ts"

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
 * What a projector was doing when a defect stopped it: applying an event (decoding it, `evolve`,
 * `onClosed`), handing a checkpoint to `onApplied`, or reading the log.
 *
 * @since 0.1.0
 */
export type Stage = "apply" | "onApplied" | "read"

/**
 * A projector was stopped by a defect — an exception thrown or an `Effect.die` — in the code it
 * runs: the projection's `evolve`, the event Schema's decoding, `onClosed`, `onApplied`, or the
 * store's subscription. Says where (the event being applied, or the position reached) and carries
 * the whole `Cause`.
 *
 * @example
 * ```ts
 * const error = yield* Effect.flip(projector.awaitPosition(position))
 * if (error._tag === "ProjectionDefect") console.log(error.streamId, error.position, Cause.pretty(error.cause))
 * ```
 *
 * @since 0.1.0
 */
export class ProjectionDefect extends Data.TaggedError("ProjectionDefect")<{
  readonly stage: Stage
  /** The position of the event being applied (`apply`), or of the checkpoint reached (otherwise). */
  readonly position: number
  /** The stream of the event being applied (`apply` only). */
  readonly streamId?: string | undefined
  /** The type of the event being applied (`apply` only). */
  readonly type?: string | undefined
  readonly cause: Cause.Cause<unknown>
}> {
  override get message(): string {
    const where = this.stage === "apply"
      ? `while applying event "${this.type}" of stream "${this.streamId}" at position ${this.position}`
      : this.stage === "onApplied"
      ? `in onApplied at position ${this.position}`
      : `while reading the log after position ${this.position}`
    return `Projector stopped by a defect ${where}: ${describeDefect(Cause.squash(this.cause))}`
  }
}

/** A defect in one line; a Schema that threw while decoding keeps the original in its cause. */
const describeDefect = (defect: unknown): string =>
  defect instanceof Error
    ? Cause.isCause(defect.cause) ? `${defect.message} (${describeDefect(Cause.squash(defect.cause))})` : defect.message
    : String(defect)

/**
 * Why a projector stopped.
 *
 * @since 0.1.0
 */
export type ProjectorError = Codec.EventDecodeError | StoreError | ProjectionDefect

/**
 * What stopped a fold of the log, from the cause it failed with: the typed failure it carries, or
 * else a {@link ProjectionDefect} at the stage the fold was in — for `apply`, naming the event
 * being applied (`applying`), otherwise the position reached. The projector and `Rebuild` both
 * report their defects through it.
 *
 * @example
 * ```ts
 * Effect.catchCause(run, (cause) => Effect.fail(Projector.stoppedBy(cause, "apply", reached, applying)))
 * ```
 *
 * @since 0.1.0
 */
export const stoppedBy = (
  cause: Cause.Cause<ProjectorError>,
  stage: Stage,
  position: number,
  applying: Envelope.Recorded | undefined
): ProjectorError =>
  Option.getOrElse(Cause.findErrorOption(cause), () =>
    stage === "apply" && applying !== undefined
      ? new ProjectionDefect({ stage, position: applying.position, streamId: applying.streamId, type: applying.type, cause })
      : new ProjectionDefect({ stage, position, cause }))

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

/**
 * The projection's `evolve` given a record and its decoded event: an envelope is built only for a
 * projection that reads envelopes.
 */
const evolverOf = <State, Event>(
  input: Input<State, Event>
): (state: State, recorded: Envelope.Recorded, event: Event) => State => {
  if (input.input === "recorded") {
    const { evolve } = input.projection
    return (state, recorded, event) => evolve(state, { ...recorded, data: event })
  }
  const { evolve } = input.projection
  return (state, _recorded, event) => evolve(state, event)
}

/**
 * A running projection.
 *
 * @since 0.1.0
 */
export interface Projector<State> {
  /** The read model now, with its checkpoint. */
  readonly current: Effect.Effect<Checkpointed<State>>
  /**
   * The read model now, then each time it changes. It ends with the error that stopped the
   * projector (at once, if it is stopped already); a `rebuild` starts it again, watch `changes` anew.
   */
  readonly changes: Stream.Stream<Checkpointed<State>, ProjectorError>
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
 * Told about each record before it is applied, so that a defect (a throwing `evolve`) can name it.
 *
 * @since 0.1.0
 */
export type Applying = (recorded: Envelope.Recorded) => void

/**
 * {@link step}, telling `applying` about each record before applying it: the per-page fold every
 * runner of a projection shares (a projector, `Rebuild`), so that each decodes, passes over and
 * applies records the same way and can say which record a defect stopped it at.
 *
 * @example
 * ```ts
 * const fold = Projector.folder({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
 * let current: Envelope.Recorded | undefined
 * const next = fold({ state: new Map(), position: 0 }, page, (recorded) => (current = recorded))
 * ```
 *
 * @since 0.1.0
 */
export const folder = <State, Event extends Codec.Tagged>(
  options: Input<State, Event> & Pick<Settings<State, Event>, "eventSchema" | "upcasters" | "onClosed">
) => {
  const evolve = evolverOf(options)
  const decode = Codec.eventDecoder(options.eventSchema, options.upcasters)
  const types = Codec.eventTypes(options.eventSchema)
  return (
    checkpoint: Checkpointed<State>,
    records: Iterable<Envelope.Recorded>,
    applying: Applying
  ): Result.Result<Checkpointed<State>, Codec.EventDecodeError> => {
    let { position, state } = checkpoint
    for (const recorded of records) {
      if (recorded.position <= position) continue
      applying(recorded)
      const closure = closureOf(recorded.type)
      if (closure !== undefined) {
        if (options.onClosed !== undefined) state = options.onClosed(state, { streamId: recorded.streamId, closure })
      } else if (types === undefined || types.has(recorded.type)) {
        const decoded = decode(recorded)
        if (Result.isFailure(decoded)) return Result.fail(decoded.failure)
        state = evolve(state, recorded, decoded.success)
      }
      position = recorded.position
    }
    return Result.succeed({ state, position })
  }
}

const unwatched: Applying = () => undefined

/**
 * Applies a batch of recorded events to a checkpointed read model: positions at or below the
 * checkpoint are ignored (re-delivery is a no-op), events of types the Schema does not know only move
 * the checkpoint, stream archive and delete markers go to `onClosed`, the others are decoded and
 * folded in. Pure; what the projection (or the Schema) throws, it throws.
 *
 * @example
 * ```ts
 * const apply = Projector.step({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
 * const next = apply({ state: Projection.initial(BankAccount.balances), position: 0 }, records)
 * ```
 *
 * @since 0.1.0
 */
export const step = <State, Event extends Codec.Tagged>(
  options: Input<State, Event> & Pick<Settings<State, Event>, "eventSchema" | "upcasters" | "onClosed">
) => {
  const fold = folder(options)
  return (checkpoint: Checkpointed<State>, records: Iterable<Envelope.Recorded>): Result.Result<Checkpointed<State>, Codec.EventDecodeError> =>
    fold(checkpoint, records, unwatched)
}

interface Status<State> {
  readonly checkpoint: Checkpointed<State>
  /** Incremented by each rebuild, so a superseded run cannot write. */
  readonly generation: number
  readonly failure?: ProjectorError | undefined
}

/** The read model of a status, or the error that stopped the projector. */
const checkpointOf = <State>(current: Status<State>): Effect.Effect<Checkpointed<State>, ProjectorError> =>
  current.failure === undefined ? Effect.succeed(current.checkpoint) : Effect.fail(current.failure)

/**
 * Starts a projector in the current scope; it stops when the scope closes. Whatever ends its run
 * other than that — a typed failure or a defect anywhere in it — stops it with a
 * {@link ProjectorError} that `awaitPosition` fails with and `changes` ends with, until a `rebuild`.
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
    const fold = folder(options)
    // A fresh initial state for each start from zero: a rebuild does not reuse what the last run filled.
    const zero = (): Checkpointed<State> => ({ state: Projection.initial(options.projection), position: 0 })
    const status = yield* SubscriptionRef.make<Status<State>>({ checkpoint: options.from ?? zero(), generation: 0 })
    const runner = yield* FiberHandle.make()

    const fail = (generation: number, failure: ProjectorError) =>
      SubscriptionRef.update(status, (current) => current.generation === generation ? { ...current, failure } : current)

    // One run follows the log from `from` until its scope closes (or a rebuild supersedes it). Its
    // whole Cause, failures and defects alike, stops the projector; only interruption does not.
    const start = (generation: number, from: number) => {
      // Where the run is, so that a defect can say it: the record being applied (stage "apply"), or
      // the position reached.
      let stage: Stage = "read"
      let position = from
      let applying: Envelope.Recorded | undefined
      const watch: Applying = (recorded) => {
        applying = recorded
      }

      // The checkpoint moves (and `awaitPosition` returns) only once `onApplied` is done: a read
      // model that is seen at a position is also saved at it.
      const applyPage = (page: ReadonlyArray<Envelope.Recorded>) =>
        Effect.gen(function*() {
          const current = yield* SubscriptionRef.get(status)
          if (current.generation !== generation) return yield* Effect.interrupt // superseded by a rebuild
          stage = "apply"
          const next = fold(current.checkpoint, page, watch)
          if (Result.isFailure(next)) return yield* Effect.fail(next.failure)
          stage = "onApplied"
          position = next.success.position
          if (options.onApplied !== undefined) yield* options.onApplied(next.success)
          stage = "read"
          yield* SubscriptionRef.update(status, (latest) =>
            latest.generation === generation ? { ...latest, checkpoint: next.success } : latest)
        })

      const stopped = (cause: Cause.Cause<ProjectorError>) => stoppedBy(cause, stage, position, applying)

      return FiberHandle.run(
        runner,
        store.subscribe({ from: from + 1 }).pipe(
          Stream.runForEachArray(applyPage),
          Effect.catchCause((cause) => Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause) : fail(generation, stopped(cause)))
        )
      )
    }

    const awaitPosition = (position: number) =>
      SubscriptionRef.changes(status).pipe(
        Stream.filter((current) => current.failure !== undefined || current.checkpoint.position >= position),
        Stream.runHead,
        Effect.flatMap((reached) => checkpointOf(Option.getOrThrow(reached))) // the changes of a SubscriptionRef never end
      )

    yield* start(0, options.from?.position ?? 0)

    return {
      current: Effect.map(SubscriptionRef.get(status), (current) => current.checkpoint),
      changes: Stream.mapEffect(SubscriptionRef.changes(status), checkpointOf),
      awaitPosition,
      rebuild: Effect.gen(function*() {
        const generation = yield* SubscriptionRef.modify(status, (current) => {
          const next = current.generation + 1
          return [next, { checkpoint: zero(), generation: next }] as const
        })
        yield* start(generation, 0)
        return yield* awaitPosition(yield* store.lastPosition)
      })
    }
  })

const decodeSaved = Schema.decodeUnknownResult(CheckpointStore.Saved)

/**
 * Starts a projector whose read model is saved in the {@link CheckpointStore} under `name` after
 * each batch (as JSON, through `Schema.toCodecJson(stateSchema)`), and resumed from there next time. A saved state that no longer decodes with
 * `stateSchema` (the read model's shape changed) is dropped and the projection replays from zero.
 * A saved checkpoint is not trusted: one that does not match `CheckpointStore.Saved`, or whose
 * position is past the log's last event (a read model missing events), is dropped too. Each drop is
 * reported with a warning in the log that names the checkpoint and says what was wrong.
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
): Effect.Effect<Projector<State>, StoreError, EventStore | CheckpointStore.CheckpointStore | Scope.Scope> =>
  Effect.gen(function*() {
    const checkpoints = yield* CheckpointStore.CheckpointStore
    const store = yield* EventStore
    const stateJson = Schema.toCodecJson(options.stateSchema)
    const decodeState = Schema.decodeUnknownResult(stateJson)
    const encodeState = Schema.encodeEffect(stateJson)

    const ignored = (reason: string) =>
      Effect.as(
        Effect.logWarning(`CheckpointStore: the checkpoint "${options.name}" is ignored (${reason}); the projection replays from zero`),
        Option.none()
      )

    /** The saved checkpoint as a starting point, if it is usable; reports why it is not. */
    const resumable = Effect.fnUntraced(function*(stored: unknown) {
      const saved = decodeSaved(stored)
      if (Result.isFailure(saved)) return yield* ignored(`it is malformed: ${Issues.format(saved.failure.issue, stored)}`)
      const { position } = saved.success
      const last = yield* store.lastPosition
      if (position > last) return yield* ignored(`its position ${position} is past the log, whose last position is ${last}`)
      const state = decodeState(saved.success.state)
      if (Result.isFailure(state)) {
        return yield* ignored(`its state does not decode: ${Issues.format(state.failure.issue, saved.success.state)}`)
      }
      return Option.some<Checkpointed<State>>({ position, state: state.success })
    })

    const from = yield* Effect.flatMap(
      checkpoints.load(options.name),
      Option.match({ onNone: () => Effect.succeedNone, onSome: resumable })
    )
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
