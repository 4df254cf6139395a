import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Writers from "../../bench/harness/Writers.ts"

describe("Writers", () => {
  it.effect("runs each writer to its count, numbering its operations from the version it is at", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const driven = yield* Writers.drive(3, 5, { _tag: "Count", count: 2 }, (writer, n) =>
        Effect.sync(() => seen.push(`${writer}:${n}`)))
      assert.deepStrictEqual(driven.counts, [2, 2, 2])
      assert.deepStrictEqual([...seen].sort(), ["0:6", "0:7", "1:6", "1:7", "2:6", "2:7"])
      assert.strictEqual(driven.durations.length, 6)
    }))

  it.effect("runs the writers concurrently, one fiber each", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let most = 0
      yield* Writers.drive(4, 0, { _tag: "Count", count: 3 }, () =>
        Effect.gen(function*() {
          most = Math.max(most, ++inFlight)
          yield* Effect.yieldNow
          inFlight--
        }))
      assert.strictEqual(most, 4)
    }))

  it.live("stops at the deadline, counting the operations it acknowledged", () =>
    Effect.gen(function*() {
      const driven = yield* Writers.drive(2, 0, { _tag: "Deadline", milliseconds: 30 }, () => Effect.sleep("2 millis"))
      const total = driven.counts.reduce((sum, count) => sum + count, 0)
      assert.isAbove(driven.counts[0]!, 0)
      assert.isAbove(driven.counts[1]!, 0)
      assert.strictEqual(driven.durations.length, total)
      assert.isAtLeast(driven.elapsed, 30)
    }))

  it.effect("fails with the first failure of an operation", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Writers.drive(2, 0, { _tag: "Count", count: 5 }, (writer, n) =>
        writer === 1 && n === 3 ? Effect.fail(`writer ${writer} failed at ${n}`) : Effect.void))
      assert.strictEqual(error, "writer 1 failed at 3")
    }))
})
