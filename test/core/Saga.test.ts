import { Saga } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { pipe } from "effect"
import fc from "fast-check"

/** Sagas over integer events, reacting with arbitrary (but fixed) lists of string commands. */
const sagas = fc.func(fc.array(fc.string(), { maxLength: 3 })).map((react) => Saga.make({ react: (event: number) => react(event) }))
const events = fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 20 })
const reactions = <Event, Command>(saga: Saga.Saga<Event, Command>, inputs: ReadonlyArray<Event>) => inputs.map(saga.react)

type Placed = { readonly _tag: "OrderPlaced"; readonly orderId: string }
type Paid = { readonly _tag: "OrderPaid"; readonly orderId: string }

const kitchen = Saga.make({ react: (event: Placed) => [{ _tag: "PrepareOrder", orderId: event.orderId }] })

describe("Saga", () => {
  it("reacts with the commands of its react, and nothing for an event that causes none", () => {
    assert.deepStrictEqual(kitchen.react({ _tag: "OrderPlaced", orderId: "o-1" }), [{ _tag: "PrepareOrder", orderId: "o-1" }])
    assert.deepStrictEqual(Saga.make({ react: (_: number) => [] }).react(1), [])
  })

  it("react is deterministic: the same events give the same commands, whatever came before", () => {
    fc.assert(fc.property(sagas, events, events, (saga, before, inputs) => {
      const alone = reactions(saga, inputs)
      reactions(saga, before)
      assert.deepStrictEqual(reactions(saga, inputs), alone)
    }))
  })

  it("combine reacts with the left commands followed by the right ones", () => {
    fc.assert(fc.property(sagas, sagas, events, (left, right, inputs) => {
      const both = Saga.combine(left, right)
      for (const event of inputs) assert.deepStrictEqual(both.react(event), [...left.react(event), ...right.react(event)])
    }))
  })

  it("combine is associative", () => {
    fc.assert(fc.property(sagas, sagas, sagas, events, (a, b, c, inputs) => {
      assert.deepStrictEqual(
        reactions(Saga.combine(Saga.combine(a, b), c), inputs),
        reactions(Saga.combine(a, Saga.combine(b, c)), inputs)
      )
    }))
  })

  it("mapCommand keeps identity and composes", () => {
    const fs = fc.func(fc.string({ maxLength: 4 }))
    fc.assert(fc.property(sagas, fs, fs, events, (saga, f, g, inputs) => {
      assert.deepStrictEqual(reactions(Saga.mapCommand(saga, (c) => c), inputs), reactions(saga, inputs))
      assert.deepStrictEqual(
        reactions(Saga.mapCommand(Saga.mapCommand(saga, f), g), inputs),
        reactions(Saga.mapCommand(saga, (c) => g(f(c))), inputs)
      )
      assert.deepStrictEqual(reactions(Saga.mapCommand(saga, f), inputs), inputs.map((e) => saga.react(e).map((c) => f(c))))
    }))
  })

  it("mapEvent keeps identity and composes; an event mapped to undefined causes nothing", () => {
    // Partial maps: an integer to another, or to undefined (ignored).
    const fs = fc.func(fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }))
    fc.assert(fc.property(sagas, fs, fs, events, (saga, f, g, inputs) => {
      assert.deepStrictEqual(reactions(Saga.mapEvent(saga, (e: number) => e), inputs), reactions(saga, inputs))
      assert.deepStrictEqual(
        reactions(Saga.mapEvent(Saga.mapEvent(saga, f), g), inputs),
        reactions(Saga.mapEvent(saga, (e: number) => {
          const outer = g(e)
          return outer === undefined ? undefined : f(outer)
        }), inputs)
      )
      for (const event of inputs) {
        const inner = f(event)
        assert.deepStrictEqual(Saga.mapEvent(saga, f).react(event), inner === undefined ? [] : saga.react(inner))
      }
    }))
  })

  it("mapEvent lets sagas over different events combine on their union", () => {
    const billing = Saga.make({ react: (event: Paid) => [{ _tag: "SendReceipt", orderId: event.orderId }] })
    const restaurant = Saga.combine(
      Saga.mapEvent(kitchen, (event: Placed | Paid) => event._tag === "OrderPlaced" ? event : undefined),
      Saga.mapEvent(billing, (event: Placed | Paid) => event._tag === "OrderPaid" ? event : undefined)
    )
    assert.deepStrictEqual(
      [{ _tag: "OrderPlaced", orderId: "o-1" } as const, { _tag: "OrderPaid", orderId: "o-1" } as const].flatMap(restaurant.react),
      [{ _tag: "PrepareOrder", orderId: "o-1" }, { _tag: "SendReceipt", orderId: "o-1" }]
    )
  })

  it("the combinators are dual: piped, they build the same saga", () => {
    fc.assert(fc.property(sagas, sagas, events, (left, right, inputs) => {
      const f = (event: number) => event % 3 === 0 ? undefined : event + 1
      const g = (command: string) => `${command}!`
      const piped = pipe(left, Saga.combine(right), Saga.mapEvent(f), Saga.mapCommand(g))
      const direct = Saga.mapCommand(Saga.mapEvent(Saga.combine(left, right), f), g)
      assert.deepStrictEqual(reactions(piped, inputs), reactions(direct, inputs))
    }))
  })
})
