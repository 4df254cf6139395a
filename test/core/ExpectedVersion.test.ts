import { ExpectedVersion } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"

describe("ExpectedVersion", () => {
  it("matches each kind against the actual version", () => {
    const table: ReadonlyArray<readonly [ExpectedVersion.ExpectedVersion, number, boolean]> = [
      [ExpectedVersion.any, 0, true],
      [ExpectedVersion.any, 7, true],
      [ExpectedVersion.noStream, 0, true],
      [ExpectedVersion.noStream, 1, false],
      [ExpectedVersion.streamExists, 0, false],
      [ExpectedVersion.streamExists, 1, true],
      [ExpectedVersion.exact(0), 0, true],
      [ExpectedVersion.exact(3), 3, true],
      [ExpectedVersion.exact(3), 4, false],
      [ExpectedVersion.exact(-1), 0, false],
      [ExpectedVersion.exact(1.5), 1, false]
    ]
    for (const [expected, actual, matches] of table) {
      assert.strictEqual(ExpectedVersion.matches(expected, actual), matches, `${ExpectedVersion.format(expected)} vs ${actual}`)
    }
  })

  it("formats for messages", () => {
    assert.deepStrictEqual(
      [ExpectedVersion.any, ExpectedVersion.noStream, ExpectedVersion.streamExists, ExpectedVersion.exact(2)].map(ExpectedVersion.format),
      ["any", "no stream", "stream exists", "version 2"]
    )
  })

  it("round-trips through its Schema and refuses negative versions", () => {
    const json = Schema.encodeSync(ExpectedVersion.ExpectedVersion)(ExpectedVersion.exact(4))
    assert.deepStrictEqual(Schema.decodeUnknownSync(ExpectedVersion.ExpectedVersion)(json), ExpectedVersion.exact(4))
    assert.isTrue(Schema.decodeUnknownExit(ExpectedVersion.ExpectedVersion)({ _tag: "Exact", version: -1 })._tag === "Failure")
  })
})
