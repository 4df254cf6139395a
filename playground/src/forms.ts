/**
 * Command forms derived from a command Schema. The Schema's AST says everything a form needs: a
 * tagged union gives one form per case, each property a field whose control follows its type (text,
 * number, a choice of literals, a toggle) and whose hint follows its checks. The values read from a
 * form are the command's JSON form (text, numbers, booleans, parsed JSON), so they are validated the
 * way the handler's `handleUnknown` decodes them (`CommandHandler.commandDecoder`), and each issue is
 * reported at the field its path names.
 */
import { CommandHandler } from "@chronicle/runtime"
import { Result, Schema, SchemaAST } from "effect"

/** The control a field is edited with. */
export type Control =
  | { readonly _tag: "Text" }
  | { readonly _tag: "Number"; readonly integer: boolean }
  | { readonly _tag: "Choice"; readonly options: ReadonlyArray<SchemaAST.LiteralValue> }
  | { readonly _tag: "Toggle" }
  /** Anything else (arrays, nested structs): typed as JSON. */
  | { readonly _tag: "Json" }

/** A field of a command form. */
export interface Field {
  readonly name: string
  readonly label: string
  readonly control: Control
  readonly optional: boolean
  /** What the Schema's checks expect, e.g. "an integer, greater than 0". */
  readonly hint: string
}

/** One case of a command union: its tag and its fields. */
export interface CommandCase {
  readonly tag: string
  readonly fields: ReadonlyArray<Field>
}

/** The raw content of a form's controls, by field name: text, or a toggle's state. */
export type Raw = ReadonlyMap<string, string | boolean>

/** The problems of an input: messages by field name, and those about the command as a whole. */
export interface Problems {
  readonly fields: ReadonlyMap<string, ReadonlyArray<string>>
  readonly general: ReadonlyArray<string>
}

const representationOf = (check: SchemaAST.Check<unknown>): string | undefined => check.annotations?.representation?.id

const checksOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.Check<unknown>> => ast.checks ?? []

// A check's own message reads "Expected …": as a hint, what follows.
const describeCheck = (check: SchemaAST.Check<unknown>): string | undefined => {
  const annotations = check.annotations
  return annotations?.description ?? annotations?.message?.replace(/^Expected /, "") ??
    (representationOf(check) === "effect/schema/isPattern" ? undefined : annotations?.expected)
}

const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.LiteralValue> | undefined => {
  if (SchemaAST.isLiteral(ast)) return [ast.literal]
  if (!SchemaAST.isUnion(ast) || !ast.types.every(SchemaAST.isLiteral)) return undefined
  return ast.types.map((member) => (member as SchemaAST.Literal).literal)
}

const controlOf = (ast: SchemaAST.AST): Control => {
  if (SchemaAST.isString(ast)) return { _tag: "Text" }
  if (SchemaAST.isNumber(ast)) {
    return { _tag: "Number", integer: checksOf(ast).some((check) => representationOf(check) === "effect/schema/isInt") }
  }
  if (SchemaAST.isBoolean(ast)) return { _tag: "Toggle" }
  const options = literalsOf(ast)
  return options === undefined ? { _tag: "Json" } : { _tag: "Choice", options }
}

// "unitPrice" → "unit price"
const humanize = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase()

const fieldOf = (property: SchemaAST.PropertySignature): Field => {
  const name = String(property.name)
  const hints = checksOf(property.type).flatMap((check) => describeCheck(check) ?? [])
  return {
    name,
    label: SchemaAST.resolveTitle(property.type) ?? humanize(name),
    control: controlOf(property.type),
    optional: SchemaAST.isOptional(property.type),
    hint: hints.join(", ")
  }
}

const caseOf = (ast: SchemaAST.AST): ReadonlyArray<CommandCase> => {
  if (!SchemaAST.isObjects(ast)) return []
  const tag = ast.propertySignatures.find((property) => property.name === "_tag")?.type
  if (tag === undefined || !SchemaAST.isLiteral(tag)) return []
  const fields = ast.propertySignatures.filter((property) => property.name !== "_tag").map(fieldOf)
  return [{ tag: String(tag.literal), fields }]
}

/**
 * The cases of a tagged command union (or of a single tagged struct), read from its AST.
 *
 * @example
 * ```ts
 * casesOf(BankAccount.Command)[1]
 * // { tag: "Deposit", fields: [{ name: "accountId", control: Text, … }, { name: "amount", control: Number(integer), hint: "an integer, a value greater than 0" }] }
 * ```
 */
export const casesOf = (schema: Schema.Top): ReadonlyArray<CommandCase> =>
  SchemaAST.isUnion(schema.ast) ? schema.ast.types.flatMap(caseOf) : caseOf(schema.ast)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text // the Schema reports it
  }
}

// An empty optional field, or an empty number, is left out: the Schema then says what is missing.
const valueOf = (field: Field, raw: string | boolean | undefined): { readonly value: unknown } | undefined => {
  if (typeof raw === "boolean") return { value: raw }
  // Spaces around a value are never meant: an id of spaces only is an empty id, and is refused.
  const text = (raw ?? "").trim()
  if (text === "" && (field.optional || field.control._tag === "Number" || field.control._tag === "Json")) return undefined
  switch (field.control._tag) {
    case "Number":
      return { value: Number(text) }
    case "Choice":
      return { value: field.control.options.find((option) => String(option) === text) ?? text }
    case "Json":
      return { value: parseJson(text) }
    default:
      return { value: text }
  }
}

/**
 * The command a form describes: its tag and the typed values of its fields.
 *
 * @example
 * ```ts
 * inputOf(depositCase, new Map([["accountId", "a"], ["amount", "100"]])) // { _tag: "Deposit", accountId: "a", amount: 100 }
 * ```
 */
export const inputOf = (commandCase: CommandCase, raw: Raw): Record<string, unknown> => {
  const input: Record<string, unknown> = { _tag: commandCase.tag }
  for (const field of commandCase.fields) {
    const value = valueOf(field, raw.get(field.name))
    if (value !== undefined) input[field.name] = value.value
  }
  return input
}

// "Missing key" is the Schema's word for an empty field.
const reword = (message: string) => message === "Missing key" ? "Required" : message

/**
 * Decodes the input from the command Schema's JSON form, as `handleUnknown` will, reporting every
 * issue at the field its path starts with; `undefined` when the input is a valid command.
 *
 * @example
 * ```ts
 * validate(BankAccount.Command, { _tag: "Deposit", accountId: "", amount: -1 })
 * // fields: accountId → ["Expected a value with a length of at least 1"], amount → ["Expected a value greater than 0"]
 * ```
 */
export const validate = (schema: Schema.Codec<unknown, unknown, never, never>, input: unknown): Problems | undefined => {
  const decoded = CommandHandler.commandDecoder(schema)(input)
  if (Result.isSuccess(decoded)) return undefined
  const fields = new Map<string, Array<string>>()
  const general: Array<string> = []
  for (const issue of decoded.failure.issues) {
    const key = issue.path[0]
    if (typeof key === "string") fields.set(key, [...(fields.get(key) ?? []), reword(issue.message)])
    else general.push(issue.message)
  }
  return { fields, general }
}
