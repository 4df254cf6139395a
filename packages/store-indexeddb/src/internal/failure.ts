/**
 * Reading what an IndexedDB request failed with: mostly a `DOMException`, whose `name` says what
 * happened (`QuotaExceededError`, `VersionError`, `ConstraintError`, …).
 *
 * @internal
 */

/** The `name` of a thrown value, when it has one. */
export const nameOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "name" in cause && typeof cause.name === "string"
    ? cause.name
    : undefined

/** A short human reading of a failure, for the `reason` of errors. */
export const describe = (cause: unknown): string => {
  if (nameOf(cause) === "QuotaExceededError") return "the storage quota of the site is exceeded"
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
}
