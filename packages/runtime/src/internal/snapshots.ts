/**
 * How `StreamState` and the command handler use a SnapshotStore: load the latest snapshot when it is
 * usable, save a new one when a stream's version passes a multiple of `every`. Snapshots are an optimisation, so
 * neither ever fails a command: an unusable, undecodable or unreachable snapshot means "replay from
 * zero", and a failed save is logged and forgotten.
 *
 * @internal
 */
import { Effect, Option, Schema } from "effect"
import { SnapshotStore } from "../SnapshotStore.ts"

/** A stream's state, its version, and the ids of the commands handled on it. */
export interface Cached<State> {
  readonly state: State
  readonly version: number
  readonly commandIds: ReadonlySet<string>
}

/** The snapshot policy of one decider's streams. */
export const make = <State>(options: {
  readonly stateSchema: Schema.Codec<State, unknown, never, never>
  readonly stateVersion: number
  readonly every: number
}) => {
  const stateJson = Schema.toCodecJson(options.stateSchema)
  const decodeState = Schema.decodeUnknownOption(stateJson)
  const encodeState = Schema.encodeEffect(stateJson)

  const load = (streamId: string): Effect.Effect<Option.Option<Cached<State>>, never, SnapshotStore> =>
    SnapshotStore.use((snapshots) => snapshots.load(streamId)).pipe(
      Effect.map(Option.flatMap((snapshot) =>
        snapshot.stateVersion !== options.stateVersion
          ? Option.none()
          : Option.map(decodeState(snapshot.state), (state) => ({
            state,
            version: snapshot.version,
            commandIds: new Set(snapshot.commandIds)
          }))
      )),
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
