/**
 * The restaurant, as a user writes it: a saga sends each placed order to the kitchen, and a payment
 * process confirms a table booking once both the booking request and the payment have arrived — in
 * either order, once — and cancels it when a reminder (a timeout, delivered as an event) finds it
 * unpaid.
 */
import { ProcessManager, Saga } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import fc from "fast-check"

const OrderEvent = Schema.TaggedUnion({ OrderPlaced: { orderId: Schema.String } })
const BookingEvent = Schema.TaggedUnion({
  BookingRequested: { bookingId: Schema.String },
  PaymentReceived: { bookingId: Schema.String },
  ReminderDue: { bookingId: Schema.String }
})
type OrderEvent = typeof OrderEvent.Type
type BookingEvent = typeof BookingEvent.Type
type RestaurantEvent = OrderEvent | BookingEvent
type Command =
  | { readonly _tag: "PrepareOrder"; readonly orderId: string }
  | { readonly _tag: "ConfirmBooking"; readonly bookingId: string }
  | { readonly _tag: "CancelBooking"; readonly bookingId: string }

const kitchen = Saga.make({ react: (event: OrderEvent): ReadonlyArray<Command> => [{ _tag: "PrepareOrder", orderId: event.orderId }] })

type Payment = { readonly requested: boolean; readonly paid: boolean; readonly over: boolean }

const payment = ProcessManager.make<BookingEvent, Payment, Command>({
  initialState: { requested: false, paid: false, over: false },
  decide: (event, seen) => {
    switch (event._tag) {
      case "BookingRequested":
        return seen.paid && !seen.requested ? [{ _tag: "ConfirmBooking", bookingId: event.bookingId }] : []
      case "PaymentReceived":
        return seen.requested && !seen.paid ? [{ _tag: "ConfirmBooking", bookingId: event.bookingId }] : []
      case "ReminderDue":
        return seen.paid ? [] : [{ _tag: "CancelBooking", bookingId: event.bookingId }]
    }
  },
  evolve: (seen, event) => {
    switch (event._tag) {
      case "BookingRequested":
        return { ...seen, requested: true, over: seen.paid }
      case "PaymentReceived":
        return { ...seen, paid: true, over: seen.requested }
      case "ReminderDue":
        return { ...seen, over: true }
    }
  },
  isTerminal: (seen) => seen.over
})

const restaurant = ProcessManager.combine(
  ProcessManager.fromSaga(Saga.mapEvent(kitchen, (event: RestaurantEvent) => Schema.is(OrderEvent)(event) ? event : undefined)),
  ProcessManager.mapEvent(payment, (event: RestaurantEvent) => Schema.is(BookingEvent)(event) ? event : undefined)
)

const requested: BookingEvent = { _tag: "BookingRequested", bookingId: "b-1" }
const paid: BookingEvent = { _tag: "PaymentReceived", bookingId: "b-1" }
const reminder: BookingEvent = { _tag: "ReminderDue", bookingId: "b-1" }
const confirm: Command = { _tag: "ConfirmBooking", bookingId: "b-1" }
const cancel: Command = { _tag: "CancelBooking", bookingId: "b-1" }

describe("restaurant", () => {
  it("an order placed becomes an order to prepare", () => {
    assert.deepStrictEqual(kitchen.react({ _tag: "OrderPlaced", orderId: "o-1" }), [{ _tag: "PrepareOrder", orderId: "o-1" }])
  })

  it("the booking is confirmed once both the request and the payment have arrived, in either order", () => {
    assert.deepStrictEqual(ProcessManager.run(payment, [requested, paid]).commands, [confirm])
    assert.deepStrictEqual(ProcessManager.run(payment, [paid, requested]).commands, [confirm])
    assert.deepStrictEqual(ProcessManager.run(payment, [paid]).commands, [])
    assert.deepStrictEqual(ProcessManager.run(payment, [requested]).commands, [])
  })

  it("whatever the order and the repetitions, ConfirmBooking comes once, and only after both", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(requested, paid), { maxLength: 12 }), (inputs) => {
      const { commands } = ProcessManager.run(payment, inputs)
      const both = inputs.includes(requested) && inputs.includes(paid)
      assert.deepStrictEqual(commands, both ? [confirm] : [])
    }))
  })

  it("a reminder cancels an unpaid booking, and nothing is confirmed after it", () => {
    assert.deepStrictEqual(ProcessManager.run(payment, [requested, reminder, paid]).commands, [cancel])
    assert.deepStrictEqual(ProcessManager.run(payment, [requested, paid, reminder]).commands, [confirm])
    assert.deepStrictEqual(ProcessManager.run(payment, [paid, reminder, requested]).commands, [])
  })

  it("the whole restaurant routes each event to its part by Schema guards, commands in event order", () => {
    const placed: RestaurantEvent = { _tag: "OrderPlaced", orderId: "o-1" }
    const { commands, state } = ProcessManager.run(restaurant, [paid, placed, requested, placed])
    assert.deepStrictEqual(commands, [
      { _tag: "PrepareOrder", orderId: "o-1" },
      confirm,
      { _tag: "PrepareOrder", orderId: "o-1" }
    ])
    assert.deepStrictEqual(state, [undefined, { requested: true, paid: true, over: true }])
    // The kitchen never ends, so the restaurant goes on though the booking process is over.
    assert.isFalse(restaurant.isTerminal(state))
  })
})
