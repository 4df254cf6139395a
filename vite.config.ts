import { defineConfig } from "vite"
import * as Source from "./test/support/source.ts"

// The playground is a static site: `npm run dev` serves it, `npm run build` writes it to dist/.
export default defineConfig({
  root: "playground",
  base: "./",
  resolve: Source.resolve, // the playground bundles the packages' sources, not their dist/
  build: {
    outDir: "../dist",
    emptyOutDir: true
  },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" }
})
