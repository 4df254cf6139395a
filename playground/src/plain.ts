/**
 * Domain values as plain JSON for display: states and read models may hold `Map`s and `Set`s,
 * which `JSON.stringify` would print as `{}`. The result is always shown as text.
 */

/** A value made of JSON-like parts only: maps become objects, sets become arrays. */
export type Plain = null | boolean | number | string | ReadonlyArray<Plain> | { readonly [key: string]: Plain }

/**
 * Turns a value into {@link Plain} data: `Map` → object (keys as strings), `Set` → array,
 * `undefined` → `null`; other objects keep their own enumerable fields.
 *
 * @example
 * ```ts
 * toPlain(new Map([["a", 1]])) // { a: 1 }
 * ```
 */
export const toPlain = (value: unknown): Plain => {
  if (value === undefined || value === null) return null
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [String(key), toPlain(item)]))
  if (value instanceof Set || Array.isArray(value)) return [...value].map(toPlain)
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPlain(item)]))
  return String(value)
}

/**
 * The entries of a record-like value in their own order — a `Map`'s insertion order, keys as
 * strings — where turning it into an object first would put integer-like keys (`"10"`) first;
 * `undefined` for anything else (arrays, sets, scalars).
 *
 * @example
 * ```ts
 * entriesOf(new Map([["b", 1], ["10", 2]])) // [["b", 1], ["10", 2]]
 * ```
 */
export const entriesOf = (value: unknown): ReadonlyArray<readonly [string, unknown]> | undefined => {
  if (value instanceof Map) return [...value].map(([key, item]) => [String(key), item] as const)
  if (typeof value !== "object" || value === null || value instanceof Set || Array.isArray(value)) return undefined
  return Object.entries(value)
}

/**
 * A value as one line of JSON text.
 *
 * @example
 * ```ts
 * show({ _tag: "Opened", balance: 70 }) // '{"_tag":"Opened","balance":70}'
 * ```
 */
export const show = (value: unknown): string => JSON.stringify(toPlain(value))

/** A value as indented JSON text, for state panels. */
export const showPretty = (value: unknown): string => JSON.stringify(toPlain(value), null, 2)

/** Whether two values have the same plain form (key order included, as folds build them alike). */
export const samePlain = (left: unknown, right: unknown): boolean => show(left) === show(right)
