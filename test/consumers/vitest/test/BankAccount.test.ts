/**
 * A user's test suite on Chronicle's testing kit, from the published packages: a given/when/then
 * spec and a property law on the example bank account.
 */
import { BankAccount } from "@chronicle/examples"
import { Arbitraries, DeciderSpec, Laws } from "@chronicle/testing"
import fc from "fast-check"
import { describe, it } from "vitest"

const opened = { _tag: "AccountOpened", accountId: "a", owner: "Ada" } as const

describe("bank account", () => {
  const spec = DeciderSpec.make(BankAccount.decider)

  it("deposits into an open account", () => {
    spec.given([opened]).when({ _tag: "Deposit", accountId: "a", amount: 5 })
      .then([{ _tag: "Deposited", accountId: "a", amount: 5 }])
  })

  it("refuses to overdraw", () => {
    spec.given([opened]).when({ _tag: "Withdraw", accountId: "a", amount: 5 })
      .thenRejects((rejection) => rejection._tag === "InsufficientFunds")
  })

  it("folds any history of generated commands the same way at once and in parts", () => {
    const commands = fc.array(Arbitraries.fromSchema(BankAccount.Command), { maxLength: 20 })
    const history = Arbitraries.history(BankAccount.decider, commands, { streamId: BankAccount.streamIdOf })
    fc.assert(Laws.foldHomomorphism({ decider: BankAccount.decider, history }), { numRuns: 50 })
  })
})
