import { assert } from "@effect/vitest"
import type fc from "fast-check"

/** Asserts that fast-check found a counterexample, and that the law's message says `why`. */
export const assertFalsified = <Ts>(details: fc.RunDetails<Ts>, why: string | RegExp) => {
  assert.isTrue(details.failed, "the law holds, but it should have been falsified")
  if (typeof why === "string") assert.include(String(details.errorInstance), why)
  else assert.match(String(details.errorInstance), why)
}
