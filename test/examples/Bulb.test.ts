import { Decider } from "@chronicle/core"
import { Bulb } from "@chronicle/examples"
import { DeciderSpec } from "@chronicle/testing"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const spec = DeciderSpec.make(Bulb.decider)

const bulbId = "hall"
const fit = (maxUses: number): Bulb.Command => ({ _tag: "Fit", bulbId, maxUses })
const switchOn: Bulb.Command = { _tag: "SwitchOn", bulbId }
const switchOff: Bulb.Command = { _tag: "SwitchOff", bulbId }
const fitted = (maxUses: number): Bulb.Event => ({ _tag: "Fitted", bulbId, maxUses })
const switchedOn: Bulb.Event = { _tag: "SwitchedOn", bulbId }
const switchedOff: Bulb.Event = { _tag: "SwitchedOff", bulbId }
const blew: Bulb.Event = { _tag: "Blew", bulbId }

describe("Bulb", () => {
  describe("Fit", () => {
    it("fits a bulb, switched off, with all its uses", () => {
      const state = spec.given([]).when(fit(3)).then([fitted(3)])
      assert.deepStrictEqual(state, { _tag: "Working", status: "Off", remainingUses: 3 })
    })

    it("rejects fitting a working bulb", () => {
      spec.given([fitted(3)]).when(fit(5)).thenRejects({ _tag: "AlreadyFitted", bulbId })
    })

    it("refuses fitting a blown bulb: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([fitted(1), switchedOn, switchedOff, blew]).when(fit(5)).thenTerminated()
      assert.deepStrictEqual(Bulb.decider.decide(fit(5), state), Result.fail({ _tag: "Blown", bulbId }))
    })
  })

  describe("SwitchOn", () => {
    it("switches on a bulb that is off, using one use", () => {
      const state = spec.given([fitted(3)]).when(switchOn).then([switchedOn])
      assert.deepStrictEqual(state, { _tag: "Working", status: "On", remainingUses: 2 })
    })

    it("does nothing to a bulb that is on", () => {
      const state = spec.given([fitted(3), switchedOn]).when(switchOn).then([])
      assert.deepStrictEqual(state, { _tag: "Working", status: "On", remainingUses: 2 })
    })

    it("blows a bulb with no use left", () => {
      const state = spec.given([fitted(1), switchedOn, switchedOff]).when(switchOn).then([blew])
      assert.deepStrictEqual(state, { _tag: "Blown" })
    })

    it("rejects a bulb that is not fitted", () => {
      spec.given([]).when(switchOn).thenRejects({ _tag: "NotFitted", bulbId })
    })

    it("refuses a blown bulb: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([fitted(1), switchedOn, switchedOff, blew]).when(switchOn).thenTerminated()
      assert.deepStrictEqual(Bulb.decider.decide(switchOn, state), Result.fail({ _tag: "Blown", bulbId }))
    })
  })

  describe("SwitchOff", () => {
    it("switches off a bulb that is on, keeping its remaining uses", () => {
      const state = spec.given([fitted(3), switchedOn]).when(switchOff).then([switchedOff])
      assert.deepStrictEqual(state, { _tag: "Working", status: "Off", remainingUses: 2 })
    })

    it("does nothing to a bulb that is off", () => {
      spec.given([fitted(3)]).when(switchOff).then([])
    })

    it("rejects a bulb that is not fitted", () => {
      spec.given([]).when(switchOff).thenRejects({ _tag: "NotFitted", bulbId })
    })

    it("refuses a blown bulb: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([fitted(1), switchedOn, switchedOff, blew]).when(switchOff).thenTerminated()
      assert.deepStrictEqual(Bulb.decider.decide(switchOff, state), Result.fail({ _tag: "Blown", bulbId }))
    })
  })

  it("lives exactly maxUses switch-ons, then blows on the next", () => {
    const cycles = Array.from({ length: 3 }, () => [switchOn, switchOff]).flat()
    const outcome = Decider.run(Bulb.decider, [fit(3), ...cycles, switchOn])
    assert.isTrue(Result.isSuccess(outcome))
    if (Result.isSuccess(outcome)) {
      const events = outcome.success.events
      assert.strictEqual(events.filter((event) => event._tag === "SwitchedOn").length, 3)
      assert.deepStrictEqual(events.at(-1), blew)
      assert.deepStrictEqual(outcome.success.state, { _tag: "Blown" })
    }
  })

  it("is terminal once blown, and only then", () => {
    const { isTerminal, initialState } = Bulb.decider
    assert.isFalse(isTerminal(initialState))
    assert.isFalse(isTerminal({ _tag: "Working", status: "Off", remainingUses: 0 }))
    assert.isTrue(isTerminal({ _tag: "Blown" }))
  })

  it("derives the stream id from the bulb id", () => {
    assert.strictEqual(Bulb.streamId("hall"), "bulb-hall")
    assert.strictEqual(Bulb.streamId("x-1"), "bulb-x-1")
  })

  it("finds the stream of a command or an event", () => {
    assert.strictEqual(Bulb.streamIdOf(switchOn), "bulb-hall")
    assert.strictEqual(Bulb.streamIdOf(blew), "bulb-hall")
  })

  describe("Command schema", () => {
    const decodeFailure = (input: unknown): string =>
      Result.match(Schema.decodeUnknownResult(Bulb.Command)(input), {
        onFailure: (error) => error.message,
        onSuccess: () => "decoded"
      })

    it("decodes a valid command", () => {
      assert.strictEqual(decodeFailure({ _tag: "Fit", bulbId, maxUses: 3 }), "decoded")
    })

    it("rejects a bulb fitted with no use, naming the field", () => {
      const message = decodeFailure({ _tag: "Fit", bulbId, maxUses: 0 })
      assert.include(message, "Expected a value greater than 0")
      assert.include(message, `["maxUses"]`)
    })

    it("rejects an empty bulb id", () => {
      assert.include(decodeFailure({ _tag: "SwitchOn", bulbId: "" }), `["bulbId"]`)
    })
  })
})
