/**
 * The **CommandHandler** runs a decider against an EventStore:
 *
 * 1. decode the command, when it comes from outside, from its JSON form;
 * 2. load the stream through a `StreamState`: read its events, decode them, fold them into the state;
 * 3. `decide` on the command in that state;
 * 4. append the events with the loaded version as the expected version.
 *
 * If another writer appended in between, the append fails with a conflict: the handler loads again
 * and decides again on the new state, as often as its retry `Schedule` allows. A rejection from
 * `decide` is a typed {@link CommandRejected} in the error channel; nothing is appended.
 *
 * Commands come in two ways:
 * - **`handleUnknown(input)`** for what arrives from outside (an HTTP body, a message, a form): the
 *   input is decoded from the command Schema's JSON form, `Schema.toCodecJson(commandSchema)`, the
 *   same view the store keeps events in. So `JSON.parse(body)` is a valid input: a `Schema.Date`
 *   field takes an ISO string, a `Schema.BigInt` a string of digits, and the decider gets a `Date`
 *   and a `bigint`. Input that does not decode is an {@link InvalidCommand} listing each problem at
 *   its path (an unknown `_tag` names the tags that exist). The input is read once, into a plain
 *   copy that is what gets decoded: a getter or Proxy that throws is an `InvalidCommand` too, at the
 *   path of the read that threw.
 * - **`handle(command)`** for a value built in-process, already of the command type (a `Date`, not
 *   its ISO string): it is handled as it is, without decoding. To check such a value against the
 *   Schema's refinements first, decode it with the command Schema itself.
 *
 * Three things make it safe for logs that live long:
 * - **Snapshots** (optional): the handler loads a stream's latest snapshot and only the events after
 *   it, and saves a new snapshot every `every` events. Snapshots are tagged with `stateVersion`;
 *   when the state's shape changes, bump it and old snapshots are ignored, never misread.
 * - **Idempotent commands**: a command handled with a `commandId` (in its trace) records the id in
 *   its events' metadata; handling the same id again on the stream returns the first outcome and
 *   appends nothing.
 * - **Terminal streams**: once the decider's `isTerminal` holds, commands are refused with
 *   {@link StreamTerminated} before `decide` runs. A deleted stream fails to load and an archived one
 *   refuses the append, both with `StreamClosed`.
 *
 * @since 0.1.0
 */
import { Decider, Envelope, ExpectedVersion, Upcaster } from "@chronicle/core"
import { Data, Effect, Result, Schedule, Schema, Stream } from "effect"
import * as Codec from "./Codec.ts"
import { EventStore, type StoreError, StreamClosed, type WrongExpectedVersion } from "./EventStore.ts"
import * as Inspector from "./Inspector.ts"
import * as Issues from "./internal/issues.ts"
import * as Plain from "./internal/plain.ts"
import * as Snapshots from "./internal/snapshots.ts"
import type { SnapshotStore } from "./SnapshotStore.ts"
import * as StreamState from "./StreamState.ts"

/**
 * The input of `handleUnknown` does not decode from the command Schema's JSON form. `issues` lists
 * each problem with the path where it sits in the input.
 *
 * @example
 * ```ts
 * const error = yield* Effect.flip(accounts.handleUnknown({ _tag: "Close", accountId: "a1" }))
 * error.message // Invalid command: Unknown _tag "Close": expected one of "Open", "Deposit", "Withdraw" at ["_tag"]
 * ```
 *
 * @since 0.1.0
 */
export class InvalidCommand extends Data.TaggedError("InvalidCommand")<{
  readonly issues: ReadonlyArray<Issues.Problem>
}> {
  override get message(): string {
    return `Invalid command: ${Issues.describe(this.issues)}`
  }
}

/**
 * Makes the decoder of a command Schema for input from outside: its JSON form (as `JSON.parse`
 * gives it) in, the command out, or an {@link InvalidCommand} with every problem. This is what
 * `handleUnknown` decodes with; use it to check input before handling it (e.g. a form).
 *
 * @example
 * ```ts
 * const decode = CommandHandler.commandDecoder(BankAccount.Command)
 * decode(JSON.parse(body)) // Result.succeed({ _tag: "Deposit", accountId: "a1", amount: 100 })
 * ```
 *
 * @since 0.1.0
 */
export const commandDecoder = <Command>(commandSchema: Schema.Codec<Command, unknown, never, never>) => {
  const decode = Schema.decodeUnknownResult(Schema.toCodecJson(commandSchema))
  const unreadable = (refusal: Plain.Refusal) =>
    Result.fail(
      new InvalidCommand({ issues: [{ path: refusal.path, message: `Reading the input threw: ${Plain.describeThrown(refusal.thrown)}` }] })
    )
  return (input: unknown): Result.Result<Command, InvalidCommand> => {
    // Read the input once, into a plain copy: a getter or Proxy that throws, or answers differently
    // on a second read, cannot throw out of here or make the decoded command differ from the checked one.
    const copied = Plain.copy(input, "loose", Envelope.maxDepth)
    if (!copied.ok) return unreadable(copied.refusal)
    const plain = copied.value
    // What the copy keeps as it is (a class instance, what lies deeper) is read by the decoder.
    const decoded = Plain.attempt(() =>
      Result.mapError(decode(plain, { errors: "all" }), (error) => new InvalidCommand({ issues: Issues.problems(error.issue, plain) }))
    )
    return decoded.ok ? decoded.value : unreadable(decoded.refusal)
  }
}

/**
 * The decider refused the command. `rejection` is the decider's own typed reason.
 *
 * @since 0.1.0
 */
export class CommandRejected<Rejection> extends Data.TaggedError("CommandRejected")<{
  readonly streamId: string
  readonly rejection: Rejection
}> {
  override get message(): string {
    return `Command rejected on stream "${this.streamId}": ${JSON.stringify(this.rejection)}`
  }
}

/**
 * The stream has reached its end (`isTerminal` holds for its state): it accepts no more commands.
 *
 * @since 0.1.0
 */
export class StreamTerminated extends Data.TaggedError("StreamTerminated")<{
  readonly streamId: string
  readonly version: number
}> {
  override get message(): string {
    return `Stream "${this.streamId}" is terminated (at version ${this.version}): it accepts no more commands`
  }
}

/**
 * What handling a command may fail with, besides the decider's rejection.
 *
 * @since 0.1.0
 */
export type HandleError =
  | StreamTerminated
  | StreamClosed
  | WrongExpectedVersion
  | StoreError
  | Codec.EventDecodeError
  | Codec.EventEncodeError

/**
 * A stream's state as loaded from the store: the fold of its events and its version (see
 * `StreamState.Loaded`).
 *
 * @since 0.1.0
 */
export type Loaded<State> = StreamState.Loaded<State>

/**
 * The outcome of an accepted command.
 *
 * @since 0.1.0
 */
export interface Handled<State, Event> {
  /** The stream the command was handled on. */
  readonly streamId: string
  /** The events appended, as recorded (empty when the decider had nothing to say). */
  readonly events: ReadonlyArray<Envelope.Recorded<Event>>
  /** The state after the events. */
  readonly state: State
  /** The stream's version after the events. */
  readonly version: number
}

/**
 * How to handle the commands of one decider.
 *
 * @since 0.1.0
 */
export interface Options<Command, State, Event extends Codec.Tagged, Rejection> {
  /** The domain's decider. */
  readonly decider: Decider.Decider<Command, State, Event, Rejection>
  /** The commands: `handleUnknown` decodes input from outside with its JSON form. */
  readonly commandSchema: Schema.Codec<Command, unknown, never, never>
  /** Encodes events for the store and decodes them on load. */
  readonly eventSchema: Codec.EventSchema<Event>
  /** Bring events written in older shapes to the current one on load. Default: none. */
  readonly upcasters?: Upcaster.Upcasters | undefined
  /** The stream a command addresses. */
  readonly streamId: (command: Command) => string
  /** How often to load and decide again after a conflict. Default: {@link defaultRetry} (once at once, then 15 times with backoff). */
  readonly retry?: Schedule.Schedule<unknown> | undefined
}

/**
 * When and how to snapshot a stream's state (see `StreamState.SnapshotOptions`).
 *
 * @since 0.1.0
 */
export type SnapshotOptions<State> = StreamState.SnapshotOptions<State>

/**
 * A command handler for one decider. Its effects need an {@link EventStore}.
 *
 * @since 0.1.0
 */
export interface CommandHandler<Command, State, Event, Rejection, Services = EventStore> {
  /**
   * Handles a command of the command type, built in-process, as it is (it is not decoded). With a
   * `commandId` in the trace, handling the same id again returns the first outcome and appends
   * nothing.
   */
  readonly handle: (
    command: Command,
    trace?: Envelope.Trace
  ) => Effect.Effect<Handled<State, Event>, CommandRejected<Rejection> | HandleError, Services>
  /**
   * Decodes `input` from outside (an HTTP body, a message, a form) from the command Schema's JSON
   * form, then handles it: `handleUnknown(JSON.parse(body))`.
   */
  readonly handleUnknown: (
    input: unknown,
    trace?: Envelope.Trace
  ) => Effect.Effect<Handled<State, Event>, InvalidCommand | CommandRejected<Rejection> | HandleError, Services>
  /**
   * Loads a stream's current state and version (from its snapshot and tail, where there is one), as
   * `StreamState.make` does.
   */
  readonly load: (streamId: string) => Effect.Effect<Loaded<State>, StreamState.LoadError, Services>
}

/**
 * The default retry schedule after a conflict. A conflicting command is loaded and decided again
 * at once (the stream has just moved, so it often goes through), then up to 15 more times, each
 * after a jittered exponential backoff — 5 ms, doubling, at most 500 ms, every delay scaled by a
 * random 0.8–1.2 — so contending writers spread out instead of colliding again at once: 17
 * attempts in all, waiting at most about 5.6 s (4.6 s of delays before jitter). A command that
 * still conflicts after the last attempt fails with `WrongExpectedVersion`, having written nothing.
 * The delays run on the `Clock`: under `TestClock`, contended commands wait for the clock to move.
 *
 * Measured with 500 concurrent handlers on one stream (2 shared cores): on the memory layer with
 * reads and appends that yield (so that handlers race), all 500 succeed (12 with the former 10
 * immediate retries); on IndexedDB (fake-indexeddb) 300–400 in 9–12 s (17 before).
 *
 * @example
 * ```ts
 * CommandHandler.make({ ...options, retry: CommandHandler.defaultRetry.pipe(Schedule.upTo({ times: 3 })) })
 * ```
 *
 * @since 0.1.0
 */
export const defaultRetry: Schedule.Schedule<unknown> = Schedule.min([
  Schedule.exponential("5 millis"),
  Schedule.spaced("500 millis")
]).pipe(Schedule.jittered, Schedule.upTo({ times: 15 }))


const isConflict = (error: { readonly _tag: string }): boolean => error._tag === "WrongExpectedVersion"

/**
 * Makes the command handler of a decider. With `snapshots`, its effects also need a
 * {@link SnapshotStore}.
 *
 * @example
 * ```ts
 * const accounts = CommandHandler.make({
 *   decider: BankAccount.decider,
 *   commandSchema: BankAccount.Command,
 *   eventSchema: BankAccount.Event,
 *   streamId: BankAccount.streamIdOf
 * })
 * const { state, version } = yield* accounts.handleUnknown(JSON.parse(body)) // e.g. { "_tag": "Deposit", … }
 * ```
 *
 * @since 0.1.0
 */
export function make<Command, State, Event extends Codec.Tagged, Rejection>(
  options: Options<Command, State, Event, Rejection> & { readonly snapshots: SnapshotOptions<State> }
): CommandHandler<Command, State, Event, Rejection, EventStore | SnapshotStore>
export function make<Command, State, Event extends Codec.Tagged, Rejection>(
  options: Options<Command, State, Event, Rejection>
): CommandHandler<Command, State, Event, Rejection>
export function make<Command, State, Event extends Codec.Tagged, Rejection>(
  options: Options<Command, State, Event, Rejection> & { readonly snapshots?: SnapshotOptions<State> | undefined }
): CommandHandler<Command, State, Event, Rejection, EventStore | SnapshotStore> {
  const { decider, snapshots } = options
  const encode = Codec.encoder(options.eventSchema, options.upcasters)
  const decodeEvents = Codec.decodeStream(options.eventSchema, options.upcasters)
  const decodeCommand = commandDecoder(options.commandSchema)
  const streams = StreamState.make(options)
  const snapshotting = snapshots === undefined ? undefined : Snapshots.make(snapshots)

  /** The outcome of the first handling of `commandId`: its events, and the state and version after them. */
  const firstOutcome = (streamId: string, commandId: string) =>
    EventStore.use((store) =>
      store.read(streamId).pipe(
        decodeEvents,
        Stream.runFold(
          () => ({ state: decider.initialState, outcome: undefined as Handled<State, Event> | undefined }),
          (found, recorded) => {
            found.state = decider.evolve(found.state, recorded.data)
            if (recorded.metadata.commandId === commandId) {
              const events = [...(found.outcome?.events ?? []), recorded]
              found.outcome = { streamId, events, state: found.state, version: recorded.version }
            }
            return found
          }
        ),
        Effect.map((found) => found.outcome)
      )
    )

  const attempt = (streamId: string, command: Command, trace: Envelope.Trace | undefined) =>
    Effect.gen(function*() {
      const history = yield* streams.history(streamId)
      const { state: before, version } = history
      if (trace?.commandId !== undefined && history.commandIds.has(trace.commandId)) {
        const first = yield* firstOutcome(streamId, trace.commandId)
        if (first !== undefined) return first
      }
      if (history.archived) return yield* new StreamClosed({ streamId, closure: "Archived" })
      if (decider.isTerminal(before)) return yield* new StreamTerminated({ streamId, version })
      const decided = Decider.transition(decider, command, before)
      if (Result.isFailure(decided)) {
        const rejection = decided.failure
        yield* Inspector.inspect({ _tag: "Rejected", streamId, command, state: before, version, rejection, trace })
        return yield* new CommandRejected({ streamId, rejection })
      }
      const { events, state } = decided.success
      yield* Inspector.inspect({ _tag: "Decided", streamId, command, state: before, version, events, trace })
      if (events.length === 0) return { streamId, events: [], state, version }
      const pending = yield* Effect.fromResult(encode(streamId, events, trace))
      const store = yield* EventStore
      const appended = yield* store.append(streamId, pending, ExpectedVersion.exact(version)).pipe(
        Effect.tapError((error) =>
          error._tag === "WrongExpectedVersion"
            ? Inspector.inspect({ _tag: "Conflicted", streamId, expected: version, actual: error.actual, trace })
            : Effect.void
        )
      )
      yield* Inspector.inspect({ _tag: "Appended", streamId, events: appended.events, trace })
      if (snapshotting !== undefined) {
        const commandIds = trace?.commandId === undefined ? history.commandIds : new Set(history.commandIds).add(trace.commandId)
        yield* snapshotting.maybeSave(streamId, version, { state, version: appended.version, commandIds })
      }
      return {
        streamId,
        events: appended.events.map((recorded, i) => ({ ...recorded, data: events[i]! })),
        state,
        version: appended.version
      }
    })

  const handle = (command: Command, trace?: Envelope.Trace) => {
    const streamId = options.streamId(command)
    const once = attempt(streamId, command, trace)
    // The retry schedule is only set up once a first attempt has conflicted.
    const retried = Effect.catchIf(once, isConflict, () =>
      Effect.retry(once, { schedule: options.retry ?? defaultRetry, while: isConflict }))
    return Effect.andThen(Inspector.inspect({ _tag: "CommandReceived", streamId, command, trace }), retried)
  }

  const handleUnknown = (input: unknown, trace?: Envelope.Trace) => {
    const command = decodeCommand(input)
    return Result.isSuccess(command) ? handle(command.success, trace) : Effect.fail(command.failure)
  }

  return { handle, handleUnknown, load: streams.load }
}
