import { Projection } from "@chronicle/core"
import { ShoppingCart } from "@chronicle/examples"
import { DeciderSpec } from "@chronicle/testing"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const spec = DeciderSpec.make(ShoppingCart.decider)

const cartId = "c1"
const addItem = (productId: string, quantity: number, unitPrice: number): ShoppingCart.Command => ({
  _tag: "AddItem",
  cartId,
  productId,
  quantity,
  unitPrice
})
const removeItem = (productId: string): ShoppingCart.Command => ({ _tag: "RemoveItem", cartId, productId })
const confirm: ShoppingCart.Command = { _tag: "Confirm", cartId }
const itemAdded = (productId: string, quantity: number, unitPrice: number): ShoppingCart.Event => ({
  _tag: "ItemAdded",
  cartId,
  productId,
  quantity,
  unitPrice
})
const itemRemoved = (productId: string, quantity: number, unitPrice: number): ShoppingCart.Event => ({
  _tag: "ItemRemoved",
  cartId,
  productId,
  quantity,
  unitPrice
})
const confirmed: ShoppingCart.Event = { _tag: "CartConfirmed", cartId }

describe("ShoppingCart", () => {
  describe("AddItem", () => {
    it("adds a line to an empty cart", () => {
      const state = spec.given([]).when(addItem("tea", 2, 350)).then([itemAdded("tea", 2, 350)])
      assert.deepStrictEqual(state, { lines: new Map([["tea", { quantity: 2, unitPrice: 350 }]]), confirmed: false })
    })

    it("adds to the quantity of a product already in the cart", () => {
      const state = spec.given([itemAdded("tea", 2, 350)]).when(addItem("tea", 3, 350)).then([itemAdded("tea", 3, 350)])
      assert.deepStrictEqual(state.lines.get("tea"), { quantity: 5, unitPrice: 350 })
    })

    it("accepts a free item", () => {
      spec.given([]).when(addItem("sticker", 1, 0)).then([itemAdded("sticker", 1, 0)])
    })

    it("rejects a product already in the cart at another price", () => {
      spec.given([itemAdded("tea", 2, 350)]).when(addItem("tea", 1, 300)).thenRejects({
        _tag: "PriceMismatch",
        cartId,
        productId: "tea",
        cartPrice: 350,
        requestedPrice: 300
      })
    })

    it("refuses a confirmed cart: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([itemAdded("tea", 2, 350), confirmed]).when(addItem("cake", 1, 500)).thenTerminated()
      assert.deepStrictEqual(
        ShoppingCart.decider.decide(addItem("cake", 1, 500), state),
        Result.fail({ _tag: "AlreadyConfirmed", cartId })
      )
    })
  })

  describe("RemoveItem", () => {
    it("removes the whole line, saying what was removed", () => {
      const state = spec.given([itemAdded("tea", 2, 350), itemAdded("cake", 1, 500), itemAdded("tea", 1, 350)])
        .when(removeItem("tea"))
        .then([itemRemoved("tea", 3, 350)])
      assert.deepStrictEqual(state, { lines: new Map([["cake", { quantity: 1, unitPrice: 500 }]]), confirmed: false })
    })

    it("rejects a product that is not in the cart", () => {
      spec.given([itemAdded("tea", 2, 350)]).when(removeItem("cake")).thenRejects({
        _tag: "NotInCart",
        cartId,
        productId: "cake"
      })
    })

    it("rejects a product that was removed already", () => {
      spec.given([itemAdded("tea", 2, 350), itemRemoved("tea", 2, 350)]).when(removeItem("tea")).thenRejects({
        _tag: "NotInCart",
        cartId,
        productId: "tea"
      })
    })

    it("refuses a confirmed cart: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([itemAdded("tea", 2, 350), confirmed]).when(removeItem("tea")).thenTerminated()
      assert.deepStrictEqual(
        ShoppingCart.decider.decide(removeItem("tea"), state),
        Result.fail({ _tag: "AlreadyConfirmed", cartId })
      )
    })
  })

  describe("Confirm", () => {
    it("confirms a cart with items", () => {
      const state = spec.given([itemAdded("tea", 2, 350)]).when(confirm).then([confirmed])
      assert.isTrue(state.confirmed)
      assert.strictEqual(state.lines.size, 1)
    })

    it("rejects an empty cart", () => {
      spec.given([]).when(confirm).thenRejects({ _tag: "EmptyCart", cartId })
    })

    it("rejects a cart emptied by removals", () => {
      spec.given([itemAdded("tea", 2, 350), itemRemoved("tea", 2, 350)]).when(confirm).thenRejects({
        _tag: "EmptyCart",
        cartId
      })
    })

    it("refuses confirming twice: the stream is terminated (and decide, asked anyway, rejects it)", () => {
      const state = spec.given([itemAdded("tea", 2, 350), confirmed]).when(confirm).thenTerminated()
      assert.deepStrictEqual(
        ShoppingCart.decider.decide(confirm, state),
        Result.fail({ _tag: "AlreadyConfirmed", cartId })
      )
    })
  })

  it("is terminal once confirmed, and only then", () => {
    const { isTerminal, initialState } = ShoppingCart.decider
    assert.isFalse(isTerminal(initialState))
    assert.isFalse(isTerminal({ lines: new Map([["tea", { quantity: 1, unitPrice: 350 }]]), confirmed: false }))
    assert.isTrue(isTerminal({ lines: new Map([["tea", { quantity: 1, unitPrice: 350 }]]), confirmed: true }))
  })

  describe("summary", () => {
    it("keeps the item count, total and confirmation of every cart", () => {
      const events: ReadonlyArray<ShoppingCart.Event> = [
        itemAdded("tea", 2, 350),
        { _tag: "ItemAdded", cartId: "c2", productId: "cake", quantity: 1, unitPrice: 500 },
        itemAdded("cake", 1, 500),
        itemAdded("tea", 1, 350),
        { _tag: "ItemAdded", cartId: "c2", productId: "tea", quantity: 4, unitPrice: 350 },
        itemRemoved("cake", 1, 500),
        confirmed,
        { _tag: "ItemRemoved", cartId: "c2", productId: "tea", quantity: 4, unitPrice: 350 }
      ]
      assert.deepStrictEqual(
        Projection.fold(ShoppingCart.summary, events),
        new Map([
          ["c1", { itemCount: 3, total: 1050, confirmed: true }],
          ["c2", { itemCount: 1, total: 500, confirmed: false }]
        ])
      )
    })

    it("is empty before any event", () => {
      assert.strictEqual(Projection.initial(ShoppingCart.summary).size, 0)
    })
  })

  it("derives the stream id from the cart id", () => {
    assert.strictEqual(ShoppingCart.streamId("c1"), "cart-c1")
    assert.strictEqual(ShoppingCart.streamId("x-1"), "cart-x-1")
  })

  it("finds the stream of a command or an event", () => {
    assert.strictEqual(ShoppingCart.streamIdOf(confirm), "cart-c1")
    assert.strictEqual(ShoppingCart.streamIdOf(confirmed), "cart-c1")
  })

  describe("Command schema", () => {
    const decodeFailure = (input: unknown): string =>
      Result.match(Schema.decodeUnknownResult(ShoppingCart.Command)(input), {
        onFailure: (error) => error.message,
        onSuccess: () => "decoded"
      })

    it("decodes a valid command", () => {
      assert.strictEqual(decodeFailure(addItem("tea", 1, 0)), "decoded")
    })

    it("rejects a quantity of 0, naming the field", () => {
      const message = decodeFailure(addItem("tea", 0, 350))
      assert.include(message, "Expected a value greater than or equal to 1")
      assert.include(message, `["quantity"]`)
    })

    it("rejects a negative or fractional unit price, naming the field", () => {
      assert.include(decodeFailure(addItem("tea", 1, -1)), `["unitPrice"]`)
      assert.include(decodeFailure(addItem("tea", 1, 3.5)), `["unitPrice"]`)
    })

    it("rejects an empty product id", () => {
      assert.include(decodeFailure(removeItem("")), `["productId"]`)
    })
  })
})
