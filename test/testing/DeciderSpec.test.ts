import { assert, describe, it } from "@effect/vitest"
import { DeciderSpec } from "@chronicle/testing"
import * as Counter from "./Counter.ts"
import { thrown } from "./thrown.ts"

const spec = DeciderSpec.make(Counter.decider)

const increment = (amount: number): Counter.Command => ({ _tag: "Increment", counterId: "a", amount })
const decrement = (amount: number): Counter.Command => ({ _tag: "Decrement", counterId: "a", amount })
const incremented = (amount: number): Counter.Event => ({ _tag: "Incremented", counterId: "a", amount })
const decremented = (amount: number): Counter.Event => ({ _tag: "Decremented", counterId: "a", amount })

describe("DeciderSpec", () => {
  describe("then", () => {
    it("passes on the decided events and returns the state after them", () => {
      assert.strictEqual(spec.given([incremented(3)]).when(decrement(2)).then([decremented(2)]), 1)
    })

    it("passes on no event", () => {
      spec.given([]).when({ _tag: "Reset", counterId: "a" }).then([])
    })

    it("fails with both event lists when other events are decided", () => {
      const error = thrown(() => spec.given([]).when(increment(2)).then([incremented(3)]))
        assert.include(error.message, "decided events differ")
      assert.include(error.message, `expected: [{"_tag":"Incremented","counterId":"a","amount":3}]`)
      assert.include(error.message, `actual:   [{"_tag":"Incremented","counterId":"a","amount":2}]`)
    })

    it("fails with the rejection when the command is rejected", () => {
      const error = thrown(() => spec.given([]).when(decrement(1)).then([decremented(1)]))
      assert.include(error.message, "expected the command to be accepted, but it was rejected")
      assert.include(error.message, `actual:   {"_tag":"WouldGoNegative","count":0,"amount":1}`)
    })
  })

  describe("thenRejects", () => {
    it("passes on an equal rejection and returns it", () => {
      const rejection = spec.given([incremented(1)]).when(decrement(2)).thenRejects({
        _tag: "WouldGoNegative",
        count: 1,
        amount: 2
      })
      assert.strictEqual(rejection.count, 1)
    })

    it("passes on a rejection the predicate accepts", () => {
      spec.given([]).when(decrement(2)).thenRejects((rejection) => rejection._tag === "WouldGoNegative")
    })

    it("fails with both rejections when they differ", () => {
      const error = thrown(() =>
        spec.given([]).when(decrement(2)).thenRejects({ _tag: "WouldGoNegative", count: 0, amount: 3 })
      )
      assert.include(error.message, "rejections differ")
      assert.include(error.message, `expected: {"_tag":"WouldGoNegative","count":0,"amount":3}`)
      assert.include(error.message, `actual:   {"_tag":"WouldGoNegative","count":0,"amount":2}`)
    })

    it("fails when the predicate refuses the rejection", () => {
      const error = thrown(() => spec.given([]).when(decrement(2)).thenRejects((rejection) => rejection.amount > 5))
      assert.include(error.message, "the rejection does not satisfy the predicate")
      assert.include(error.message, `actual:   {"_tag":"WouldGoNegative","count":0,"amount":2}`)
    })

    it("fails with the events when the command is accepted", () => {
      const error = thrown(() =>
        spec.given([]).when(increment(1)).thenRejects({ _tag: "WouldGoNegative", count: 0, amount: 1 })
      )
      assert.include(error.message, "expected the command to be rejected, but it was accepted")
      assert.include(error.message, `actual:   [{"_tag":"Incremented","counterId":"a","amount":1}]`)
    })
  })
})
