import { ExpectedVersion } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { Codec, EventStore } from "@chronicle/runtime"
import { MemoryEventStore } from "@chronicle/store-memory"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Schema, Stream } from "effect"

const opened: BankAccount.Event = { _tag: "AccountOpened", accountId: "a", owner: "Ada" }
const encode = Codec.encoder(BankAccount.Event)

// What the memory store returns for `events` appended to stream "s".
const storedAs = (events: ReadonlyArray<EventStore.Pending>) =>
  Effect.gen(function*() {
    const store = yield* EventStore.EventStore
    yield* store.append("s", events, ExpectedVersion.any)
    return yield* Stream.runCollect(store.read("s"))
  }).pipe(Effect.provide(MemoryEventStore.layer))

describe("records encoded in this process (EventStore.encodedWith)", () => {
  it.effect("a record the memory store keeps after Codec.encoder wrote it is its own event, not decoded again", () =>
    Effect.gen(function*() {
      const [recorded] = yield* storedAs(Result.getOrThrow(encode("s", [opened])))
      assert.strictEqual(EventStore.encodedWithOf(recorded!), BankAccount.Event)
      const event = Result.getOrThrow(Codec.eventDecoder(BankAccount.Event)(recorded!))
      assert.strictEqual(event, recorded!.data)
      assert.deepStrictEqual(event, opened)
      assert.isTrue(Object.isFrozen(event))
      // Invisible to JSON and spreads: the record's fields are what they were.
      assert.deepStrictEqual(Object.keys(recorded!), ["streamId", "version", "position", "type", "data", "metadata"])
      assert.notInclude(JSON.stringify(recorded), "encodedWith")
    }))

  it.effect("a record appended without the codec is decoded, and a bad one is an EventDecodeError", () =>
    Effect.gen(function*() {
      const [recorded] = yield* storedAs([{ type: "Deposited", data: { _tag: "Deposited", accountId: "a", amount: -5 } }])
      assert.isUndefined(EventStore.encodedWithOf(recorded!))
      const failure = Codec.eventDecoder(BankAccount.Event)(recorded!)
      assert.isTrue(Result.isFailure(failure))
      if (Result.isFailure(failure)) assert.deepInclude(failure.failure, { _tag: "EventDecodeError", streamId: "s", version: 1, position: 1 })
    }))

  it.effect("another Schema object reading the record checks it: trust is the encoding Schema's alone", () =>
    Effect.gen(function*() {
      const [recorded] = yield* storedAs(Result.getOrThrow(encode("s", [{ _tag: "Deposited", accountId: "a", amount: 5 }])))
      const Stricter = Schema.TaggedUnion({
        Deposited: { accountId: Schema.String, amount: Schema.Number.check(Schema.isGreaterThan(10)) }
      })
      const failure = Codec.eventDecoder(Stricter)(recorded!)
      assert.isTrue(Result.isFailure(failure))
      if (Result.isFailure(failure)) assert.deepInclude(failure.failure, { streamId: "s", version: 1, position: 1 })
    }))

  it.effect("a Schema whose JSON form is not its decoded form is always decoded (a date comes back a Date)", () =>
    Effect.gen(function*() {
      const Dated = Schema.TaggedUnion({ Noted: { at: Schema.Date } })
      const at = new Date("2026-12-01T00:00:00.000Z")
      const [recorded] = yield* storedAs(Result.getOrThrow(Codec.encoder(Dated)("s", [Dated.cases.Noted.make({ at })])))
      assert.strictEqual(EventStore.encodedWithOf(recorded!), Dated)
      const event = Result.getOrThrow(Codec.eventDecoder(Dated)(recorded!))
      assert.instanceOf(event.at, Date)
      assert.strictEqual(event.at.getTime(), at.getTime())
    }))

  it.effect("a record written in an older schema version is upcast and decoded, never taken as it is", () =>
    Effect.gen(function*() {
      const [recorded] = yield* storedAs(Result.getOrThrow(encode("s", [opened])))
      // The same record read by a codec whose upcasters say AccountOpened is now at version 2.
      const upcasters = { AccountOpened: [(data: unknown) => ({ ...(data as object), owner: "upcast" })] }
      const event = Result.getOrThrow(Codec.eventDecoder(BankAccount.Event, upcasters)(recorded!))
      assert.notStrictEqual(event, recorded!.data)
      assert.deepStrictEqual(event, { ...opened, owner: "upcast" })
    }))

  it("only in-memory records keep the Schema: a record without one is left as it is", () => {
    const recorded = { streamId: "s", version: 1, position: 1, type: "T", data: {}, metadata: { eventId: "e", recordedAt: 0 } }
    assert.strictEqual(EventStore.keepEncodedWith(recorded, undefined), recorded)
    assert.isUndefined(EventStore.encodedWithOf(recorded))
  })
})
