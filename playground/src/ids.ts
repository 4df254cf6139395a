/**
 * Fresh ids for commands and correlations. `crypto.getRandomValues` works on any origin, where
 * `crypto.randomUUID` needs a secure context (the built site may be served from any static server).
 */

/**
 * A random id: `prefix` and 12 hex digits.
 *
 * @example
 * ```ts
 * newId("cmd") // "cmd-3f9a0c41d2b7"
 * ```
 */
export const newId = (prefix: string): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(6))
  return `${prefix}-${[...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`
}
