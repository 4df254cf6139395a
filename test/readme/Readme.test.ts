/**
 * The READMEs' examples run (the repository's and each package's; see `Examples.ts`): every tested
 * block is written to a module next to this file, type-checked with the project's compiler options
 * (all blocks in one compiler run), imported (so it runs top to bottom), and each
 * `console.log(…) // prints: X` line must print exactly X, in order.
 *
 * The repository README's `<!-- test: node-app -->` and `<!-- test: browser-app -->` blocks are also
 * the sources of two consumer apps (`test/consumers/run.ts`), which run them from the packed
 * packages. Here the browser code runs on `fake-indexeddb`.
 */
import { afterAll, assert, beforeAll, describe, it, vi } from "@effect/vitest"
import "fake-indexeddb/auto"
import { execFileSync } from "node:child_process"
import { rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Examples from "./Examples.ts"

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url))

const examples = Examples.readmes.flatMap((readme) =>
  Examples.read(readme).map((example, index) => ({
    ...example,
    readme,
    index,
    name: `${readme.replace(/\/?README\.md$/, "").replaceAll("/", "-") || "root"}-example-${index + 1}.generated.ts`
  }))
)

/** The compiler's report on the generated modules, by file name (empty when it compiles). */
let reports = new Map<string, string>()

const config = here("./examples.generated.tsconfig.json")

beforeAll(() => {
  for (const { name, code } of examples) writeFileSync(here(`./${name}`), code)
  writeFileSync(config, JSON.stringify({ extends: "../../tsconfig.json", include: [], files: examples.map(({ name }) => name) }))
  try {
    execFileSync(process.execPath, [here("../../node_modules/typescript/bin/tsc"), "--noEmit", "-p", config], { encoding: "utf8", stdio: "pipe" })
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error)
    reports = new Map(examples.map(({ name }) => [name, output.split("\n").filter((line) => line.includes(name)).join("\n")]))
    if ([...reports.values()].every((report) => report === "")) throw new Error(`the README examples do not type-check:\n${output}`)
  }
})

afterAll(() => {
  for (const { name } of examples) rmSync(here(`./${name}`), { force: true })
  rmSync(config, { force: true })
})

for (const readme of Examples.readmes) {
  describe(readme, () => {
    const own = examples.filter((example) => example.readme === readme)

    it("has tested examples", () => {
      assert.isAtLeast(own.length, 1)
    })

    if (readme === "README.md") {
      it("has the consumer apps' sources", () => {
        assert.sameMembers(own.flatMap(({ app }) => app === undefined ? [] : [app]), ["node-app", "browser-app"])
      })
    }

    for (const { app, code, index, name } of own) {
      it(`example ${index + 1}${app === undefined ? "" : ` (${app})`} type-checks, runs and prints what it says`, async () => {
        const report = reports.get(name) ?? ""
        assert.strictEqual(report, "", `${readme}, example ${index + 1} does not type-check:\n${report}`)
        const printed: Array<string> = []
        vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
          printed.push(args.map(String).join(" "))
        })
        try {
          await import(/* @vite-ignore */ here(`./${name}`))
        } finally {
          vi.restoreAllMocks()
        }
        assert.deepStrictEqual(printed, Examples.prints(code))
      })
    }
  })
}
