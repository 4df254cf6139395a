/**
 * fast-check generators for the example domains, for property tests and laws.
 *
 * Each domain has a generator of single commands, of command sequences, and of histories: the
 * events that handling such a sequence records. Commands address a small set of ids (two per domain)
 * with small value ranges, so that most of them are accepted and streams get deep (opened accounts
 * with money moving, bulbs that blow, carts that are confirmed), while some are rejected on the way
 * (overdrafts, a second `Open`, a removal of a product not in the cart…). Every generated command
 * decodes with its domain's command Schema.
 *
 * A history is the global log of a sequence: each command is decided against the state of its own
 * stream (`streamId`), rejected commands are skipped, and the events of all streams follow in the
 * order of the commands. The events of one stream, taken in order, are a valid stream.
 *
 * `domains` gathers everything a law needs per domain; write a law once as a generic function of a
 * {@link Domain} and run it for each:
 *
 * ```ts
 * const replayIsDeterministic = <C, S, E, R>(domain: Domain<C, S, E, R>) =>
 *   fc.assert(fc.property(domain.history, (events) => ...))
 * for (const [name, domain] of Object.entries(domains)) it(name, () => replayIsDeterministic(domain))
 * ```
 */
import { Decider } from "@chronicle/core"
import { BankAccount, Bulb, ShoppingCart, User } from "@chronicle/examples"
import { Result } from "effect"
import type { Schema } from "effect"
import fc from "fast-check"

/**
 * One example domain, with its generators, Schemas and stream ids.
 */
export interface Domain<Command, State, Event, Rejection> {
  readonly decider: Decider.Decider<Command, State, Event, Rejection>
  /** A single command, on one of the domain's few ids. */
  readonly command: fc.Arbitrary<Command>
  /** A sequence of up to 40 commands. */
  readonly commands: fc.Arbitrary<ReadonlyArray<Command>>
  /** The events recorded by handling a generated sequence, all streams together, in command order. */
  readonly history: fc.Arbitrary<ReadonlyArray<Event>>
  readonly commandSchema: Schema.Codec<Command, unknown>
  readonly eventSchema: Schema.Codec<Event, unknown, never, never>
  /** The stream a command (or an event) belongs to. */
  readonly streamId: (message: Command | Event) => string
}

/**
 * Handles commands one stream at a time and returns the events of those accepted, in command order.
 */
export const record = <Command, State, Event, Rejection>(
  decider: Decider.Decider<Command, State, Event, Rejection>,
  streamId: (command: Command) => string,
  commands: Iterable<Command>
): ReadonlyArray<Event> => {
  const streams = Decider.many(decider)
  const events: Array<Event> = []
  let state = streams.initialState
  for (const command of commands) {
    const step = Decider.transition(streams, { id: streamId(command), value: command }, state)
    if (Result.isSuccess(step)) {
      events.push(...step.success.events.map((event) => event.value))
      state = step.success.state
    }
  }
  return events
}

const domain = <Command, State, Event, Rejection>(
  parts: Omit<Domain<Command, State, Event, Rejection>, "commands" | "history">
): Domain<Command, State, Event, Rejection> => {
  const commands = fc.array(parts.command, { maxLength: 40, size: "max" })
  const history = commands.map((sequence) => record(parts.decider, parts.streamId, sequence))
  return { ...parts, commands, history }
}

// A tagged message with the given field generators, as a plain object (fast-check may otherwise
// make records with a null prototype).
const tagged = <const Tag extends string, Fields>(_tag: Tag, fields: { [K in keyof Fields]: fc.Arbitrary<Fields[K]> }) =>
  fc.record(fields, { noNullPrototype: true }).map((values) => ({ _tag, ...values }))

const bankAccountCommand: fc.Arbitrary<BankAccount.Command> = (() => {
  const accountId = fc.constantFrom("a1", "a2")
  const amount = fc.integer({ min: 1, max: 500 })
  return fc.oneof(
    { weight: 2, arbitrary: tagged("Open", { accountId, owner: fc.constantFrom("Ada", "Grace") }) },
    { weight: 5, arbitrary: tagged("Deposit", { accountId, amount }) },
    { weight: 4, arbitrary: tagged("Withdraw", { accountId, amount }) }
  )
})()

const userCommand: fc.Arbitrary<User.Command> = (() => {
  const userId = fc.constantFrom("u1", "u2")
  const email = fc.constantFrom("ada@example.com", "ada@lovelace.org", "grace@example.com")
  return fc.oneof(
    { weight: 2, arbitrary: tagged("Register", { userId, name: fc.constantFrom("Ada", "Grace"), email }) },
    { weight: 6, arbitrary: tagged("ChangeEmail", { userId, email }) },
    { weight: 1, arbitrary: tagged("Deactivate", { userId }) }
  )
})()

const bulbCommand: fc.Arbitrary<Bulb.Command> = (() => {
  const bulbId = fc.constantFrom("b1", "b2")
  return fc.oneof(
    { weight: 2, arbitrary: tagged("Fit", { bulbId, maxUses: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 4, arbitrary: tagged("SwitchOn", { bulbId }) },
    { weight: 4, arbitrary: tagged("SwitchOff", { bulbId }) }
  )
})()

const shoppingCartCommand: fc.Arbitrary<ShoppingCart.Command> = (() => {
  const cartId = fc.constantFrom("c1", "c2")
  const productId = fc.constantFrom("tea", "cake", "sticker")
  // Mostly a product at its catalogue price, now and then at another price (refused if the cart holds it).
  const product = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(["tea", 350], ["cake", 500], ["sticker", 0]) },
    { weight: 1, arbitrary: fc.tuple(productId, fc.integer({ min: 0, max: 1_000 })) }
  )
  const addItem = fc.tuple(cartId, product, fc.integer({ min: 1, max: 5 })).map((
    [cartId, [productId, unitPrice], quantity]
  ): ShoppingCart.Command => ({ _tag: "AddItem", cartId, productId, quantity, unitPrice }))
  return fc.oneof(
    { weight: 6, arbitrary: addItem },
    { weight: 2, arbitrary: tagged("RemoveItem", { cartId, productId }) },
    { weight: 1, arbitrary: tagged("Confirm", { cartId }) }
  )
})()

/**
 * Every example domain, by name: decider, generators, Schemas and stream ids.
 */
export const domains = {
  BankAccount: domain({
    decider: BankAccount.decider,
    command: bankAccountCommand,
    commandSchema: BankAccount.Command,
    eventSchema: BankAccount.Event,
    streamId: BankAccount.streamId
  }),
  User: domain({
    decider: User.decider,
    command: userCommand,
    commandSchema: User.Command,
    eventSchema: User.Event,
    streamId: User.streamId
  }),
  Bulb: domain({
    decider: Bulb.decider,
    command: bulbCommand,
    commandSchema: Bulb.Command,
    eventSchema: Bulb.Event,
    streamId: Bulb.streamId
  }),
  ShoppingCart: domain({
    decider: ShoppingCart.decider,
    command: shoppingCartCommand,
    commandSchema: ShoppingCart.Command,
    eventSchema: ShoppingCart.Event,
    streamId: ShoppingCart.streamId
  })
}

/** Bank-account command sequences on two accounts. */
export const bankAccountCommands = domains.BankAccount.commands

/** Events recorded by handling {@link bankAccountCommands}. */
export const bankAccountHistory = domains.BankAccount.history

/** User command sequences on two users. */
export const userCommands = domains.User.commands

/** Events recorded by handling {@link userCommands}. */
export const userHistory = domains.User.history

/** Bulb command sequences on two bulbs. */
export const bulbCommands = domains.Bulb.commands

/** Events recorded by handling {@link bulbCommands}. */
export const bulbHistory = domains.Bulb.history

/** Shopping-cart command sequences on two carts. */
export const shoppingCartCommands = domains.ShoppingCart.commands

/** Events recorded by handling {@link shoppingCartCommands}. */
export const shoppingCartHistory = domains.ShoppingCart.history
