import { assert, describe, it } from "@effect/vitest"
import { ProjectionSpec } from "@chronicle/testing"
import * as Counter from "./Counter.ts"
import { thrown } from "./thrown.ts"

const spec = ProjectionSpec.make(Counter.totals)

const incremented = (counterId: string, amount: number): Counter.Event => ({ _tag: "Incremented", counterId, amount })
const decremented = (counterId: string, amount: number): Counter.Event => ({ _tag: "Decremented", counterId, amount })

describe("ProjectionSpec", () => {
  it("passes when the read model is the expected one, and returns it", () => {
    const state = spec.given([incremented("a", 3), incremented("b", 1), decremented("a", 2)]).then(
      new Map([["b", 1], ["a", 1]])
    )
    assert.strictEqual(state.get("a"), 1)
  })

  it("passes on the initial read model when given no event", () => {
    spec.given([]).then(new Map())
  })

  it("specifies the state of a decider too", () => {
    ProjectionSpec.make(Counter.decider).given([incremented("a", 3), decremented("a", 1)]).then(2)
  })

  it("fails with both read models when they differ", () => {
    const error = thrown(() => spec.given([incremented("a", 3)]).then(new Map([["a", 4]])))
    assert.include(error.message, "read models differ")
    assert.include(error.message, `expected: Map([["a",4]])`)
    assert.include(error.message, `actual:   Map([["a",3]])`)
  })
})
