import { BankAccount, User } from "@chronicle/examples"
import { CommandHandler, EventStore, LogFile } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Stream } from "effect"
import { bankAccount } from "./fixtures.ts"

const accounts = CommandHandler.make(bankAccount)
const domains = [
  LogFile.domain({ eventSchema: BankAccount.Event, streamId: BankAccount.streamIdOf }),
  LogFile.domain({ eventSchema: User.Event, upcasters: User.upcasters, streamId: User.streamIdOf })
]

describe("LogFile", () => {
  it("LogFile.domain checks that streamId takes the domain's events", () => {
    // @ts-expect-error BankAccount.streamId maps an id, not an event, to its stream
    const wrong = LogFile.domain({ eventSchema: BankAccount.Event, streamId: BankAccount.streamId })
    const right = LogFile.domain({ eventSchema: BankAccount.Event, streamId: BankAccount.streamIdOf })
    assert.strictEqual(right.streamId, BankAccount.streamIdOf)
    assert.strictEqual(wrong.eventSchema, right.eventSchema)
  })

  it.effect("export then import into an empty store reproduces the log exactly", () =>
    Effect.gen(function*() {
      const exported = yield* Effect.gen(function*() {
        yield* accounts.handle({ _tag: "Open", accountId: "a", owner: "Ada" }, { correlationId: "c1", commandId: "k1" })
        yield* accounts.handle({ _tag: "Open", accountId: "b", owner: "Bob" })
        yield* accounts.handle({ _tag: "Deposit", accountId: "a", amount: 7 })
        yield* EventStore.archive("account-a")
        yield* EventStore.remove("account-b")
        return yield* LogFile.exportLog
      }).pipe(Effect.provide(MemoryEventStore.layer))
      const text = JSON.stringify(exported)
      const imported = yield* Effect.gen(function*() {
        assert.strictEqual(yield* LogFile.importLog(text, domains), 5)
        return yield* LogFile.exportLog
      }).pipe(Effect.provide(MemoryEventStore.layer))
      assert.deepStrictEqual(imported, exported)
    }))

  it("validate names the first problem: bad envelope, position order, payload", () => {
    const record = (position: number, data: unknown) => ({
      streamId: "account-a",
      version: position,
      position,
      type: "Deposited",
      data,
      metadata: { eventId: `e${position}`, recordedAt: 0 }
    })
    const file = (events: ReadonlyArray<unknown>) => ({ format: "chronicle-log", formatVersion: 1, events })
    const reason = (input: unknown) => {
      const result = LogFile.validate(input, domains)
      return Result.isFailure(result) ? result.failure.reason : "valid"
    }
    const deposit = { _tag: "Deposited", accountId: "a", amount: 1 }
    assert.strictEqual(reason(file([record(1, deposit)])), "valid")
    assert.match(reason(file([{ ...record(1, deposit), version: 0 }])), /not a Chronicle event log: .*at \["events"\]\[0\]\["version"\]/s)
    assert.match(reason(file([record(2, deposit), { ...record(2, deposit), version: 2 }])), /expected version 1/)
    assert.match(reason(file([record(1, deposit), { ...record(1, deposit), version: 2 }])), /position 1 does not follow 1/)
    assert.match(reason(file([record(1, { ...deposit, amount: -3 })])), /event #1 .*greater than 0/)
    assert.match(reason(file([{ ...record(1, deposit), type: "Withdrawn" }])), /its payload is a "Deposited"/)
    assert.match(reason(file([record(1, { ...deposit, accountId: "b" })])), /it belongs to stream "account-b"/)
    const tombstone = { ...record(2, { _tag: "$StreamDeleted" }), type: "$StreamDeleted" }
    assert.strictEqual(reason(file([record(1, deposit), tombstone])), "valid")
    assert.match(reason(file([record(1, deposit), tombstone, record(3, deposit)])), /closed before it/)
    assert.match(reason(file([{ ...tombstone, version: 1, position: 1, data: { evil: true } }])), /malformed life-cycle marker/)
  })

  it.effect("the store is untouched by a refused import", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(LogFile.importLog("[]", domains))
      assert.strictEqual(error._tag, "InvalidLogFile")
      assert.strictEqual((yield* EventStore.EventStore.use((store) => Stream.runCollect(store.readAll()))).length, 0)
    }).pipe(Effect.provide(MemoryEventStore.layer)))
})
