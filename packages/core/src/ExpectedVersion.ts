/**
 * **ExpectedVersion** is what a writer believes about a stream when it appends: that it may be in
 * any state, that it does not exist yet, that it exists, or that it is at an exact version. The store
 * checks the belief inside the append and refuses with a conflict when it is wrong — optimistic
 * concurrency. Versions count events in a stream from 1; a stream with no events is at version 0.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The schema of an expected version (JSON-safe, so it can cross a wire or sit in a log).
 *
 * @since 0.1.0
 */
export const ExpectedVersion = Schema.TaggedUnion({
  Any: {},
  NoStream: {},
  StreamExists: {},
  Exact: { version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)) }
})

/**
 * What a writer expects of the stream it appends to.
 *
 * @since 0.1.0
 */
export type ExpectedVersion = typeof ExpectedVersion.Type

/**
 * Accept the append whatever the stream's version.
 *
 * @since 0.1.0
 */
export const any: ExpectedVersion = ExpectedVersion.cases.Any.make({})

/**
 * Accept the append only if the stream has no event yet.
 *
 * @since 0.1.0
 */
export const noStream: ExpectedVersion = ExpectedVersion.cases.NoStream.make({})

/**
 * Accept the append only if the stream has at least one event.
 *
 * @since 0.1.0
 */
export const streamExists: ExpectedVersion = ExpectedVersion.cases.StreamExists.make({})

/**
 * Accept the append only if the stream is at exactly `version` (0 means "no event yet"). A version
 * that is not a whole number ≥ 0 never matches, so the append fails with a conflict naming it.
 *
 * @example
 * ```ts
 * store.append("account-1", events, ExpectedVersion.exact(3))
 * ```
 *
 * @since 0.1.0
 */
export const exact = (version: number): ExpectedVersion => ({ _tag: "Exact", version })

/**
 * Whether a stream currently at `actual` satisfies the expectation.
 *
 * @example
 * ```ts
 * ExpectedVersion.matches(ExpectedVersion.noStream, 0) // true
 * ExpectedVersion.matches(ExpectedVersion.exact(2), 3) // false
 * ```
 *
 * @since 0.1.0
 */
export const matches = (expected: ExpectedVersion, actual: number): boolean => {
  switch (expected._tag) {
    case "Any":
      return true
    case "NoStream":
      return actual === 0
    case "StreamExists":
      return actual > 0
    case "Exact":
      return actual === expected.version
  }
}

/**
 * A short human reading of an expectation, for error messages: `any`, `no stream`, `stream exists`
 * or the version number.
 *
 * @since 0.1.0
 */
export const format = (expected: ExpectedVersion): string => {
  switch (expected._tag) {
    case "Any":
      return "any"
    case "NoStream":
      return "no stream"
    case "StreamExists":
      return "stream exists"
    case "Exact":
      return `version ${expected.version}`
  }
}
