/**
 * **ShoppingCart**: items go in and out of a cart until it is confirmed; a confirmed cart never
 * changes again (the terminal state). An empty cart cannot be confirmed.
 *
 * A cart line is a product with a quantity and a unit price in cents. Adding a product that is
 * already in the cart adds to its quantity, at the same price: a different price is a rejection
 * (remove the product, then add it at the new price), so a line always has one price. Removing a
 * product removes its whole line; the `ItemRemoved` event says what was removed (quantity and unit
 * price), so that read models such as {@link summary} need not remember the lines.
 *
 * @example
 * ```ts
 * import { Decider } from "@chronicle/core"
 * import { ShoppingCart } from "@chronicle/examples"
 *
 * Decider.run(ShoppingCart.decider, [
 *   { _tag: "AddItem", cartId: "c1", productId: "tea", quantity: 2, unitPrice: 350 },
 *   { _tag: "Confirm", cartId: "c1" }
 * ])
 * // events: ItemAdded, CartConfirmed
 * // state: { lines: Map { "tea" => { quantity: 2, unitPrice: 350 } }, confirmed: true }
 * ```
 *
 * @since 0.1.0
 */
import { Decider, Projection } from "@chronicle/core"
import { Result, Schema } from "effect"

const CartId = Schema.NonEmptyString

const ProductId = Schema.NonEmptyString

/**
 * How many of a product: a whole number, at least 1.
 *
 * @since 0.1.0
 */
export const Quantity = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/**
 * A unit price in cents: a whole number, 0 or more (free items are allowed).
 *
 * @since 0.1.0
 */
export const Price = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * The commands a cart accepts.
 *
 * @since 0.1.0
 */
export const Command = Schema.TaggedUnion({
  AddItem: { cartId: CartId, productId: ProductId, quantity: Quantity, unitPrice: Price },
  RemoveItem: { cartId: CartId, productId: ProductId },
  Confirm: { cartId: CartId }
})

/**
 * A command to a cart: `AddItem`, `RemoveItem` or `Confirm`.
 *
 * @since 0.1.0
 */
export type Command = typeof Command.Type

/**
 * The events a cart records.
 *
 * @since 0.1.0
 */
export const Event = Schema.TaggedUnion({
  ItemAdded: { cartId: CartId, productId: ProductId, quantity: Quantity, unitPrice: Price },
  ItemRemoved: { cartId: CartId, productId: ProductId, quantity: Quantity, unitPrice: Price },
  CartConfirmed: { cartId: CartId }
})

/**
 * An event of a cart: `ItemAdded`, `ItemRemoved` (with the line removed) or `CartConfirmed`.
 *
 * @since 0.1.0
 */
export type Event = typeof Event.Type

/**
 * Why a cart refuses a command.
 *
 * @since 0.1.0
 */
export const Rejection = Schema.TaggedUnion({
  AlreadyConfirmed: { cartId: CartId },
  EmptyCart: { cartId: CartId },
  NotInCart: { cartId: CartId, productId: ProductId },
  PriceMismatch: { cartId: CartId, productId: ProductId, cartPrice: Price, requestedPrice: Price }
})

/**
 * A refusal: the cart is already confirmed, empty (on confirm), does not hold the product (on
 * remove), or holds it at another price (on add).
 *
 * @since 0.1.0
 */
export type Rejection = typeof Rejection.Type

/**
 * A cart line: how many of a product, at what unit price in cents.
 *
 * @since 0.1.0
 */
export interface Line {
  readonly quantity: number
  readonly unitPrice: number
}

/**
 * A cart: its lines by product id, and whether it is confirmed.
 *
 * @since 0.1.0
 */
export interface State {
  readonly lines: ReadonlyMap<string, Line>
  readonly confirmed: boolean
}

type Decision = Result.Result<ReadonlyArray<Event>, Rejection>

const addItem = (
  { cartId, productId, quantity, unitPrice }: typeof Command.cases.AddItem.Type,
  state: State
): Decision => {
  if (state.confirmed) return Result.fail({ _tag: "AlreadyConfirmed", cartId })
  const line = state.lines.get(productId)
  if (line !== undefined && line.unitPrice !== unitPrice) {
    return Result.fail({
      _tag: "PriceMismatch",
      cartId,
      productId,
      cartPrice: line.unitPrice,
      requestedPrice: unitPrice
    })
  }
  return Result.succeed([{ _tag: "ItemAdded", cartId, productId, quantity, unitPrice }])
}

const removeItem = ({ cartId, productId }: typeof Command.cases.RemoveItem.Type, state: State): Decision => {
  if (state.confirmed) return Result.fail({ _tag: "AlreadyConfirmed", cartId })
  const line = state.lines.get(productId)
  if (line === undefined) return Result.fail({ _tag: "NotInCart", cartId, productId })
  const { quantity, unitPrice } = line
  return Result.succeed([{ _tag: "ItemRemoved", cartId, productId, quantity, unitPrice }])
}

const confirm = ({ cartId }: typeof Command.cases.Confirm.Type, state: State): Decision => {
  if (state.confirmed) return Result.fail({ _tag: "AlreadyConfirmed", cartId })
  if (state.lines.size === 0) return Result.fail({ _tag: "EmptyCart", cartId })
  return Result.succeed([{ _tag: "CartConfirmed", cartId }])
}

const addLine = (
  lines: ReadonlyMap<string, Line>,
  { productId, quantity, unitPrice }: typeof Event.cases.ItemAdded.Type
) => new Map(lines).set(productId, { quantity: (lines.get(productId)?.quantity ?? 0) + quantity, unitPrice })

const removeLine = (lines: ReadonlyMap<string, Line>, productId: string) => {
  const rest = new Map(lines)
  rest.delete(productId)
  return rest
}

/**
 * The cart decider. Changing or confirming a confirmed cart, confirming an empty cart, removing a
 * product that is not in the cart, and adding one at a price other than its line's are rejections.
 *
 * @example
 * ```ts
 * ShoppingCart.decider.decide({ _tag: "Confirm", cartId: "c1" }, ShoppingCart.decider.initialState)
 * // Result.fail({ _tag: "EmptyCart", cartId: "c1" })
 * ```
 *
 * @since 0.1.0
 */
export const decider = Decider.make<Command, State, Event, Rejection>({
  initialState: { lines: new Map(), confirmed: false },
  decide: (command, state) => {
    switch (command._tag) {
      case "AddItem":
        return addItem(command, state)
      case "RemoveItem":
        return removeItem(command, state)
      case "Confirm":
        return confirm(command, state)
    }
  },
  evolve: (state, event) => {
    switch (event._tag) {
      case "ItemAdded":
        return { ...state, lines: addLine(state.lines, event) }
      case "ItemRemoved":
        return { ...state, lines: removeLine(state.lines, event.productId) }
      case "CartConfirmed":
        return { ...state, confirmed: true }
    }
  },
  isTerminal: (state) => state.confirmed
})

/**
 * One cart in the {@link summary} read model: how many items it holds (the sum of the
 * quantities), their total price in cents, and whether it is confirmed.
 *
 * @since 0.1.0
 */
export interface CartSummary {
  readonly itemCount: number
  readonly total: number
  readonly confirmed: boolean
}

const emptySummary: CartSummary = { itemCount: 0, total: 0, confirmed: false }

// Counts `quantity` more items at `unitPrice` (fewer, when negative).
const count = (cart: CartSummary, quantity: number, unitPrice: number): CartSummary => ({
  ...cart,
  itemCount: cart.itemCount + quantity,
  total: cart.total + quantity * unitPrice
})

const summarize = (cart: CartSummary, event: Event): CartSummary => {
  switch (event._tag) {
    case "ItemAdded":
      return count(cart, event.quantity, event.unitPrice)
    case "ItemRemoved":
      return count(cart, -event.quantity, event.unitPrice)
    case "CartConfirmed":
      return { ...cart, confirmed: true }
  }
}

/**
 * The cart-summary read model: a {@link CartSummary} for every cart that has seen an event, by
 * cart id.
 *
 * @example
 * ```ts
 * Projection.fold(ShoppingCart.summary, events).get("c1") // { itemCount: 2, total: 700, confirmed: true }
 * ```
 *
 * @since 0.1.0
 */
export const summary = Projection.make<ReadonlyMap<string, CartSummary>, Event>({
  initialState: new Map(),
  evolve: (summaries, event) =>
    new Map(summaries).set(event.cartId, summarize(summaries.get(event.cartId) ?? emptySummary, event))
})

/**
 * The stream of a cart, from its id: `cart-<cartId>`. Use it where you hold an id, e.g. to
 * load the stream with a `StreamState`.
 *
 * @example
 * ```ts
 * ShoppingCart.streamId("c1") // "cart-c1"
 * const { state, version } = yield* carts.load(ShoppingCart.streamId("c1"))
 * ```
 *
 * @since 0.1.0
 */
export const streamId = (cartId: string): string => `cart-${cartId}`

/**
 * The stream a command or an event of a cart belongs to (both name their cart): the
 * `streamId` option of a `CommandHandler`.
 *
 * @example
 * ```ts
 * ShoppingCart.streamIdOf({ _tag: "Confirm", cartId: "c1" }) // "cart-c1"
 * const handler = CommandHandler.make({
 *   decider: ShoppingCart.decider,
 *   commandSchema: ShoppingCart.Command,
 *   eventSchema: ShoppingCart.Event,
 *   streamId: ShoppingCart.streamIdOf
 * })
 * ```
 *
 * @since 0.1.0
 */
export const streamIdOf = (message: Command | Event): string => streamId(message.cartId)
