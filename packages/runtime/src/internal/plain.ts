/**
 * Safe plain copies of untrusted values. A value from outside may be a Proxy whose traps throw, or
 * have getters that throw or answer differently on each read: checking it and then using it reads it
 * twice, so what was checked may not be what is used. {@link copy} reads the value once, into a
 * plain copy of its arrays and plain objects, and turns a throwing read into a {@link Refusal} at the
 * path where it happened; the checks and everything after them then use the copy.
 *
 * - `json` mode (what stores record): the value must be JSON (`null`, booleans, finite numbers,
 *   strings, arrays and plain objects, as `Schema.Json` has it) nested at most `max` levels deep (a
 *   cycle is too deep); the copy is frozen all the way down.
 * - `loose` mode (input about to be decoded by a Schema): arrays and plain objects are copied up to
 *   `max` levels, anything else (a `Date`, a class instance, a cycle's back reference, what lies
 *   deeper) is kept as it is, for the Schema to judge.
 *
 * A value shared in several places (a DAG) is copied once and shared in the copy, so the walk visits
 * each container once. The walk recurses at most `max` levels.
 *
 * @internal
 */

/** Why a value has no plain copy, and where in it. */
export interface Refusal {
  readonly problem: "threw" | "deep" | "json"
  /** The path of the value the problem is at (for `threw`, whose read threw). */
  readonly path: ReadonlyArray<PropertyKey>
  /** What the read threw, for `threw`. */
  readonly thrown?: unknown
}

/** The outcome of {@link copy}: the copy, or why there is none. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly refusal: Refusal }

class Refused {
  readonly problem: Refusal["problem"]
  readonly path: Array<PropertyKey>
  readonly thrown: unknown
  constructor(problem: Refusal["problem"], path: Array<PropertyKey>, thrown?: unknown) {
    this.problem = problem
    this.path = path
    this.thrown = thrown
  }
}

const within = (error: unknown, key: PropertyKey): Refused => {
  if (error instanceof Refused) {
    error.path.unshift(key)
    return error
  }
  return new Refused("threw", [key], error)
}

const isJsonLeaf = (value: unknown): boolean =>
  value === null || typeof value === "string" || typeof value === "boolean" ||
  (typeof value === "number" && Number.isFinite(value))

/** A plain object: of this realm's `Object.prototype`, another realm's (whose prototype is null), or none. */
const isPlain = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null
}

const assign = (target: Record<string, unknown>, key: string, item: unknown) => {
  // An own "__proto__" key (as `JSON.parse` makes) is data: assigning it would set the prototype.
  if (key === "__proto__") Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true })
  else target[key] = item
}

/** A copied container: its copy and how many levels it nests (-1 while it is being copied). */
interface Done {
  copy: unknown
  height: number
}

/**
 * The plain copy of `value` (see the module's header), or where and why there is none.
 */
export const copy = (value: unknown, mode: "json" | "loose", max: number): Outcome => {
  const strict = mode === "json"
  // The containers visited: the root apart, and the others in a map made only when there are any
  // (most payloads are one flat object, and the copy is on every append's path).
  let root: object | undefined
  let rootDone: Done | undefined
  let done: Map<object, Done> | undefined
  // How many levels the value last visited nests: set by `visit` before it returns.
  let height = 0
  const visit = (value: unknown, depth: number): unknown => {
    if (typeof value !== "object" || value === null) {
      if (strict && !isJsonLeaf(value)) throw new Refused("json", [])
      height = 0
      return value
    }
    const seen = value === root ? rootDone : done?.get(value)
    if (seen !== undefined) {
      // On the current path (a cycle), or nesting too deep from here.
      if (seen.height < 0 || depth + seen.height > max) {
        if (strict) throw new Refused("deep", [])
        height = 0
        return value
      }
      height = seen.height
      return seen.copy
    }
    const isArray = Array.isArray(value)
    if (depth >= max || (!isArray && !isPlain(value))) {
      if (strict) throw new Refused(depth >= max ? "deep" : "json", [])
      height = 0
      return value
    }
    const entry: Done = { copy: undefined, height: -1 }
    if (depth === 0) {
      root = value
      rootDone = entry
    } else {
      if (done === undefined) done = new Map()
      done.set(value, entry)
    }
    let levels = 0
    let result: unknown
    if (isArray) {
      const items: Array<unknown> = []
      const length = (value as ReadonlyArray<unknown>).length
      for (let i = 0; i < length; i++) {
        try {
          items.push(visit((value as ReadonlyArray<unknown>)[i], depth + 1))
        } catch (error) {
          throw within(error, i)
        }
        if (height > levels) levels = height
      }
      result = strict ? Object.freeze(items) : items
    } else {
      const record: Record<string, unknown> = {}
      for (const key of Object.keys(value)) {
        try {
          assign(record, key, visit((value as Record<string, unknown>)[key], depth + 1))
        } catch (error) {
          throw within(error, key)
        }
        if (height > levels) levels = height
      }
      result = strict ? Object.freeze(record) : record
    }
    entry.copy = result
    entry.height = height = levels + 1
    return result
  }
  try {
    return { ok: true, value: visit(value, 0) }
  } catch (error) {
    const refusal = error instanceof Refused ? error : new Refused("threw", [], error)
    return { ok: false, refusal: { problem: refusal.problem, path: refusal.path, thrown: refusal.thrown } }
  }
}

/** What a read threw, in words, without trusting it (a thrown Proxy may throw again). */
export const describeThrown = (thrown: unknown): string => {
  try {
    if (thrown instanceof Error) return String(thrown.message)
    return typeof thrown === "object" && thrown !== null ? "an object" : String(thrown)
  } catch {
    return "something unreadable"
  }
}

/** The text of a path: `["a"][0]`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key) => `[${typeof key === "symbol" ? String(key) : JSON.stringify(key)}]`).join("")

/** The message of a read that threw: `reading its data threw at ["a"]: boom`. */
export const threw = (what: string, refusal: Refusal): string =>
  `reading ${what} threw${refusal.path.length === 0 ? "" : ` at ${formatPath(refusal.path)}`}: ${describeThrown(refusal.thrown)}`

/** Calls `f`, turning what it throws into a {@link Refusal} with no path. */
export const attempt = <A>(f: () => A): { readonly ok: true; readonly value: A } | { readonly ok: false; readonly refusal: Refusal } => {
  try {
    return { ok: true, value: f() }
  } catch (thrown) {
    return { ok: false, refusal: { problem: "threw", path: [], thrown } }
  }
}
