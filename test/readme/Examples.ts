/**
 * The READMEs' tested examples (the repository's `README.md` and each package's): every ```ts block preceded by
 * `<!-- test -->`, or by `<!-- test: <app> -->` when the block is also the source of a consumer app
 * (`test/consumers/<app>/src/main.ts`). Used by the README test (on the sources) and by the consumer
 * checks (on the packed packages).
 *
 * @example
 * const [first] = Examples.read()
 * Examples.prints(first.code) // ["60 2", "InsufficientBalance", "60"]
 */
import { readdirSync, readFileSync } from "node:fs"

/** One tested block: its code, and the consumer app it is the source of, if any. */
export interface Example {
  readonly app: string | undefined
  readonly code: string
}

/** The READMEs with tested examples: the repository's, then each package's (relative to the root). */
export const readmes: ReadonlyArray<string> = [
  "README.md",
  ...readdirSync(new URL("../../packages", import.meta.url)).sort().map((name) => `packages/${name}/README.md`)
]

/** The tested examples of a README (by default the repository's), in order. */
export const read = (readme = "README.md"): ReadonlyArray<Example> =>
  [...readFileSync(new URL(`../../${readme}`, import.meta.url), "utf8").matchAll(/<!-- test(?:: ([a-z-]+))? -->\n```ts\n([\s\S]*?)```/g)]
    .map((match) => ({ app: match[1], code: match[2]! }))

/** The source of the consumer app `app`; throws if the README has no such example. */
export const app = (app: string): string => {
  const found = read().find((example) => example.app === app)
  if (found === undefined) throw new Error(`README.md has no example marked <!-- test: ${app} -->`)
  return found.code
}

/** What the code says it prints: the `X` of each `console.log(…) // prints: X` line, in order. */
export const prints = (code: string): ReadonlyArray<string> =>
  [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((match) => match[1]!.trim())
