/**
 * The structural copy and comparison the laws use to catch an `evolve` that changes its input in
 * place: a copy is the same as its original until the original changes, anywhere inside.
 */
import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import * as Structure from "../../packages/testing/src/internal/structure.ts"

class Point {
  x: number
  constructor(x: number) {
    this.x = x
  }
}

const state = () => ({
  totals: new Map([["a", { count: 1 }]]),
  seen: new Set(["x"]),
  log: [1, 2],
  at: new Date(5),
  point: new Point(1),
  maybe: Option.some({ n: 1 })
})

type State = ReturnType<typeof state>

describe("Structure", () => {
  it("a copy is the same as its original, and shares none of its objects", () => {
    const original = state()
    const copy = Structure.copy(original)
    assert.isTrue(Structure.same(original, copy))
    assert.notStrictEqual(copy.totals, original.totals)
    assert.notStrictEqual(copy.totals.get("a"), original.totals.get("a"))
    assert.notStrictEqual(copy.at, original.at)
    assert.instanceOf(copy.point, Point)
  })

  const changes: ReadonlyArray<readonly [string, (state: State) => void]> = [
    ["a value inside a map", (s) => void (s.totals.get("a")!.count = 2)],
    ["an entry added to a map", (s) => void s.totals.set("b", { count: 0 })],
    ["a set", (s) => void s.seen.add("y")],
    ["an array", (s) => void s.log.push(3)],
    ["a date", (s) => void s.at.setTime(6)],
    ["a class instance", (s) => void (s.point.x = 2)],
    ["an Effect data type's content", (s) => void (Option.getOrThrow(s.maybe).n = 2)],
  ]
  for (const [where, change] of changes) {
    it(`tells a change to ${where}`, () => {
      const original = state()
      const copy = Structure.copy(original)
      change(original)
      assert.isFalse(Structure.same(copy, original))
    })
  }

  it("follows cycles without looping", () => {
    const node: { name: string; self?: unknown } = { name: "a" }
    node.self = node
    const copy = Structure.copy(node)
    assert.strictEqual(copy.self, copy)
    assert.isTrue(Structure.same(node, copy))
    node.name = "b"
    assert.isFalse(Structure.same(copy, node))
  })

  it("compares entries and items in order", () => {
    assert.isFalse(Structure.same(new Map([[1, 1], [2, 2]]), new Map([[2, 2], [1, 1]])))
    assert.isFalse(Structure.same(new Set([1, 2]), new Set([2, 1])))
    assert.isFalse(Structure.same({ a: 1, b: 2 }, { b: 2, a: 1 }))
  })

  it("compares primitives with Object.is", () => {
    assert.isTrue(Structure.same(Number.NaN, Number.NaN))
    assert.isFalse(Structure.same(0, -0))
    assert.isFalse(Structure.same({ a: 1 }, { a: "1" }))
  })
})
