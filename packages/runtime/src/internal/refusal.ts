/**
 * Tagged errors that capture no stack trace, for refusals: a rejected command or a terminated
 * stream is an answer the caller caused, whose facts are its fields, not a place in the code to
 * debug. Capturing a stack is most of what building an `Error` costs, and a handler may refuse many
 * commands a second. Everything else is `Data.TaggedError`'s: a yieldable, typed `Error` with a
 * `_tag` for `Effect.catchTag`.
 *
 * @internal
 */
import { Data } from "effect"

/**
 * `Data.TaggedError(tag)`, whose instances are built with `Error.stackTraceLimit` at 0 (where the
 * host lets it be set): their `stack` is only the header line.
 */
export const TaggedRefusal = <Tag extends string>(tag: Tag): ReturnType<typeof Data.TaggedError<Tag>> => {
  const Base = Data.TaggedError(tag)
  class Refusal extends Base<Record<string, unknown>> {
    constructor(args: Record<string, unknown>) {
      // V8's property (declared by Node's types only, so read through Reflect for every platform).
      const limit: unknown = Reflect.get(Error, "stackTraceLimit")
      // Reflect.set rather than an assignment: where the host froze it, it is left as it is.
      Reflect.set(Error, "stackTraceLimit", 0)
      super(args)
      Reflect.set(Error, "stackTraceLimit", limit)
    }
  }
  return Refusal as unknown as ReturnType<typeof Data.TaggedError<Tag>>
}
