/**
 * The README's examples run: every ```ts block preceded by `<!-- test -->` is written to a module
 * next to this file, type-checked with the project's compiler options, imported (so it runs top to
 * bottom), and each `console.log(…) // prints: X` line must print exactly X, in order.
 */
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

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

const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8")
const blocks = [...readme.matchAll(/<!-- test -->\n```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)

describe("README", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("has tested examples", () => {
    assert.isAtLeast(blocks.length, 1)
  })

  blocks.forEach((code, index) => {
    it(`example ${index + 1} runs and prints what it says`, async () => {
      const expected = [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((match) => match[1]!.trim())
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
