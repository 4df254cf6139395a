import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/browser/**", "node_modules/**"],
    // Property tests and the concurrency suites are CPU-bound; the machines have two cores.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
