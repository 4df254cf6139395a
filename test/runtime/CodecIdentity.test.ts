import { BankAccount } from "@chronicle/examples"
import { Codec } from "@chronicle/runtime"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as Identity from "../../packages/runtime/src/internal/identity.ts"

const deposited = { _tag: "Deposited", accountId: "a1", amount: 5 } as const

const encodeOne = (schema: Codec.EventSchema<Codec.Tagged>, event: unknown) =>
  Codec.encoder(schema)("s", [event as Codec.Tagged])

describe("Codec.encoder, for a Schema whose JSON form is the event itself", () => {
  it("records the event's frozen JSON copy as its encoded form, without the Schema rebuilding it", () => {
    const event: { _tag: "Deposited"; accountId: string; amount: number } = { ...deposited }
    const [pending] = Result.getOrThrow(encodeOne(BankAccount.Event, event))
    assert.deepStrictEqual(pending?.data, deposited)
    assert.notStrictEqual(pending?.data, event)
    assert.isTrue(Object.isFrozen(pending?.data))
    event.amount = 6
    assert.deepStrictEqual(pending?.data, deposited)
  })

  it("encodes what the Schema encodes: a key it does not declare is dropped, a refinement still refuses", () => {
    const [pending] = Result.getOrThrow(encodeOne(BankAccount.Event, { ...deposited, note: "extra" }))
    assert.deepStrictEqual(pending?.data, deposited)
    const refused = encodeOne(BankAccount.Event, { ...deposited, amount: 0 })
    assert.isTrue(Result.isFailure(refused))
    if (Result.isSuccess(refused)) return
    assert.deepInclude(refused.failure, { _tag: "EventEncodeError", streamId: "s", type: "Deposited" })
    assert.match(refused.failure.reason, /amount/)
  })

  it("reads the event once: a getter that answers differently later does not change what was checked", () => {
    let reads = 0
    const event = {
      _tag: "Deposited",
      accountId: "a1",
      get amount() {
        reads++
        return reads === 1 ? 5 : -1
      }
    }
    const [pending] = Result.getOrThrow(encodeOne(BankAccount.Event, event))
    assert.strictEqual(reads, 1)
    assert.deepStrictEqual(pending?.data, deposited)
  })

  it("refuses a reserved type, and a value that is not JSON goes through the Schema, which says what is wrong", () => {
    const Reserved = Schema.TaggedUnion({ $Mine: { n: Schema.Number } })
    const reserved = encodeOne(Reserved, { _tag: "$Mine", n: 1 })
    assert.isTrue(Result.isFailure(reserved) && /reserved/.test(reserved.failure.reason))
    const nan = encodeOne(BankAccount.Event, { ...deposited, amount: Number.NaN })
    assert.isTrue(Result.isFailure(nan) && /amount/.test(nan.failure.reason))
  })
})

describe("internal/identity", () => {
  const compile = (schema: Schema.Top) => Identity.compile(Schema.toCodecJson(schema).ast)

  it("compiles a tagged union of flat structs, checking values as the Schema's is does, and no key more", () => {
    const exact = compile(BankAccount.Event)
    assert.isDefined(exact)
    if (exact === undefined) return
    assert.isTrue(exact(deposited))
    assert.isFalse(exact({ ...deposited, amount: 1.5 }))
    assert.isFalse(exact({ ...deposited, accountId: "" }))
    assert.isFalse(exact({ ...deposited, note: "extra" }))
    assert.isFalse(exact({ _tag: "Deposited", accountId: "a1" }))
    assert.isFalse(exact({ ...deposited, _tag: "Unknown" }))
    assert.isFalse(exact([deposited]))
  })

  it("knows an optional key and a nested struct", () => {
    const exact = compile(Schema.TaggedStruct("Noted", { text: Schema.optionalKey(Schema.String), at: Schema.Struct({ n: Schema.Finite }) }))
    assert.isDefined(exact)
    if (exact === undefined) return
    assert.isTrue(exact({ _tag: "Noted", at: { n: 1 } }))
    assert.isTrue(exact({ _tag: "Noted", text: "x", at: { n: 1 } }))
    assert.isFalse(exact({ _tag: "Noted", at: { n: 1, m: 2 } }))
  })

  it("gives up on what does not encode as itself, or where the first matching member is not known by its tag", () => {
    assert.isUndefined(compile(Schema.TaggedStruct("At", { at: Schema.DateTimeUtc })))
    // Schema.Number's JSON form writes non-finite numbers as strings: an encoding of its own.
    assert.isUndefined(compile(Schema.TaggedStruct("N", { n: Schema.Number })))
    assert.isUndefined(compile(Schema.TaggedStruct("Tags", { tags: Schema.Array(Schema.String) })))
    assert.isUndefined(compile(Schema.Union([Schema.Struct({ a: Schema.String }), Schema.Struct({ a: Schema.String, b: Schema.String })])))
    assert.isUndefined(compile(Schema.Struct({ v: Schema.Union([Schema.String, Schema.NonEmptyString], { mode: "oneOf" }) })))
  })
})
