import { Decider } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import fc from "fast-check"
import {
  counter,
  type CounterCommand,
  type CounterEvent,
  isCounterCommand,
  isCounterEvent,
  toggle,
  type ToggleCommand,
  type ToggleEvent
} from "./fixtures.ts"

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

    it("is terminal when either side is", () => {
      assert.isFalse(both.isTerminal([0, "on"]))
      assert.isTrue(both.isTerminal([0, "broken"]))
      const withToggleLeft = Decider.combine(toggle, counter, {
        isLeftCommand: (command): command is ToggleCommand => !isCounterCommand(command),
        isLeftEvent: (event): event is ToggleEvent => !isCounterEvent(event as CounterEvent | ToggleEvent)
      })
      assert.isTrue(withToggleLeft.isTerminal(["broken", 0]))
      assert.isFalse(withToggleLeft.isTerminal(["off", 3]))
    })

    it("neutral is never terminal", () => {
      assert.isFalse(Decider.neutral.isTerminal(Decider.neutral.initialState))
    })

    // The identity laws: combined with neutral on either side, a decider decides, folds and
    // terminates exactly as alone, at every step of any command sequence.
    const toggleCommands = fc.array(fc.constantFrom<ToggleCommand>(flip, { _tag: "Break" }), { maxLength: 12 })
    const stepsOf = <Command, State, Event, Rejection>(
      decider: Decider.Decider<Command, State, Event, Rejection>,
      commands: ReadonlyArray<Command>
    ) => {
      let state = decider.initialState
      return commands.map((command) => {
        const step = Decider.transition(decider, command, state)
        if (Result.isSuccess(step)) state = step.success.state
        return { events: Result.map(step, (t) => t.events), state, terminal: decider.isTerminal(state) }
      })
    }

    const isIdentity = <State>(
      side: string,
      combined: Decider.Decider<ToggleCommand, State, ToggleEvent, "Broken">,
      toggleState: (state: State) => "on" | "off" | "broken"
    ) =>
      it(`neutral is a ${side} identity: decide, fold and isTerminal are those of the decider alone`, () => {
        fc.assert(
          fc.property(toggleCommands, (commands) => {
            const steps = stepsOf(combined, commands).map(({ state, ...step }) => ({ ...step, state: toggleState(state) }))
            assert.deepStrictEqual<unknown>(steps, stepsOf(toggle, commands))
          }),
          { numRuns: 100 }
        )
      })
    isIdentity("left", Decider.combine(Decider.neutral, toggle, { isLeftCommand: nothing, isLeftEvent: nothing }), (state) => state[1])
    isIdentity(
      "right",
      Decider.combine(toggle, Decider.neutral, {
        isLeftCommand: (_): _ is ToggleCommand => true,
        isLeftEvent: (_): _ is ToggleEvent => true
      }),
      (state) => state[0]
    )
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
