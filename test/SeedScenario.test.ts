/**
 * The seed scenario, end to end on the in-memory layer: "deposit 100, withdraw 40" reads a balance
 * of 60 from the read model, driven through the CommandHandler and the Projector.
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, Projector } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"

const accounts = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamIdOf
})

it.effect("deposit 100, withdraw 40: the balance read model shows 60", () =>
  Effect.gen(function*() {
    const balances = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
    yield* accounts.handleUnknown({ _tag: "Open", accountId: "seed", owner: "Seed" })
    yield* accounts.handleUnknown({ _tag: "Deposit", accountId: "seed", amount: 100 })
    const last = yield* accounts.handleUnknown({ _tag: "Withdraw", accountId: "seed", amount: 40 })
    const { state } = yield* balances.awaitPosition(last.events[0]!.position)
    assert.strictEqual(state.get("seed"), 60)
  }).pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer)))
