/**
 * Decoders of a Schema's JSON codec that are compiled, where the platform allows it. Stored records
 * are decoded by the thousand (a replay, a projection rebuild), and effect's interpreted parser
 * walks the Schema's AST for each one; effect's own JIT compiler (`SchemaJITCompiler`) turns the
 * same AST into one JavaScript function, several times faster. The compiled function only answers
 * "valid, here is the value" or "invalid": for an invalid input effect runs the interpreted parser,
 * so the issue, and the message made of it, are the ones the interpreter gives. Where functions
 * cannot be built at run time (a Content-Security-Policy without `unsafe-eval`), effect keeps the
 * interpreter: the results are the same, only slower.
 *
 * The decoder is `SchemaParser`'s synchronous one, which calls the compiled function directly; the
 * `Result` and `Exit` adapters (and `Schema.decodeUnknownSync`) run each decode as an Effect, which
 * costs more than the compiled decode itself.
 *
 * @internal
 */
import { Result, Schema, SchemaAST, SchemaIssue, SchemaParser } from "effect"
import * as SchemaJITCompiler from "effect/schema/SchemaJITCompiler"

/**
 * The decoder of `schema`'s JSON codec (`Schema.toCodecJson`), compiled on its first use: unknown
 * input in, the decoded value or the Schema's issue out. What the Schema throws (a defect in a
 * check or a transformation) is thrown, as effect's own decoders do.
 */
export const jsonDecoder = <A>(
  schema: Schema.Codec<A, unknown, never, never>
): (input: unknown) => Result.Result<A, SchemaIssue.Issue> => {
  const json = Schema.toCodecJson(schema)
  SchemaJITCompiler.enable(json.ast)
  const decode = SchemaParser.decodeUnknownSync(json)
  return (input) => {
    try {
      return Result.succeed(decode(input))
    } catch (error) {
      // effect's synchronous decoder throws an `Error` whose cause is the issue; a defect has a `Cause` there.
      if (error instanceof Error && SchemaIssue.isIssue(error.cause)) return Result.fail(error.cause)
      throw error
    }
  }
}

/**
 * Whether `schema`'s JSON codec decodes a valid input to the same value: no transformation anywhere
 * in it (the encoded and the decoded form of its AST are its AST itself), so that a payload this
 * Schema encoded is already its decoded event.
 */
export const isJsonIdentity = (schema: Schema.Top): boolean => {
  const { ast } = Schema.toCodecJson(schema)
  return SchemaAST.toEncoded(ast) === ast && SchemaAST.toType(ast) === ast
}
