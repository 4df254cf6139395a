/**
 * A combined decider behind one `CommandHandler`: users and bank accounts handled together, each
 * stream holding the events of one side. Deactivating a user ends that user's stream; the other
 * streams go on.
 */
import { Decider } from "@chronicle/core"
import { BankAccount, User } from "@chronicle/examples"
import { CommandHandler } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"

const isUserCommand = Schema.is(User.Command)

const handler = CommandHandler.make({
  decider: Decider.combine(User.decider, BankAccount.decider, {
    isLeftCommand: isUserCommand,
    isLeftEvent: Schema.is(User.Event)
  }),
  commandSchema: Schema.Union([User.Command, BankAccount.Command]),
  eventSchema: Schema.Union([User.Event, BankAccount.Event]),
  upcasters: User.upcasters,
  streamId: (command) => isUserCommand(command) ? User.streamIdOf(command) : BankAccount.streamIdOf(command)
})

const register = (userId: string) =>
  ({ _tag: "Register", userId, givenName: "Ada", familyName: "Lovelace", email: "ada@example.com" }) as const

describe("a combined decider behind one CommandHandler", () => {
  it.effect("a stream whose side terminates refuses the next command with StreamTerminated; other streams go on", () =>
    Effect.gen(function*() {
      yield* handler.handle(register("u1"))
      yield* handler.handle(register("u2"))
      yield* handler.handle({ _tag: "Open", accountId: "a1", owner: "Ada" })
      const deactivated = yield* handler.handle({ _tag: "Deactivate", userId: "u1" })
      assert.strictEqual(deactivated.state[0]._tag, "Deactivated")

      const refused = yield* Effect.flip(handler.handle({ _tag: "ChangeEmail", userId: "u1", email: "ada@example.org" }))
      assert.deepStrictEqual([refused._tag, refused.message], [
        "StreamTerminated",
        `Stream "user-u1" is terminated (at version ${deactivated.version}): it accepts no more commands`
      ])

      const otherUser = yield* handler.handle({ _tag: "ChangeEmail", userId: "u2", email: "grace@example.org" })
      assert.deepStrictEqual(otherUser.state[0], { _tag: "Active", email: "grace@example.org" })
      const account = yield* handler.handle({ _tag: "Deposit", accountId: "a1", amount: 50 })
      assert.deepStrictEqual(account.state[1], { _tag: "Opened", balance: 50 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
