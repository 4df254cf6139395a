/**
 * Assertions shared by the specs and laws: structural equality (Effect's `Equal`, which compares
 * plain objects, arrays, maps and sets by content) and a failure that test runners can show as a diff.
 *
 * @internal
 */
import { Equal, Formatter } from "effect"
import type { Equivalence } from "effect"

/**
 * A failed expectation, with both sides for the runner's diff (`showDiff` is read by vitest and mocha).
 *
 * @internal
 */
export class AssertionError extends Error {
  override readonly name = "AssertionError"
  readonly showDiff = true
  readonly expected: unknown
  readonly actual: unknown
  constructor(message: string, expected: unknown, actual: unknown) {
    super(`${message}\n  expected: ${Formatter.format(expected)}\n  actual:   ${Formatter.format(actual)}`)
    this.expected = expected
    this.actual = actual
  }
}

/** Throws an {@link AssertionError}. */
export const fail = (message: string, expected: unknown, actual: unknown): never => {
  throw new AssertionError(message, expected, actual)
}

/** Effect's structural equality, as an equivalence. */
export const structural = (self: unknown, that: unknown): boolean => Equal.equals(self, that)

/** Throws with `message` unless `equals` holds between `expected` and `actual`. */
export const equalWith = <A>(equals: Equivalence.Equivalence<A>, message: string, expected: A, actual: A): void => {
  if (!equals(expected, actual)) fail(message, expected, actual)
}

/** Throws unless `actual` is structurally equal to `expected`. */
export const equal = (what: string, expected: unknown, actual: unknown): void =>
  equalWith(structural, `${what} differ`, expected, actual)
