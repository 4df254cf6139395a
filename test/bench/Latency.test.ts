import { assert, describe, it } from "@effect/vitest"
import * as Latency from "../../bench/harness/Latency.ts"

describe("Latency", () => {
  it("takes percentiles by nearest rank, whatever the order of the durations", () => {
    const durations = [5, 1, 4, 2, 3]
    assert.strictEqual(Latency.percentile(durations, 50), 3)
    assert.strictEqual(Latency.percentile(durations, 99), 5)
    assert.strictEqual(Latency.percentile(durations, 20), 1)
    assert.strictEqual(Latency.percentile(durations, 21), 2)
  })

  it("puts a p99 into the slowest 1% of a hundred durations, numerically ordered", () => {
    const durations = Array.from({ length: 100 }, (_, i) => 100 - i) // 100, 99, …, 1
    assert.deepStrictEqual(Latency.of(durations), { p50: 50, p99: 99 })
    assert.strictEqual(Latency.percentile([10, 9, 100], 50), 10) // not "10" < "100" < "9"
  })

  it("refuses to summarise no durations", () => {
    assert.throws(() => Latency.of([]), /no samples/)
  })
})
