import { defineConfig } from "vite"

// The playground is a static site: `npm run dev` serves it, `npm run build` writes it to dist/.
export default defineConfig({
  root: "playground",
  base: "./",
  build: {
    outDir: "../dist",
    emptyOutDir: true
  },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" }
})
