import type { Envelope } from "@chronicle/core"
import { BankAccount } from "@chronicle/examples"
import { Codec, EventStore } from "@chronicle/runtime"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Option, Result, Schema, Stream } from "effect"

const Stamped = Schema.TaggedUnion({
  Stamped: { at: Schema.DateTimeUtc, tags: Schema.ReadonlySet(Schema.String) }
})

const recorded = (position: number, data: unknown) => ({
  streamId: "s",
  version: position,
  position,
  type: "Stamped",
  data,
  metadata: { eventId: `e${position}`, recordedAt: 0 }
})

describe("Codec", () => {
  it("encodes through the Schema's JSON codec, so what is stored is plain JSON, and decodes back", () => {
    const event = Stamped.cases.Stamped.make({ at: DateTime.makeUnsafe("2026-11-24T12:00:00Z"), tags: new Set(["a"]) })
    const [pending] = Result.getOrThrow(Codec.encoder(Stamped)("s", [event], { correlationId: "c" }))
    assert.deepStrictEqual(pending, {
      type: "Stamped",
      data: { _tag: "Stamped", at: "2026-11-24T12:00:00.000Z", tags: ["a"] },
      trace: { correlationId: "c" },
      schemaVersion: 1,
      encodedWith: Stamped
    })
    const decoded = Result.getOrThrow(Codec.decoder(Stamped)(recorded(1, JSON.parse(JSON.stringify(pending?.data)))))
    assert.isTrue(Schema.toEquivalence(Stamped)(decoded.data, event))
  })

  it("a record that does not decode names stream, version, position and type", () => {
    const failure = Codec.decoder(BankAccount.Event)(recorded(7, { _tag: "Deposited", accountId: "a" }))
    assert.isTrue(Result.isFailure(failure))
    if (Result.isSuccess(failure)) return
    assert.deepInclude(failure.failure, { streamId: "s", version: 7, position: 7, type: "Stamped" })
    assert.match(failure.failure.message, /Missing key[\s\S]*amount/)
  })

  it("eventDecoder gives the event itself, and names where a record that does not decode sits", () => {
    const decodeEvent = Codec.eventDecoder(BankAccount.Event)
    assert.deepStrictEqual(
      Result.getOrThrow(decodeEvent(recorded(3, { _tag: "Deposited", accountId: "a", amount: 5 }))),
      { _tag: "Deposited", accountId: "a", amount: 5 }
    )
    const failure = decodeEvent(recorded(4, { _tag: "Deposited", accountId: "a", amount: -1 }))
    assert.isTrue(Result.isFailure(failure))
    if (Result.isSuccess(failure)) return
    assert.deepInclude(failure.failure, { _tag: "EventDecodeError", streamId: "s", version: 4, position: 4, schemaVersion: 1 })
  })

  it("decoder, eventDecoder and historyDecoder decode a record read again afresh: they remember nothing about record objects", () => {
    const decoders: ReadonlyArray<(record: Envelope.Recorded) => Result.Result<unknown, Codec.EventDecodeError | EventStore.StreamClosed>> = [
      Codec.eventDecoder(BankAccount.Event),
      Codec.decoder(BankAccount.Event),
      Codec.historyDecoder(BankAccount.Event)
    ]
    for (const decode of decoders) {
      const record = recorded(1, { _tag: "Deposited", accountId: "a", amount: 1 })
      assert.isTrue(Result.isSuccess(decode(record)))
      record.data = { _tag: "Deposited", accountId: "a", amount: -1 }
      assert.deepInclude(Result.getFailure(decode(record)).pipe(Option.getOrThrow), { _tag: "EventDecodeError", position: 1 })
    }
  })

  it("historyDecoder: an archive marker is no event, a tombstone is StreamClosed, any other record its event", () => {
    const decodeHistory = Codec.historyDecoder(BankAccount.Event)
    const marker = (type: string) => ({ ...recorded(9, {}), type })
    assert.isUndefined(Result.getOrThrow(decodeHistory(marker(EventStore.archivedType))))
    assert.deepInclude(Result.getFailure(decodeHistory(marker(EventStore.deletedType))).pipe(Option.getOrThrow), {
      _tag: "StreamClosed",
      streamId: "s",
      closure: "Deleted"
    })
    assert.deepInclude(Result.getFailure(decodeHistory(recorded(2, { _tag: "Deposited" }))).pipe(Option.getOrThrow), {
      _tag: "EventDecodeError",
      position: 2
    })
    assert.deepStrictEqual(
      Result.getOrThrow(decodeHistory(recorded(3, { _tag: "Withdrawn", accountId: "a", amount: 2 }))),
      { _tag: "Withdrawn", accountId: "a", amount: 2 }
    )
  })

  it.effect("decodeStream fails on the first bad record and never skips it", () =>
    Effect.gen(function*() {
      const good = recorded(1, { _tag: "Deposited", accountId: "a", amount: 1 })
      const bad = recorded(2, { _tag: "Deposited", accountId: "a", amount: -1 })
      const error = yield* Stream.fromArray([good, bad, good]).pipe(Codec.decodeStream(BankAccount.Event), Stream.runCollect, Effect.flip)
      assert.deepInclude(error, { _tag: "EventDecodeError", position: 2 })
    }))

  it("eventTypes lists the tags of a tagged union, and gives up on schemas that do not say", () => {
    assert.deepStrictEqual([...Codec.eventTypes(BankAccount.Event) ?? []], ["AccountOpened", "Deposited", "Withdrawn"])
    assert.deepStrictEqual([...Codec.eventTypes(Stamped.cases.Stamped) ?? []], ["Stamped"])
    assert.isUndefined(Codec.eventTypes(Schema.Unknown))
    assert.isUndefined(Codec.eventTypes(Schema.Union([BankAccount.Event, Schema.String])))
  })
})
