import { assert, describe, it } from "@effect/vitest"
import * as PostgresScaling from "../../bench/workloads/PostgresScaling.ts"

const stream = (streamId: string, events: number, first = 1, last = events) => ({ streamId, events, first, last })
const expected = new Map([["account-0", 3], ["account-1", 2]])

describe("PostgresScaling.checkLog", () => {
  it("accepts a log that holds versions 1…n of each stream, n acknowledged", () => {
    PostgresScaling.checkLog("side", [stream("account-0", 3), stream("account-1", 2)], expected)
  })

  it("refuses fewer or more events than acknowledged, a gap, or a log not starting at version 1", () => {
    assert.throws(
      () => PostgresScaling.checkLog("Emmett", [stream("account-0", 2), stream("account-1", 2)], expected),
      /Emmett: .*account-0 holds 2 events, versions 1–2, not 1–3/
    )
    assert.throws(() => PostgresScaling.checkLog("side", [stream("account-0", 4), stream("account-1", 2)], expected), /account-0/)
    assert.throws(() => PostgresScaling.checkLog("side", [stream("account-0", 2, 1, 3), stream("account-1", 2)], expected), /account-0/)
    assert.throws(() => PostgresScaling.checkLog("side", [stream("account-0", 3, 2, 4), stream("account-1", 2)], expected), /account-0/)
  })

  it("refuses a missing stream and a stream nobody appended to", () => {
    assert.throws(() => PostgresScaling.checkLog("side", [stream("account-0", 3)], expected), /account-1 is missing/)
    assert.throws(
      () => PostgresScaling.checkLog("side", [stream("account-0", 3), stream("account-1", 2), stream("account-9", 1)], expected),
      /unexpected stream account-9/
    )
  })
})
