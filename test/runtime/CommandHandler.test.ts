import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Ref, Result, Schedule, Stream } from "effect"
import { accounts, bankAccount, contended } from "./fixtures.ts"

const open = { _tag: "Open", accountId: "a1", owner: "Ada" } as const
const deposit = (amount: number) => ({ _tag: "Deposit", accountId: "a1", amount }) as const
const withdraw = (amount: number) => ({ _tag: "Withdraw", accountId: "a1", amount }) as const

const readAll = EventStore.EventStore.use((store) => Stream.runCollect(store.readAll()))

describe("CommandHandler", () => {
  it.effect("loads, decides and appends with the loaded version, returning events, state and version", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open)
      const handled = yield* accounts.handle(deposit(100))
      assert.strictEqual(handled.streamId, "account-a1")
      assert.strictEqual(handled.version, 2)
      assert.deepStrictEqual(handled.events.map((e) => [e.type, e.version, e.position]), [["Deposited", 2, 2]])
      assert.deepStrictEqual(handled.events[0]?.data, { _tag: "Deposited", accountId: "a1", amount: 100 })
      const loaded = yield* accounts.load("account-a1")
      assert.deepStrictEqual(loaded, { state: handled.state, version: 2 })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a rejection is a typed CommandRejected carrying the decider's reason, and appends nothing", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open)
      yield* accounts.handle(deposit(30))
      const error = yield* Effect.flip(accounts.handle(withdraw(40)))
      assert.strictEqual(error._tag, "CommandRejected")
      if (error._tag !== "CommandRejected") return
      assert.strictEqual(error.streamId, "account-a1")
      assert.deepStrictEqual(error.rejection, {
        _tag: "InsufficientFunds",
        accountId: "a1",
        balance: 30,
        amount: 40
      })
      assert.strictEqual((yield* readAll).length, 2)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("bad input is a typed InvalidCommand naming each path, and appends nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(accounts.handleUnknown({ _tag: "Deposit", accountId: "", amount: -5 }))
      assert.strictEqual(error._tag, "InvalidCommand")
      if (error._tag !== "InvalidCommand") return
      assert.deepStrictEqual(error.issues.map((issue) => issue.path), [["accountId"], ["amount"]])
      assert.match(error.message, /amount/)
      assert.match(error.message, /greater than 0/)
      const notACommand = yield* Effect.flip(accounts.handleUnknown("deposit 100"))
      assert.strictEqual(notACommand._tag, "InvalidCommand")
      assert.strictEqual((yield* readAll).length, 0)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("handleUnknown decodes and handles valid input", () =>
    Effect.gen(function*() {
      yield* accounts.handleUnknown(open)
      const handled = yield* accounts.handleUnknown({ _tag: "Deposit", accountId: "a1", amount: 5 })
      assert.strictEqual(handled.version, 2)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("passes correlation and causation ids into the metadata of every event", () =>
    Effect.gen(function*() {
      yield* accounts.handle(open, { correlationId: "conversation-1", causationId: "command-1" })
      const [recorded] = yield* readAll
      assert.strictEqual(recorded?.metadata.correlationId, "conversation-1")
      assert.strictEqual(recorded?.metadata.causationId, "command-1")
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("50 concurrent deposits into one account: exact sum, versions 1..n, conflicts retried", () =>
    Effect.gen(function*() {
      const conflicts = yield* Ref.make(0)
      yield* Effect.gen(function*() {
        yield* accounts.handle(open)
        yield* Effect.forEach(
          Array.from({ length: 50 }, (_, i) => i + 1),
          (amount) => accounts.handle(deposit(amount)),
          { concurrency: "unbounded", discard: true }
        )
        const events = yield* EventStore.EventStore.use((store) => Stream.runCollect(store.read("account-a1")))
        assert.deepStrictEqual(events.map((e) => e.version), Array.from({ length: 51 }, (_, i) => i + 1))
        const { state } = yield* accounts.load("account-a1")
        assert.deepStrictEqual(state, { _tag: "Opened", balance: (50 * 51) / 2 })
      }).pipe(Effect.provide(contended(conflicts).pipe(Layer.provide(MemoryEventStore.layer))))
      // The decorator makes the fibers load the same version: conflicts happened and were retried.
      assert.isAbove(yield* Ref.get(conflicts), 0)
    }))

  it.effect("gives up with WrongExpectedVersion when the retry schedule is exhausted", () =>
    Effect.gen(function*() {
      const conflicts = yield* Ref.make(0)
      const impatient = CommandHandler.make({ ...bankAccount, retry: Schedule.recurs(0) })
      yield* Effect.gen(function*() {
        yield* impatient.handle(open)
        const outcomes = yield* Effect.forEach(
          [1, 2, 3, 4],
          (amount) => Effect.result(impatient.handle(deposit(amount))),
          { concurrency: "unbounded" }
        )
        const failures = outcomes.filter((outcome) => outcome._tag === "Failure")
        assert.isAbove(failures.length, 0)
        for (const failure of failures) {
          if (failure._tag === "Failure") assert.strictEqual(failure.failure._tag, "WrongExpectedVersion")
        }
      }).pipe(Effect.provide(contended(conflicts).pipe(Layer.provide(MemoryEventStore.layer))))
    }))

  it.effect("a stored record that no longer decodes is reported with stream, version and position", () =>
    Effect.gen(function*() {
      const store = yield* EventStore.EventStore
      yield* accounts.handle(open)
      yield* store.append(
        "account-a1",
        [{ type: "Deposited", data: { _tag: "Deposited", accountId: "a1", amount: "a lot" } }],
        ExpectedVersion.exact(1)
      )
      const error = yield* Effect.flip(accounts.handle(deposit(1)))
      assert.strictEqual(error._tag, "EventDecodeError")
      if (error._tag !== "EventDecodeError") return
      assert.deepInclude(error, { streamId: "account-a1", version: 2, position: 2, type: "Deposited" })
      assert.match(error.message, /amount/)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a decider that produces an event its Schema refuses fails with EventEncodeError, writing nothing", () =>
    Effect.gen(function*() {
      const broken = CommandHandler.make({
        decider: {
          ...BankAccount.decider,
          decide: () => Result.succeed([{ _tag: "Deposited" as const, accountId: "a1", amount: -1 }])
        },
        commandSchema: BankAccount.Command,
        eventSchema: BankAccount.Event,
        streamId: BankAccount.streamIdOf
      })
      const error = yield* Effect.flip(broken.handle(open))
      assert.strictEqual(error._tag, "EventEncodeError")
      assert.match(error.message, /Deposited.*account-a1/)
      assert.strictEqual((yield* readAll).length, 0)
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
