/**
 * A **StreamState** loads the current state of one stream by its id: it reads the stream's events
 * from the EventStore, decodes them with the event Schema (upcasting old shapes), and folds them with
 * the decider's `evolve` from its `initialState`. It needs no command Schema and no command, so the
 * read side can show "account a1 as it is now" with the same decider the write side decides with; the
 * `CommandHandler` loads through it too.
 *
 * - A stream that does not exist loads as the decider's `initialState` at version 0.
 * - An archived stream loads as the fold of its events; its version counts the archive marker (the
 *   version the next append would have to expect). {@link StreamState.history} says it is archived.
 * - A deleted stream fails to load with `StreamClosed` (`closure: "Deleted"`).
 * - With `snapshots`, it starts from the stream's latest usable snapshot and folds only the events
 *   after it (a snapshot of another `stateVersion`, or one that does not decode, is ignored). A
 *   stored snapshot is not trusted: a malformed one, or one past the stream's last version, is
 *   ignored with a warning in the log, and the stream replays from zero.
 *
 * @example
 * ```ts
 * const accounts = StreamState.make({ decider: BankAccount.decider, eventSchema: BankAccount.Event })
 * const { state, version } = yield* accounts.load(BankAccount.streamId("a1"))
 * ```
 *
 * @since 0.1.0
 */
import type { Decider, Envelope, Upcaster } from "@chronicle/core"
import { Effect, Option, Result, Stream } from "effect"
import type { Schema } from "effect"
import * as Codec from "./Codec.ts"
import { archivedType, EventStore, type StoreError, type StreamClosed } from "./EventStore.ts"
import * as Snapshots from "./internal/snapshots.ts"
import type { SnapshotStore } from "./SnapshotStore.ts"

/**
 * What loading a stream needs: the decider's `initialState` and `evolve` (any decider will do), and
 * the event Schema.
 *
 * @since 0.1.0
 */
export interface Options<State, Event extends Codec.Tagged> {
  /** The domain's decider; only its `initialState` and `evolve` are used. */
  readonly decider: Pick<Decider.Decider<never, State, Event, unknown>, "initialState" | "evolve">
  /** Decodes the stream's events. */
  readonly eventSchema: Codec.EventSchema<Event>
  /** Bring events written in older shapes to the current one on load. Default: none. */
  readonly upcasters?: Upcaster.Upcasters | undefined
}

/**
 * When and how to snapshot a stream's state.
 *
 * @since 0.1.0
 */
export interface SnapshotOptions<State> {
  /** Encodes the state for the snapshot store (through its JSON codec) and decodes it on load. */
  readonly stateSchema: Schema.Codec<State, unknown, never, never>
  /** The version of the state's shape: bump it when the state changes shape. */
  readonly stateVersion: number
  /** Take a snapshot each time the stream's version passes a multiple of this number. */
  readonly every: number
}

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
 * A stream as the command handler needs it to decide: its state and version, the ids of the
 * commands already handled on it (idempotency), and whether it is archived.
 *
 * @since 0.1.0
 */
export interface History<State> extends Loaded<State> {
  /** The `commandId`s recorded in the stream's events' metadata. */
  readonly commandIds: ReadonlySet<string>
  /** The stream ends with an archive marker: it accepts no more events. */
  readonly archived: boolean
}

/**
 * Why a stream could not be loaded: the store failed, the stream is deleted, or one of its events
 * does not decode.
 *
 * @since 0.1.0
 */
export type LoadError = StoreError | StreamClosed | Codec.EventDecodeError

/**
 * Loads the streams of one decider. Its effects need an {@link EventStore} (and a
 * {@link SnapshotStore} when made with `snapshots`).
 *
 * @since 0.1.0
 */
export interface StreamState<State, Services = EventStore> {
  /** The stream's current state and version (`initialState` at version 0 for a stream never written). */
  readonly load: (streamId: string) => Effect.Effect<Loaded<State>, LoadError, Services>
  /** Like `load`, with the command ids handled on the stream and whether it is archived. */
  readonly history: (streamId: string) => Effect.Effect<History<State>, LoadError, Services>
  /**
   * Brings a history loaded earlier up to date: reads only the stream's events after
   * `from.version` and folds them into it (no snapshot is read).
   */
  readonly catchUp: (streamId: string, from: History<State>) => Effect.Effect<History<State>, LoadError, EventStore>
}

/**
 * Makes the loader of a decider's streams. With `snapshots`, its effects also need a
 * {@link SnapshotStore}.
 *
 * @example
 * ```ts
 * const accounts = StreamState.make({
 *   decider: BankAccount.decider,
 *   eventSchema: BankAccount.Event,
 *   snapshots: { stateSchema: BankAccount.State, stateVersion: 1, every: 100 }
 * })
 * const { state, version } = yield* accounts.load("account-a1")
 * ```
 *
 * @since 0.1.0
 */
export function make<State, Event extends Codec.Tagged>(
  options: Options<State, Event> & { readonly snapshots: SnapshotOptions<State> }
): StreamState<State, EventStore | SnapshotStore>
export function make<State, Event extends Codec.Tagged>(
  options: Options<State, Event> & { readonly snapshots?: undefined }
): StreamState<State>
export function make<State, Event extends Codec.Tagged>(
  options: Options<State, Event> & { readonly snapshots?: SnapshotOptions<State> | undefined }
): StreamState<State, EventStore | SnapshotStore>
export function make<State, Event extends Codec.Tagged>(
  options: Options<State, Event> & { readonly snapshots?: SnapshotOptions<State> | undefined }
): StreamState<State, EventStore | SnapshotStore> {
  const { decider, snapshots } = options
  const decodeHistory = Codec.historyDecoder(options.eventSchema, options.upcasters)
  const empty: Snapshots.Cached<State> = { state: decider.initialState, version: 0, commandIds: new Set() }
  const snapshotting = snapshots === undefined ? undefined : Snapshots.make(snapshots)

  /**
   * Folds the stream's events after `from.version` into `from`. An archive marker (always last)
   * counts in the version and marks the history archived. The read starts at `from.version` itself,
   * so that the version returned is the stream's last one: below `from.version` when the stream does
   * not have it.
   */
  const replay = (streamId: string, from: Snapshots.Cached<State>) =>
    EventStore.use((store) =>
      Effect.suspend(() => {
        let state = from.state
        const commandIds = new Set(from.commandIds)
        let last: Envelope.Recorded | undefined
        // One loop per page: decode and fold each record as it comes, no per-record stream step.
        const foldPage = (page: ReadonlyArray<Envelope.Recorded>): Effect.Effect<void, Codec.EventDecodeError | StreamClosed> => {
          last = page.at(-1) ?? last
          for (const recorded of page) {
            if (recorded.version <= from.version) continue
            const event = decodeHistory(recorded)
            if (Result.isFailure(event)) return Effect.fail(event.failure)
            if (event.success === undefined) continue // the archive marker: counted in the version only
            state = decider.evolve(state, event.success)
            const commandId = recorded.metadata.commandId
            if (commandId !== undefined) commandIds.add(commandId)
          }
          return Effect.void
        }
        return store.read(streamId, { from: Math.max(from.version, 1) }).pipe(
          Stream.runForEachArray(foldPage),
          Effect.map((): History<State> => ({
            state,
            commandIds,
            version: last?.version ?? 0,
            archived: last?.type === archivedType
          }))
        )
      })
    )

  // A snapshot is only usable if the stream really has its version (a snapshot past the stream would
  // make every append expect a version the stream never reaches).
  const fromSnapshot = (streamId: string, snapshot: Snapshots.Cached<State>) =>
    Effect.flatMap(replay(streamId, snapshot), (history) =>
      history.version >= snapshot.version
        ? Effect.succeed(history)
        : Effect.tap(replay(streamId, empty), (full) =>
          Snapshots.ignored(streamId, `its version ${snapshot.version} is past the stream, which is at version ${full.version}`)))

  const history = (streamId: string) =>
    snapshotting === undefined
      ? replay(streamId, empty)
      : Effect.flatMap(snapshotting.load(streamId), Option.match({
        onNone: () => replay(streamId, empty),
        onSome: (snapshot) => fromSnapshot(streamId, snapshot)
      }))

  const load = (streamId: string) =>
    Effect.map(history(streamId), ({ state, version }): Loaded<State> => ({ state, version }))

  return { load, history, catchUp: replay }
}
