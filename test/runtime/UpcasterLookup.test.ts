/**
 * Upcasters are looked up by event type among the record's own properties only: an event type named
 * like something every object inherits (`constructor`, `__defineGetter__`) has no upcasters unless
 * the domain lists some, so it is written at version 1 and its version-1 records stay readable.
 */
import { Upcaster } from "@chronicle/core"
import { User } from "@chronicle/examples"
import { Codec } from "@chronicle/runtime"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"

const Inherited = Schema.Union([
  Schema.TaggedStruct("constructor", { n: Schema.Int }),
  Schema.TaggedStruct("__defineGetter__", { n: Schema.Int }),
  Schema.TaggedStruct("toString", { n: Schema.Int })
])

const types = ["constructor", "__defineGetter__", "toString"] as const

const recordOf = (type: string) => ({
  streamId: "s",
  version: 1,
  position: 1,
  type,
  data: { _tag: type, n: 1 },
  metadata: { eventId: "e", recordedAt: 0 }
})

describe("upcaster lookup", () => {
  it("a type named like an inherited property is at version 1 and upcasts as itself", () => {
    for (const type of types) {
      assert.strictEqual(Upcaster.currentVersion(User.upcasters, type), 1, type)
      assert.deepStrictEqual(Upcaster.upcast(User.upcasters, type, 1, { n: 1 }), Result.succeed({ n: 1 }), type)
      assert.deepStrictEqual(Upcaster.upcast(Upcaster.none, type, 2, { n: 1 }), Result.fail({ _tag: "UnknownVersion", current: 1 }))
    }
  })

  it("the codec writes such events at version 1 and reads their version-1 records back", () => {
    const encode = Codec.encoder(Inherited, User.upcasters)
    const decode = Codec.decoder(Inherited, User.upcasters)
    for (const type of types) {
      const pending = encode("s", [{ _tag: type, n: 1 }])
      assert.deepStrictEqual(Result.map(pending, (events) => events.map((event) => event.schemaVersion)), Result.succeed([1]), type)
      const decoded = decode(recordOf(type))
      assert.isTrue(Result.isSuccess(decoded), `${type}: ${Result.isFailure(decoded) ? decoded.failure.message : ""}`)
    }
  })

  it("a domain's own upcasters for such a type still count", () => {
    const upcasters: Upcaster.Upcasters = { constructor: [(data: unknown) => ({ ...(data as object), n: 2 })] }
    assert.strictEqual(Upcaster.currentVersion(upcasters, "constructor"), 2)
    assert.deepStrictEqual(Upcaster.upcast(upcasters, "constructor", 1, { n: 1 }), Result.succeed({ n: 2 }))
  })
})
