import { assert } from "@effect/vitest"

/** Runs `f`, asserting that it throws an `AssertionError`, and returns the error. */
export const thrown = (f: () => unknown): Error => {
  try {
    f()
  } catch (error) {
    assert.instanceOf(error, Error)
    assert.strictEqual(error.name, "AssertionError")
    return error
  }
  return assert.fail("expected an AssertionError, but nothing was thrown")
}
