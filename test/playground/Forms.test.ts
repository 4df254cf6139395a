/**
 * The playground's command forms, derived from command Schemas: every kind of field a Schema can
 * give (the example domains use only text and numbers), and validation messages by field.
 */
import { BankAccount } from "@chronicle/examples"
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { casesOf, inputOf, validate } from "../../playground/src/forms.ts"

const Command = Schema.TaggedUnion({
  Paint: {
    wallId: Schema.NonEmptyString,
    colour: Schema.Literals(["red", "green", "blue"]),
    coats: Schema.Int.check(Schema.isGreaterThan(0)),
    glossy: Schema.Boolean,
    note: Schema.optionalKey(Schema.String),
    tags: Schema.Array(Schema.String)
  },
  Strip: { wallId: Schema.NonEmptyString }
})

describe("forms", () => {
  it("derives one form per case, with a control per field type", () => {
    const [paint, strip] = casesOf(Command)
    assert.deepStrictEqual(casesOf(Command).map((c) => c.tag), ["Paint", "Strip"])
    assert.deepStrictEqual(paint!.fields.map((field) => [field.name, field.label, field.control._tag, field.optional]), [
      ["wallId", "wall id", "Text", false],
      ["colour", "colour", "Choice", false],
      ["coats", "coats", "Number", false],
      ["glossy", "glossy", "Toggle", false],
      ["note", "note", "Text", true],
      ["tags", "tags", "Json", false]
    ])
    assert.deepStrictEqual(paint!.fields[1]!.control, { _tag: "Choice", options: ["red", "green", "blue"] })
    assert.deepStrictEqual(paint!.fields[2]!.control, { _tag: "Number", integer: true })
    assert.strictEqual(paint!.fields[2]!.hint, "an integer, a value greater than 0")
    assert.deepStrictEqual(strip!.fields.map((field) => field.name), ["wallId"])
  })

  it("reads typed values, leaving out empty optional and number fields", () => {
    const [paint] = casesOf(Command)
    const raw = new Map<string, string | boolean>([
      ["wallId", "w1"],
      ["colour", "green"],
      ["coats", ""],
      ["glossy", true],
      ["note", ""],
      ["tags", '["a"]']
    ])
    assert.deepStrictEqual(inputOf(paint!, raw), { _tag: "Paint", wallId: "w1", colour: "green", glossy: true, tags: ["a"] })
  })

  it("trims text: an id of spaces only is refused as empty, spaces around a value are dropped", () => {
    const [, strip] = casesOf(Command)
    const [deposit] = casesOf(BankAccount.Command).filter((c) => c.tag === "Deposit")
    assert.deepStrictEqual(inputOf(strip!, new Map([["wallId", "  w1 "]])), { _tag: "Strip", wallId: "w1" })
    const blank = inputOf(deposit!, new Map([["accountId", "   "], ["amount", " 5 "]]))
    assert.deepStrictEqual(blank, { _tag: "Deposit", accountId: "", amount: 5 })
    assert.deepStrictEqual(Object.fromEntries(validate(BankAccount.Command, blank)!.fields), {
      accountId: ["Expected a value with a length of at least 1"]
    })
  })

  it("reports every issue at its field, with the Schema's messages", () => {
    const problems = validate(BankAccount.Command, { _tag: "Deposit", accountId: "", amount: 1.5 })
    assert.deepStrictEqual(Object.fromEntries(problems!.fields), {
      accountId: ["Expected a value with a length of at least 1"],
      amount: ["Expected an integer"]
    })
    assert.deepStrictEqual(Object.fromEntries(validate(BankAccount.Command, { _tag: "Deposit", accountId: "a" })!.fields), {
      amount: ["Required"]
    })
    assert.strictEqual(validate(BankAccount.Command, { _tag: "Deposit", accountId: "a", amount: 5 }), undefined)
  })

  it("validates what a form holds as the command's JSON form, as handleUnknown decodes it: a date is its ISO text", () => {
    const Meeting = Schema.TaggedUnion({ Book: { roomId: Schema.NonEmptyString, at: Schema.Date } })
    const [book] = casesOf(Meeting)
    const input = inputOf(book!, new Map([["roomId", "r1"], ["at", "2026-12-01T09:30:00.000Z"]]))
    assert.deepStrictEqual(input, { _tag: "Book", roomId: "r1", at: "2026-12-01T09:30:00.000Z" })
    assert.strictEqual(validate(Meeting, input), undefined)
    assert.deepStrictEqual(Object.fromEntries(validate(Meeting, { ...input, at: "soon" })!.fields), { at: ["Expected a valid Date"] })
  })
})
