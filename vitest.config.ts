import { defineConfig } from "vitest/config"
import * as Source from "./test/support/source.ts"

export default defineConfig({
  // The tests run on the packages' sources (the `@chronicle/source` export condition), not on dist/.
  ssr: { resolve: Source.ssrResolve },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**", "node_modules/**"],
    // Property tests and the concurrency suites are CPU-bound; the machines have two cores.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
