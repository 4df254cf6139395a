/**
 * The **CheckpointStore** port: where projectors keep their read model and the position it reflects,
 * so that a projection resumes where it stopped (after a restart, a page reload) instead of replaying
 * the whole log. The state is stored in its Schema-encoded form, keyed by the projection's name.
 *
 * A checkpoint is an optimisation: losing it, or finding one that no longer decodes, only means
 * replaying from zero. What a layer hands back is not trusted: a checkpoint that does not match
 * {@link Saved} (the Schema), or whose position is past the log's last event, is ignored and
 * reported with a warning.
 *
 * @since 0.1.0
 */
import type { Effect, Option } from "effect"
import { Context, Schema } from "effect"
import type { StoreError } from "./EventStore.ts"

/**
 * A saved read model: its encoded state and the position of the last event applied to it.
 *
 * @since 0.1.0
 */
export interface Saved {
  readonly position: number
  readonly state: unknown
}

/**
 * The Schema of a {@link Saved} checkpoint: what one loaded from a layer must look like to be used
 * (the position a whole number, not negative).
 *
 * @example
 * ```ts
 * const checked = Schema.decodeUnknownResult(CheckpointStore.Saved)(stored)
 * ```
 *
 * @since 0.1.0
 */
export const Saved: Schema.Codec<Saved> = Schema.Struct({
  position: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  state: Schema.Unknown
})

/**
 * The operations every checkpoint layer provides.
 *
 * @since 0.1.0
 */
export interface Service {
  /** The checkpoint saved under `name`, if any. */
  readonly load: (name: string) => Effect.Effect<Option.Option<Saved>, StoreError>
  /** Saves (replaces) the checkpoint under `name`. */
  readonly save: (name: string, checkpoint: Saved) => Effect.Effect<void, StoreError>
}

/**
 * The CheckpointStore service.
 *
 * @since 0.1.0
 */
export class CheckpointStore extends Context.Service<CheckpointStore, Service>()("@chronicle/runtime/CheckpointStore") {}
