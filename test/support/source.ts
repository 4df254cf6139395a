/**
 * How the repository consumes its own packages: from their TypeScript sources, never from a build.
 *
 * Each package's `exports` lists the custom condition `@chronicle/source` first (pointing at
 * `src/`), before `types` and `import` (pointing at `dist/`, what users get). Everything here that
 * resolves `@chronicle/*` enables the condition: `tsconfig.json` (`customConditions`), vite and
 * vitest (these options), Node processes (`node --conditions=@chronicle/source`, see `nodeArgs`).
 *
 * @example
 * import { build } from "vite"
 * import * as Source from "../support/source.ts"
 * await build({ configFile: false, root, resolve: Source.resolve })
 */
import { defaultClientConditions, defaultServerConditions } from "vite"

/** The export condition that maps `@chronicle/*` to `src/`. */
export const condition = "@chronicle/source"

/** Vite's `resolve` option for browser builds: the default client conditions, then ours. */
export const resolve = { conditions: [condition, ...defaultClientConditions] }

/** Vite's `ssr.resolve` option (what vitest uses for tests in Node): the server conditions, then ours. */
export const ssrResolve = { conditions: [condition, ...defaultServerConditions] }

/** The Node flag for child processes that import the packages directly (`node --conditions=…`). */
export const nodeArgs: ReadonlyArray<string> = [`--conditions=${condition}`]
