/**
 * How Schema issues read for the people who caused them: one `{ path, message }` per problem, with
 * effect's own messages, except where a value matches no case of a tagged union. There effect says
 * only "Expected { readonly "_tag": "Open", ... } | …"; here the message names the problem and the
 * tags that exist, at the path of the `_tag`:
 *
 * - an unknown tag: `Unknown _tag "Close": expected one of "Open", "Deposit"` at `[…, "_tag"]`;
 * - no tag: `Missing _tag: expected one of "Open", "Deposit"` at `[…, "_tag"]`;
 * - not an object: `Expected an object with a _tag, one of "Open", "Deposit", got a string`.
 *
 * The decoded input is needed to say which tag came: issues keep the input only when decoding
 * reports it (`reportInput`), which would also put input values into every other message.
 *
 * Every decode whose errors users read (commands, stored events, log files) formats through here.
 * The input may be anything: a read of it that throws (a getter, a Proxy) is reported as unreadable,
 * never thrown.
 *
 * @internal
 */
import { SchemaAST, SchemaIssue } from "effect"
import * as Plain from "./plain.ts"

/** One problem of an input, at the path where it sits. */
export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * The `_tag` values of a tagged struct, or of a union (of unions) of tagged structs, in order;
 * `undefined` when some case has no literal string `_tag`.
 */
export const tags = (ast: SchemaAST.AST): ReadonlyArray<string> | undefined => {
  if (SchemaAST.isUnion(ast)) {
    const members = ast.types.map(tags)
    return members.every((member) => member !== undefined) ? members.flat() : undefined
  }
  if (!SchemaAST.isObjects(ast)) return undefined
  const tag = ast.propertySignatures.find((property) => property.name === "_tag")?.type
  return tag !== undefined && SchemaAST.isLiteral(tag) && typeof tag.literal === "string" ? [tag.literal] : undefined
}

const standard = SchemaIssue.makeFormatterStandardSchemaV1()

const isContainer = (value: unknown): value is Record<PropertyKey, unknown> =>
  typeof value === "object" && value !== null

/** What sits at `path` in `value`; a read that throws (a getter, a Proxy) gives `unreadable`. */
const child = (value: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  const read = Plain.attempt(() => path.reduce((current: unknown, key) => isContainer(current) ? current[key] : undefined, value))
  return read.ok ? read.value : unreadable
}

/** Stands for a value whose read threw: the formatter reads inputs that may be anything. */
const unreadable: unique symbol = Symbol("unreadable")

const kindOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`

const show = (value: unknown): string => typeof value === "string" ? JSON.stringify(value) : typeof value === "object" ? kindOf(value) : String(value)

/** The message of a value that matches no case of a tagged union, or `undefined` for any other union. */
const tagMismatch = (union: SchemaAST.Union, path: ReadonlyArray<PropertyKey>, input: unknown): Problem | undefined => {
  // A message of the Schema's own comes first; the input meets the union's encoded side.
  if (union.annotations?.message !== undefined) return undefined
  const known = tags(SchemaAST.toEncoded(union))
  if (known === undefined) return undefined
  const expected = known.map((tag) => JSON.stringify(tag)).join(", ")
  if (input === unreadable) return { path, message: `Unreadable value (reading it threw): expected an object with a _tag, one of ${expected}` }
  if (!isContainer(input) || Array.isArray(input)) {
    return { path, message: `Expected an object with a _tag, one of ${expected}, got ${kindOf(input)}` }
  }
  const tag = child(input, ["_tag"])
  if (tag === unreadable) return { path: [...path, "_tag"], message: `Unreadable _tag (reading it threw): expected one of ${expected}` }
  if (tag === undefined) return { path: [...path, "_tag"], message: `Missing _tag: expected one of ${expected}` }
  // A known tag that still matches no case fails on another discriminator: effect says which.
  if (typeof tag === "string" && known.includes(tag)) return undefined
  return { path: [...path, "_tag"], message: `Unknown _tag ${show(tag)}: expected one of ${expected}` }
}

const walk = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>, input: unknown): Array<Problem> => {
  switch (issue._tag) {
    case "Pointer":
      return walk(issue.issue, [...path, ...issue.path], child(input, issue.path))
    case "Encoding":
      return walk(issue.issue, path, input)
    case "Composite":
      return issue.issues.flatMap((inner) => walk(inner, path, input))
    case "AnyOf": {
      if (issue.issues.length > 0) return issue.issues.flatMap((inner) => walk(inner, path, input))
      const mismatch = tagMismatch(issue.ast, path, input)
      return mismatch === undefined ? effects(issue, path) : [mismatch]
    }
    default:
      return effects(issue, path)
  }
}

/** effect's own messages for `issue`, under `path`. */
const effects = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>): Array<Problem> =>
  standard(issue).issues.map((inner) => ({
    message: inner.message,
    path: [...path, ...(inner.path ?? []).map((segment) => typeof segment === "object" ? segment.key : segment)]
  }))

/** The problems of `input`, which failed to decode with `issue`. */
export const problems = (issue: SchemaIssue.Issue, input: unknown): ReadonlyArray<Problem> => walk(issue, [], input)

/** The problems in one line: `Expected a number at ["amount"]; Missing key at ["accountId"]`. */
export const describe = (list: ReadonlyArray<Problem>): string =>
  list.map(({ message, path }) => path.length === 0 ? message : `${message} at ${Plain.formatPath(path)}`).join("; ")

/** The problems of `input`, which failed to decode with `issue`, in one line. */
export const format = (issue: SchemaIssue.Issue, input: unknown): string => describe(problems(issue, input))
