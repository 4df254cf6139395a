/**
 * The four example domains as the playground sees them: one {@link Domain} record each, built by
 * {@link make} from the domain's Schemas, decider, stream id and read models. The record hides the
 * domain's own types behind operations on `unknown`, so the rest of the playground works the same
 * for every domain.
 */
import type { Envelope, Upcaster } from "@chronicle/core"
import { Decider, Projection } from "@chronicle/core"
import { BankAccount, Bulb, ShoppingCart, User } from "@chronicle/examples"
import { Codec, CommandHandler, LogFile, Projector } from "@chronicle/runtime"
import type { EventStore } from "@chronicle/runtime"
import { Result } from "effect"
import type { Effect, Schema, Scope } from "effect"

/** The key of a domain, as used in the page's address (`?domain=bank`). */
export type DomainKey = "bank" | "user" | "bulb" | "cart"

/** A read model of a domain, run by a Projector over the whole log. */
export interface ReadModel {
  /** Unique across domains: `bank/balances`. */
  readonly key: string
  readonly title: string
  /** How it is built, in one sentence. */
  readonly description: string
  /** Starts its Projector in the current scope. */
  readonly start: Effect.Effect<Projector.Projector<unknown>, never, EventStore.EventStore | Scope.Scope>
}

/** What handling a command may fail with: invalid input, a rejection, or the runtime's errors. */
export type HandleError =
  | CommandHandler.InvalidCommand
  | CommandHandler.CommandRejected<unknown>
  | CommandHandler.HandleError

/** A stream's history: its events decoded, in version order, and its state at any version. */
export interface History {
  readonly events: ReadonlyArray<Envelope.Recorded<Codec.Tagged>>
  /** `Decider.fold` of the events up to `version` (0: `initialState`). */
  readonly stateAt: (version: number) => unknown
}

/** The concurrency demo of a domain: commands that make a stream exist, then two racing writers. */
export interface Race {
  readonly setup: ReadonlyArray<unknown>
  readonly writers: readonly [unknown, unknown]
}

/** A domain, its types hidden behind operations on `unknown`. */
export interface Domain {
  readonly key: DomainKey
  readonly title: string
  /** What the domain models, in one sentence. */
  readonly tagline: string
  /** The command field that names the stream (`accountId`): its value is the stream's id. */
  readonly idField: string
  /** The stream of an id (`a` → `account-a`): the domain's `streamId`. */
  readonly streamOf: (id: string) => string
  /** The prefix of its stream ids (`account-`). */
  readonly streamPrefix: string
  /** What the command forms hold at first, by field name. */
  readonly examples: Readonly<Record<string, string>>
  /** Its command Schema, from which the forms are derived. */
  readonly commandSchema: Schema.Codec<unknown, unknown, never, never>
  /** The tags of its commands, events and rejections. */
  readonly vocabulary: { readonly commands: ReadonlyArray<string>; readonly events: ReadonlyArray<string>; readonly rejections: ReadonlyArray<string> }
  /** The decider's `initialState`. */
  readonly initialState: unknown
  /** Decodes the input from the command Schema's JSON form (`handleUnknown`) and handles it: load, decide, append. */
  readonly handle: (
    input: unknown,
    trace: Envelope.Trace
  ) => Effect.Effect<CommandHandler.Handled<unknown, unknown>, HandleError, EventStore.EventStore>
  /** Whether a record is one of this domain's event types. */
  readonly owns: (recorded: Envelope.Recorded) => boolean
  /** Decodes a stream's records (in version order) into its history. */
  readonly history: (records: ReadonlyArray<Envelope.Recorded>) => Result.Result<History, Codec.EventDecodeError>
  readonly readModels: ReadonlyArray<ReadModel>
  readonly race: (id: string) => Race
  /** Its event Schema, upcasters and `streamIdOf`, to check the events of an imported log. */
  readonly events: LogFile.Domains[number]
}

/** How to build a {@link Domain}. */
interface Definition<Command, State, Event extends Codec.Tagged, Rejection> {
  readonly key: DomainKey
  readonly title: string
  readonly tagline: string
  readonly idField: string
  readonly examples: Readonly<Record<string, string>>
  readonly commandSchema: Schema.Codec<Command, unknown, never, never>
  readonly eventSchema: Codec.EventSchema<Event>
  readonly rejectionSchema: Schema.Top
  readonly upcasters?: Upcaster.Upcasters | undefined
  readonly decider: Decider.Decider<Command, State, Event, Rejection>
  /** The stream of an id: the domain's `streamId`. */
  readonly streamOf: (id: string) => string
  /** The stream of a command or event: the domain's `streamIdOf`. */
  readonly streamId: (message: Command | Event) => string
  readonly projections: ReadonlyArray<{
    readonly name: string
    readonly title: string
    readonly description: string
    // Each read model has a state type of its own; the Projector hides it behind `unknown`.
    readonly projection: Projection.Projection<any, Envelope.Recorded<Event>>
  }>
  readonly race: (id: string) => Race
}

const tags = (schema: Schema.Top): ReadonlyArray<string> => [...(Codec.eventTypes(schema) ?? [])]

/**
 * Builds a {@link Domain}. Every domain gets a "stream states" read model besides its own: the
 * decider itself run as a projection, one state per stream (`Decider.many` + `Projection.fromDecider`,
 * keyed by each recorded event's stream id). Read models fold recorded envelopes (`input: "recorded"`).
 */
export const make = <Command, State, Event extends Codec.Tagged, Rejection>(
  definition: Definition<Command, State, Event, Rejection>
): Domain => {
  const { decider, eventSchema, upcasters } = definition
  const handler = CommandHandler.make({
    decider,
    commandSchema: definition.commandSchema,
    eventSchema,
    upcasters,
    streamId: definition.streamId
  })
  const decode = Codec.decoder(eventSchema, upcasters)
  const types = new Set(tags(eventSchema))
  const streamStates = Projection.mapEvent(
    Projection.fromDecider(Decider.many(decider)),
    (recorded: Envelope.Recorded<Event>) => ({ id: recorded.streamId, value: recorded.data })
  )
  const projections = [
    {
      name: "streams",
      title: "Stream states",
      description: "The decider itself as a projection: evolve folded per stream.",
      projection: streamStates
    },
    ...definition.projections
  ]
  return {
    key: definition.key,
    title: definition.title,
    tagline: definition.tagline,
    idField: definition.idField,
    streamOf: definition.streamOf,
    streamPrefix: definition.streamOf(""),
    examples: definition.examples,
    commandSchema: definition.commandSchema,
    vocabulary: {
      commands: tags(definition.commandSchema),
      events: tags(eventSchema),
      rejections: tags(definition.rejectionSchema)
    },
    initialState: decider.initialState,
    handle: handler.handleUnknown,
    owns: (recorded) => types.has(recorded.type),
    history: (records) => {
      const events: Array<Envelope.Recorded<Event>> = []
      for (const record of records) {
        const decoded = decode(record)
        if (Result.isFailure(decoded)) return Result.fail(decoded.failure)
        events.push(decoded.success)
      }
      return Result.succeed({
        events,
        stateAt: (version) => Decider.fold(decider, events.slice(0, version).map((event) => event.data))
      })
    },
    readModels: projections.map(({ description, name, projection, title }) => ({
      key: `${definition.key}/${name}`,
      title,
      description,
      start: Projector.make({ projection, input: "recorded", eventSchema, upcasters })
    })),
    race: definition.race,
    events: LogFile.domain({ eventSchema, upcasters, streamId: definition.streamId })
  }
}

/** The bank account: open, deposit, withdraw; no overdraft. */
const bank = make({
  key: "bank",
  title: "Bank account",
  tagline: "Open an account, deposit and withdraw whole cents; an overdraft is refused.",
  idField: "accountId",
  examples: { accountId: "a", owner: "Ada", amount: "100" },
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  rejectionSchema: BankAccount.Rejection,
  decider: BankAccount.decider,
  streamOf: BankAccount.streamId,
  streamId: BankAccount.streamIdOf,
  projections: [{
    name: "balances",
    title: "Balances",
    description: "BankAccount.balances: the balance of every account, in cents.",
    projection: Projection.recorded(BankAccount.balances)
  }],
  race: (accountId) => ({
    setup: [{ _tag: "Open", accountId, owner: "Ada" }],
    writers: [{ _tag: "Deposit", accountId, amount: 100 }, { _tag: "Deposit", accountId, amount: 50 }]
  })
})

/** The user: register, change e-mail, deactivate for good. */
const user = make({
  key: "user",
  title: "User",
  tagline: "Register a user, change the e-mail address, deactivate it for good.",
  idField: "userId",
  examples: { userId: "ada", givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" },
  commandSchema: User.Command,
  eventSchema: User.Event,
  rejectionSchema: User.Rejection,
  upcasters: User.upcasters,
  decider: User.decider,
  streamOf: User.streamId,
  streamId: User.streamIdOf,
  projections: [],
  race: (userId) => ({
    setup: [{ _tag: "Register", userId, givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" }],
    writers: [{ _tag: "ChangeEmail", userId, email: "ada@work.example" }, { _tag: "ChangeEmail", userId, email: "ada@home.example" }]
  })
})

/** Chassaing's light bulb. */
const bulb = make({
  key: "bulb",
  title: "Light bulb",
  tagline: "Fit a bulb with a number of uses, switch it on and off until it blows.",
  idField: "bulbId",
  examples: { bulbId: "hall", maxUses: "3" },
  commandSchema: Bulb.Command,
  eventSchema: Bulb.Event,
  rejectionSchema: Bulb.Rejection,
  decider: Bulb.decider,
  streamOf: Bulb.streamId,
  streamId: Bulb.streamIdOf,
  projections: [],
  race: (bulbId) => ({
    setup: [{ _tag: "Fit", bulbId, maxUses: 3 }],
    writers: [{ _tag: "SwitchOn", bulbId }, { _tag: "SwitchOn", bulbId }]
  })
})

/** The shopping cart. */
const cart = make({
  key: "cart",
  title: "Shopping cart",
  tagline: "Add and remove items, then confirm; a confirmed cart never changes again.",
  idField: "cartId",
  examples: { cartId: "c1", productId: "tea", quantity: "2", unitPrice: "350" },
  commandSchema: ShoppingCart.Command,
  eventSchema: ShoppingCart.Event,
  rejectionSchema: ShoppingCart.Rejection,
  decider: ShoppingCart.decider,
  streamOf: ShoppingCart.streamId,
  streamId: ShoppingCart.streamIdOf,
  projections: [{
    name: "summary",
    title: "Cart summaries",
    description: "ShoppingCart.summary: items and total (in cents) of every cart.",
    projection: Projection.recorded(ShoppingCart.summary)
  }],
  race: (cartId) => ({
    setup: [],
    writers: [
      { _tag: "AddItem", cartId, productId: "tea", quantity: 1, unitPrice: 350 },
      { _tag: "AddItem", cartId, productId: "cake", quantity: 2, unitPrice: 300 }
    ]
  })
})

/** All domains, in the order of the picker. */
export const all: ReadonlyArray<Domain> = [bank, user, bulb, cart]

/**
 * What an imported log file is checked with: the event Schema, upcasters and `streamIdOf` of every
 * domain, so that an event must decode and sit in the stream its own fields name.
 */
export const logFileDomains: LogFile.Domains = all.map((domain) => domain.events)

/** The domain with key `key`, or the bank account. */
export const byKey = (key: string | null): Domain => all.find((domain) => domain.key === key) ?? bank

