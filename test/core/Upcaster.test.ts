import { Upcaster } from "@chronicle/core"
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"

const upcasters: Upcaster.Upcasters = {
  Renamed: [
    (v1) => ({ ...(v1 as object), step: 2 }),
    (v2) => {
      const { step, ...rest } = v2 as { step: number }
      if (step !== 2) throw new Error("expected step 2")
      return { ...rest, step: 3 }
    }
  ]
}

describe("Upcaster", () => {
  it("the current version is the number of steps plus one", () => {
    assert.strictEqual(Upcaster.currentVersion(upcasters, "Renamed"), 3)
    assert.strictEqual(Upcaster.currentVersion(upcasters, "Other"), 1)
    assert.strictEqual(Upcaster.currentVersion(Upcaster.none, "Renamed"), 1)
  })

  it("runs the chain from the written version to the current one", () => {
    assert.deepStrictEqual(Upcaster.upcast(upcasters, "Renamed", 1, { a: 1 }), Result.succeed({ a: 1, step: 3 }))
    assert.deepStrictEqual(Upcaster.upcast(upcasters, "Renamed", 2, { a: 1, step: 2 }), Result.succeed({ a: 1, step: 3 }))
    assert.deepStrictEqual(Upcaster.upcast(upcasters, "Renamed", 3, { a: 1 }), Result.succeed({ a: 1 }))
    assert.deepStrictEqual(Upcaster.upcast(upcasters, "Other", 1, "as is"), Result.succeed("as is"))
  })

  it("refuses versions it does not know", () => {
    for (const version of [4, 0, -1, 1.5]) {
      assert.deepStrictEqual(
        Upcaster.upcast(upcasters, "Renamed", version, {}),
        Result.fail({ _tag: "UnknownVersion", current: 3 }),
        `version ${version}`
      )
    }
  })

  it("a step that throws is a typed failure naming the step", () => {
    assert.deepStrictEqual(
      Upcaster.upcast(upcasters, "Renamed", 2, { step: 7 }),
      Result.fail({ _tag: "UpcasterFailed", step: 2, reason: "expected step 2" })
    )
  })
})
