import { Decider } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import fc from "fast-check"
import { counter, type CounterCommand, isCounterCommand, isCounterEvent, toggle, type ToggleCommand } from "./fixtures.ts"

const nothing = (_: unknown): _ is never => false

const inc: CounterCommand = { _tag: "Increment" }
const flip: ToggleCommand = { _tag: "Flip" }

describe("Decider", () => {
  it("make defaults isTerminal to never", () => {
    assert.isFalse(counter.isTerminal(3))
    assert.isTrue(toggle.isTerminal("broken"))
  })

  it("fold evolves from initialState, or from a given state", () => {
    assert.strictEqual(Decider.fold(counter, [{ _tag: "Incremented" }, { _tag: "Incremented" }]), 2)
    assert.strictEqual(Decider.fold(counter, [{ _tag: "Incremented" }], 2), 3)
    assert.strictEqual(Decider.fold(counter, []), 0)
  })

  it("transition decides and evolves; a rejection comes back typed", () => {
    assert.deepStrictEqual<unknown>(Decider.transition(counter, inc, 0), Result.succeed({ events: [{ _tag: "Incremented" }], state: 1 }))
    assert.deepStrictEqual<unknown>(Decider.transition(counter, inc, 3), Result.fail("Full"))
  })

  it("run chains transitions and stops at the first rejection", () => {
    const ok = Decider.run(counter, [inc, inc])
    assert.deepStrictEqual<unknown>(Result.map(ok, (t) => t.state), Result.succeed(2))
    assert.deepStrictEqual<unknown>(Decider.run(counter, [inc, inc, inc, inc, inc]), Result.fail("Full"))
  })

  describe("combine", () => {
    const both = Decider.combine(counter, toggle, { isLeftCommand: isCounterCommand, isLeftEvent: isCounterEvent })

    it("routes commands and events to their own decider and keeps both states", () => {
      const result = Decider.run(both, [inc, flip, inc])
      assert.deepStrictEqual<unknown>(Result.map(result, (t) => t.state), Result.succeed([2, "on"] as const))
      assert.deepStrictEqual<unknown>(
        Result.map(result, (t) => t.events.map((e) => e._tag)),
        Result.succeed(["Incremented", "Flipped", "Incremented"])
      )
    })

    it("passes rejections of either side through", () => {
      assert.deepStrictEqual<unknown>(both.decide(flip, [0, "broken"]), Result.fail("Broken"))
      assert.deepStrictEqual<unknown>(both.decide(inc, [3, "off"]), Result.fail("Full"))
    })

    it("is terminal when both sides are", () => {
      assert.isFalse(both.isTerminal([0, "broken"]))
      const withNeutral = Decider.combine(Decider.neutral, toggle, { isLeftCommand: nothing, isLeftEvent: nothing })
      assert.isTrue(withNeutral.isTerminal([undefined, "broken"]))
      assert.isFalse(withNeutral.isTerminal([undefined, "on"]))
    })

    it("neutral is an identity: combined with it, a decider decides and folds the same", () => {
      const withNeutral = Decider.combine(Decider.neutral, counter, { isLeftCommand: nothing, isLeftEvent: nothing })
      fc.assert(
        fc.property(fc.array(fc.constantFrom<CounterCommand>(inc, { _tag: "Reset" }), { maxLength: 12 }), (commands) => {
          const alone = Decider.run(counter, commands)
          const combined = Decider.run(withNeutral, commands)
          assert.deepStrictEqual<unknown>(Result.map(combined, (t) => ({ events: t.events, state: t.state[1] })), alone)
        }),
        { numRuns: 100 }
      )
    })
  })

  it("mapCommand, mapEvent, mapState and mapRejection adapt the types", () => {
    const adapted = Decider.mapRejection(
      Decider.mapState(
        Decider.mapEvent(Decider.mapCommand(counter, (n: number) => (n > 0 ? inc : { _tag: "Reset" as const })), {
          to: (event) => event._tag,
          from: (tag): { readonly _tag: "Incremented" | "WasReset" } => ({ _tag: tag })
        }),
        { to: (count) => ({ count }), from: ({ count }) => count }
      ),
      (reason) => ({ reason })
    )
    assert.deepStrictEqual<unknown>(adapted.initialState, { count: 0 })
    const result = Decider.run(adapted, [1, 1, 0, 1])
    assert.deepStrictEqual<unknown>(
      result,
      Result.succeed({ events: ["Incremented", "Incremented", "WasReset", "Incremented"], state: { count: 1 } })
    )
    assert.deepStrictEqual<unknown>(adapted.decide(1, { count: 3 }), Result.fail({ reason: "Full" }))
  })

  it("many runs one instance per id", () => {
    const counters = Decider.many(counter)
    const result = Decider.run(counters, [
      { id: "a", value: inc },
      { id: "b", value: inc },
      { id: "a", value: inc }
    ])
    assert.deepStrictEqual<unknown>(Result.map(result, (t) => [...t.state]), Result.succeed([["a", 2], ["b", 1]]))
    assert.deepStrictEqual<unknown>(
      counters.decide({ id: "a", value: inc }, new Map([["a", 3]])),
      Result.fail("Full")
    )
    assert.deepStrictEqual<unknown>(
      counters.decide({ id: "c", value: inc }, new Map([["a", 3]])),
      Result.succeed([{ id: "c", value: { _tag: "Incremented" } }])
    )
    assert.isFalse(Decider.many(toggle).isTerminal(new Map([["x", "broken"]])))
  })
})
