/**
 * The **SnapshotStore** port: cached states of streams, so that loading a long stream reads its
 * latest snapshot and only the events after it (the tail) instead of the whole history.
 *
 * A snapshot is an optimisation only. It is tagged with the version of the state's shape
 * (`stateVersion`); when the decider's state changes shape, the handler's `stateVersion` goes up,
 * old snapshots are ignored (never misread) and replaced by new ones. Deleting snapshots changes no
 * result, only how much is read.
 *
 * What a layer hands back is not trusted: a snapshot that does not match {@link Snapshot} (the
 * Schema), or whose version the stream does not have, is ignored and reported with a warning.
 *
 * @since 0.1.0
 */
import type { Effect, Option } from "effect"
import { Context, Schema } from "effect"
import type { StoreError } from "./EventStore.ts"

/**
 * A stream's state at a version, in the state Schema's encoded JSON form.
 *
 * @since 0.1.0
 */
export interface Snapshot {
  /** The stream version the state reflects. */
  readonly version: number
  /** The version of the state's shape the snapshot was written with. */
  readonly stateVersion: number
  /** The encoded state. */
  readonly state: unknown
  /** Ids of the commands handled on the stream up to `version` (for idempotent commands). */
  readonly commandIds: ReadonlyArray<string>
}

/**
 * The Schema of a stored {@link Snapshot}: what a snapshot loaded from a layer must look like to be
 * used (versions are whole numbers, the version not negative, the command ids strings).
 *
 * @example
 * ```ts
 * const checked = Schema.decodeUnknownResult(SnapshotStore.Snapshot)(stored)
 * ```
 *
 * @since 0.1.0
 */
export const Snapshot: Schema.Codec<Snapshot> = Schema.Struct({
  version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  stateVersion: Schema.Int,
  state: Schema.Unknown,
  commandIds: Schema.Array(Schema.String)
})

/**
 * The operations every snapshot layer provides.
 *
 * @since 0.1.0
 */
export interface Service {
  /** The latest snapshot of a stream, if any. */
  readonly load: (streamId: string) => Effect.Effect<Option.Option<Snapshot>, StoreError>
  /** Saves (replaces) the snapshot of a stream. */
  readonly save: (streamId: string, snapshot: Snapshot) => Effect.Effect<void, StoreError>
  /** Deletes the snapshot of a stream, if any. */
  readonly delete: (streamId: string) => Effect.Effect<void, StoreError>
}

/**
 * The SnapshotStore service.
 *
 * @since 0.1.0
 */
export class SnapshotStore extends Context.Service<SnapshotStore, Service>()("@chronicle/runtime/SnapshotStore") {}
