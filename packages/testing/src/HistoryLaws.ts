/**
 * **HistoryLaws**: the laws of living with a long history, as fast-check properties to run against
 * your own domains and on every store layer you ship:
 *
 * - {@link snapshotsChangeNothing}: snapshot + tail = full replay, and deleting snapshots at any time
 *   changes no handled result.
 * - {@link idempotentCommands}: handling a command again with the same command id returns the first
 *   outcome and appends nothing.
 * - {@link upcastThenDecode}: an old payload, upcast then decoded, is an event in the current shape
 *   that encodes back to exactly what the upcasters produced.
 *
 * Like `Laws`, each takes an options record and returns a property for `fc.assert` (await the ones
 * that run on a store layer; each run builds the layer afresh).
 *
 * @example
 * ```ts
 * await fc.assert(HistoryLaws.snapshotsChangeNothing({
 *   ...handlerOptions,
 *   snapshots: { stateSchema: State, stateVersion: 1, every: 3 },
 *   commands,
 *   layer: Layer.merge(MemoryEventStore.layer, MemorySnapshotStore.layer)
 * }), { numRuns: 100 })
 * ```
 *
 * @since 0.1.0
 */
import type { Upcaster } from "@chronicle/core"
import { Codec, CommandHandler, EventStore, SnapshotStore } from "@chronicle/runtime"
import { Effect, Layer, Result } from "effect"
import type { Equivalence } from "effect"
import fc from "fast-check"
import * as Expect from "./internal/expect.ts"
import * as Records from "./internal/records.ts"

/** What a handled command came to, without what differs between two runs (event ids, times). */
const outcomeOf = <State, Event>(
  result: Result.Result<CommandHandler.Handled<State, Event>, { readonly _tag: string }>
) =>
  Result.isSuccess(result)
    ? {
      accepted: {
        state: result.success.state,
        version: result.success.version,
        events: result.success.events.map(({ data, position, type, version }) => ({ type, version, position, data }))
      }
    }
    : { refused: "rejection" in result.failure ? result.failure.rejection : result.failure._tag }

/**
 * The order commands are sent in: each command once with its own id (`command-<i>`), and after
 * command `i`, when `repeats[i]` says so, an earlier command again with its id.
 */
const schedule = <Command>(commands: ReadonlyArray<Command>, repeats: ReadonlyArray<number | null>) =>
  commands.flatMap((command, i) => {
    const repeat = repeats[i]
    const first = { index: i, command, repeated: false }
    if (repeat === null || repeat === undefined) return [first]
    const earlier = repeat % (i + 1)
    return [first, { index: earlier, command: commands[earlier]!, repeated: true }]
  })

/** Generated repeats for {@link schedule}. */
const repeats = fc.array(fc.option(fc.nat(), { nil: null }), { maxLength: 40 })

/**
 * Options of {@link snapshotsChangeNothing}.
 *
 * @since 0.1.0
 */
export interface SnapshotLawOptions<Command, State, Event extends Codec.Tagged, Rejection, LayerError>
  extends CommandHandler.Options<Command, State, Event, Rejection>
{
  /** The snapshot policy under test; a small `every` exercises it most. */
  readonly snapshots: CommandHandler.SnapshotOptions<State>
  /** Command sequences, addressing one or several streams. */
  readonly commands: fc.Arbitrary<ReadonlyArray<Command>>
  /** The event and snapshot stores; built afresh for each run. */
  readonly layer: Layer.Layer<EventStore.EventStore | SnapshotStore.SnapshotStore, LayerError>
  /** How to compare states. Default: `Equal.equals`. */
  readonly equals?: Equivalence.Equivalence<unknown> | undefined
}

/**
 * Snapshots change nothing: the same commands handled with snapshots — while snapshots of random
 * streams are deleted between commands — and without give the same outcome for every command
 * (events, state, version, or the same refusal), and at the end every stream loads (snapshot + tail)
 * to the state of a full replay. Commands carry command ids and some are sent again, so snapshots
 * must keep the ids of the commands they cover. Fails on a snapshot store that gives back another
 * state than it was given, and on snapshots that lose the command ids they cover.
 *
 * @since 0.1.0
 */
export const snapshotsChangeNothing = <Command, State, Event extends Codec.Tagged, Rejection, LayerError>(
  options: SnapshotLawOptions<Command, State, Event, Rejection, LayerError>
): fc.IAsyncProperty<[ReadonlyArray<Command>, ReadonlyArray<boolean>, ReadonlyArray<number | null>]> => {
  const equals = options.equals ?? Expect.structural
  const plain = CommandHandler.make(options)
  const snapshotting = CommandHandler.make({ ...options, snapshots: options.snapshots })
  const run = (
    commands: ReadonlyArray<Command>,
    deletions: ReadonlyArray<boolean>,
    again: ReadonlyArray<number | null>
  ) =>
    Effect.gen(function*() {
      // Two independent stores: one handled without snapshots, one with.
      const without = yield* Layer.build(options.layer)
      const withSnapshots = yield* Layer.build(options.layer)
      const streams = new Set<string>()
      for (const [sent, { command, index }] of schedule(commands, again).entries()) {
        const streamId = options.streamId(command)
        streams.add(streamId)
        if (deletions[sent] === true) {
          yield* SnapshotStore.SnapshotStore.use((snapshots) => snapshots.delete(streamId)).pipe(
            Effect.provide(withSnapshots)
          )
        }
        const trace = { commandId: `command-${index}` }
        const expected = outcomeOf(yield* Effect.result(plain.handle(command, trace)).pipe(Effect.provide(without)))
        const actual = outcomeOf(
          yield* Effect.result(snapshotting.handle(command, trace)).pipe(Effect.provide(withSnapshots))
        )
        Expect.equalWith(equals, `command #${index + 1}: handled with snapshots, it came to another outcome`, expected, actual)
      }
      for (const streamId of streams) {
        const replayed = yield* plain.load(streamId).pipe(Effect.provide(withSnapshots))
        const fromSnapshot = yield* snapshotting.load(streamId).pipe(Effect.provide(withSnapshots))
        Expect.equalWith(equals, `stream "${streamId}": snapshot + tail differs from a full replay`, replayed, fromSnapshot)
      }
    })
  return fc.asyncProperty(
    options.commands,
    fc.array(fc.boolean(), { maxLength: 80 }),
    repeats,
    (commands, deletions, again) => Effect.runPromise(Effect.scoped(run(commands, deletions, again)))
  )
}

/**
 * Options of {@link idempotentCommands}.
 *
 * @since 0.1.0
 */
export interface IdempotencyLawOptions<Command, State, Event extends Codec.Tagged, Rejection, LayerError>
  extends CommandHandler.Options<Command, State, Event, Rejection>
{
  /** Command sequences, addressing one or several streams. */
  readonly commands: fc.Arbitrary<ReadonlyArray<Command>>
  /** The event store; built afresh for each run. */
  readonly layer: Layer.Layer<EventStore.EventStore, LayerError>
}

/**
 * A repeated command id is a no-op: every command is handled with its own command id and, now and
 * then, an earlier command is sent again with its id. A repeat of an accepted command returns
 * exactly its first outcome and appends nothing (the store's last position does not move). Fails
 * on a store layer that loses the command ids it records.
 *
 * @since 0.1.0
 */
export const idempotentCommands = <Command, State, Event extends Codec.Tagged, Rejection, LayerError>(
  options: IdempotencyLawOptions<Command, State, Event, Rejection, LayerError>
): fc.IAsyncProperty<[ReadonlyArray<Command>, ReadonlyArray<number | null>]> => {
  const handler = CommandHandler.make(options)
  const run = (commands: ReadonlyArray<Command>, again: ReadonlyArray<number | null>) =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      const first = new Map<number, Result.Result<CommandHandler.Handled<State, Event>, unknown>>()
      for (const { command, index, repeated } of schedule(commands, again)) {
        const commandId = `command-${index}`
        if (!repeated) {
          first.set(index, yield* Effect.result(handler.handle(command, { commandId })))
          continue
        }
        const original = first.get(index)
        if (original === undefined || Result.isFailure(original)) continue
        const before = yield* store.lastPosition
        const outcome = yield* Effect.result(handler.handle(command, { commandId }))
        if (Result.isFailure(outcome)) {
          return Expect.fail(
            `command #${index + 1} sent again: it was refused instead of returning its first outcome`,
            original.success,
            outcome.failure
          )
        }
        Expect.equal(`command #${index + 1} sent again: outcomes`, original.success, outcome.success)
        Expect.equal(`command #${index + 1} sent again: the store's last positions`, before, yield* store.lastPosition)
      }
    })
  return fc.asyncProperty(
    options.commands,
    repeats,
    (commands, again) => Effect.runPromise(run(commands, again).pipe(Effect.provide(options.layer, { local: true })))
  )
}

/**
 * Options of {@link upcastThenDecode}.
 *
 * @since 0.1.0
 */
export interface UpcastLawOptions<Event extends Codec.Tagged> {
  /** The current event Schema. */
  readonly schema: Codec.EventSchema<Event>
  /** The domain's upcasters. */
  readonly upcasters: Upcaster.Upcasters
  /** Old payloads as they sit in a store: type, schema version and encoded data. */
  readonly old: fc.Arbitrary<{ readonly type: string; readonly schemaVersion: number; readonly data: unknown }>
}

/**
 * Upcast then decode = decode of the current shape: every generated old payload, recorded as a store
 * holds it, upcasts and decodes into a current event, and that event, encoded again by the runtime
 * (in the current schema version), decodes to the same event. Fails on an upcaster whose output the
 * current Schema refuses, and on a current codec that loses some of what the upcasters produce.
 *
 * @since 0.1.0
 */
export const upcastThenDecode = <Event extends Codec.Tagged>(
  options: UpcastLawOptions<Event>
): fc.IProperty<[{ readonly type: string; readonly schemaVersion: number; readonly data: unknown }]> => {
  const decode = Codec.decoder(options.schema, options.upcasters)
  const encode = Codec.encoder(options.schema, options.upcasters)
  /** The one record of `pending` in a new stream, as a store would hold it. */
  const recorded = (what: string, pending: EventStore.Pending) => {
    const records = Records.record("upcast-law", [pending])
    return Result.isSuccess(records)
      ? records.success[0]!
      : Expect.fail(`${what} is refused by the store`, pending, records.failure.message)
  }
  return fc.property(options.old, (old) => {
    const upcast = decode(recorded("an old payload", old))
    if (Result.isFailure(upcast)) return Expect.fail("an old payload does not upcast and decode", old.data, upcast.failure.message)
    const encoded = encode("upcast-law", [upcast.success.data])
    if (Result.isFailure(encoded)) return Expect.fail("the upcast event does not encode", upcast.success.data, encoded.failure.message)
    const [pending] = encoded.success
    const current = decode(recorded("the re-encoded event", pending!))
    if (Result.isFailure(current)) return Expect.fail("the re-encoded event does not decode", pending, current.failure.message)
    Expect.equal("the upcast event and the current-shape event", upcast.success.data, current.success.data)
  })
}
