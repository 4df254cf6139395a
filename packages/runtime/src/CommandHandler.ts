/**
 * The **CommandHandler** runs a decider against an EventStore:
 *
 * 1. decode the command (when it comes from outside as `unknown`) with the command Schema;
 * 2. load the stream: read its events, decode them, fold them into the state;
 * 3. `decide` on the command in that state;
 * 4. append the events with the loaded version as the expected version.
 *
 * If another writer appended in between, the append fails with a conflict: the handler loads again
 * and decides again on the new state, as often as its retry `Schedule` allows. A rejection from
 * `decide` is a typed {@link CommandRejected} in the error channel; nothing is appended.
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { Decider, ExpectedVersion, Upcaster } from "@chronicle/core"
import { Data, Effect, Result, Schedule, Schema, SchemaIssue, Stream } from "effect"
import type { StandardSchema } from "effect"
import * as Codec from "./Codec.ts"
import { EventStore, type StoreError, type WrongExpectedVersion } from "./EventStore.ts"
import * as Inspector from "./Inspector.ts"

/**
 * The input of `handleUnknown` does not decode with the command Schema. `issues` lists each problem
 * with the path where it sits in the input.
 *
 * @since 0.1.0
 */
export class InvalidCommand extends Data.TaggedError("InvalidCommand")<{
  readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }>
}> {
  override get message(): string {
    return `Invalid command: ${
      this.issues.map(({ message, path }) => path.length === 0 ? message : `${message} at ${formatPath(path)}`).join("; ")
    }`
  }
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string => path.map((key) => `[${JSON.stringify(key)}]`).join("")

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
 * What handling a command may fail with, besides the decider's rejection.
 *
 * @since 0.1.0
 */
export type HandleError = WrongExpectedVersion | StoreError | Codec.EventDecodeError | Codec.EventEncodeError

/**
 * A stream's state as loaded from the store: the fold of its events and its version.
 *
 * @since 0.1.0
 */
export interface Loaded<State> {
  readonly state: State
  readonly version: number
}

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
  /** Decodes commands that arrive as `unknown`. */
  readonly commandSchema: Schema.Codec<Command, unknown, never, never>
  /** Encodes events for the store and decodes them on load. */
  readonly eventSchema: Codec.EventSchema<Event>
  /** Bring events written in older shapes to the current one on load. Default: none. */
  readonly upcasters?: Upcaster.Upcasters | undefined
  /** The stream a command addresses. */
  readonly streamId: (command: Command) => string
  /** How often to load and decide again after a conflict. Default: 10 more times, at once. */
  readonly retry?: Schedule.Schedule<unknown> | undefined
}

/**
 * A command handler for one decider. Its effects need an {@link EventStore}.
 *
 * @since 0.1.0
 */
export interface CommandHandler<Command, State, Event, Rejection> {
  /** Handles a typed command. */
  readonly handle: (
    command: Command,
    trace?: Envelope.Trace
  ) => Effect.Effect<Handled<State, Event>, CommandRejected<Rejection> | HandleError, EventStore>
  /** Decodes `input` with the command Schema, then handles it. */
  readonly handleUnknown: (
    input: unknown,
    trace?: Envelope.Trace
  ) => Effect.Effect<Handled<State, Event>, InvalidCommand | CommandRejected<Rejection> | HandleError, EventStore>
  /** Loads a stream's current state and version. */
  readonly load: (streamId: string) => Effect.Effect<Loaded<State>, StoreError | Codec.EventDecodeError, EventStore>
}

const defaultRetry = Schedule.recurs(10)

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

const toIssue = (issue: StandardSchema.StandardSchemaV1.Issue) => ({
  message: issue.message,
  path: (issue.path ?? []).map((segment) => typeof segment === "object" ? segment.key : segment)
})

/**
 * Makes the command handler of a decider.
 *
 * @example
 * ```ts
 * const accounts = CommandHandler.make({
 *   decider: BankAccount.decider,
 *   commandSchema: BankAccount.Command,
 *   eventSchema: BankAccount.Event,
 *   streamId: BankAccount.streamId
 * })
 * const { state, version } = yield* accounts.handleUnknown({ _tag: "Deposit", accountId: "a1", amount: 100 })
 * ```
 *
 * @since 0.1.0
 */
export const make = <Command, State, Event extends Codec.Tagged, Rejection>(
  options: Options<Command, State, Event, Rejection>
): CommandHandler<Command, State, Event, Rejection> => {
  const { decider } = options
  const encode = Codec.encoder(options.eventSchema, options.upcasters)
  const decodeEvents = Codec.decodeStream(options.eventSchema, options.upcasters)
  const decodeCommand = Schema.decodeUnknownResult(options.commandSchema)

  const load = (streamId: string) =>
    EventStore.use((store) =>
      store.read(streamId).pipe(
        decodeEvents,
        Stream.runFold(
          (): Loaded<State> => ({ state: decider.initialState, version: 0 }),
          (loaded, recorded) => ({ state: decider.evolve(loaded.state, recorded.data), version: recorded.version })
        )
      )
    )

  const attempt = (streamId: string, command: Command, trace: Envelope.Trace | undefined) =>
    Effect.gen(function*() {
      const { state: before, version } = yield* load(streamId)
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
      return {
        streamId,
        events: appended.events.map((recorded, i) => ({ ...recorded, data: events[i]! })),
        state,
        version: appended.version
      }
    })

  const handle = (command: Command, trace?: Envelope.Trace) => {
    const streamId = options.streamId(command)
    const retried = attempt(streamId, command, trace).pipe(
      Effect.retry({ schedule: options.retry ?? defaultRetry, while: (error) => error._tag === "WrongExpectedVersion" })
    )
    return Effect.andThen(Inspector.inspect({ _tag: "CommandReceived", streamId, command, trace }), retried)
  }

  const handleUnknown = (input: unknown, trace?: Envelope.Trace) => {
    const command = decodeCommand(input, { errors: "all" })
    return Result.isSuccess(command)
      ? handle(command.success, trace)
      : Effect.fail(new InvalidCommand({ issues: formatIssues(command.failure.issue).issues.map(toIssue) }))
  }

  return { handle, handleUnknown, load }
}
