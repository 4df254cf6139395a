import { Decider, Projection } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { counter } from "./fixtures.ts"

type Event = { readonly _tag: "Incremented" } | { readonly _tag: "WasReset" }
const incremented: Event = { _tag: "Incremented" }
const reset: Event = { _tag: "WasReset" }

const count = Projection.make({ initialState: 0, evolve: (n: number, _event: Event) => n + 1 })

describe("Projection", () => {
  it("fromDecider keeps the decider's state as a read model", () => {
    const state = Projection.fromDecider(counter)
    assert.strictEqual(Projection.fold(state, [incremented, incremented, reset, incremented]), 1)
    assert.strictEqual(Projection.fold(state, [incremented]), Decider.fold(counter, [incremented]))
  })

  it("combine runs both over the same events", () => {
    const both = Projection.combine(Projection.fromDecider(counter), count)
    assert.deepStrictEqual(Projection.fold(both, [incremented, reset, incremented]), [1, 3])
  })

  it("mapEvent adapts the event type and passes over what it maps to undefined", () => {
    const resets = Projection.mapEvent(count, (event: Event) => (event._tag === "WasReset" ? event : undefined))
    assert.strictEqual(Projection.fold(resets, [incremented, reset, incremented, reset]), 2)
  })

  it("fold continues from a given state", () => {
    assert.strictEqual(Projection.fold(count, [reset], 10), 11)
  })
})
