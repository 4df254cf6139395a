/**
 * The architecture, checked: dependencies point inward, and the pure packages (core, examples) do no
 * I/O and read no clock or randomness.
 */
import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const packages = fileURLToPath(new URL("../../packages", import.meta.url))

const sources = (pkg: string): ReadonlyArray<{ readonly file: string; readonly text: string }> =>
  readdirSync(join(packages, pkg, "src"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => ({ file: `${pkg}/src/${file}`, text: readFileSync(join(packages, pkg, "src", file), "utf8") }))

const imports = (text: string) => [...text.matchAll(/^import .* from "([^"]+)"/gm)].map((match) => match[1]!)

/** What each package may import, besides its own modules. */
const allowed: Record<string, ReadonlyArray<string>> = {
  core: ["effect"],
  examples: ["effect", "@chronicle/core"],
  runtime: ["effect", "effect/schema/SchemaJITCompiler", "@chronicle/core"],
  "store-memory": ["effect", "@chronicle/core", "@chronicle/runtime"],
  "store-indexeddb": ["effect", "idb", "@chronicle/core", "@chronicle/runtime"],
  "store-postgres": ["effect", "effect/sql", "@effect/sql-pg", "@chronicle/core", "@chronicle/runtime"],
  testing: ["effect", "effect/testing", "fast-check", "@effect/vitest", "@chronicle/core", "@chronicle/runtime"]
}

// Modules of `effect` that run things or touch the world; the pure packages may not use them.
const impure = /\b(Effect|Clock|Random|Stream|Layer|Fiber|Ref|Console|DateTime\.now|Date\.now|new Date\(|Math\.random|fetch|setTimeout|setInterval|crypto|localStorage|indexedDB)\b/

describe("architecture", () => {
  it("every package has its allowed dependencies declared here", () => {
    assert.sameMembers(readdirSync(packages), Object.keys(allowed))
  })

  for (const [pkg, allow] of Object.entries(allowed)) {
    it(`${pkg} imports only ${allow.join(", ")}`, () => {
      for (const { file, text } of sources(pkg)) {
        for (const specifier of imports(text)) {
          if (specifier.startsWith(".")) continue
          assert.include(allow, specifier, `${file} imports ${specifier}`)
        }
      }
    })
  }

  for (const pkg of ["core", "examples"]) {
    it(`${pkg} is pure: no I/O, no clock, no randomness, no Effect runtime`, () => {
      for (const { file, text } of sources(pkg)) {
        const code = text.replace(/\/\*\*[\s\S]*?\*\/|\/\/.*$/gm, "") // doc examples may show runtime use
        const found = code.match(impure)
        assert.isNull(found, `${file} uses ${found?.[0]}`)
      }
    })
  }
})
