/**
 * Structural copies and comparisons, to tell whether a value was changed in place: {@link copy}
 * takes a deep copy of a value before it is handed out, {@link same} says afterwards whether the
 * value still has that structure. Maps, sets, arrays, dates and objects (their own enumerable
 * properties, under the same prototype) are walked; everything else (primitives, functions) is
 * compared with `Object.is`. Cycles are followed once.
 *
 * Unlike `Equal.equals`, which trusts an object's own `Equal` implementation, this looks at what
 * is really stored, and in order: a map whose entries moved is not the same map any more.
 *
 * @internal
 */

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null

/**
 * A deep copy of `value`'s structure.
 *
 * @internal
 */
export const copy = <A>(value: A): A => copyWith(value, new Map())

const copyWith = (value: unknown, copies: Map<object, unknown>): any => {
  if (!isObject(value)) return value
  const known = copies.get(value)
  if (known !== undefined) return known
  if (value instanceof Date) return new Date(value.getTime())
  if (value instanceof Map) {
    const copied = new Map()
    copies.set(value, copied)
    for (const [key, item] of value) copied.set(copyWith(key, copies), copyWith(item, copies))
    return copied
  }
  if (value instanceof Set) {
    const copied = new Set()
    copies.set(value, copied)
    for (const item of value) copied.add(copyWith(item, copies))
    return copied
  }
  const copied: Record<string, unknown> = Array.isArray(value) ? [] : Object.create(Object.getPrototypeOf(value))
  copies.set(value, copied)
  for (const key of Object.keys(value)) copied[key] = copyWith((value as Record<string, unknown>)[key], copies)
  return copied
}

/**
 * Whether `self` and `that` have the same structure: same kinds, same dates, same entries, items
 * and properties in the same order, same primitives.
 *
 * @internal
 */
export const same = (self: unknown, that: unknown): boolean => sameWith(self, that, new Map())

const sameWith = (self: unknown, that: unknown, seen: Map<object, Set<object>>): boolean => {
  if (!isObject(self) || !isObject(that)) return Object.is(self, that)
  if (seen.get(self)?.has(that) === true) return true
  seen.set(self, (seen.get(self) ?? new Set()).add(that))
  if (Object.getPrototypeOf(self) !== Object.getPrototypeOf(that)) return false
  if (self instanceof Date) return Object.is(self.getTime(), (that as Date).getTime())
  if (self instanceof Map || self instanceof Set) {
    const these = [...self.entries()]
    const those = [...(that as Map<unknown, unknown> | Set<unknown>).entries()]
    return these.length === those.length &&
      these.every(([key, item], i) => sameWith(key, those[i]![0], seen) && sameWith(item, those[i]![1], seen))
  }
  const keys = Object.keys(self)
  const otherKeys = Object.keys(that)
  return keys.length === otherKeys.length && keys.every((key, i) =>
    key === otherKeys[i] &&
    sameWith((self as Record<string, unknown>)[key], (that as Record<string, unknown>)[key], seen)
  )
}
