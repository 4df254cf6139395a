/**
 * The compiled decoders that `Codec` reads records with (effect's Schema JIT compiler) answer what
 * effect's interpreted decoder answers: the same value for every input that decodes, and the same
 * issue — so the same `EventDecodeError` message — for every input that does not. Checked on
 * generated events (encoded, so as a store holds them), on arbitrary JSON, and on events with one
 * field replaced by anything, for a Schema whose stored form is its decoded form and for one whose
 * JSON codec transforms (dates, sets).
 */
import { BankAccount, User } from "@chronicle/examples"
import { Arbitraries } from "@chronicle/testing"
import { assert, describe, it } from "@effect/vitest"
import { Result, Schema, SchemaIssue } from "effect"
import fc from "fast-check"
import * as Compiled from "../../packages/runtime/src/internal/compiled.ts"

const Stamped = Schema.TaggedUnion({
  Stamped: { at: Schema.DateTimeUtc, tags: Schema.ReadonlySet(Schema.String), count: Schema.Int.check(Schema.isGreaterThan(0)) }
})

const format = SchemaIssue.makeFormatterDefault()

/** The outcome of a decode, comparable: the value, or the issue's message. */
const outcome = (result: Result.Result<unknown, SchemaIssue.Issue>) =>
  Result.isSuccess(result) ? { value: result.success } : { issue: format(result.failure) }

const agrees = <A>(schema: Schema.Codec<A, unknown, never, never>) => {
  const json = Schema.toCodecJson(schema)
  const encode = Schema.encodeSync(json)
  const interpreted = Schema.decodeUnknownResult(json)
  const compiled = Compiled.jsonDecoder(schema)
  const events = Arbitraries.fromSchema(schema).map((event) => encode(event) as Record<string, unknown>)
  const edited = fc.tuple(events, fc.anything()).chain(([encoded, value]) =>
    fc.constantFrom(...Object.keys(encoded)).map((key) => ({ ...encoded, [key]: value }))
  )
  fc.assert(
    fc.property(fc.oneof(events, fc.jsonValue(), edited), (input) => {
      const expected = outcome(Result.mapError(interpreted(input), (error) => error.issue))
      assert.deepStrictEqual(outcome(compiled(input)), expected)
    }),
    { numRuns: 300 }
  )
}

describe("Compiled.jsonDecoder", () => {
  it("agrees with the interpreter on a Schema whose stored form is its decoded form", () => agrees(BankAccount.Event))
  it("agrees with the interpreter on a Schema whose JSON codec transforms", () => agrees(Stamped))
  it("agrees with the interpreter on the User events", () => agrees(User.Event))
})
