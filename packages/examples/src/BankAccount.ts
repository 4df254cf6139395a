/**
 * **BankAccount**: the classic first decider. An account is opened for an owner, then receives
 * deposits and withdrawals of whole cents. It never goes below zero: a withdrawal larger than the
 * balance is rejected with the balance and the amount, so the caller can say why.
 *
 * One account is one stream (`account-<accountId>`, see {@link streamId}). The {@link balances}
 * projection reads the events of every account and keeps each balance; {@link lastActivity} reads
 * their recorded envelopes and keeps when each account last changed.
 *
 * @example
 * ```ts
 * import { Decider } from "@chronicle/core"
 * import { BankAccount } from "@chronicle/examples"
 *
 * Decider.run(BankAccount.decider, [
 *   { _tag: "Open", accountId: "42", owner: "Ada" },
 *   { _tag: "Deposit", accountId: "42", amount: 100 },
 *   { _tag: "Withdraw", accountId: "42", amount: 30 }
 * ]) // Result.succeed({ events: [AccountOpened, Deposited, Withdrawn], state: { _tag: "Opened", balance: 70 } })
 * ```
 *
 * @since 0.1.0
 */
import type { Envelope } from "@chronicle/core"
import { Decider, Projection } from "@chronicle/core"
import { Result, Schema } from "effect"

/**
 * An amount of money in cents: a whole number greater than zero.
 *
 * @since 0.1.0
 */
export const Amount = Schema.Int.check(Schema.isGreaterThan(0))

const AccountId = Schema.NonEmptyString

/**
 * The commands an account accepts.
 *
 * @since 0.1.0
 */
export const Command = Schema.TaggedUnion({
  Open: { accountId: AccountId, owner: Schema.NonEmptyString },
  Deposit: { accountId: AccountId, amount: Amount },
  Withdraw: { accountId: AccountId, amount: Amount }
})

/**
 * A command to an account: `Open`, `Deposit` or `Withdraw`.
 *
 * @since 0.1.0
 */
export type Command = typeof Command.Type

/**
 * The events an account records.
 *
 * @since 0.1.0
 */
export const Event = Schema.TaggedUnion({
  AccountOpened: { accountId: AccountId, owner: Schema.NonEmptyString },
  Deposited: { accountId: AccountId, amount: Amount },
  Withdrawn: { accountId: AccountId, amount: Amount }
})

/**
 * An event of an account: `AccountOpened`, `Deposited` or `Withdrawn`.
 *
 * @since 0.1.0
 */
export type Event = typeof Event.Type

/**
 * Why an account refuses a command.
 *
 * @since 0.1.0
 */
export const Rejection = Schema.TaggedUnion({
  AlreadyOpened: { accountId: AccountId },
  NotOpened: { accountId: AccountId },
  InvalidAmount: { accountId: AccountId, amount: Schema.Number },
  InsufficientFunds: { accountId: AccountId, balance: Schema.Int, amount: Schema.Int }
})

/**
 * A refusal: the account is already open or not open yet, the amount is not a positive whole number
 * of cents, or the balance does not cover a withdrawal.
 *
 * @since 0.1.0
 */
export type Rejection = typeof Rejection.Type

/**
 * What `decide` needs to know about an account: whether it is open, and its balance in cents. A
 * Schema, so that snapshots can store it.
 *
 * @since 0.1.0
 */
export const State = Schema.Union([
  Schema.TaggedStruct("NotOpened", {}),
  Schema.TaggedStruct("Opened", { balance: Schema.Int })
])

/**
 * The state of an account: `NotOpened`, or `Opened` with its balance in cents.
 *
 * @since 0.1.0
 */
export type State = typeof State.Type

type Decision = Result.Result<ReadonlyArray<Event>, Rejection>

const isAmount = Schema.is(Amount)

const open = ({ accountId, owner }: typeof Command.cases.Open.Type, state: State): Decision =>
  state._tag === "Opened"
    ? Result.fail({ _tag: "AlreadyOpened", accountId })
    : Result.succeed([{ _tag: "AccountOpened", accountId, owner }])

const deposit = ({ accountId, amount }: typeof Command.cases.Deposit.Type, state: State): Decision => {
  if (!isAmount(amount)) return Result.fail({ _tag: "InvalidAmount", accountId, amount })
  if (state._tag === "NotOpened") return Result.fail({ _tag: "NotOpened", accountId })
  return Result.succeed([{ _tag: "Deposited", accountId, amount }])
}

const withdraw = ({ accountId, amount }: typeof Command.cases.Withdraw.Type, state: State): Decision => {
  if (!isAmount(amount)) return Result.fail({ _tag: "InvalidAmount", accountId, amount })
  if (state._tag === "NotOpened") return Result.fail({ _tag: "NotOpened", accountId })
  const { balance } = state
  if (amount > balance) return Result.fail({ _tag: "InsufficientFunds", accountId, balance, amount })
  return Result.succeed([{ _tag: "Withdrawn", accountId, amount }])
}

// The balance after an event, shared by the decider's state and the balances read model.
const balanceAfter = (balance: number, event: Event): number => {
  switch (event._tag) {
    case "AccountOpened":
      return 0
    case "Deposited":
      return balance + event.amount
    case "Withdrawn":
      return balance - event.amount
  }
}

/**
 * The account decider. Opening twice, moving money on an account that is not open, a non-positive
 * or fractional amount, and an overdraft are rejections.
 *
 * @example
 * ```ts
 * BankAccount.decider.decide({ _tag: "Withdraw", accountId: "42", amount: 500 }, { _tag: "Opened", balance: 70 })
 * // Result.fail({ _tag: "InsufficientFunds", accountId: "42", balance: 70, amount: 500 })
 * ```
 *
 * @since 0.1.0
 */
export const decider = Decider.make<Command, State, Event, Rejection>({
  initialState: { _tag: "NotOpened" },
  decide: (command, state) => {
    switch (command._tag) {
      case "Open":
        return open(command, state)
      case "Deposit":
        return deposit(command, state)
      case "Withdraw":
        return withdraw(command, state)
    }
  },
  evolve: (state, event) => ({
    _tag: "Opened",
    balance: balanceAfter(state._tag === "Opened" ? state.balance : 0, event)
  })
})

/**
 * The balance read model: the balance in cents of every opened account, by account id.
 *
 * @example
 * ```ts
 * Projection.fold(BankAccount.balances, events).get("42") // 70
 * ```
 *
 * @since 0.1.0
 */
export const balances = Projection.make<ReadonlyMap<string, number>, Event>({
  initialState: new Map(),
  evolve: (balances, event) =>
    new Map(balances).set(event.accountId, balanceAfter(balances.get(event.accountId) ?? 0, event))
})

/**
 * The last-activity read model: when each account last changed, as the `recordedAt` (epoch
 * milliseconds) of its latest event, by stream id. The time of recording is metadata, not part of
 * the event, so this projection reads recorded envelopes: run it with `input: "recorded"`.
 *
 * @example
 * ```ts
 * const lastActivity = yield* Projector.make({
 *   projection: BankAccount.lastActivity,
 *   input: "recorded",
 *   eventSchema: BankAccount.Event
 * })
 * const { state } = yield* lastActivity.current
 * state.get(BankAccount.streamId("42")) // e.g. 1767225600000
 * ```
 *
 * @since 0.1.0
 */
export const lastActivity = Projection.make<ReadonlyMap<string, number>, Envelope.Recorded<Event>>({
  initialState: new Map(),
  evolve: (times, recorded) => new Map(times).set(recorded.streamId, recorded.metadata.recordedAt)
})

/**
 * The stream of an account, from its id: `account-<accountId>`. Use it where you hold an id, e.g. to
 * load the stream with a `StreamState`.
 *
 * @example
 * ```ts
 * BankAccount.streamId("42") // "account-42"
 * const { state, version } = yield* accounts.load(BankAccount.streamId("42"))
 * ```
 *
 * @since 0.1.0
 */
export const streamId = (accountId: string): string => `account-${accountId}`

/**
 * The stream a command or an event of an account belongs to (both name their account): the
 * `streamId` option of a `CommandHandler`.
 *
 * @example
 * ```ts
 * BankAccount.streamIdOf({ _tag: "Deposit", accountId: "42", amount: 100 }) // "account-42"
 * const handler = CommandHandler.make({
 *   decider: BankAccount.decider,
 *   commandSchema: BankAccount.Command,
 *   eventSchema: BankAccount.Event,
 *   streamId: BankAccount.streamIdOf
 * })
 * ```
 *
 * @since 0.1.0
 */
export const streamIdOf = (message: Command | Event): string => streamId(message.accountId)
