/**
 * Commands, events, rejections and states as readable text: the tag as a title and the other fields
 * as `name: value` lines. Values are shown with `textContent` only.
 */
import { h } from "./dom.ts"
import { entriesOf, show } from "./plain.ts"

/**
 * The `_tag` of a tagged value, or its JSON text.
 *
 * @example
 * ```ts
 * tagOf({ _tag: "Deposited", amount: 100 }) // "Deposited"
 * ```
 */
export const tagOf = (value: unknown): string =>
  typeof value === "object" && value !== null && "_tag" in value ? String(value._tag) : show(value)

// In the value's own order (a Map's insertion order): see `entriesOf`.
const fieldsOf = (value: unknown): ReadonlyArray<readonly [string, string]> | undefined =>
  entriesOf(value)?.filter(([key]) => key !== "_tag").map(([key, item]) => [key, typeof item === "string" ? item : show(item)])

/**
 * A value's fields on one line: `accountId a · amount 100`.
 *
 * @example
 * ```ts
 * inline({ _tag: "Deposit", accountId: "a", amount: 100 }) // "accountId a · amount 100"
 * ```
 */
export const inline = (value: unknown): string =>
  fieldsOf(value)?.map(([key, item]) => `${key} ${item}`).join(" · ") ?? show(value)

/**
 * A value as a list of `name: value` lines, or its JSON text when it has no fields. The tag is left
 * out (callers show it as a title) unless `withTag`, as for states whose tag is their case.
 */
export const view = (value: unknown, withTag = false): HTMLElement => {
  const fields = fieldsOf(value)
  if (fields === undefined) return h("code", { class: "payload" }, show(value))
  const tag = withTag && typeof value === "object" && value !== null && "_tag" in value ? [["case", tagOf(value)] as const] : []
  const lines = [...tag, ...fields]
  if (lines.length === 0) return h("p", { class: "payload muted" }, "no fields")
  return h("dl", { class: "fields-list" }, ...lines.flatMap(([key, item]) => [h("dt", {}, key), h("dd", {}, item)]))
}
