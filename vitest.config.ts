import { defineConfig } from "vitest/config"
import * as Source from "./test/support/source.ts"

export default defineConfig({
  // The tests run on the packages' sources (the `@chronicle/source` export condition), not on dist/.
  ssr: { resolve: Source.ssrResolve },
  test: {
    include: ["test/**/*.test.ts"],
    // The suites that need a real PostgreSQL server run with `npm run test:postgres` (vitest.postgres.config.ts).
    exclude: ["test/browser/**", "test/postgres/server/**", "node_modules/**"],
    // Initialises PGlite's data directory once for the PostgreSQL suites (see test/postgres/pglite.ts).
    globalSetup: ["test/postgres/pglite.ts"],
    // Property tests and the concurrency suites are CPU-bound; the machines have two cores.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
