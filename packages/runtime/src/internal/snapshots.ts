/**
 * How `StreamState` and the command handler use a SnapshotStore: load the latest snapshot when it is
 * usable, save a new one when a stream's version passes a multiple of `every`. Snapshots are an optimisation, so
 * neither ever fails a command: an unusable, undecodable or unreachable snapshot means "replay from
 * zero", and a failed save is logged and forgotten.
 *
 * A loaded snapshot is not trusted: one that does not match the `SnapshotStore.Snapshot` Schema, or
 * whose state does not decode although its `stateVersion` is current, is ignored and reported with
 * {@link ignored} (as `StreamState` does for one whose version the stream does not have). One of
 * another `stateVersion` is ignored silently: that is how a change of the state's shape is meant to
 * go.
 *
 * @internal
 */
import { Effect, Option, Result, Schema } from "effect"
import { Snapshot, SnapshotStore } from "../SnapshotStore.ts"
import * as Issues from "./issues.ts"

/** A stream's state, its version, and the ids of the commands handled on it. */
export interface Cached<State> {
  readonly state: State
  readonly version: number
  readonly commandIds: ReadonlySet<string>
}

/** Reports a stored snapshot that cannot be used, and why; the stream is then loaded from zero. */
export const ignored = (streamId: string, reason: string): Effect.Effect<void> =>
  Effect.logWarning(`SnapshotStore: the snapshot of stream "${streamId}" is ignored (${reason}); replaying from zero`)

const decodeSnapshot = Schema.decodeUnknownResult(Snapshot)

/** The snapshot policy of one decider's streams. */
export const make = <State>(options: {
  readonly stateSchema: Schema.Codec<State, unknown, never, never>
  readonly stateVersion: number
  readonly every: number
}) => {
  const stateJson = Schema.toCodecJson(options.stateSchema)
  const decodeState = Schema.decodeUnknownResult(stateJson)
  const encodeState = Schema.encodeEffect(stateJson)

  /** The snapshot as a starting point, if it is usable; reports why it is not. */
  const usable = (streamId: string, stored: unknown): Effect.Effect<Option.Option<Cached<State>>> => {
    const snapshot = decodeSnapshot(stored)
    if (Result.isFailure(snapshot)) {
      return Effect.as(ignored(streamId, `it is malformed: ${Issues.format(snapshot.failure.issue, stored)}`), Option.none())
    }
    const { commandIds, stateVersion, version } = snapshot.success
    if (stateVersion !== options.stateVersion) return Effect.succeedNone
    const state = decodeState(snapshot.success.state)
    if (Result.isFailure(state)) {
      const reason = `its state does not decode (stateVersion ${stateVersion}): ${Issues.format(state.failure.issue, snapshot.success.state)}`
      return Effect.as(ignored(streamId, reason), Option.none())
    }
    return Effect.succeed(Option.some({ state: state.success, version, commandIds: new Set(commandIds) }))
  }

  const load = (streamId: string): Effect.Effect<Option.Option<Cached<State>>, never, SnapshotStore> =>
    SnapshotStore.use((snapshots) => snapshots.load(streamId)).pipe(
      Effect.flatMap(Option.match({ onNone: () => Effect.succeedNone, onSome: (stored) => usable(streamId, stored) })),
      Effect.catch((error) => Effect.as(Effect.logWarning("Snapshot not loaded; replaying from zero", error), Option.none()))
    )

  const maybeSave = (
    streamId: string,
    previousVersion: number,
    history: Cached<State>
  ): Effect.Effect<void, never, SnapshotStore> =>
    Math.floor(history.version / options.every) === Math.floor(previousVersion / options.every)
      ? Effect.void
      : encodeState(history.state).pipe(
        Effect.flatMap((state) =>
          SnapshotStore.use((snapshots) =>
            snapshots.save(streamId, {
              version: history.version,
              stateVersion: options.stateVersion,
              state,
              commandIds: [...history.commandIds]
            })
          )
        ),
        Effect.catch((error) => Effect.logWarning("Snapshot not saved", error))
      )

  return { load, maybeSave }
}
