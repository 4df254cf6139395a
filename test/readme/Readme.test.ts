/**
 * The README's examples run: every ```ts block preceded by `<!-- test -->` is written to a module
 * next to this file, type-checked with the project's compiler options, imported (so it runs top to
 * bottom), and each `console.log(…) // prints: X` line must print exactly X, in order.
 *
 * A marker may name a consumer app, `<!-- test: node-app -->` or `<!-- test: browser-app -->`: the
 * block is also that app's source in the consumer checks (`test/consumers/run.ts`), which run it from
 * the packed packages. Here the browser app runs on `fake-indexeddb` (no other example uses IndexedDB).
 */
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import "fake-indexeddb/auto"
import { execFileSync } from "node:child_process"
import { rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Examples from "./Examples.ts"

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url))

/** Type-checks one file with the root tsconfig's options; throws with the compiler's report. */
const typecheck = (file: string) => {
  const config = here(`./${file}.tsconfig.json`)
  writeFileSync(config, JSON.stringify({ extends: "../../tsconfig.json", include: [], files: [file] }))
  try {
    execFileSync(process.execPath, [here("../../node_modules/typescript/bin/tsc"), "--noEmit", "-p", config], {
      encoding: "utf8",
      stdio: "pipe"
    })
  } catch (error) {
    throw new Error(`README example does not type-check:\n${(error as { stdout?: string }).stdout ?? String(error)}`)
  } finally {
    rmSync(config)
  }
}

const blocks = Examples.read()

describe("README", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("has tested examples", () => {
    assert.isAtLeast(blocks.length, 1)
  })

  it("has the consumer apps' sources", () => {
    assert.sameMembers(blocks.flatMap(({ app }) => app === undefined ? [] : [app]), ["node-app", "browser-app"])
  })

  blocks.forEach(({ app, code }, index) => {
    it(`example ${index + 1}${app === undefined ? "" : ` (${app})`} runs and prints what it says`, async () => {
      const expected = Examples.prints(code)
      const printed: Array<string> = []
      vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
        printed.push(args.map(String).join(" "))
      })
      const name = `example-${index + 1}.generated.ts`
      const file = here(`./${name}`)
      writeFileSync(file, code)
      try {
        typecheck(name)
        await import(/* @vite-ignore */ file)
      } finally {
        rmSync(file)
      }
      assert.deepStrictEqual(printed, expected)
    })
  })
})
