/**
 * The messages users read when input matches no case of a tagged union, through every decode that
 * reports them: commands (`CommandHandler`), stored events (`Codec`) and event log files (`LogFile`).
 */
import { BankAccount } from "@chronicle/examples"
import { Codec, CommandHandler, LogFile } from "@chronicle/runtime"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const commands = `"Open", "Deposit", "Withdraw"`

const problemsOf = <Command>(schema: Schema.Codec<Command, unknown, never, never>, input: unknown) => {
  const decoded = CommandHandler.commandDecoder(schema)(input)
  return Result.isFailure(decoded) ? decoded.failure : undefined
}

const Payment = Schema.TaggedUnion({ Card: { last4: Schema.String }, Cash: {} })
const Checkout = Schema.TaggedUnion({
  Pay: { orderId: Schema.String, payment: Payment },
  Split: { orderId: Schema.String, payments: Schema.Array(Payment) }
})

describe("Issues: a value that matches no case of a tagged union", () => {
  it("an unknown _tag is named, with the tags that exist, at the path of the tag", () => {
    const error = problemsOf(BankAccount.Command, { _tag: "Close", accountId: "a1" })
    assert.deepStrictEqual(error?.issues, [{ path: ["_tag"], message: `Unknown _tag "Close": expected one of ${commands}` }])
    assert.strictEqual(error?.message, `Invalid command: Unknown _tag "Close": expected one of ${commands} at ["_tag"]`)
    const notAString = problemsOf(BankAccount.Command, { _tag: 7 })
    assert.deepStrictEqual(notAString?.issues, [{ path: ["_tag"], message: `Unknown _tag 7: expected one of ${commands}` }])
  })

  it("a missing _tag says so, with the tags that exist", () => {
    const error = problemsOf(BankAccount.Command, { accountId: "a1", amount: 5 })
    assert.deepStrictEqual(error?.issues, [{ path: ["_tag"], message: `Missing _tag: expected one of ${commands}` }])
    const undefinedTag = problemsOf(BankAccount.Command, { _tag: undefined, accountId: "a1" })
    assert.deepStrictEqual(undefinedTag?.issues.map((issue) => issue.message), [`Missing _tag: expected one of ${commands}`])
  })

  it("input that is not an object says what it is instead", () => {
    for (const [input, kind] of [["deposit 100", "a string"], [[1], "an array"], [null, "null"], [5, "a number"]] as const) {
      const error = problemsOf(BankAccount.Command, input)
      assert.deepStrictEqual(error?.issues, [{
        path: [],
        message: `Expected an object with a _tag, one of ${commands}, got ${kind}`
      }])
    }
  })

  it("a nested tagged union names the path to its tag, in structs and arrays", () => {
    const pay = problemsOf(Checkout, { _tag: "Pay", orderId: "o1", payment: { _tag: "Crypto" } })
    assert.deepStrictEqual(pay?.issues, [{ path: ["payment", "_tag"], message: `Unknown _tag "Crypto": expected one of "Card", "Cash"` }])
    assert.match(pay?.message ?? "", /Unknown _tag "Crypto": expected one of "Card", "Cash" at \["payment"\]\["_tag"\]$/)
    const split = problemsOf(Checkout, { _tag: "Split", orderId: "o1", payments: [{ _tag: "Cash" }, { last4: "4242" }, "cash"] })
    assert.deepStrictEqual(split?.issues, [
      { path: ["payments", 1, "_tag"], message: `Missing _tag: expected one of "Card", "Cash"` },
      { path: ["payments", 2], message: `Expected an object with a _tag, one of "Card", "Cash", got a string` }
    ])
  })

  it("other problems keep effect's messages, and a union's own message annotation wins", () => {
    const wrongField = problemsOf(Checkout, { _tag: "Pay", orderId: 1, payment: { _tag: "Card" } })
    assert.deepStrictEqual(wrongField?.issues, [
      { path: ["orderId"], message: "Expected string" },
      { path: ["payment", "last4"], message: "Missing key" }
    ])
    const annotated = Schema.Union([Payment.cases.Card, Payment.cases.Cash]).annotate({ message: "Not a payment we take" })
    assert.deepStrictEqual(problemsOf(annotated, { _tag: "Crypto" })?.issues, [{ path: [], message: "Not a payment we take" }])
  })

  it("a stored event of an unknown type is reported the same way", () => {
    const decoded = Codec.decoder(BankAccount.Event)({
      streamId: "account-a",
      version: 3,
      position: 3,
      type: "Embezzled",
      data: { _tag: "Embezzled", accountId: "a" },
      metadata: { eventId: "e3", recordedAt: 0 }
    })
    assert.isTrue(Result.isFailure(decoded))
    if (Result.isSuccess(decoded)) return
    assert.strictEqual(
      decoded.failure.reason,
      `Unknown _tag "Embezzled": expected one of "AccountOpened", "Deposited", "Withdrawn" at ["_tag"]`
    )
  })

  it("an event log file whose payload has an unknown tag is refused the same way", () => {
    const file = {
      format: "chronicle-log",
      formatVersion: 1,
      events: [{
        streamId: "account-a",
        version: 1,
        position: 1,
        type: "Deposited",
        data: { _tag: "Embezzled", accountId: "a", amount: 1 },
        metadata: { eventId: "e1", recordedAt: 0 }
      }]
    }
    const validated = LogFile.validate(file, [{ eventSchema: BankAccount.Event }])
    assert.isTrue(Result.isFailure(validated))
    if (Result.isSuccess(validated)) return
    assert.match(validated.failure.reason, /^event #1 \(stream "account-a", version 1\): Unknown _tag "Embezzled": expected one of "AccountOpened", "Deposited", "Withdrawn" at \["_tag"\]$/)
  })
})
