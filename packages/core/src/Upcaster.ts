/**
 * **Upcasters** keep old events readable after their shape changes. An event log outlives the code
 * that wrote it: when an event type changes shape, its schema version goes up by one and the domain
 * registers an upcaster, a pure function from the old encoded payload to the next one. Reading an
 * old record runs the chain v1 → v2 → … → current before decoding, so deciders and projections only
 * ever see the current shape.
 *
 * An event type's current version is the number of its upcasters plus one; a type with none is at
 * version 1. Only the record's own properties count: a type named like an inherited property
 * (`constructor`, `toString`) has no upcasters unless the record lists some for it. Records carry the version they were written with (`metadata.schemaVersion`, 1 when
 * absent).
 *
 * @example
 * ```ts
 * // v1: { name: "Ada Lovelace" } → v2: { givenName: "Ada", familyName: "Lovelace" }
 * const upcasters: Upcaster.Upcasters = {
 *   UserRegistered: [(v1) => splitName(v1)]
 * }
 * Upcaster.currentVersion(upcasters, "UserRegistered") // 2
 * ```
 *
 * @since 0.1.0
 */
import { Result } from "effect"

/**
 * One step: the encoded payload of version `n` in, the encoded payload of version `n + 1` out.
 *
 * @since 0.1.0
 */
export type Upcaster = (data: unknown) => unknown

/**
 * The upcasters of a domain, by event type, oldest step first: `[v1 → v2, v2 → v3, …]`.
 *
 * @since 0.1.0
 */
export type Upcasters = { readonly [type: string]: ReadonlyArray<Upcaster> }

/**
 * No upcasters: every event type at version 1.
 *
 * @since 0.1.0
 */
export const none: Upcasters = {}

/**
 * The version an event type is written with today.
 *
 * @since 0.1.0
 */
export const currentVersion = (upcasters: Upcasters, type: string): number => stepsOf(upcasters, type).length + 1

const noSteps: ReadonlyArray<Upcaster> = []

// An own-property lookup: an event type such as "constructor" or "toString" must not find what every
// object inherits from Object.prototype. Called for every record read: a type without upcasters
// allocates nothing.
const stepsOf = (upcasters: Upcasters, type: string): ReadonlyArray<Upcaster> =>
  Object.hasOwn(upcasters, type) ? upcasters[type]! : noSteps

/**
 * Why a payload could not be brought to the current shape.
 *
 * @since 0.1.0
 */
export type Failure =
  | { readonly _tag: "UnknownVersion"; readonly current: number }
  | { readonly _tag: "UpcasterFailed"; readonly step: number; readonly reason: string }

/**
 * Brings an encoded payload written at `version` to the current version of its type. A version this
 * code does not know (newer than the current one, written by newer code; or not a whole number ≥ 1)
 * is refused, and so is a step that throws.
 *
 * @example
 * ```ts
 * Upcaster.upcast(upcasters, "UserRegistered", 1, { name: "Ada Lovelace" })
 * // Result.succeed({ givenName: "Ada", familyName: "Lovelace" })
 * ```
 *
 * @since 0.1.0
 */
export const upcast = (
  upcasters: Upcasters,
  type: string,
  version: number,
  data: unknown
): Result.Result<unknown, Failure> => {
  const steps = stepsOf(upcasters, type)
  const current = steps.length + 1
  if (!Number.isInteger(version) || version < 1 || version > current) {
    return Result.fail({ _tag: "UnknownVersion", current })
  }
  let upcasted = data
  for (let step = version; step < current; step++) {
    try {
      upcasted = steps[step - 1]!(upcasted)
    } catch (error) {
      return Result.fail({ _tag: "UpcasterFailed", step, reason: error instanceof Error ? error.message : String(error) })
    }
  }
  return Result.succeed(upcasted)
}
