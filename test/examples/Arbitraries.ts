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
 * `domains` gathers everything a law needs per domain; {@link forEachDomain} runs a law written
 * once on each of them:
 *
 * ```ts
 * forEachDomain((name, domain) =>
 *   it(`${name}: folding is a homomorphism`, () =>
 *     fc.assert(fc.property(domain.history, domain.history, (a, b) => ...))))
 * ```
 */
import { Decider } from "@chronicle/core"
import { BankAccount, Bulb, ShoppingCart, User } from "@chronicle/examples"
import { Result } from "effect"
import type { Schema } from "effect"
import fc from "fast-check"

/**
 * The shape of every event: a tagged record.
 */
export interface Tagged {
  readonly _tag: string
}

/**
 * One example domain, with its generators, Schemas and stream ids.
 */
export interface Domain<Command, State, Event extends Tagged, Rejection> {
  /** The domain's decider. */
  readonly decider: Decider.Decider<Command, State, Event, Rejection>
  /** A single command, on one of the domain's few ids. */
  readonly command: fc.Arbitrary<Command>
  /** A sequence of up to 40 commands. */
  readonly commands: fc.Arbitrary<ReadonlyArray<Command>>
  /** The events recorded by handling a generated sequence, all streams together, in command order. */
  readonly history: fc.Arbitrary<ReadonlyArray<Event>>
  /** Decodes commands from outside. */
  readonly commandSchema: Schema.Codec<Command, unknown>
  /** Encodes events for a store and decodes them back. */
  readonly eventSchema: Schema.Codec<Event, unknown, never, never>
  /** The stream a command (or an event) belongs to. */
  readonly streamId: (message: Command | Event) => string
}

/**
 * What handling a command sequence gives: the events of the accepted commands, all streams
 * together in command order, and the rejections of the others.
 */
export interface Handled<Event, Rejection> {
  readonly events: ReadonlyArray<Event>
  readonly rejections: ReadonlyArray<Rejection>
}

/**
 * Handles commands in order, each against the state of its own stream, as a command handler would.
 */
export const handle = <Command, State, Event, Rejection>(
  decider: Decider.Decider<Command, State, Event, Rejection>,
  streamId: (command: Command) => string,
  commands: Iterable<Command>
): Handled<Event, Rejection> => {
  const streams = Decider.many(decider)
  const events: Array<Event> = []
  const rejections: Array<Rejection> = []
  let state = streams.initialState
  for (const command of commands) {
    const step = Decider.transition(streams, { id: streamId(command), value: command }, state)
    if (Result.isFailure(step)) {
      rejections.push(step.failure)
    } else {
      events.push(...step.success.events.map((event) => event.value))
      state = step.success.state
    }
  }
  return { events, rejections }
}

// A sequence begins by starting most of the domain's streams (`openings`), so that fewer of the
// commands after it are rejected for want of a stream.
const domain = <Command, State, Event extends Tagged, Rejection>(
  { openings, ...parts }: Omit<Domain<Command, State, Event, Rejection>, "commands" | "history"> & {
    readonly openings: fc.Arbitrary<ReadonlyArray<Command>>
  }
): Domain<Command, State, Event, Rejection> => {
  const commands = fc.tuple(openings, fc.array(parts.command, { maxLength: 40, size: "max" }))
    .map(([first, rest]) => [...first, ...rest])
  const history = commands.map((sequence) => handle(parts.decider, parts.streamId, sequence).events)
  return { ...parts, commands, history }
}

// For each id, most of the time, the command that starts its stream.
const openEach = <Command>(ids: ReadonlyArray<string>, open: (id: fc.Arbitrary<string>) => fc.Arbitrary<Command>) =>
  fc.tuple(...ids.map((id) => fc.option(open(fc.constant(id)), { freq: 10, nil: undefined })))
    .map((openings) => openings.filter((command) => command !== undefined))

// A message tagged `_tag` with fields drawn from the given generators.
const tagged = <const Tag extends string, Fields>(
  _tag: Tag,
  fields: { readonly [K in keyof Fields]: fc.Arbitrary<Fields[K]> }
) =>
  fc.record(fields).map((values) => ({ _tag, ...values }))

const bankAccount = (): Domain<BankAccount.Command, BankAccount.State, BankAccount.Event, BankAccount.Rejection> => {
  const ids = ["a1", "a2"]
  const amount = fc.integer({ min: 1, max: 300 })
  const owner = fc.constantFrom("Ada", "Grace")
  const open = (accountId: fc.Arbitrary<string>) => tagged("Open", { accountId, owner })
  const accountId = fc.constantFrom(...ids)
  return domain({
    decider: BankAccount.decider,
    openings: openEach(ids, open),
    command: fc.oneof(
      { weight: 1, arbitrary: open(accountId) },
      { weight: 5, arbitrary: tagged("Deposit", { accountId, amount }) },
      { weight: 4, arbitrary: tagged("Withdraw", { accountId, amount }) }
    ),
    commandSchema: BankAccount.Command,
    eventSchema: BankAccount.Event,
    streamId: BankAccount.streamIdOf
  })
}

const user = (): Domain<User.Command, User.State, User.Event, User.Rejection> => {
  const ids = ["u1", "u2"]
  const name = fc.constantFrom("ada", "grace", "alan")
  const email = fc.tuple(name, fc.constantFrom("example.com", "example.org")).map(([name, host]) => `${name}@${host}`)
  const familyName = fc.constantFrom("", "Lovelace", "Hopper")
  const register = (userId: fc.Arbitrary<string>) => tagged("Register", { userId, givenName: name, familyName, email })
  const userId = fc.constantFrom(...ids)
  return domain({
    decider: User.decider,
    openings: openEach(ids, register),
    command: fc.oneof(
      { weight: 1, arbitrary: register(userId) },
      { weight: 20, arbitrary: tagged("ChangeEmail", { userId, email }) },
      { weight: 1, arbitrary: tagged("Deactivate", { userId }) }
    ),
    commandSchema: User.Command,
    eventSchema: User.Event,
    streamId: User.streamIdOf
  })
}

const bulb = (): Domain<Bulb.Command, Bulb.State, Bulb.Event, Bulb.Rejection> => {
  const ids = ["b1", "b2"]
  const fit = (bulbId: fc.Arbitrary<string>) => tagged("Fit", { bulbId, maxUses: fc.integer({ min: 1, max: 5 }) })
  const bulbId = fc.constantFrom(...ids)
  return domain({
    decider: Bulb.decider,
    openings: openEach(ids, fit),
    command: fc.oneof(
      { weight: 1, arbitrary: fit(bulbId) },
      { weight: 4, arbitrary: tagged("SwitchOn", { bulbId }) },
      { weight: 4, arbitrary: tagged("SwitchOff", { bulbId }) }
    ),
    commandSchema: Bulb.Command,
    eventSchema: Bulb.Event,
    streamId: Bulb.streamIdOf
  })
}

const shoppingCart = (): Domain<
  ShoppingCart.Command,
  ShoppingCart.State,
  ShoppingCart.Event,
  ShoppingCart.Rejection
> => {
  const ids = ["c1", "c2"]
  const productId = fc.constantFrom("tea", "cake", "sticker")
  // Mostly a product at its catalogue price, now and then at another price (refused if the cart holds it).
  const product = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(["tea", 350], ["cake", 500], ["sticker", 0]) },
    { weight: 1, arbitrary: fc.tuple(productId, fc.integer({ min: 0, max: 1_000 })) }
  )
  const addItem = (cartId: fc.Arbitrary<string>) =>
    fc.tuple(cartId, product, fc.integer({ min: 1, max: 5 })).map((
      [cartId, [productId, unitPrice], quantity]
    ) => ({ _tag: "AddItem" as const, cartId, productId, quantity, unitPrice }))
  const cartId = fc.constantFrom(...ids)
  return domain({
    decider: ShoppingCart.decider,
    openings: openEach(ids, addItem),
    command: fc.oneof(
      { weight: 12, arbitrary: addItem(cartId) },
      { weight: 4, arbitrary: tagged("RemoveItem", { cartId, productId }) },
      { weight: 1, arbitrary: tagged("Confirm", { cartId }) }
    ),
    commandSchema: ShoppingCart.Command,
    eventSchema: ShoppingCart.Event,
    streamId: ShoppingCart.streamIdOf
  })
}

/**
 * Every example domain, by name: decider, generators, Schemas and stream ids.
 */
export const domains = {
  BankAccount: bankAccount(),
  User: user(),
  Bulb: bulb(),
  ShoppingCart: shoppingCart()
}

/**
 * Calls `f` with each example domain and its name. `f` is generic, so a law written once runs on
 * every domain with its own types (a loop over `Object.values(domains)` would mix them).
 */
export const forEachDomain = (
  f: <Command, State, Event extends Tagged, Rejection>(
    name: keyof typeof domains,
    domain: Domain<Command, State, Event, Rejection>
  ) => void
): void => {
  f("BankAccount", domains.BankAccount)
  f("User", domains.User)
  f("Bulb", domains.Bulb)
  f("ShoppingCart", domains.ShoppingCart)
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
