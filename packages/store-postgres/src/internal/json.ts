/**
 * JSON text for `jsonb` parameters. The stores bind JSON as text cast to `jsonb` in the statement,
 * so that arrays and scalars bind the same way as objects.
 *
 * @internal
 */
import { EventStore } from "@chronicle/runtime"
import { Effect } from "effect"

/** `value` (`what` it is, for the error) as JSON text, or a `StoreError` when it has no JSON form. */
export const encodeJson = (
  operation: string,
  streamId: string | undefined,
  what: string,
  value: unknown
): Effect.Effect<string, EventStore.StoreError> =>
  Effect.try({
    try: () => {
      const json = JSON.stringify(value)
      if (json === undefined) throw new TypeError(`${typeof value} has no JSON form`)
      return json
    },
    catch: (cause) =>
      new EventStore.StoreError({ operation, streamId, reason: `${what} is not JSON: ${String(cause)}`, cause })
  })
