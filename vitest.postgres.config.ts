import { defineConfig } from "vitest/config"
import base from "./vitest.config.ts"

// `npm run test:postgres`: every PostgreSQL suite on the server named by DATABASE_URL — those that
// `npm test` runs on PGlite, and those that need a real server (test/postgres/server/).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/postgres/**/*.test.ts", "test/BadInput.test.ts"],
    exclude: ["node_modules/**"],
    globalSetup: []
  }
})
