import { Projection } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Schema } from "effect"
import fc from "fast-check"
import { Arbitraries } from "@chronicle/testing"
import * as Counter from "./Counter.ts"

const numRuns = 100

describe("Arbitraries", () => {
  describe("history", () => {
    it("records the events of the accepted commands", () => {
      const increments = fc.array(
        fc.record({ _tag: fc.constant("Increment" as const), counterId: fc.constant("a"), amount: fc.nat() })
      )
      fc.assert(
        fc.property(increments, (commands) => {
          const [history] = fc.sample(Arbitraries.history(Counter.decider, fc.constant(commands)), 1)
          assert.deepStrictEqual(history, commands.map(({ amount }) => ({ _tag: "Incremented", counterId: "a", amount })))
        }),
        { numRuns }
      )
    })

    it("gives valid streams: replaying them never breaks the decider's rules", () => {
      fc.assert(
        fc.property(Arbitraries.history(Counter.decider, Counter.commands), (events) => {
          let count = 0
          for (const event of events) {
            count = Counter.evolve(count, event)
            assert.isAtLeast(count, 0)
          }
        }),
        { numRuns }
      )
    })

    it("decides each command against its own stream with streamId", () => {
      const history = Arbitraries.history(Counter.decider, Counter.commands, { streamId: Counter.streamId })
      fc.assert(
        fc.property(history, (events) => {
          const totals = [...events.entries()].map(([i]) => Projection.fold(Counter.totals, events.slice(0, i + 1)))
          for (const state of totals) for (const total of state.values()) assert.isAtLeast(total, 0)
        }),
        { numRuns }
      )
    })

    it("skips rejected commands", () => {
      const decrements = fc.array(
        fc.record({ _tag: fc.constant("Decrement" as const), counterId: fc.constant("a"), amount: fc.integer({ min: 1 }) }),
        { minLength: 1 }
      )
      fc.assert(
        fc.property(Arbitraries.history(Counter.decider, decrements), (events) => events.length === 0),
        { numRuns }
      )
    })
  })

  describe("fromSchema", () => {
    it("generates values of the Schema's type, checks included", () => {
      const Item = Schema.Struct({
        sku: Schema.NonEmptyString,
        quantity: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 9 }))
      })
      const is = Schema.is(Item)
      fc.assert(fc.property(Arbitraries.fromSchema(Item), (item) => is(item)), { numRuns })
    })

    it("generates every case of a union", () => {
      const tags = new Set(fc.sample(Arbitraries.fromSchema(Counter.Event), { numRuns, seed: 1 }).map((e) => e._tag))
      assert.deepStrictEqual([...tags].sort(), ["Decremented", "Incremented", "WasReset"])
    })

    it("is reproducible from fast-check's seed", () => {
      const arbitrary = Arbitraries.fromSchema(Counter.Event)
      assert.deepStrictEqual(fc.sample(arbitrary, { numRuns: 10, seed: 7 }), fc.sample(arbitrary, { numRuns: 10, seed: 7 }))
    })

    it("keeps sizes within maxSize", () => {
      const arbitrary = Arbitraries.fromEffectArbitrary(Arbitrary.array(Arbitrary.schema(Schema.Int)), { maxSize: 3 })
      fc.assert(fc.property(arbitrary, (ints) => ints.length <= 3), { numRuns })
    })
  })

  describe("batches", () => {
    it("cuts an array into non-empty consecutive batches", () => {
      fc.assert(
        fc.property(fc.array(fc.nat()), fc.integer(), (items, seed) => {
          const [batches] = fc.sample(Arbitraries.batches(fc.constant(items)), { numRuns: 1, seed })
          assert.deepStrictEqual(batches!.flat(), items)
          assert.isTrue(batches!.every((batch) => batch.length > 0))
        }),
        { numRuns }
      )
    })

    it("cuts in several places", () => {
      const counts = fc.sample(Arbitraries.batches(fc.constant([1, 2, 3, 4, 5, 6])), { numRuns, seed: 3 })
        .map((batches) => batches.length)
      assert.isAbove(Math.max(...counts), 2)
      assert.include(counts, 1)
    })
  })
})
