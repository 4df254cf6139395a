import { BankAccount, Bulb, ShoppingCart, User } from "@chronicle/examples"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import fc from "fast-check"
import { forEachDomain, handle } from "./Arbitraries.ts"

const eventTags = {
  BankAccount: Object.keys(BankAccount.Event.cases),
  User: Object.keys(User.Event.cases),
  Bulb: Object.keys(Bulb.Event.cases),
  ShoppingCart: Object.keys(ShoppingCart.Event.cases)
}

const samples = 100

describe("Arbitraries", () => {
  forEachDomain((name, domain) =>
    describe(name, () => {
      const sequences = fc.sample(domain.commands, { numRuns: samples, seed: 20_261_124 })
      const handled = sequences.map((commands) => handle(domain.decider, domain.streamId, commands))

      it("generates commands that decode with the command Schema", () => {
        const decode = Schema.decodeUnknownResult(domain.commandSchema)
        for (const command of sequences.flat()) {
          assert.isTrue(Result.isSuccess(decode(command)), JSON.stringify(command))
        }
      })

      it("generates deep histories", () => {
        const lengths = handled.map(({ events }) => events.length)
        assert.isAtLeast(Math.max(...lengths), 10)
        assert.isAtLeast(lengths.filter((length) => length >= 5).length, samples / 2)
      })

      it("generates every kind of event", () => {
        const seen = new Set(handled.flatMap(({ events }) => events.map((event) => event._tag)))
        assert.deepStrictEqual([...seen].sort(), [...eventTags[name]].sort())
      })

      it("generates mostly accepted commands, and some rejected ones", () => {
        const rejected = handled.reduce((sum, { rejections }) => sum + rejections.length, 0)
        assert.isAbove(rejected, 0)
        assert.isBelow(rejected, sequences.flat().length / 2)
      })

      it("generates histories whose events decode with the event Schema", () => {
        const decode = Schema.decodeUnknownResult(domain.eventSchema)
        fc.assert(
          fc.property(domain.history, (events) => events.every((event) => Result.isSuccess(decode(event)))),
          { numRuns: samples }
        )
      })
    })
  )
})
