/**
 * Placeholder playground: runs the seed scenario (open, deposit 100, withdraw 40) on the in-memory
 * store and shows the recorded events and the balance read model. Payloads are rendered as text.
 */
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, Projector } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { Effect } from "effect"

const accounts = CommandHandler.make({
  decider: BankAccount.decider,
  commandSchema: BankAccount.Command,
  eventSchema: BankAccount.Event,
  streamId: BankAccount.streamId
})

const program = Effect.gen(function*() {
  const balances = yield* Projector.make({ projection: BankAccount.balances, eventSchema: BankAccount.Event })
  const log = document.getElementById("log")!
  for (
    const command of [
      { _tag: "Open", accountId: "ada", owner: "Ada" },
      { _tag: "Deposit", accountId: "ada", amount: 100 },
      { _tag: "Withdraw", accountId: "ada", amount: 40 }
    ]
  ) {
    const handled = yield* accounts.handleUnknown(command)
    for (const recorded of handled.events) {
      const item = document.createElement("li")
      item.textContent = `#${recorded.position} ${recorded.streamId} v${recorded.version} ${JSON.stringify(recorded.data)}`
      log.append(item)
    }
  }
  const { state } = yield* balances.awaitPosition(3)
  document.getElementById("balance")!.textContent = `ada: ${state.get("ada")}`
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(MemoryEventStore.layer))).catch((error: unknown) => {
  document.getElementById("balance")!.textContent = `Error: ${String(error)}`
})
