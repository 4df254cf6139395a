/**
 * Schemas whose JSON codec encodes every valid value to itself. A domain's events are most often
 * flat tagged structs of strings, numbers and booleans: their JSON form is the event itself, and
 * running the Schema's encoder on each one only to rebuild the same object is most of what
 * encoding costs. For such a Schema, {@link compile} gives a predicate that checks a value the way
 * the Schema's `is` would (same nodes, same checks) and also that it has no key the Schema does not
 * declare (the encoder would drop it): a value that passes encodes to an equal value, so the value
 * itself is its encoded form.
 *
 * Only the nodes whose encoding is plainly the identity are understood — strings, numbers,
 * booleans, literals, `null`, structs without index signatures, unions of those (a union of structs
 * only when each has its own `_tag` literal, so that a value has one candidate) — and only when no
 * node carries an encoding or encoding checks of its own. For anything else `compile` gives
 * `undefined` and the Schema encodes as usual; a value the predicate refuses is encoded by the
 * Schema too, which says what is wrong with it.
 *
 * @internal
 */
import { SchemaAST } from "effect"

/** Whether a value is valid for the Schema and carries nothing it does not declare. */
export type Exact = (value: unknown) => boolean

type Checks = ReadonlyArray<SchemaAST.Check<unknown>>

const passes = (checks: Checks, value: unknown, ast: SchemaAST.AST): boolean => {
  for (const check of checks) {
    if (check._tag === "FilterGroup" ? !passes(check.checks, value, ast) : check.run(value, ast, {}) !== undefined) return false
  }
  return true
}

/** The node's predicate with its own checks run after it. */
const checked = (ast: SchemaAST.AST, test: Exact): Exact => {
  const checks = ast.checks
  return checks === undefined ? test : (value) => test(value) && passes(checks, value, ast)
}

/** Whether the node itself encodes as the identity (it may still hold nodes that do not). */
const plainNode = (ast: SchemaAST.AST): boolean =>
  ast.encoding === undefined && !("encodingChecks" in ast && ast.encodingChecks !== undefined)

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A struct's `_tag` literal, when it has one. */
const tagOf = (ast: SchemaAST.Objects): string | undefined => {
  const tag = ast.propertySignatures.find((property) => property.name === "_tag")?.type
  return tag?._tag === "Literal" && typeof tag.literal === "string" && tag.context?.isOptional !== true ? tag.literal : undefined
}

const objects = (ast: SchemaAST.Objects): Exact | undefined => {
  if (ast.indexSignatures.length > 0) return undefined
  const fields: Array<{ readonly name: string; readonly optional: boolean; readonly test: Exact }> = []
  for (const property of ast.propertySignatures) {
    const test = compile(property.type)
    if (typeof property.name !== "string" || test === undefined) return undefined
    fields.push({ name: property.name, optional: property.type.context?.isOptional === true, test })
  }
  const declared = new Set(fields.map(({ name }) => name))
  return (value) => {
    if (!isRecord(value)) return false
    let present = 0
    for (const { name, optional, test } of fields) {
      if (!Object.hasOwn(value, name)) {
        if (optional) continue
        return false
      }
      present++
      if (!test(value[name])) return false
    }
    const keys = Object.keys(value)
    if (keys.length !== present) return false
    for (const key of keys) if (!declared.has(key)) return false
    return true
  }
}

const union = (ast: SchemaAST.Union): Exact | undefined => {
  const members: Array<Exact> = []
  for (const type of ast.types) {
    const test = compile(type)
    if (test === undefined) return undefined
    members.push(test)
  }
  // A "oneOf" union refuses a value two members accept: that takes the Schema itself to tell.
  if (ast.types.every((type) => type._tag !== "Objects")) return ast.options?.mode === "oneOf" ? undefined : (value) => members.some((test) => test(value))
  // Structs in a union: the encoder takes the first member a value matches, which drops what that
  // member does not declare. With a distinct tag per member, a value has one candidate.
  const byTag = new Map<string, Exact>()
  for (const [i, type] of ast.types.entries()) {
    const tag = type._tag === "Objects" ? tagOf(type) : undefined
    if (tag === undefined || byTag.has(tag)) return undefined
    byTag.set(tag, members[i]!)
  }
  return (value) => {
    const tag = isRecord(value) ? value._tag : undefined
    const test = typeof tag === "string" ? byTag.get(tag) : undefined
    return test !== undefined && test(value)
  }
}

/**
 * The {@link Exact} predicate of a Schema's AST (its JSON codec's), when its encoding is the
 * identity on every value it accepts; `undefined` when it may not be.
 */
export const compile = (ast: SchemaAST.AST): Exact | undefined => {
  if (!plainNode(ast)) return undefined
  switch (ast._tag) {
    case "String":
      return checked(ast, (value) => typeof value === "string")
    case "Number":
      return checked(ast, (value) => typeof value === "number" && Number.isFinite(value))
    case "Boolean":
      return checked(ast, (value) => typeof value === "boolean")
    case "Null":
      return checked(ast, (value) => value === null)
    case "Literal": {
      const literal = ast.literal
      return typeof literal === "bigint" ? undefined : checked(ast, (value) => value === literal)
    }
    case "Objects": {
      const test = objects(ast)
      return test === undefined ? undefined : checked(ast, test)
    }
    case "Union": {
      const test = union(ast)
      return test === undefined ? undefined : checked(ast, test)
    }
    default:
      return undefined
  }
}
