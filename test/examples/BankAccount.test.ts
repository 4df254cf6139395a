import { Projection } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { DeciderSpec } from "@chronicle/testing"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const spec = DeciderSpec.make(BankAccount.decider)

const accountId = "42"
const open: BankAccount.Command = { _tag: "Open", accountId, owner: "Ada" }
const deposit = (amount: number): BankAccount.Command => ({ _tag: "Deposit", accountId, amount })
const withdraw = (amount: number): BankAccount.Command => ({ _tag: "Withdraw", accountId, amount })
const opened: BankAccount.Event = { _tag: "AccountOpened", accountId, owner: "Ada" }
const deposited = (amount: number): BankAccount.Event => ({ _tag: "Deposited", accountId, amount })
const withdrawn = (amount: number): BankAccount.Event => ({ _tag: "Withdrawn", accountId, amount })

describe("BankAccount", () => {
  describe("Open", () => {
    it("opens a new account with a zero balance", () => {
      const state = spec.given([]).when(open).then([opened])
      assert.deepStrictEqual(state, { _tag: "Opened", balance: 0 })
    })

    it("rejects opening an account twice", () => {
      spec.given([opened]).when(open).thenRejects({ _tag: "AlreadyOpened", accountId })
    })
  })

  describe("Deposit", () => {
    it("adds the amount to the balance", () => {
      const state = spec.given([opened, deposited(100)]).when(deposit(50)).then([deposited(50)])
      assert.deepStrictEqual(state, { _tag: "Opened", balance: 150 })
    })

    it("rejects a deposit on an account that is not open", () => {
      spec.given([]).when(deposit(50)).thenRejects({ _tag: "NotOpened", accountId })
    })

    it("rejects an amount that is not a positive whole number of cents", () => {
      for (const amount of [0, -5, 1.5, Number.NaN]) {
        spec.given([opened]).when(deposit(amount)).thenRejects((rejection) =>
          rejection._tag === "InvalidAmount" && Object.is(rejection.amount, amount)
        )
      }
    })
  })

  describe("Withdraw", () => {
    it("takes the amount from the balance", () => {
      const state = spec.given([opened, deposited(100)]).when(withdraw(40)).then([withdrawn(40)])
      assert.deepStrictEqual(state, { _tag: "Opened", balance: 60 })
    })

    it("may empty the account", () => {
      const state = spec.given([opened, deposited(100)]).when(withdraw(100)).then([withdrawn(100)])
      assert.deepStrictEqual(state, { _tag: "Opened", balance: 0 })
    })

    it("rejects an overdraft with the balance and the amount", () => {
      spec.given([opened, deposited(100), withdrawn(30)]).when(withdraw(71)).thenRejects({
        _tag: "InsufficientFunds",
        accountId,
        balance: 70,
        amount: 71
      })
    })

    it("rejects a withdrawal from an account that is not open", () => {
      spec.given([]).when(withdraw(10)).thenRejects({ _tag: "NotOpened", accountId })
    })

    it("rejects an amount that is not a positive whole number of cents", () => {
      spec.given([opened, deposited(100)]).when(withdraw(-5)).thenRejects({
        _tag: "InvalidAmount",
        accountId,
        amount: -5
      })
    })
  })

  it("is never terminal", () => {
    assert.isFalse(BankAccount.decider.isTerminal(BankAccount.decider.initialState))
    assert.isFalse(BankAccount.decider.isTerminal({ _tag: "Opened", balance: 0 }))
  })

  describe("balances", () => {
    it("keeps the balance of every account", () => {
      const events: ReadonlyArray<BankAccount.Event> = [
        opened,
        { _tag: "AccountOpened", accountId: "7", owner: "Grace" },
        deposited(100),
        { _tag: "Deposited", accountId: "7", amount: 25 },
        withdrawn(40),
        { _tag: "Withdrawn", accountId: "7", amount: 25 }
      ]
      assert.deepStrictEqual(Projection.fold(BankAccount.balances, events), new Map([["42", 60], ["7", 0]]))
    })

    it("is empty before any event", () => {
      assert.strictEqual(Projection.initial(BankAccount.balances).size, 0)
    })
  })

  describe("lastActivity", () => {
    const at = (version: number, recordedAt: number, data: BankAccount.Event) => ({
      streamId: BankAccount.streamIdOf(data),
      version,
      position: recordedAt,
      type: data._tag,
      data,
      metadata: { eventId: `e${recordedAt}`, recordedAt }
    })

    it("keeps the recordedAt of the latest event of every stream", () => {
      const records = [
        at(1, 100, opened),
        at(1, 200, { _tag: "AccountOpened", accountId: "7", owner: "Grace" }),
        at(2, 300, deposited(5))
      ]
      assert.deepStrictEqual(
        Projection.fold(BankAccount.lastActivity, records),
        new Map([["account-42", 300], ["account-7", 200]])
      )
    })

    it("is empty before any event", () => {
      assert.strictEqual(Projection.initial(BankAccount.lastActivity).size, 0)
    })
  })

  it("derives the stream id from the account id", () => {
    assert.strictEqual(BankAccount.streamId("42"), "account-42")
    assert.strictEqual(BankAccount.streamId("x-1"), "account-x-1")
  })

  it("finds the stream of a command or an event", () => {
    assert.strictEqual(BankAccount.streamIdOf(deposit(1)), "account-42")
    assert.strictEqual(BankAccount.streamIdOf(opened), "account-42")
  })

  describe("Command schema", () => {
    const decodeFailure = (input: unknown): string =>
      Result.match(Schema.decodeUnknownResult(BankAccount.Command)(input), {
        onFailure: (error) => error.message,
        onSuccess: () => "decoded"
      })

    it("decodes a valid command", () => {
      assert.strictEqual(decodeFailure({ _tag: "Deposit", accountId, amount: 100 }), "decoded")
    })

    it("rejects a negative or zero amount, naming the field", () => {
      for (const amount of [-5, 0]) {
        const message = decodeFailure({ _tag: "Withdraw", accountId, amount })
        assert.include(message, "Expected a value greater than 0")
        assert.include(message, `["amount"]`)
      }
    })

    it("rejects a fractional amount", () => {
      const message = decodeFailure({ _tag: "Deposit", accountId, amount: 1.5 })
      assert.include(message, "Expected an integer")
      assert.include(message, `["amount"]`)
    })

    it("rejects an empty account id and a missing owner", () => {
      assert.include(decodeFailure({ _tag: "Deposit", accountId: "", amount: 1 }), `["accountId"]`)
      assert.include(decodeFailure({ _tag: "Open", accountId }), `["owner"]`)
    })
  })
})
