import { Decider, ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { CommandHandler, EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, Ref, Result, Schedule, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
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

  it.effect("by default a conflicting command is tried again at once, then 15 times with backoff on the Clock, then fails with WrongExpectedVersion having written nothing", () =>
    Effect.gen(function*() {
      const plain = CommandHandler.make(bankAccount) // the default retry
      const attempts = yield* Ref.make(0)
      // A store on which every append conflicts: another writer always got there first.
      const conflicting = Layer.effect(
        EventStore.EventStore,
        Effect.gen(function*() {
          const store = yield* EventStore.EventStore
          return {
            ...store,
            append: (streamId, _, expected) =>
              Effect.andThen(
                Ref.update(attempts, (n) => n + 1),
                Effect.fail(new EventStore.WrongExpectedVersion({ streamId, expected, actual: 1 }))
              )
          } satisfies EventStore.Service
        })
      ).pipe(Layer.provideMerge(MemoryEventStore.layer))
      yield* Effect.gen(function*() {
        const handling = yield* Effect.forkChild(plain.handle(open))
        yield* Effect.yieldNow
        assert.strictEqual(yield* Ref.get(attempts), 2, "the first attempt and the one at once; the others wait for the clock")
        let elapsed = 0
        while (handling.pollUnsafe() === undefined && elapsed < 60_000) {
          yield* TestClock.adjust("10 millis")
          elapsed += 10
        }
        const exit = yield* Fiber.await(handling)
        assert.isTrue(Exit.isFailure(exit) && Exit.findErrorOption(exit).pipe(Option.exists((e) => e._tag === "WrongExpectedVersion")))
        assert.strictEqual(yield* Ref.get(attempts), 17)
        // 5, 10, 20 … 320 ms, then 500 ms eight times: 4,635 ms, each delay jittered by 0.8–1.2.
        assert.isAtLeast(elapsed, 0.8 * 4_635)
        assert.isAtMost(elapsed, 1.2 * 4_635 + 15 * 10)
        assert.deepStrictEqual(yield* readAll, [])
      }).pipe(Effect.provide(conflicting))
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

/** Commands with fields whose JSON form differs from their type: a `Date` and a `bigint`. */
const Meter = {
  Command: Schema.TaggedUnion({
    Read: { meterId: Schema.String, at: Schema.Date },
    Charge: { meterId: Schema.String, amount: Schema.BigInt }
  }),
  Event: Schema.TaggedUnion({
    Read: { meterId: Schema.String, at: Schema.Date },
    Charged: { meterId: Schema.String, amount: Schema.BigInt }
  })
}
type MeterCommand = typeof Meter.Command.Type
type MeterEvent = typeof Meter.Event.Type

const meters = CommandHandler.make({
  // `getTime` and `+ 1n` throw on an ISO string or a string of digits: the decider needs the types.
  decider: Decider.make({
    initialState: 0n,
    decide: (command: MeterCommand) =>
      Result.succeed<ReadonlyArray<MeterEvent>>([
        command._tag === "Read"
          ? { _tag: "Read", meterId: command.meterId, at: new Date(command.at.getTime()) }
          : { _tag: "Charged", meterId: command.meterId, amount: command.amount + 1n }
      ]),
    evolve: (total: bigint, event: MeterEvent) => event._tag === "Charged" ? total + event.amount : total
  }),
  commandSchema: Meter.Command,
  eventSchema: Meter.Event,
  streamId: (command) => `meter-${command.meterId}`
})

describe("CommandHandler: commands from outside, in their JSON form", () => {
  it.effect("handleUnknown decodes a JSON body: an ISO date reaches the decider as a Date, stored as the same string", () =>
    Effect.gen(function*() {
      const body = `{ "_tag": "Read", "meterId": "m1", "at": "2026-12-01T09:30:00.000Z" }`
      const handled = yield* meters.handleUnknown(JSON.parse(body))
      const event = handled.events[0]?.data
      assert.isTrue(event?._tag === "Read" && event.at instanceof Date)
      assert.strictEqual(event?._tag === "Read" && event.at.toISOString(), "2026-12-01T09:30:00.000Z")
      const [recorded] = yield* readAll
      assert.deepStrictEqual(recorded?.data, { _tag: "Read", meterId: "m1", at: "2026-12-01T09:30:00.000Z" })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("handleUnknown decodes a bigint from its string of digits, beyond the numbers' exact range", () =>
    Effect.gen(function*() {
      const body = `{ "_tag": "Charge", "meterId": "m1", "amount": "18446744073709551616" }`
      const handled = yield* meters.handleUnknown(JSON.parse(body))
      assert.strictEqual(handled.state, 18446744073709551617n)
      const [recorded] = yield* readAll
      assert.deepStrictEqual(recorded?.data, { _tag: "Charged", meterId: "m1", amount: "18446744073709551617" })
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("a JSON body with a field that is not in its JSON form is an InvalidCommand at its path", () =>
    Effect.gen(function*() {
      const notADate = yield* Effect.flip(meters.handleUnknown({ _tag: "Read", meterId: "m1", at: "yesterday" }))
      assert.strictEqual(notADate._tag, "InvalidCommand")
      if (notADate._tag !== "InvalidCommand") return
      assert.deepStrictEqual(notADate.issues.map((issue) => issue.path), [["at"]])
      // An in-process value is the type, not the JSON form: it goes to `handle`.
      const typed = yield* Effect.flip(meters.handleUnknown({ _tag: "Read", meterId: "m1", at: new Date(0) }))
      assert.strictEqual(typed._tag, "InvalidCommand")
      assert.strictEqual((yield* readAll).length, 0)
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("handle takes typed values (a Date, a bigint) as they are", () =>
    Effect.gen(function*() {
      yield* meters.handle({ _tag: "Read", meterId: "m1", at: new Date("2026-12-01T09:30:00.000Z") })
      const handled = yield* meters.handle({ _tag: "Charge", meterId: "m1", amount: 41n })
      assert.strictEqual(handled.state, 42n)
      const stored = (yield* readAll).map((recorded) => recorded.data)
      assert.deepStrictEqual(stored, [
        { _tag: "Read", meterId: "m1", at: "2026-12-01T09:30:00.000Z" },
        { _tag: "Charged", meterId: "m1", amount: "42" }
      ])
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it("commandDecoder is what handleUnknown decodes with: the JSON form in, the command or an InvalidCommand out", () => {
    const decode = CommandHandler.commandDecoder(Meter.Command)
    const charge = decode({ _tag: "Charge", meterId: "m1", amount: "7" })
    assert.deepStrictEqual(charge, Result.succeed({ _tag: "Charge" as const, meterId: "m1", amount: 7n }))
    const invalid = decode({ _tag: "Charge", meterId: "m1", amount: 7 })
    assert.isTrue(Result.isFailure(invalid) && invalid.failure._tag === "InvalidCommand")
  })

  it.effect("a rejection and a terminated stream capture no stack trace: the stack is the header line", () =>
    Effect.gen(function*() {
      const rejected = yield* Effect.flip(accounts.handle(withdraw(5)))
      assert.strictEqual(rejected._tag, "CommandRejected")
      assert.instanceOf(rejected, Error)
      assert.notInclude(String(rejected.stack), "\n")
      const terminated = new CommandHandler.StreamTerminated({ streamId: "bulb-1", version: 3 })
      assert.notInclude(String(terminated.stack), "\n")
      // Other errors keep theirs: the stack trace limit is put back.
      assert.include(String(new Error("x").stack), "\n")
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("without a commandSchema a handler handles in-process commands and has no handleUnknown", () =>
    Effect.gen(function*() {
      const { commandSchema: _, ...withoutSchema } = bankAccount
      const inProcess = CommandHandler.make(withoutSchema)
      // @ts-expect-error: handleUnknown needs a commandSchema
      assert.isUndefined(inProcess.handleUnknown)
      yield* inProcess.handle(open)
      const handled = yield* inProcess.handle(deposit(5))
      assert.deepStrictEqual([handled.state, handled.version], [{ _tag: "Opened", balance: 5 }, 2])
    }).pipe(Effect.provide(MemoryEventStore.layer)))

  it.effect("handleResult: an accepted command is a success, a rejection a failure value, other errors stay errors", () =>
    Effect.gen(function*() {
      const opened = yield* accounts.handleResult(open)
      assert.isTrue(Result.isSuccess(opened) && opened.success.version === 1)
      const refused = yield* accounts.handleResult(withdraw(5))
      assert.isTrue(Result.isFailure(refused) && refused.failure.rejection._tag === "InsufficientFunds")
      yield* EventStore.archive("account-a1")
      const closed = yield* Effect.flip(accounts.handleResult(deposit(5)))
      assert.strictEqual(closed._tag, "StreamClosed")
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
