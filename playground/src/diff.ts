/**
 * The difference between two states, as a list of changed paths: what time travel shows next to
 * the state at a version.
 */
import { type Plain, show, toPlain } from "./plain.ts"

/** One difference: a path (`balance`, `lines.tea.quantity`) added, removed or changed. */
export type Change =
  | { readonly _tag: "Added"; readonly path: string; readonly after: Plain }
  | { readonly _tag: "Removed"; readonly path: string; readonly before: Plain }
  | { readonly _tag: "Changed"; readonly path: string; readonly before: Plain; readonly after: Plain }

const isRecord = (value: Plain): value is { readonly [key: string]: Plain } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const join = (path: string, key: string) => path === "" ? key : `${path}.${key}`

const walk = (path: string, before: Plain, after: Plain): ReadonlyArray<Change> => {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    return keys.flatMap((key) => {
      const inBefore = Object.hasOwn(before, key)
      const inAfter = Object.hasOwn(after, key)
      if (!inAfter) return [{ _tag: "Removed", path: join(path, key), before: before[key]! } as const]
      if (!inBefore) return [{ _tag: "Added", path: join(path, key), after: after[key]! } as const]
      return walk(join(path, key), before[key]!, after[key]!)
    })
  }
  return show(before) === show(after) ? [] : [{ _tag: "Changed", path: path === "" ? "(state)" : path, before, after }]
}

/**
 * The changes from `before` to `after`, leaf by leaf (maps compared key by key).
 *
 * @example
 * ```ts
 * diff({ _tag: "Opened", balance: 0 }, { _tag: "Opened", balance: 100 })
 * // [{ _tag: "Changed", path: "balance", before: 0, after: 100 }]
 * ```
 */
export const diff = (before: unknown, after: unknown): ReadonlyArray<Change> => walk("", toPlain(before), toPlain(after))
