/**
 * Payloads built to break a naive checker, built without recursion so that making them cannot
 * overflow the stack either.
 */

/** `depth` nested arrays around a number: `nested(2)` is `[[1]]`. */
export const nested = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** `levels` levels of `[x, x]` around one number: 2^levels paths through only `levels` distinct arrays. */
export const shared = (levels: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = [value, value]
  return value
}
